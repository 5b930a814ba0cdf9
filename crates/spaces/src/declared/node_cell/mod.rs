//! The rules of a declared node-op cell (the NAS-Bench-101 family), for any op vocabulary, any
//! vertex limit 2..=9 and any edge limit: what a valid cell is, its canonical form and id, its
//! text form, the enumeration of all unique cells, random cells and mutation.
//!
//! A cell is an upper-triangular 0/1 adjacency matrix with one op per vertex: `input` first,
//! `output` last, one of the spec's ops in between. As in `nasbench`'s `model_spec.py`, vertices
//! off every input→output path are pruned, and the vertex and edge limits are judged on the
//! pruned cell (`api._check_spec`). The built-in [`crate::nb101`] is one instance of these
//! rules: declared with its ops in label order (conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3),
//! it gives the same canonical cells in the same enumeration order (checked by the tests).
//!
//! - [`canonical`]: one vertex order per isomorphism class, and the enumeration;
//! - [`random`]: `nasbench`'s `random_spec` recipe and evolution's mutation;
//! - `text`: the canonical text form and id ([`NodeCellRules::text`], [`NodeCellRules::id`]).

pub mod canonical;
pub mod random;
#[cfg(test)]
mod tests;
mod text;

use np_io::quoted;

use super::common::ID_ALPHABET;
use super::spec::{MAX_CELL_VERTICES, NodeCellSpec};
use crate::ArchGraph;
use crate::nb101::spec::{MAX_UNPRUNED_VERTICES, prune_unreachable};

/// The most cells [`NodeCellRules::enumerable`] allows: about half a gigabyte of cells.
pub const ENUMERABLE_CELLS: u128 = 20_000_000;

/// Most interior vertices of a declared cell.
const MAX_INTERIOR: usize = MAX_CELL_VERTICES - 2;

/// A pruned, valid cell in canonical vertex order ([`canonical`]), so equal cells mean
/// isomorphic cells. Vertex 0 is the input, vertex `vertex_count() - 1` the output, every edge
/// goes from a lower to a higher vertex; unused slots are zero.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct NodeCell {
    vertices: u8,
    /// `out_edges[i]` has bit `j` set when there is an edge i → j.
    out_edges: [u16; MAX_CELL_VERTICES],
    /// `labels[v - 1]` is interior vertex `v`'s op, as an index into the spec's ops.
    labels: [u8; MAX_INTERIOR],
}

impl NodeCell {
    /// A cell from parts known to be valid and pruned (not necessarily canonical).
    pub(crate) fn from_parts(vertices: usize, out_edges: &[u16], labels: &[u8]) -> NodeCell {
        let mut cell =
            NodeCell { vertices: vertices as u8, out_edges: [0; MAX_CELL_VERTICES], labels: [0; MAX_INTERIOR] };
        cell.out_edges[..vertices].copy_from_slice(&out_edges[..vertices]);
        cell.labels[..vertices - 2].copy_from_slice(&labels[..vertices - 2]);
        cell
    }

    pub fn vertex_count(&self) -> usize {
        self.vertices as usize
    }

    pub fn has_edge(&self, from: usize, to: usize) -> bool {
        self.out_edges[from] >> to & 1 == 1
    }

    pub fn edge_count(&self) -> usize {
        self.out_edges.iter().map(|row| row.count_ones() as usize).sum()
    }

    /// The interior vertices' ops (vertices 1 … n−2), as indices into the spec's ops.
    pub fn interior_ops(&self) -> &[u8] {
        &self.labels[..self.vertex_count() - 2]
    }

    /// The adjacency code: bit `to(to−1)/2 + from` set for each edge from → to (the bit layout
    /// of `nasbench`'s `gen_is_edge_fn`, as `nb101` writes it).
    pub fn adjacency_code(&self) -> u64 {
        canonical::adjacency_code(self.vertex_count(), &self.out_edges)
    }
}

/// The rules of one declared node-cell space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeCellRules {
    max_vertices: usize,
    max_edges: usize,
    /// Interior op names in label order: the order canonical forms rank them (the spec's
    /// `rank`, or else its `ops`).
    ops: Vec<String>,
    /// The spec's `ops` (the one-hot order of the graph view).
    vocabulary: Vec<String>,
    /// For each label, its op's position in `vocabulary`.
    vocabulary_index: Vec<usize>,
    /// Characters per interior op in ids: one while the ops fit [`ID_ALPHABET`].
    id_width: usize,
}

