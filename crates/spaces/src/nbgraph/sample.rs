//! Drawing random architectures.
//!
//! - `uniform` (the default): uniform over the benchmark's architectures without
//!   replacement, a seeded shuffle of the enumeration shared with `nb101`
//!   ([`crate::rng::permutation_prefix`]): a shorter draw is a prefix of a longer one and
//!   shards see one permutation. Every draw is a distinct table entry.
//! - `package`: the `nas-bench-graph` package's `Arch.random_arch`: a link pattern uniform
//!   over the nine, each node's op uniform over the ops, then canonicalised (its
//!   `valid_hash`). Architectures with many equivalent spellings come up more often, and
//!   repeats are possible. The all-skip draw, which has no table entry, is drawn again.

use super::arch::{GnnArch, LINK_PATTERNS, NODES};
use super::canonical::canonicalise;
use crate::rng::{SpaceRng, uniform_below};

/// One architecture by the package's recipe, with node ops drawn from `ops`.
pub fn package_random_arch(ops: &[u8], rng: &mut SpaceRng) -> GnnArch {
    loop {
        let link = LINK_PATTERNS[uniform_below(rng, LINK_PATTERNS.len() as u64) as usize];
        let mut drawn = [0u8; NODES];
        for op in &mut drawn {
            *op = ops[uniform_below(rng, ops.len() as u64) as usize];
        }
        let arch = GnnArch { link, ops: drawn };
        if !arch.is_all_skip() {
            return canonicalise(arch);
        }
    }
}
