//! One random edit, for regularized evolution. The package defines no mutation; ours changes
//! one of the seven choices that spell an architecture.
//!
//! The choices are the four node ops and the inputs of nodes 2, 3 and 4 (node 1 always reads
//! the raw input). One of the seven is picked uniformly and set to a different value, uniform
//! over the others (another allowed op, or another earlier node or the input), on the
//! canonical parent; the result is canonicalised. The draw repeats until the child is not
//! all-skip and differs from the parent: an edit to one of two symmetric nodes, or to a
//! skip that canonicalisation moves, can give back the parent.

use super::arch::{GnnArch, NODES};
use super::canonical::canonicalise;
use crate::rng::{SpaceRng, uniform_below};

/// Op choices plus the link choices of nodes 2..=4.
const CHOICES: u64 = (NODES + NODES - 1) as u64;

/// A canonical child of `parent` one edit away, with node ops drawn from `ops`.
pub fn mutate_arch(parent: &GnnArch, ops: &[u8], rng: &mut SpaceRng) -> GnnArch {
    loop {
        let mut child = *parent;
        let choice = uniform_below(rng, CHOICES) as usize;
        if choice < NODES {
            let others: Vec<u8> = ops.iter().copied().filter(|&op| op != parent.ops[choice]).collect();
            child.ops[choice] = others[uniform_below(rng, others.len() as u64) as usize];
        } else {
            let node = choice - NODES + 1;
            // Node `node` (0-based) may read the input or nodes 1..=node: `node` values besides its own.
            let mut input = uniform_below(rng, node as u64) as u8;
            if input >= parent.link[node] {
                input += 1;
            }
            child.link[node] = input;
        }
        if child.is_all_skip() {
            continue;
        }
        let child = canonicalise(child);
        if child != *parent {
            return child;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::arch::{ALL_OPS, PROTEINS_OPS};
    use super::super::canonical::is_canonical;
    use super::super::enumerate::canonical_archs;
    use super::*;
    use crate::rng::item_rng;

    #[test]
    fn children_are_members_different_and_reproducible() {
        for (ops, archs) in
            [(&ALL_OPS[..], canonical_archs(&ALL_OPS)), (&PROTEINS_OPS[..], canonical_archs(&PROTEINS_OPS))]
        {
            for (i, parent) in archs.iter().enumerate() {
                let child = mutate_arch(parent, ops, &mut item_rng(3, i as u64));
                assert_ne!(child, *parent);
                assert!(is_canonical(&child), "{parent:?} -> {child:?}");
                assert!(child.ops.iter().all(|op| ops.contains(op)));
                assert_eq!(child, mutate_arch(parent, ops, &mut item_rng(3, i as u64)));
            }
        }
    }

    #[test]
    fn links_and_ops_both_change() {
        let parent = GnnArch { link: [0, 1, 2, 3], ops: [1, 1, 1, 1] };
        let mut rng = item_rng(1, 0);
        let children: Vec<GnnArch> = (0..200).map(|_| mutate_arch(&parent, &ALL_OPS, &mut rng)).collect();
        assert!(children.iter().any(|child| child.link != parent.link));
        assert!(children.iter().any(|child| child.link == parent.link && child.ops != parent.ops));
    }
}