impl NodeCellRules {
    /// The rules of a checked spec ([`super::SpaceSpec::check`]).
    pub fn of(spec: &NodeCellSpec) -> Self {
        assert!(spec.ops.len() <= 256, "a node cell's op labels are bytes: at most 256 ops");
        let all_edges = spec.max_vertices * (spec.max_vertices - 1) / 2;
        let labels = spec.rank.clone().unwrap_or_else(|| spec.ops.clone());
        let mut id_width = 1;
        while ID_ALPHABET.len().pow(id_width as u32) < spec.ops.len() {
            id_width += 1;
        }
        NodeCellRules {
            max_vertices: spec.max_vertices,
            max_edges: spec.max_edges.unwrap_or(all_edges).min(all_edges),
            ops: labels.clone(),
            vocabulary: spec.ops.clone(),
            vocabulary_index: labels
                .iter()
                .map(|name| spec.ops.iter().position(|op| op == name).expect("a checked spec"))
                .collect(),
            id_width,
        }
    }

    /// The graph op vocabulary: `input`, the spec's ops in order, `output`.
    pub fn op_vocabulary(&self) -> Vec<String> {
        let mut names = vec!["input".to_string()];
        names.extend(self.vocabulary.iter().cloned());
        names.push("output".to_string());
        names
    }

    /// The interior op names, in label (rank) order.
    pub fn interior_op_names(&self) -> &[String] {
        &self.ops
    }

    pub fn max_vertices(&self) -> usize {
        self.max_vertices
    }

    /// The edge limit in effect: the spec's, or every upper-triangle entry when it sets none.
    pub fn max_edges(&self) -> usize {
        self.max_edges
    }

    /// Whether [`enumerate`](Self::enumerate) is affordable: at most 7 vertices and at most
    /// [`ENUMERABLE_CELLS`] cells ([`count`](Self::count)). Measured on 2 cores of an Intel Xeon:
    /// NAS-Bench-101 (7 vertices, 9 edges, 3 ops: 423,624 cells) takes 0.07 s, as the built-in
    /// enumeration; without its edge limit, 18,991,191 cells take 1.8 s and 0.5 GB. The work
    /// also grows with the adjacency codes scanned, 2^(n(n−1)/2): 8 vertices scan 2^28 codes
    /// (1 s with 9 edges and 3 ops, 871,692 cells; 3.7 s and 24 million cells with 11 edges),
    /// 9 vertices 2^36, hours.
    pub fn enumerable(&self) -> bool {
        self.max_vertices <= 7 && self.count() <= ENUMERABLE_CELLS
    }

    /// The number of unique cells, computed without making them (a scan of the adjacency codes,
    /// as [`enumerate`](Self::enumerate) does; cheap up to 7 vertices, about a second at 8).
    pub fn count(&self) -> u128 {
        canonical::count(self.max_vertices, self.max_edges, self.ops.len())
    }

    /// Every unique cell once, in canonical form, in a fixed order: vertex count, then
    /// adjacency code, then interior ops (first vertex most significant, in the spec's order).
    /// Check [`enumerable`](Self::enumerable) first.
    pub fn enumerate(&self) -> Vec<NodeCell> {
        canonical::enumerate(self.max_vertices, self.max_edges, self.ops.len())
    }

    /// Validates a cell given as an adjacency matrix and op names (`input` first, `output`
    /// last), prunes it, checks the limits on the pruned cell, and canonicalises it. Unknown op
    /// names on pruned vertices are ignored, as `nasbench` does.
    pub fn from_matrix(&self, adjacency: &[Vec<u8>], ops: &[&str]) -> Result<NodeCell, String> {
        let n = adjacency.len();
        if n == 0 {
            return Err("adjacency is empty".into());
        }
        if n > MAX_UNPRUNED_VERTICES {
            return Err(format!(
                "adjacency has {n} vertices; at most {MAX_UNPRUNED_VERTICES} are accepted before pruning"
            ));
        }
        let mut rows = vec![0u64; n];
        for (i, row) in adjacency.iter().enumerate() {
            if row.len() != n {
                return Err(format!("adjacency must be square: row {i} has {} entries, expected {n}", row.len()));
            }
            for (j, &entry) in row.iter().enumerate() {
                match entry {
                    0 => {}
                    1 => rows[i] |= 1 << j,
                    other => return Err(format!("adjacency[{i}][{j}] is {other}; entries must be 0 or 1")),
                }
            }
        }
        if ops.len() != n {
            return Err(format!("adjacency is {n}×{n} but ops has {} entries", ops.len()));
        }
        self.cell_from_rows(&rows, ops)
    }

