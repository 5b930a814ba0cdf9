//! Canonical vertex order of a cell, so that isomorphic cells get identical adjacency and ops.
//!
//! A cell's upper-triangular forms are exactly its topological orders (input first, output
//! last: in a pruned cell they are the only source and sink). The canonical form is the one
//! whose key is smallest: first the adjacency code (bit `y(y-1)/2 + x` set for each edge x → y,
//! the bit layout of `nasbench`'s `gen_is_edge_fn`), then the interior hash labels read in
//! vertex order. Isomorphic cells share the set of forms, so they share the minimum.
//!
//! NAS-Bench-101 is an instance of the generic node-op cell (`declared::node_cell`), which
//! holds this rule for any op list and up to 9 vertices; here a cell is moved to its form and
//! back. The generic cell's labels are the hash labels (conv3x3 0, conv1x1 1, maxpool3x3 2):
//! the rank `fixtures/spaces/nb101.toml` declares.

use super::cell::{Cell, MAX_VERTICES, Op};
use crate::declared::node_cell::NodeCell;
use crate::declared::node_cell::canonical as generic;

/// The generic node cell of a pruned, valid NAS-Bench-101 cell.
pub(crate) fn to_node_cell(cell: &Cell) -> NodeCell {
    let n = cell.vertex_count();
    let out_edges: Vec<u16> = cell.out_edges[..n].iter().map(|&row| u16::from(row)).collect();
    let labels: Vec<u8> = cell.ops()[1..n - 1].iter().map(|op| op.hash_label() as u8).collect();
    NodeCell::from_parts(n, &out_edges, &labels)
}

/// The NAS-Bench-101 cell of a generic node cell with at most 7 vertices and 3 labels.
pub(crate) fn from_node_cell(node: &NodeCell) -> Cell {
    let n = node.vertex_count();
    let mut out_edges = [0u8; MAX_VERTICES];
    for (from, row) in out_edges.iter_mut().enumerate().take(n) {
        for to in from + 1..n {
            *row |= u8::from(node.has_edge(from, to)) << to;
        }
    }
    let mut ops = vec![Op::Input];
    ops.extend(node.interior_ops().iter().map(|&label| Op::interior(label)));
    ops.push(Op::Output);
    Cell::from_parts(n, &out_edges, &ops)
}

/// The canonical form of a pruned, valid cell.
pub fn canonicalise(cell: &Cell) -> Cell {
    from_node_cell(&generic::canonicalise(&to_node_cell(cell)))
}

// The forms themselves, one per topological order: what the canonical form is the least of.
// Tests reach every form of a cell through them and check that each canonicalises to the same
// cell.

/// A vertex order: `order[new_position] = old_vertex`.
pub type VertexOrder = [u8; MAX_VERTICES];

/// Every topological order of the DAG (rows as out-edge masks), in lexicographic order.
pub fn topological_orders(vertices: usize, out_edges: &[u8]) -> Vec<VertexOrder> {
    let mut predecessors = [0u8; MAX_VERTICES];
    for (from, row) in out_edges.iter().enumerate().take(vertices) {
        for (to, mask) in predecessors.iter_mut().enumerate().take(vertices) {
            if row >> to & 1 == 1 {
                *mask |= 1 << from;
            }
        }
    }
    let mut orders = Vec::new();
    let mut current = [0u8; MAX_VERTICES];
    extend_order(vertices, &predecessors, 0, 0, &mut current, &mut orders);
    orders
}

fn extend_order(
    vertices: usize,
    predecessors: &[u8; MAX_VERTICES],
    placed: u8,
    depth: usize,
    current: &mut VertexOrder,
    orders: &mut Vec<VertexOrder>,
) {
    if depth == vertices {
        orders.push(*current);
        return;
    }
    for v in 0..vertices {
        if placed >> v & 1 == 0 && predecessors[v] & !placed == 0 {
            current[depth] = v as u8;
            extend_order(vertices, predecessors, placed | 1 << v, depth + 1, current, orders);
        }
    }
}

/// The cell relabelled by `order`.
pub fn reorder(cell: &Cell, order: &VertexOrder) -> Cell {
    let n = cell.vertex_count();
    let mut position = [0usize; MAX_VERTICES];
    for (new, &old) in order.iter().enumerate().take(n) {
        position[old as usize] = new;
    }
    let mut out_edges = [0u8; MAX_VERTICES];
    let mut ops = [Op::Output; MAX_VERTICES];
    for old in 0..n {
        ops[position[old]] = cell.ops[old];
        for to in 0..n {
            if cell.has_edge(old, to) {
                out_edges[position[old]] |= 1 << position[to];
            }
        }
    }
    Cell::from_parts(n, &out_edges, &ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diamond_has_one_canonical_form() {
        // 0 -> 1 -> 3, 0 -> 2 -> 3 with different ops on 1 and 2: two topological orders.
        let a =
            Cell::from_parts(4, &[0b0110, 0b1000, 0b1000, 0], &[Op::Input, Op::MaxPool3x3, Op::Conv3x3, Op::Output]);
        let b =
            Cell::from_parts(4, &[0b0110, 0b1000, 0b1000, 0], &[Op::Input, Op::Conv3x3, Op::MaxPool3x3, Op::Output]);
        assert_eq!(topological_orders(4, &a.out_edges).len(), 2);
        assert_eq!(canonicalise(&a), canonicalise(&b));
        assert_eq!(canonicalise(&a), b);
        assert_eq!(from_node_cell(&to_node_cell(&a)), a);
    }
}
