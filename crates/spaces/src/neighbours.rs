//! The mutation neighbourhood of a few parents: what a search in rounds scores when it looks
//! near its best architectures instead of over the whole space.

use crate::rng::SpaceRng;

/// Mutation draws per parent: a cell of NAS-Bench-201 has 24 neighbours, an architecture of
/// NAS-Bench-Graph a few dozen, so 64 draws find nearly all of them; repeats are dropped.
pub const NEIGHBOUR_DRAWS: usize = 64;

/// The distinct results of `draws` mutations of each parent, in ascending order. Parents are
/// drawn in the order given, all from one `rng`, so the result depends only on the parents,
/// their order and the rng's state. `mutate` returns `None` for a mutation to drop (e.g. one
/// landing outside a table).
pub fn mutation_neighbours<P, K: Ord>(
    parents: &[P],
    draws: usize,
    rng: &mut SpaceRng,
    mut mutate: impl FnMut(&P, &mut SpaceRng) -> Option<K>,
) -> Vec<K> {
    let mut found: Vec<K> =
        parents.iter().flat_map(|parent| (0..draws).filter_map(|_| mutate(parent, rng)).collect::<Vec<_>>()).collect();
    found.sort_unstable();
    found.dedup();
    found
}

/// Indices of `values` best first (largest value first, ties by position): the parents of a
/// neighbourhood are the best `M` of this order.
pub fn best_first(values: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]).then(a.cmp(&b)));
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{stream_rng, uniform_below};

    #[test]
    fn neighbours_are_distinct_sorted_and_only_of_the_parents() {
        // Members of a ring of 20; a mutation steps one to either side.
        let step = |&i: &usize, rng: &mut SpaceRng| {
            Some(if uniform_below(rng, 2) == 0 { (i + 1) % 20 } else { (i + 19) % 20 })
        };
        let found = mutation_neighbours(&[4usize, 10], 64, &mut stream_rng(7), step);
        assert_eq!(found, [3, 5, 9, 11]);
        let none = mutation_neighbours(&[4usize], 64, &mut stream_rng(7), |_, _| None::<usize>);
        assert!(none.is_empty());
    }

    #[test]
    fn best_first_breaks_ties_by_position() {
        assert_eq!(best_first(&[3.0, 9.0, 5.0, 9.0]), [1, 3, 2, 0]);
    }
}
