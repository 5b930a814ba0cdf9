//! Cells that compute the same function: the benchmark's equivalence classes.
//!
//! The benchmark trains and tabulates every one of its 15,625 strings, but many compute the
//! same function: a `none` edge adds zeros, so a path through it is cut; `skip_connect`
//! passes its input unchanged; a node's sum does not depend on the order of its inputs. The
//! NATS-Bench paper (Dong et al., TPAMI 2021, Table 1: "6.5k" unique topologies) counts the
//! classes with the API's `Structure.to_unique_str(consider_zero=True)`, which gives
//! **6,466** (the exact figure the NATS-Bench authors print in their `issue-12` notebook).
//! We use that rule, because it is the count and the classes other work refers to:
//!
//! - node 0 is written `0`; nodes 1, 2, 3 in turn are written as the `+`-join, in sorted
//!   order, of one term per incoming edge i → j:
//!   - `#` (zero) when the op is `none`, or when node i is written exactly `#`;
//!   - node i's text when the op is `skip_connect`;
//!   - `(` node i's text `)@` op name otherwise;
//! - the class key is node 3's text.
//!
//! Equal keys always mean the same function (sums are commutative and associative, zeros and
//! identities are what they say), so each class is sound; but the rule stops short of the
//! full algebra: a `#` term stays in its sum, a node is zero only when it is a single `#` (so
//! only node 1 can become zero), and a sum passed on by a skip is merged with its new
//! neighbours only as text. Doing the algebra fully (zero terms dropped, a node with no
//! nonzero term zero, an op on zero zero, nested sums flattened) merges further, to 4,930
//! classes (the tests count both and check that every benchmark class lies inside one
//! algebraic class).
//!
//! A class is named by its member with the smallest id, its representative; `class_id` is
//! that member's id, so a line with `class_id == id` is its class's representative.

use std::collections::HashMap;

use super::cell::{CELL_COUNT, Cell};
use crate::declared::edge_cell::Term;

/// The number of classes the benchmark's rule gives (NATS-Bench's "6.5k", exactly).
pub const PUBLISHED_CLASS_COUNT: usize = 6_466;

/// The class key of `cell` (see the module docs): equal keys, same class. The generic edge
/// cell's rule ([`crate::declared::EdgeCellRules::class_key`]) with `none` cutting and
/// `skip_connect` passing on.
pub fn class_key(cell: &Cell) -> String {
    super::rules().class_key(&cell.ops)
}

/// The number of classes of the full algebra ([`algebraic_output`]): coarser than the
/// benchmark's rule, each of its classes a union of benchmark classes.
pub const FUNCTION_COUNT: usize = 4_930;

/// The cell's output in the full algebra ([`crate::declared::EdgeCellRules::function_key`]):
/// zero terms dropped, a node with no nonzero input zero, an op applied to zero zero (as the
/// benchmark's rule assumes), sums passed on by a skip flattened into their new sum. Equal
/// outputs, same function.
fn algebraic_output(cell: &Cell) -> Vec<Term> {
    super::rules().function_key(&cell.ops)
}

/// The class of every cell, by representative.
pub struct Classes {
    /// For each cell position, its class representative's position.
    representative_of: Vec<u16>,
    /// The representatives, in increasing id order.
    representatives: Vec<Cell>,
    /// For each cell position, the position of the smallest cell computing the same function
    /// in the full algebra.
    function_representative_of: Vec<u16>,
}

impl Classes {
    /// Groups all 15,625 cells by [`class_key`].
    pub fn of_all_cells() -> Classes {
        let mut first_member: HashMap<String, u16> = HashMap::with_capacity(PUBLISHED_CLASS_COUNT);
        let mut representative_of = Vec::with_capacity(CELL_COUNT);
        let mut representatives = Vec::with_capacity(PUBLISHED_CLASS_COUNT);
        // In increasing id order, so the first member met is the smallest.
        for position in 0..CELL_COUNT {
            let cell = Cell::at(position);
            let representative = *first_member.entry(class_key(&cell)).or_insert_with(|| {
                representatives.push(cell);
                position as u16
            });
            representative_of.push(representative);
        }
        let mut first_of_function: HashMap<Vec<Term>, u16> = HashMap::with_capacity(FUNCTION_COUNT);
        let function_representative_of = (0..CELL_COUNT)
            .map(|position| *first_of_function.entry(algebraic_output(&Cell::at(position))).or_insert(position as u16))
            .collect();
        Classes { representative_of, representatives, function_representative_of }
    }

