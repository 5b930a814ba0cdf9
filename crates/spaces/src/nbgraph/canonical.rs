//! One representative per group of architectures the benchmark treats as the same network:
//! the form whose code keys the tables.
//!
//! We follow the `nas-bench-graph` package's `valid_hash` rule by rule (its `regularize`,
//! `move_skip_op` and `equalpart_sort`), quirks included, because the tables are keyed by its
//! result. An integration test compares every one of the 24 · (9^4 − 1) inputs with the
//! package itself.
//!
//! 1. [`relabel_onto_pattern`]: number the nodes so that the link list is one of the nine
//!    patterns (a fixed relabelling per list).
//! 2. [`hoist_skips`]: move skip nodes to the front of the node order where they are
//!    redundant.
//! 3. [`sort_interchangeable`]: order the ops of nodes whose positions are symmetric.

use super::arch::{GnnArch, LINK_PATTERNS, NODES, SKIP};

/// The 15 link lists that are not patterns: the pattern each is renumbered onto, and for each
/// new node the old node it was (`ops_new[j] = ops_old[from[j]]`). The choice among equivalent
/// renumberings is the package's (`regularize`); later rules depend on it.
const RELABELLINGS: [([u8; NODES], [u8; NODES], [usize; NODES]); 15] = [
    ([0, 0, 0, 2], [0, 0, 0, 1], [1, 0, 2, 3]),
    ([0, 0, 0, 3], [0, 0, 0, 1], [2, 0, 1, 3]),
    ([0, 0, 1, 0], [0, 0, 0, 1], [0, 1, 3, 2]),
    ([0, 0, 2, 0], [0, 0, 0, 1], [1, 0, 3, 2]),
    ([0, 0, 2, 1], [0, 0, 1, 2], [1, 0, 2, 3]),
    ([0, 0, 2, 2], [0, 0, 1, 1], [1, 0, 2, 3]),
    ([0, 0, 2, 3], [0, 0, 1, 3], [1, 0, 2, 3]),
    ([0, 1, 0, 0], [0, 0, 0, 1], [0, 2, 3, 1]),
    ([0, 1, 0, 1], [0, 0, 1, 1], [0, 2, 1, 3]),
    ([0, 1, 0, 2], [0, 0, 1, 3], [0, 2, 1, 3]),
    ([0, 1, 0, 3], [0, 0, 1, 2], [0, 2, 1, 3]),
    ([0, 1, 1, 0], [0, 0, 1, 1], [0, 3, 1, 2]),
    ([0, 1, 1, 3], [0, 1, 1, 2], [0, 2, 1, 3]),
    ([0, 1, 2, 0], [0, 0, 1, 3], [0, 3, 1, 2]),
    ([0, 1, 2, 1], [0, 1, 1, 2], [0, 1, 3, 2]),
];

/// The canonical form of a valid, not all-skip architecture (any of the 24 link lists). Its
/// link list is always one of the nine patterns (checked for every input in the tests).
pub fn canonicalise(arch: GnnArch) -> GnnArch {
    sort_interchangeable(hoist_skips(relabel_onto_pattern(arch)))
}

/// True when `arch` is its own canonical form: the members of the benchmark (the package's
/// `check_isomorph` over the nine patterns, as its `all_archs` uses it).
pub fn is_canonical(arch: &GnnArch) -> bool {
    LINK_PATTERNS.contains(&arch.link) && !arch.is_all_skip() && canonicalise(*arch) == *arch
}

/// Step 1: renumber the nodes so the link list is a pattern (patterns are left as they are).
pub fn relabel_onto_pattern(arch: GnnArch) -> GnnArch {
    match RELABELLINGS.iter().find(|(link, _, _)| *link == arch.link) {
        Some(&(_, pattern, from)) => GnnArch { link: pattern, ops: from.map(|old| arch.ops[old]) },
        None => arch,
    }
}

/// Step 2 (the package's `move_skip_op`). Nodes are visited by position, 0 to 3, in the order
/// as it changes; a skip node is moved to the front when
/// - another node reads it (a skip in a chain is an identity), or
/// - no other node shares its input (it is its input's only reader), or
/// - it and all its ancestors are skips, so it carries the raw input features (in the
///   package's terms, the original dimension rather than the hidden one). Such a skip is moved
///   even when it is a leaf beside other readers of its input, and so stops feeding the output.
///
/// Afterwards the two lists the moves can produce that are not patterns, [0,1,2,1] and
/// [0,1,1,3], are renumbered onto [0,1,1,2] (the package's own fix-up, which for [0,1,1,3] is
/// not the relabelling of step 1 but the same swap of nodes 2 and 3).
pub fn hoist_skips(mut arch: GnnArch) -> GnnArch {
    for node in 0..NODES {
        if arch.ops[node] != SKIP {
            continue;
        }
        let input = arch.link[node];
        let has_sibling = (0..NODES).any(|other| other != node && arch.link[other] == input);
        if arch.has_successor(node) || !has_sibling || carries_raw_input(&arch, node) {
            arch = move_to_front(arch, node);
        }
    }
    match arch.link {
        [0, 1, 2, 1] => GnnArch { link: [0, 1, 1, 2], ops: [arch.ops[0], arch.ops[1], arch.ops[3], arch.ops[2]] },
        [0, 1, 1, 3] => GnnArch { link: [0, 1, 1, 2], ops: [arch.ops[0], arch.ops[2], arch.ops[1], arch.ops[3]] },
        _ => arch,
    }
}

