//! All unique NAS-Bench-101 cells, each once, in canonical form and a fixed order.
//!
//! Like `nasbench`'s `generate_graphs.py`, this walks vertex counts 2..=7, every adjacency code
//! with at most 9 edges whose DAG has no dangling vertex, and every labelling of the interior
//! vertices. Instead of hashing every labelled graph and keeping the first of each hash, it
//! keeps a graph only when it already is its own canonical form ([`super::canonical`], the
//! generic node cell's rule): that needs no table of seen hashes, parallelises freely, and each
//! isomorphism class appears exactly once. The `nasbench` authors verified that their hash separates exactly these
//! isomorphism classes, which is why the count is the published 423,624.
//!
//! Order: vertex count, then adjacency code, then interior labels (first vertex most
//! significant, label order conv3x3, conv1x1, maxpool3x3).

use super::canonical::from_node_cell;
use super::cell::{Cell, MAX_EDGES, MAX_VERTICES};
use crate::declared::node_cell::canonical as generic;

/// The published number of unique NAS-Bench-101 cells.
pub const UNIQUE_CELLS: usize = 423_624;

/// Every unique cell in canonical form, in enumeration order: the generic node cell's
/// enumeration (`declared::node_cell::canonical::enumerate`) for 7 vertices, 9 edges and the
/// three ops in hash-label order.
pub fn enumerate_unique_cells() -> Vec<Cell> {
    generic::enumerate(MAX_VERTICES, MAX_EDGES, 3).iter().map(from_node_cell).collect()
}
