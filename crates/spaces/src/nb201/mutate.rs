//! One random edit, for regularized evolution: one edge's op changed to another.
//!
//! As the benchmark authors' regularized-evolution baseline does it (NAS-Bench-201, Sec. 5;
//! their `R_EA.py`'s `mutate_arch_func`): a node is picked uniformly among nodes 1, 2, 3, then
//! one of its incoming edges uniformly, and that edge's op set to one of the four others,
//! uniformly. Node 1's single edge is therefore changed more often (1/3) than each of node
//! 3's three (1/9). The child is always another cell of the table; it may compute the same
//! function as its parent (the benchmark counts it as its own architecture all the same).

use super::cell::Cell;
use crate::rng::SpaceRng;

/// A child of `parent` one edge's op away, drawn as described above (the generic edge cell's
/// edit, [`crate::declared::EdgeCellRules::mutate`]).
pub fn mutate_cell(parent: &Cell, rng: &mut SpaceRng) -> Cell {
    let mut child = *parent;
    super::rules().mutate(&mut child.ops, rng);
    child
}

#[cfg(test)]
mod tests {
    use super::super::cell::{EDGE_COUNT, OP_NAMES};
    use super::*;
    use crate::rng::item_rng;

    #[test]
    fn children_differ_in_one_edge_and_reach_every_other_op() {
        let parent = Cell { ops: [3, 0, 1, 2, 4, 1] };
        let mut rng = item_rng(9, 0);
        let children: Vec<Cell> = (0..2000).map(|_| mutate_cell(&parent, &mut rng)).collect();
        for child in &children {
            let changed = (0..EDGE_COUNT).filter(|&k| child.ops[k] != parent.ops[k]).count();
            assert_eq!(changed, 1, "{child:?}");
        }
        let seen: std::collections::HashSet<&Cell> = children.iter().collect();
        assert_eq!(seen.len(), EDGE_COUNT * (OP_NAMES.len() - 1), "every one-edge neighbour comes up");
        // Node 1's edge is picked a third of the time, each of node 3's a ninth.
        let first_edge = children.iter().filter(|child| child.ops[0] != parent.ops[0]).count();
        let last_edge = children.iter().filter(|child| child.ops[5] != parent.ops[5]).count();
        assert!((600..734).contains(&first_edge) && (180..265).contains(&last_edge), "{first_edge} {last_edge}");
        assert_eq!(mutate_cell(&parent, &mut item_rng(4, 7)), mutate_cell(&parent, &mut item_rng(4, 7)));
    }
}