/// Whether `node` and every node on its path back to the input are skips.
fn carries_raw_input(arch: &GnnArch, node: usize) -> bool {
    // Inputs always precede their readers (move_to_front keeps it so): the walk ends.
    let mut current = node + 1;
    while current > 0 {
        if arch.ops[current - 1] != SKIP {
            return false;
        }
        current = arch.link[current - 1] as usize;
    }
    true
}

/// Makes skip node `k` the first node, reading the input. The nodes before it shift up by
/// one; every node that read the input now reads the skip (an identity, so nothing changes)
/// and every node that read the skip now reads the skip's own input.
fn move_to_front(arch: GnnArch, k: usize) -> GnnArch {
    let skip_id = k as u8 + 1;
    let mut link = arch.link;
    // In node order, so that readers after `k` see `k`'s input already shifted.
    for node in 0..NODES {
        let input = link[node];
        if input == skip_id {
            link[node] = link[k];
        }
        if input < skip_id {
            link[node] += 1;
        }
    }
    let reorder = |values: [u8; NODES], first: u8| {
        let mut out = [first; NODES];
        let rest = values[..k].iter().chain(&values[k + 1..]);
        for (slot, &value) in out[1..].iter_mut().zip(rest) {
            *slot = value;
        }
        out
    };
    GnnArch { link: reorder(link, 0), ops: reorder(arch.ops, arch.ops[k]) }
}

/// Step 3 (the package's `equalpart_sort`): nodes in symmetric positions get their ops in
/// increasing op index. Per pattern (0-based nodes): [0,0,0,0] all four; [0,0,0,1] nodes 1, 2;
/// [0,0,1,1] nodes 2, 3; [0,1,1,1] nodes 1, 2, 3; [0,1,2,2] nodes 2, 3; [0,0,1,2] the two
/// chains 0→2 and 1→3, ordered by (first op, second op). The other patterns have no symmetry.
pub fn sort_interchangeable(mut arch: GnnArch) -> GnnArch {
    let ops = &mut arch.ops;
    match arch.link {
        [0, 0, 0, 0] => ops.sort_unstable(),
        [0, 0, 0, 1] => ops[1..3].sort_unstable(),
        [0, 0, 1, 1] | [0, 1, 2, 2] => ops[2..4].sort_unstable(),
        [0, 1, 1, 1] => ops[1..4].sort_unstable(),
        [0, 0, 1, 2] if (ops[0], ops[2]) > (ops[1], ops[3]) => *ops = [ops[1], ops[0], ops[3], ops[2]],
        _ => {}
    }
    arch
}

#[cfg(test)]
mod tests {
    use super::super::arch::{OP_NAMES, op_index};
    use super::*;

    fn arch(link: [u8; NODES], ops: [&str; NODES]) -> GnnArch {
        GnnArch { link, ops: ops.map(|name| op_index(name).expect("known op")) }
    }

    fn names(arch: &GnnArch) -> [&'static str; NODES] {
        arch.ops.map(|op| OP_NAMES[op as usize])
    }

    /// Every input: 24 link lists × 9^4 op tuples, all-skip left out.
    fn all_inputs() -> impl Iterator<Item = GnnArch> {
        let links: Vec<[u8; NODES]> = (0..1u8)
            .flat_map(|a| (0..2u8).flat_map(move |b| (0..3u8).flat_map(move |c| (0..4u8).map(move |d| [a, b, c, d]))))
            .collect();
        links.into_iter().flat_map(|link| {
            (0..9u32.pow(4))
                .map(move |i| GnnArch { link, ops: [i / 729, i / 81 % 9, i / 9 % 9, i % 9].map(|op| op as u8) })
        })
    }

    #[test]
    fn relabellings_are_isomorphisms_onto_patterns() {
        for (old_link, pattern, from) in RELABELLINGS {
            assert!(LINK_PATTERNS.contains(&pattern));
            // New node j is old node from[j]; its input, renamed back, must be the old input.
            let old_id = |new_id: u8| if new_id == 0 { 0 } else { from[new_id as usize - 1] as u8 + 1 };
            for j in 0..NODES {
                assert_eq!(old_id(pattern[j]), old_link[from[j]], "{old_link:?} -> {pattern:?}");
            }
        }
        let mut covered: Vec<[u8; NODES]> = RELABELLINGS.iter().map(|r| r.0).chain(LINK_PATTERNS).collect();
        covered.sort();
        covered.dedup();
        assert_eq!(covered.len(), 24);
        assert!(covered.iter().all(GnnArch::link_is_valid));
    }

