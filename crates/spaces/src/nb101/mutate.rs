//! Mutation as in the NAS-Bench-101 regularized-evolution notebook (`mutate_spec` with
//! mutation rate 1), applied to our pruned cells.
//!
//! The notebook mutates the unpruned 7×7 matrix; we only keep the pruned cell, so it is first
//! padded back to 7 vertices with unconnected interior vertices (random ops) placed before the
//! output: this is what lets a mutation grow a small cell. Then each of the 21 upper-triangle
//! entries flips with probability 1/7 (one flip expected) and each of the 5 interior ops is
//! resampled to a different op with probability 1/5 (one change expected). The draw is
//! repeated until the result is valid after pruning and, unlike the notebook, a different cell
//! from the parent: an unchanged child would cost a training run for nothing.

use super::canonical::canonicalise;
use super::cell::{Cell, MAX_VERTICES, Op};
use super::spec::UnprunedSpec;
use crate::rng::{SpaceRng, bernoulli, uniform_below};

pub fn mutate_cell(parent: &Cell, rng: &mut SpaceRng) -> Cell {
    let n = parent.vertex_count();
    let output = MAX_VERTICES - 1;
    // Old vertex v keeps its index, except the output which moves to the last slot.
    let moved = |v: usize| if v == n - 1 { output } else { v };
    loop {
        let mut rows = vec![0u64; MAX_VERTICES];
        let mut ops = [Op::Input; MAX_VERTICES];
        for v in 0..n {
            ops[moved(v)] = parent.ops[v];
            for w in 0..n {
                if parent.has_edge(v, w) {
                    rows[moved(v)] |= 1 << moved(w);
                }
            }
        }
        for op in ops.iter_mut().take(output).skip(n - 1) {
            *op = Op::interior(uniform_below(rng, 3) as u8);
        }
        ops[output] = Op::Output;
        for (from, row) in rows.iter_mut().enumerate() {
            for to in from + 1..MAX_VERTICES {
                if bernoulli(rng, 1.0 / MAX_VERTICES as f64) {
                    *row ^= 1 << to;
                }
            }
        }
        for op in ops.iter_mut().take(output).skip(1) {
            if bernoulli(rng, 1.0 / (MAX_VERTICES - 2) as f64) {
                let others: Vec<Op> = Op::INTERIOR.into_iter().filter(|o| o != op).collect();
                *op = others[uniform_below(rng, others.len() as u64) as usize];
            }
        }
        let spec = UnprunedSpec { rows, ops: ops.iter().map(|op| op.name().into()).collect() };
        if let Ok(child) = spec.prune_and_validate() {
            let child = canonicalise(&child);
            if child != *parent {
                return child;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::SearchSpace;
    use crate::nb101::Nb101;
    use crate::rng::item_rng;

    #[test]
    fn children_are_valid_different_and_reproducible() {
        let space = Nb101::new();
        for seed in 0..200 {
            let parent = space.sample(&mut item_rng(seed, 0));
            let child = mutate_cell(&parent, &mut item_rng(seed, 1));
            assert_ne!(child, parent);
            assert_eq!(child, mutate_cell(&parent, &mut item_rng(seed, 1)));
            let record = serde_json::json!({
                "adjacency": child.adjacency(),
                "ops": child.ops().iter().map(|op| op.name()).collect::<Vec<_>>(),
            });
            assert_eq!(space.parse(&record).unwrap(), child, "a child is a valid canonical cell");
        }
    }

    #[test]
    fn small_cells_can_grow() {
        let space = Nb101::new();
        let smallest = space.unique_cells()[0];
        assert_eq!(smallest.vertex_count(), 2);
        let mut rng = item_rng(5, 0);
        let grew = (0..200).any(|_| mutate_cell(&smallest, &mut rng).vertex_count() > 2);
        assert!(grew);
    }
}