    /// Prunes, validates and canonicalises a matrix given as row masks with op names.
    fn cell_from_rows(&self, rows: &[u64], ops: &[&str]) -> Result<NodeCell, String> {
        let (kept, out_edges) = self.prune(rows)?;
        let n = kept.len();
        if ops[0] != "input" {
            return Err(format!("first op must be 'input', got {}", quoted(ops[0])));
        }
        if ops[rows.len() - 1] != "output" {
            return Err(format!("last op must be 'output', got {}", quoted(ops[rows.len() - 1])));
        }
        let mut labels = [0u8; MAX_INTERIOR];
        for (label, &vertex) in labels.iter_mut().zip(&kept[1..n - 1]) {
            *label = self.label(ops[vertex]).ok_or_else(|| {
                format!(
                    "op {} at vertex {vertex} is not allowed inside a cell (allowed: {})",
                    quoted(ops[vertex]),
                    self.ops.join(", ")
                )
            })?;
        }
        Ok(canonical::canonicalise(&NodeCell::from_parts(n, &out_edges, &labels)))
    }

    /// The kept vertices of a matrix (row masks, upper-triangular checked here) and its pruned
    /// out-edge rows, or why it is not a valid cell of this space.
    fn prune(&self, rows: &[u64]) -> Result<(Vec<usize>, [u16; MAX_CELL_VERTICES]), String> {
        for (i, row) in rows.iter().enumerate() {
            let below_or_on_diagonal = row & ((2u64 << i) - 1);
            if below_or_on_diagonal != 0 {
                let j = below_or_on_diagonal.trailing_zeros();
                return Err(format!(
                    "adjacency has an edge {i}→{j} on or below the diagonal; cells are upper-triangular"
                ));
            }
        }
        let kept = prune_unreachable(rows).ok_or("input is not connected to output")?;
        let n = kept.len();
        if n > self.max_vertices {
            return Err(format!("cell has {n} vertices after pruning (max {})", self.max_vertices));
        }
        let mut out_edges = [0u16; MAX_CELL_VERTICES];
        for (new_from, &old_from) in kept.iter().enumerate() {
            for (new_to, &old_to) in kept.iter().enumerate() {
                out_edges[new_from] |= ((rows[old_from] >> old_to & 1) as u16) << new_to;
            }
        }
        let edges: u32 = out_edges.iter().map(|row| row.count_ones()).sum();
        if edges as usize > self.max_edges {
            return Err(format!("cell has {edges} edges after pruning (max {})", self.max_edges));
        }
        Ok((kept, out_edges))
    }

    /// The label of an interior op name.
    fn label(&self, name: &str) -> Option<u8> {
        self.ops.iter().position(|op| op == name).map(|i| i as u8)
    }

    /// The adjacency matrix as 0/1 rows.
    pub fn adjacency(&self, cell: &NodeCell) -> Vec<Vec<u8>> {
        let n = cell.vertex_count();
        (0..n).map(|i| (0..n).map(|j| cell.has_edge(i, j) as u8).collect()).collect()
    }

    /// The op names, `input` first and `output` last.
    pub fn op_names(&self, cell: &NodeCell) -> Vec<String> {
        let mut names = vec!["input".to_string()];
        names.extend(cell.interior_ops().iter().map(|&label| self.ops[label as usize].clone()));
        names.push("output".to_string());
        names
    }

    /// The graph view, built as [`crate::nb101`]'s: ops index [`op_vocabulary`](Self::op_vocabulary),
    /// canonical vertex order, no node features.
    pub fn graph(&self, cell: &NodeCell) -> ArchGraph {
        let n = cell.vertex_count();
        let mut ops = Vec::with_capacity(n);
        ops.push(0);
        ops.extend(cell.interior_ops().iter().map(|&label| self.vocabulary_index[label as usize] + 1));
        ops.push(self.ops.len() + 1);
        ArchGraph {
            ops,
            adjacency: (0..n).map(|i| (0..n).map(|j| cell.has_edge(i, j)).collect()).collect(),
            node_features: vec![Vec::new(); n],
        }
    }
}
