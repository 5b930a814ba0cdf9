//! Canonical vertex order of a declared node cell, and the enumeration of all unique cells:
//! [`crate::nb101::canonical`] and [`crate::nb101::enumerate`] for up to 9 vertices and any
//! number of ops.
//!
//! A pruned cell's upper-triangular forms are exactly its topological orders (input first,
//! output last: they are its only source and sink). The canonical form is the one whose key is
//! smallest: the adjacency code first (bit `y(y−1)/2 + x` for each edge x → y), then the
//! interior op labels (indices in the spec's ops) in vertex order. Isomorphic cells share the
//! set of forms, so they share the minimum. With NAS-Bench-101's ops in its label order this is
//! exactly the built-in canonical form.

use rayon::prelude::*;

use super::{MAX_INTERIOR, NodeCell};
use crate::declared::spec::MAX_CELL_VERTICES;

/// A vertex order: `order[new_position] = old_vertex`.
type VertexOrder = [u8; MAX_CELL_VERTICES];

/// The adjacency code of a DAG in its own vertex order.
pub fn adjacency_code(vertices: usize, out_edges: &[u16]) -> u64 {
    let mut code = 0;
    for to in 1..vertices {
        let column = (0..to).fold(0u64, |column, from| column | ((out_edges[from] >> to & 1) as u64) << from);
        code |= column << (to * (to - 1) / 2);
    }
    code
}

/// `predecessors[v]` has bit `u` set for each edge u → v.
fn predecessors(vertices: usize, out_edges: &[u16]) -> [u16; MAX_CELL_VERTICES] {
    let mut predecessors = [0u16; MAX_CELL_VERTICES];
    for (from, &row) in out_edges.iter().enumerate().take(vertices) {
        for (to, mask) in predecessors.iter_mut().enumerate().take(vertices) {
            *mask |= (row >> to & 1) << from;
        }
    }
    predecessors
}

/// A depth-first walk over the topological orders of a DAG, in lexicographic order, that
/// builds each order's adjacency code as it places vertices: placing vertex `v` at position
/// `p` fixes column `p` of the code (its predecessors are all placed already).
struct OrderWalk<'a> {
    vertices: usize,
    predecessors: &'a [u16; MAX_CELL_VERTICES],
    order: VertexOrder,
    position: [u8; MAX_CELL_VERTICES],
}

impl OrderWalk<'_> {
    /// Calls `visit(order, code)` for each order until it returns false; false when stopped.
    fn walk(
        &mut self,
        placed: u16,
        depth: usize,
        code: u64,
        visit: &mut impl FnMut(&VertexOrder, u64) -> bool,
    ) -> bool {
        if depth == self.vertices {
            return visit(&self.order, code);
        }
        for v in 0..self.vertices {
            let before = self.predecessors[v];
            if placed >> v & 1 == 0 && before & !placed == 0 {
                let mut column = 0u64;
                let mut rest = before;
                while rest != 0 {
                    column |= 1 << self.position[rest.trailing_zeros() as usize];
                    rest &= rest - 1;
                }
                self.order[depth] = v as u8;
                self.position[v] = depth as u8;
                let code = code | column << (depth * depth.saturating_sub(1) / 2);
                if !self.walk(placed | 1 << v, depth + 1, code, visit) {
                    return false;
                }
            }
        }
        true
    }
}

/// Calls `visit(order, code)` for every topological order, with the adjacency code of the DAG
/// relabelled by it, until `visit` returns false.
fn for_each_order(vertices: usize, out_edges: &[u16], mut visit: impl FnMut(&VertexOrder, u64) -> bool) {
    let predecessors = predecessors(vertices, out_edges);
    let mut walk = OrderWalk {
        vertices,
        predecessors: &predecessors,
        order: [0; MAX_CELL_VERTICES],
        position: [0; MAX_CELL_VERTICES],
    };
    walk.walk(0, 0, 0, &mut visit);
}

/// The interior labels of `cell` read in `order`.
fn labels_under(cell: &NodeCell, order: &VertexOrder) -> [u8; MAX_INTERIOR] {
    let mut labels = [0u8; MAX_INTERIOR];
    for p in 1..cell.vertex_count() - 1 {
        labels[p - 1] = cell.labels[order[p] as usize - 1];
    }
    labels
}

/// The canonical form of a pruned, valid cell.
pub fn canonicalise(cell: &NodeCell) -> NodeCell {
    let n = cell.vertex_count();
    let mut best: Option<(u64, [u8; MAX_INTERIOR], VertexOrder)> = None;
    for_each_order(n, &cell.out_edges, |order, code| {
        if best.as_ref().is_none_or(|(best_code, _, _)| code <= *best_code) {
            let labels = labels_under(cell, order);
            if best.as_ref().is_none_or(|(best_code, best_labels, _)| (code, labels) < (*best_code, *best_labels)) {
                best = Some((code, labels, *order));
            }
        }
        true
    });
    let (_, labels, order) = best.expect("a DAG has a topological order");
    let mut position = [0usize; MAX_CELL_VERTICES];
    for (new, &old) in order.iter().enumerate().take(n) {
        position[old as usize] = new;
    }
    let mut out_edges = [0u16; MAX_CELL_VERTICES];
    for old in 0..n {
        for to in 0..n {
            if cell.has_edge(old, to) {
                out_edges[position[old]] |= 1 << position[to];
            }
        }
    }
    NodeCell::from_parts(n, &out_edges, &labels)
}

