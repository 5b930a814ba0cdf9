//! What a NAS-Bench-101 cell is, as the `nasbench` library's `model_spec.py` defines it:
//! a DAG on at most 7 vertices, given as an upper-triangular 0/1 adjacency matrix, with one op
//! per vertex: `input` first, `output` last, and `conv3x3-bn-relu`, `conv1x1-bn-relu` or
//! `maxpool3x3` in between.

use std::fmt;

/// Most vertices a valid cell may have (after pruning).
pub const MAX_VERTICES: usize = 7;
/// Most edges a valid cell may have (after pruning).
pub const MAX_EDGES: usize = 9;

/// The op of one vertex.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    Input,
    Conv3x3,
    Conv1x1,
    MaxPool3x3,
    Output,
}

impl Op {
    /// The three interior ops, in the order of nasbench's `available_ops`: a vertex's hash
    /// label is its index here.
    pub const INTERIOR: [Op; 3] = [Op::Conv3x3, Op::Conv1x1, Op::MaxPool3x3];

    /// The exact op strings of the dataset.
    pub fn name(self) -> &'static str {
        match self {
            Op::Input => "input",
            Op::Conv3x3 => "conv3x3-bn-relu",
            Op::Conv1x1 => "conv1x1-bn-relu",
            Op::MaxPool3x3 => "maxpool3x3",
            Op::Output => "output",
        }
    }

    pub fn from_name(name: &str) -> Option<Op> {
        [Op::Input, Op::Conv3x3, Op::Conv1x1, Op::MaxPool3x3, Op::Output].into_iter().find(|op| op.name() == name)
    }

    /// The label used by `nasbench`'s module hash: -1 input, -2 output, else the index in
    /// [`Op::INTERIOR`].
    pub fn hash_label(self) -> i8 {
        match self {
            Op::Input => -1,
            Op::Output => -2,
            Op::Conv3x3 => 0,
            Op::Conv1x1 => 1,
            Op::MaxPool3x3 => 2,
        }
    }

    /// The interior op with hash label `label` (0, 1 or 2).
    pub fn interior(label: u8) -> Op {
        Op::INTERIOR[label as usize]
    }

    /// NASLib's integer op ids: 0 input, 1 output, 2 maxpool3x3, 3 conv1x1, 4 conv3x3.
    pub fn from_naslib_id(id: i64) -> Option<Op> {
        match id {
            0 => Some(Op::Input),
            1 => Some(Op::Output),
            2 => Some(Op::MaxPool3x3),
            3 => Some(Op::Conv1x1),
            4 => Some(Op::Conv3x3),
            _ => None,
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A pruned, valid cell. Vertex 0 is the input, vertex `vertices - 1` the output, and every
/// edge goes from a lower to a higher vertex. Values produced by this crate are also in
/// canonical vertex order (see [`super::canonical`]), so equal cells mean isomorphic cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cell {
    pub(crate) vertices: u8,
    /// `out_edges[i]` has bit `j` set when there is an edge i → j.
    pub(crate) out_edges: [u8; MAX_VERTICES],
    pub(crate) ops: [Op; MAX_VERTICES],
}

impl Cell {
    /// Builds a cell from parts already known to be valid and pruned.
    pub(crate) fn from_parts(vertices: usize, out_edges: &[u8], ops: &[Op]) -> Cell {
        let mut cell = Cell { vertices: vertices as u8, out_edges: [0; MAX_VERTICES], ops: [Op::Output; MAX_VERTICES] };
        cell.out_edges[..vertices].copy_from_slice(&out_edges[..vertices]);
        cell.ops[..vertices].copy_from_slice(&ops[..vertices]);
        cell
    }

    pub fn vertex_count(&self) -> usize {
        self.vertices as usize
    }

    pub fn ops(&self) -> &[Op] {
        &self.ops[..self.vertex_count()]
    }

    pub fn has_edge(&self, from: usize, to: usize) -> bool {
        self.out_edges[from] >> to & 1 == 1
    }

    pub fn edge_count(&self) -> usize {
        self.out_edges[..self.vertex_count()].iter().map(|row| row.count_ones() as usize).sum()
    }

    pub fn out_degree(&self, vertex: usize) -> usize {
        self.out_edges[vertex].count_ones() as usize
    }

    /// `in_edges()[j]` has bit `i` set when there is an edge i → j.
    pub(crate) fn in_edges(&self) -> [u8; MAX_VERTICES] {
        let mut in_edges = [0u8; MAX_VERTICES];
        for (from, &row) in self.out_edges.iter().enumerate() {
            for (to, column) in in_edges.iter_mut().enumerate() {
                *column |= (row >> to & 1) << from;
            }
        }
        in_edges
    }

    pub fn in_degree(&self, vertex: usize) -> usize {
        (0..self.vertex_count()).filter(|&from| self.has_edge(from, vertex)).count()
    }

    /// The adjacency matrix as 0/1 rows.
    pub fn adjacency(&self) -> Vec<Vec<u8>> {
        let n = self.vertex_count();
        (0..n).map(|i| (0..n).map(|j| self.has_edge(i, j) as u8).collect()).collect()
    }
}
