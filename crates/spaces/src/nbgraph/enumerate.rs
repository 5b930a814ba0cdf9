//! Listing the benchmark's architectures: every canonical form whose ops are allowed.
//!
//! The package's `all_archs` keeps each (pattern, op tuple) that is its own canonical form;
//! that gives 26,206 architectures, exactly the keys of its eight full tables. Restricted to
//! the five `proteins` ops it gives 2,021, exactly the keys of the `proteins` table.

use super::arch::{GnnArch, LINK_PATTERNS, NODES};
use super::canonical::is_canonical;

/// Architectures of the full space.
pub const FULL_COUNT: usize = 26_206;
/// Architectures with only the `proteins` ops.
pub const PROTEINS_COUNT: usize = 2_021;

/// The canonical architectures using only `ops`, in increasing code order (patterns in
/// order, then op tuples in lexicographic order of their indices).
pub fn canonical_archs(ops: &[u8]) -> Vec<GnnArch> {
    let mut sorted = ops.to_vec();
    sorted.sort_unstable();
    let tuples = sorted.len().pow(NODES as u32);
    let mut archs = Vec::new();
    for link in LINK_PATTERNS {
        for mut i in 0..tuples {
            let mut tuple = [0u8; NODES];
            for op in tuple.iter_mut().rev() {
                *op = sorted[i % sorted.len()];
                i /= sorted.len();
            }
            let arch = GnnArch { link, ops: tuple };
            if is_canonical(&arch) {
                archs.push(arch);
            }
        }
    }
    archs
}

#[cfg(test)]
mod tests {
    use super::super::arch::{ALL_OPS, PROTEINS_OPS};
    use super::*;

    #[test]
    fn counts_match_the_tables_and_codes_increase() {
        let full = canonical_archs(&ALL_OPS);
        assert_eq!(full.len(), FULL_COUNT);
        assert!(full.windows(2).all(|w| w[0].code() < w[1].code()));
        let proteins = canonical_archs(&PROTEINS_OPS);
        assert_eq!(proteins.len(), PROTEINS_COUNT);
        assert!(proteins.windows(2).all(|w| w[0].code() < w[1].code()));
        assert!(proteins.iter().all(|arch| full.binary_search_by_key(&arch.code(), GnnArch::code).is_ok()));
    }
}