/// Every unique cell of up to `max_vertices` vertices and `max_edges` edges with `ops` interior
/// ops, canonical, in order: vertex count, adjacency code, interior labels (first vertex most
/// significant). As [`crate::nb101::enumerate`]: a labelled graph is kept only when it is its
/// own canonical form, which needs no table of seen cells and parallelises freely.
pub fn enumerate(max_vertices: usize, max_edges: usize, ops: usize) -> Vec<NodeCell> {
    let mut cells = Vec::new();
    for vertices in 2..=max_vertices {
        let blocks: Vec<Vec<NodeCell>> = for_each_shape(vertices, max_edges, |shape, found: &mut Vec<NodeCell>| {
            push_canonical_labellings(&shape, ops, found)
        });
        cells.extend(blocks.into_iter().flatten());
    }
    cells
}

/// How many cells [`enumerate`] gives, without making them: per canonical shape, the number of
/// orbits of its automorphisms on the labellings, by Burnside's lemma (the mean over the
/// automorphisms of `ops` to the power of their cycle count on the interior vertices).
pub fn count(max_vertices: usize, max_edges: usize, ops: usize) -> u128 {
    let ops = ops as u128;
    (2..=max_vertices)
        .map(|vertices| {
            let blocks = for_each_shape(vertices, max_edges, |shape, total: &mut u128| {
                let fixed: u128 = std::iter::once(ops.pow(vertices as u32 - 2))
                    .chain(shape.automorphisms.iter().map(|order| ops.pow(interior_cycles(vertices, order))))
                    .sum();
                *total += fixed / (shape.automorphisms.len() as u128 + 1);
            });
            blocks.into_iter().sum::<u128>()
        })
        .sum()
}

/// The cycles of an automorphism (position p holds vertex `order[p]`) on the interior vertices.
fn interior_cycles(vertices: usize, order: &VertexOrder) -> u32 {
    let mut seen = 0u16;
    let mut cycles = 0;
    for start in 1..vertices - 1 {
        if seen >> start & 1 == 0 {
            cycles += 1;
            let mut v = start;
            while seen >> v & 1 == 0 {
                seen |= 1 << v;
                v = order[v] as usize;
            }
        }
    }
    cycles
}

/// A DAG with no dangling vertex in canonical vertex order, and its automorphisms other than
/// the identity (as vertex orders).
struct Shape {
    vertices: usize,
    out_edges: [u16; MAX_CELL_VERTICES],
    automorphisms: Vec<VertexOrder>,
}

/// Calls `visit` on every canonical shape of `vertices` vertices and at most `max_edges` edges,
/// in parallel over blocks of adjacency codes; returns each block's accumulator, in code order.
fn for_each_shape<T: Default + Send>(
    vertices: usize,
    max_edges: usize,
    visit: impl Fn(Shape, &mut T) + Sync,
) -> Vec<T> {
    let codes = 1u64 << (vertices * (vertices - 1) / 2);
    let block = (codes / 256).max(1);
    (0..codes.div_ceil(block))
        .into_par_iter()
        .map(|b| {
            let mut accumulator = T::default();
            for code in b * block..((b + 1) * block).min(codes) {
                if let Some(shape) = canonical_shape(vertices, code, max_edges) {
                    visit(shape, &mut accumulator);
                }
            }
            accumulator
        })
        .collect()
}

/// The shape with adjacency code `code`, when it is within the edge limit, has no dangling
/// vertex, and no other vertex order gives it a smaller code.
fn canonical_shape(vertices: usize, code: u64, max_edges: usize) -> Option<Shape> {
    if code.count_ones() as usize > max_edges {
        return None;
    }
    let mut out_edges = [0u16; MAX_CELL_VERTICES];
    for to in 1..vertices {
        for (from, row) in out_edges.iter_mut().enumerate().take(to) {
            *row |= ((code >> (to * (to - 1) / 2 + from) & 1) as u16) << to;
        }
    }
    if !every_vertex_on_a_path(vertices, &out_edges) {
        return None;
    }
    // Another vertex order giving a smaller code means this matrix is not canonical; orders
    // giving the same code are automorphisms, which decide between labellings.
    let mut canonical = true;
    let mut automorphisms: Vec<VertexOrder> = Vec::new();
    for_each_order(vertices, &out_edges, |order, other| {
        if other < code {
            canonical = false;
            return false;
        }
        if other == code && order.iter().take(vertices).enumerate().any(|(i, &v)| i != v as usize) {
            automorphisms.push(*order);
        }
        true
    });
    canonical.then_some(Shape { vertices, out_edges, automorphisms })
}

/// Appends the canonical labellings of a shape: those no automorphism makes smaller.
fn push_canonical_labellings(shape: &Shape, ops: usize, found: &mut Vec<NodeCell>) {
    let interior = shape.vertices - 2;
    let mut labels = [0u8; MAX_INTERIOR];
    for index in 0..(ops as u64).pow(interior as u32) {
        // The first interior vertex is the most significant digit.
        let mut rest = index;
        for label in labels[..interior].iter_mut().rev() {
            *label = (rest % ops as u64) as u8;
            rest /= ops as u64;
        }
        let smallest = shape.automorphisms.iter().all(|order| {
            let relabelled = (1..=interior).map(|p| labels[order[p] as usize - 1]);
            relabelled.cmp(labels[..interior].iter().copied()) != std::cmp::Ordering::Less
        });
        if smallest {
            found.push(NodeCell::from_parts(shape.vertices, &shape.out_edges, &labels));
        }
    }
}

/// True when every vertex but the output has an out-edge and every vertex but the input an
/// in-edge: nothing would be pruned.
fn every_vertex_on_a_path(vertices: usize, out_edges: &[u16]) -> bool {
    let has_out = out_edges[..vertices - 1].iter().all(|&row| row != 0);
    let reached = out_edges[..vertices].iter().fold(0u16, |acc, row| acc | row);
    let has_in = (1..vertices).all(|v| reached >> v & 1 == 1);
    has_out && has_in
}
