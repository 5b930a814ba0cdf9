//! Random cells and mutation, as [`crate::nb101::sample`] and [`crate::nb101::mutate`] for any
//! declared node-cell space. With NAS-Bench-101 declared (its ops in label order) both draw the
//! same random numbers and give the same cells as the built-in functions.

use super::{MAX_INTERIOR, NodeCell, NodeCellRules};
use crate::rng::{SpaceRng, bernoulli, uniform_below};

impl NodeCellRules {
    /// `nasbench`'s `random_spec` recipe: a random upper-triangular `max_vertices`² matrix with
    /// each edge present with probability 0.5 and uniformly random interior ops, redrawn until
    /// valid after pruning; canonical. Cells with many equivalent matrices come up more often.
    /// A tight edge limit on many vertices makes valid draws rare (with `max_edges` 1 only the
    /// direct input→output cell is valid), and this recipe then redraws for long.
    pub fn random_matrix_cell(&self, rng: &mut SpaceRng) -> NodeCell {
        let m = self.max_vertices;
        let k = self.ops.len() as u64;
        loop {
            let mut rows = vec![0u64; m];
            for (from, row) in rows.iter_mut().enumerate() {
                for to in from + 1..m {
                    if bernoulli(rng, 0.5) {
                        *row |= 1 << to;
                    }
                }
            }
            let mut labels = vec![0u8; m];
            for label in labels.iter_mut().take(m - 1).skip(1) {
                *label = uniform_below(rng, k) as u8;
            }
            if let Some(cell) = self.cell_from_labelled_rows(&rows, &labels) {
                return cell;
            }
        }
    }

    /// Mutation as the NAS-Bench-101 regularized-evolution notebook does it (`mutate_spec`,
    /// mutation rate 1), as [`crate::nb101::mutate`] applies it to pruned cells: the parent is
    /// padded back to `max_vertices` with unconnected interior vertices (random ops) before the
    /// output, so a small cell can grow; each upper-triangle entry then flips with probability
    /// 1/`max_vertices` and each interior op changes to another with probability
    /// 1/(`max_vertices` − 2). Redrawn until valid and different from the parent. A space with
    /// a single cell (2 vertices, or an edge limit of 1) has no other cell: its cell is returned.
    pub fn mutate(&self, cell: &NodeCell, rng: &mut SpaceRng) -> NodeCell {
        let m = self.max_vertices;
        if m == 2 || self.max_edges == 1 {
            return *cell;
        }
        let k = self.ops.len();
        let n = cell.vertex_count();
        let output = m - 1;
        // Old vertex v keeps its index, except the output which moves to the last slot.
        let moved = |v: usize| if v == n - 1 { output } else { v };
        loop {
            let mut rows = vec![0u64; m];
            let mut labels = vec![0u8; m];
            for v in 0..n {
                if v > 0 && v < n - 1 {
                    labels[v] = cell.labels[v - 1];
                }
                for w in 0..n {
                    if cell.has_edge(v, w) {
                        rows[moved(v)] |= 1 << moved(w);
                    }
                }
            }
            for label in labels.iter_mut().take(output).skip(n - 1) {
                *label = uniform_below(rng, k as u64) as u8;
            }
            for (from, row) in rows.iter_mut().enumerate() {
                for to in from + 1..m {
                    if bernoulli(rng, 1.0 / m as f64) {
                        *row ^= 1 << to;
                    }
                }
            }
            for label in labels.iter_mut().take(output).skip(1) {
                if bernoulli(rng, 1.0 / (m - 2) as f64) && k > 1 {
                    let others: Vec<u8> = (0..k as u8).filter(|other| other != label).collect();
                    *label = others[uniform_below(rng, others.len() as u64) as usize];
                }
            }
            if let Some(child) = self.cell_from_labelled_rows(&rows, &labels)
                && child != *cell
            {
                return child;
            }
        }
    }

    /// The canonical cell of a matrix whose vertices all carry valid labels (`labels[v]` for
    /// interior `v`; the first and last are the input and output), or `None` when it is not a
    /// valid cell of the space.
    fn cell_from_labelled_rows(&self, rows: &[u64], labels: &[u8]) -> Option<NodeCell> {
        let (kept, out_edges) = self.prune(rows).ok()?;
        let n = kept.len();
        let mut interior = [0u8; MAX_INTERIOR];
        for (label, &vertex) in interior.iter_mut().zip(&kept[1..n - 1]) {
            *label = labels[vertex];
        }
        Some(super::canonical::canonicalise(&NodeCell::from_parts(n, &out_edges, &interior)))
    }
}
