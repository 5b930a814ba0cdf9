//! Drawing random cells.
//!
//! - `uniform` (the default): uniform over the 423,624 unique cells, without replacement. The
//!   Neural Predictor paper samples training and candidate architectures from the space of
//!   unique models, and a predictor is judged over that space; this is also what "N random
//!   architectures" means to a user who then trains them.
//! - `nasbench`: `nasbench`'s own `random_spec` recipe: a random upper-triangular 7×7 matrix
//!   with each edge present with probability 0.5 and uniformly random interior ops, redrawn
//!   until valid after pruning. Cells with many equivalent matrices (and small pruned ones)
//!   come up more often, and repeats are possible. Use it to reproduce baselines that used it
//!   (the NAS-Bench-101 paper's random search and evolution).

use super::canonical::canonicalise;
use super::cell::{Cell, MAX_VERTICES, Op};
use super::spec::UnprunedSpec;
pub use crate::rng::permutation_prefix;
use crate::rng::{SpaceRng, bernoulli, uniform_below};

/// One cell by `nasbench`'s `random_spec` recipe, in canonical form.
pub fn nasbench_random_cell(rng: &mut SpaceRng) -> Cell {
    loop {
        let mut rows = vec![0u64; MAX_VERTICES];
        for (from, row) in rows.iter_mut().enumerate() {
            for to in from + 1..MAX_VERTICES {
                if bernoulli(rng, 0.5) {
                    *row |= 1 << to;
                }
            }
        }
        let mut ops = vec![Op::Input.name().into()];
        for _ in 1..MAX_VERTICES - 1 {
            ops.push(Op::interior(uniform_below(rng, 3) as u8).name().into());
        }
        ops.push(Op::Output.name().into());
        if let Ok(cell) = (UnprunedSpec { rows, ops }).prune_and_validate() {
            return canonicalise(&cell);
        }
    }
}