    #[test]
    fn every_input_lands_on_a_pattern_and_canonical_forms_are_fixed_points() {
        let mut inputs = 0;
        for input in all_inputs().filter(|a| !a.is_all_skip()) {
            inputs += 1;
            let canonical = canonicalise(input);
            assert!(canonical.code().is_some(), "{input:?} -> {canonical:?}");
            assert_eq!(canonicalise(canonical), canonical, "{input:?}");
            let mut before = input.ops;
            let mut after = canonical.ops;
            before.sort();
            after.sort();
            assert_eq!(before, after, "canonicalising only reorders ops");
        }
        assert_eq!(inputs, 24 * (9usize.pow(4) - 1));
    }

    #[test]
    fn sibling_leaves_are_sorted() {
        let a = canonicalise(arch([0, 0, 0, 0], ["sage", "gcn", "fc", "gat"]));
        assert_eq!((a.link, names(&a)), ([0, 0, 0, 0], ["gat", "gcn", "sage", "fc"]));
        assert_eq!(a.code(), Some(147));
        let b = canonicalise(arch([0, 1, 1, 1], ["gin", "fc", "gat", "cheb"]));
        assert_eq!((b.link, names(&b)), ([0, 1, 1, 1], ["gin", "gat", "cheb", "fc"]));
        assert_eq!(b.code(), Some(52037));
    }

    #[test]
    fn twin_chains_are_ordered_by_their_first_then_second_op() {
        let a = canonicalise(arch([0, 0, 1, 2], ["gin", "gcn", "gat", "fc"]));
        assert_eq!(names(&a), ["gcn", "gin", "fc", "gat"]);
        let b = canonicalise(arch([0, 0, 1, 2], ["gcn", "gcn", "fc", "gat"]));
        assert_eq!(names(&b), ["gcn", "gcn", "gat", "fc"]);
        assert_eq!((a.code(), b.code()), (Some(31270), Some(31107)));
    }

    #[test]
    fn relabelled_lists_reach_the_same_form() {
        // Node 4 reads node 2 instead of node 1: the same shape as [0,0,0,1].
        let a = canonicalise(arch([0, 0, 0, 2], ["gcn", "gat", "sage", "fc"]));
        assert_eq!((a.link, names(&a)), ([0, 0, 0, 1], ["gat", "gcn", "sage", "fc"]));
        assert_eq!(canonicalise(arch([0, 0, 0, 1], ["gat", "sage", "gcn", "fc"])), a);
        // gcn feeding gin → fc and cheb, numbered depth-first or with both readers of gcn first.
        let b = canonicalise(arch([0, 1, 2, 1], ["gcn", "gin", "fc", "cheb"]));
        let c = canonicalise(arch([0, 1, 1, 2], ["gcn", "gin", "cheb", "fc"]));
        assert_eq!(b, c);
        assert_eq!((c.link, names(&c), c.code()), ([0, 1, 1, 2], ["gcn", "gin", "cheb", "fc"], Some(61237)));
        // Swapping which reader of gcn continues the chain is a different network.
        assert_ne!(canonicalise(arch([0, 1, 1, 2], ["gcn", "cheb", "gin", "fc"])), c);
    }

    #[test]
    fn a_skip_in_a_chain_moves_to_the_front() {
        // gcn → skip → gat → fc is gcn → gat → fc; the skip becomes a pass-through first node.
        let a = canonicalise(arch([0, 1, 2, 3], ["gcn", "skip", "gat", "fc"]));
        assert_eq!((a.link, names(&a)), ([0, 1, 2, 3], ["skip", "gcn", "gat", "fc"]));
        assert_eq!(a.code(), Some(88107));
        assert_eq!(canonicalise(arch([0, 1, 2, 3], ["gcn", "gat", "fc", "skip"])), a, "a trailing skip too");
    }

    #[test]
    fn a_skip_leaf_beside_real_ops_stays_unless_it_carries_the_raw_input() {
        // gcn reads the input; skip and gat both read gcn: the skip leaf adds gcn's output to
        // the output, so it stays.
        let kept = canonicalise(arch([0, 1, 1, 0], ["gcn", "skip", "gat", "sage"]));
        assert_eq!((kept.link, names(&kept)), ([0, 0, 1, 1], ["gcn", "sage", "gat", "skip"]));
        // A skip leaf reading the raw input beside gcn and gat: it carries raw features,
        // which the package drops, so it becomes a pass-through in front of them.
        let dropped = canonicalise(arch([0, 0, 0, 0], ["skip", "gcn", "gat", "sage"]));
        assert_eq!((dropped.link, names(&dropped)), ([0, 1, 1, 1], ["skip", "gat", "gcn", "sage"]));
        assert_eq!(dropped, canonicalise(arch([0, 1, 1, 1], ["skip", "gcn", "gat", "sage"])));
    }

    #[test]
    fn canonical_members_are_counted_as_in_the_tables() {
        let members = all_inputs().filter(|a| LINK_PATTERNS.contains(&a.link) && is_canonical(a)).count();
        assert_eq!(members, 26_206);
    }
}