    /// The member with the smallest id of `cell`'s class.
    pub fn representative(&self, cell: &Cell) -> Cell {
        Cell::at(self.representative_of[cell.position()] as usize)
    }

    /// The smallest cell computing the same function as `cell` in the full algebra (one of
    /// [`FUNCTION_COUNT`] classes, each a union of the benchmark's classes, so always a
    /// benchmark representative too). What the graph view shows.
    pub fn function_representative(&self, cell: &Cell) -> Cell {
        Cell::at(self.function_representative_of[cell.position()] as usize)
    }

    /// One cell per class, in increasing id order.
    pub fn representatives(&self) -> &[Cell] {
        &self.representatives
    }
}

#[cfg(test)]
mod tests {
    use super::super::arch_string::cell_from_arch_string;
    use super::*;

    fn cell(text: &str) -> Cell {
        cell_from_arch_string(text).unwrap()
    }

    #[test]
    fn the_benchmark_rule_gives_the_published_count() {
        let classes = Classes::of_all_cells();
        assert_eq!(classes.representatives().len(), PUBLISHED_CLASS_COUNT);
        assert!(classes.representatives().windows(2).all(|w| w[0] < w[1]));
        for position in 0..CELL_COUNT {
            let member = Cell::at(position);
            let representative = classes.representative(&member);
            assert!(representative <= member);
            assert_eq!(class_key(&representative), class_key(&member));
            assert_eq!(classes.representative(&representative), representative);
        }
    }

    #[test]
    fn keys_see_skips_cut_paths_and_input_order() {
        // Node 2 sums conv1x1 and conv3x3 of the input whichever edge carries which; node 3
        // does not read node 1.
        let a = cell("|nor_conv_1x1~0|+|nor_conv_3x3~0|skip_connect~1|+|avg_pool_3x3~0|none~1|skip_connect~2|");
        let b = cell("|nor_conv_3x3~0|+|nor_conv_1x1~0|skip_connect~1|+|avg_pool_3x3~0|none~1|skip_connect~2|");
        assert_eq!(class_key(&a), class_key(&b));
        assert_eq!(class_key(&a), "#+(0)@avg_pool_3x3+(0)@nor_conv_1x1+(0)@nor_conv_3x3");
        // A none edge into node 1 cuts everything that reads node 1.
        let cut = cell("|none~0|+|skip_connect~0|nor_conv_3x3~1|+|nor_conv_1x1~0|avg_pool_3x3~1|none~2|");
        let other_cut = cell("|none~0|+|skip_connect~0|avg_pool_3x3~1|+|nor_conv_1x1~0|nor_conv_3x3~1|none~2|");
        assert_eq!(class_key(&cut), class_key(&other_cut));
        assert_eq!(class_key(&cut), "#+#+(0)@nor_conv_1x1");
        // The output cut off entirely through node 1 alone.
        let dead = cell("|none~0|+|none~0|none~1|+|none~0|skip_connect~1|none~2|");
        assert_eq!(class_key(&dead), "#+#+#");
    }

    #[test]
    fn benchmark_classes_lie_inside_the_full_algebras_coarser_classes() {
        let classes = Classes::of_all_cells();
        let mut algebraic = std::collections::HashSet::new();
        for position in 0..CELL_COUNT {
            let member = Cell::at(position);
            let output = algebraic_output(&member);
            assert_eq!(output, algebraic_output(&classes.representative(&member)), "{}", member.id_text());
            let function = classes.function_representative(&member);
            assert!(function <= classes.representative(&member));
            assert_eq!(algebraic_output(&function), output);
            assert_eq!(classes.representative(&function), function, "the smallest of its function is a representative");
            algebraic.insert(output);
        }
        assert_eq!(algebraic.len(), FUNCTION_COUNT);
    }
}
