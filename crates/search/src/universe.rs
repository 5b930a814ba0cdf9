//! The architectures a benchmark table holds: what searches over a tabular benchmark draw
//! from, and the oracle's answer.

use std::collections::HashMap;

use np_bench_tables::table::BenchTable;
use np_spaces::SearchSpace;
use np_spaces::rng::{SpaceRng, uniform_below};

use crate::evaluation::{Evaluation, Evaluator, TableEvaluator};

/// The members of a search space that a table holds, in the space's enumeration order.
/// For NAS-Bench-Graph and the full NAS-Bench-101 file this is the whole space; for a partial
/// table (e.g. 500 cells) it is a closed mini-space.
pub struct Universe<A> {
    pub archs: Vec<A>,
    pub ids: Vec<String>,
    index: HashMap<String, usize>,
}

impl<A: Clone> Universe<A> {
    /// The table's architectures, found by enumerating the space (ids like NAS-Bench-101's
    /// hashes cannot be turned back into architectures). Table entries that are not members
    /// of the space are left out; the count is returned with the universe. A space too large
    /// to enumerate is searched over the table's own architectures when its ids read back as
    /// architectures (a declared space's do: `{"arch": id}`), in id order.
    pub fn of_table<S: SearchSpace<Arch = A>>(space: &S, table: &BenchTable) -> Result<(Self, usize), String> {
        let Some(all) = space.enumerate() else {
            return Self::of_table_ids(space, table).map(|universe| (universe, 0));
        };
        let ids = space.ids(all);
        let mut archs = Vec::new();
        let mut kept = Vec::new();
        for (arch, id) in all.iter().zip(ids) {
            if table.entries.contains_key(&id) {
                archs.push(arch.clone());
                kept.push(id);
            }
        }
        if archs.is_empty() {
            return Err(format!("no architecture of the {} space is in the table", space.name()));
        }
        let outside = table.len() - archs.len();
        Ok((Self::new(archs, kept), outside))
    }

    /// The table's architectures read back from its ids, for a space that cannot be
    /// enumerated.
    fn of_table_ids<S: SearchSpace<Arch = A>>(space: &S, table: &BenchTable) -> Result<Self, String> {
        let mut archs = Vec::with_capacity(table.len());
        let mut ids = Vec::with_capacity(table.len());
        for id in table.ids_sorted() {
            let arch = space.parse(&serde_json::json!({ "arch": id })).map_err(|e| {
                format!(
                    "the {} space cannot be enumerated and its ids do not read back as architectures \
                     ({id}: {e}), so a table cannot be searched",
                    space.name()
                )
            })?;
            archs.push(arch);
            ids.push(id.to_string());
        }
        if archs.is_empty() {
            return Err("the table is empty".to_string());
        }
        Ok(Self::new(archs, ids))
    }

    pub fn new(archs: Vec<A>, ids: Vec<String>) -> Self {
        let index = ids.iter().enumerate().map(|(i, id)| (id.clone(), i)).collect();
        Universe { archs, ids, index }
    }

    pub fn len(&self) -> usize {
        self.archs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.archs.is_empty()
    }

    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    /// (architecture, id) of member `i`.
    pub fn member(&self, i: usize) -> (A, String) {
        (self.archs[i].clone(), self.ids[i].clone())
    }

    /// The first `count` positions of a uniform random order of the members (sampling without
    /// replacement, by a partial Fisher–Yates shuffle).
    pub fn shuffled_prefix(&self, rng: &mut SpaceRng, count: usize) -> Vec<usize> {
        let count = count.min(self.len());
        let mut order: Vec<usize> = (0..self.len()).collect();
        for i in 0..count {
            let j = i + uniform_below(rng, (self.len() - i) as u64) as usize;
            order.swap(i, j);
        }
        order.truncate(count);
        order
    }

    /// Every member's answer, in member order, with the same run draw as the searches: the
    /// truth a predictor is judged against, and the oracle (the best of them, the upper bound
    /// of every search; see [`crate::evaluation::best_of`]).
    pub fn answers(&self, evaluator: &mut TableEvaluator<'_>) -> Result<Vec<Evaluation>, String> {
        let batch: Vec<(A, String)> = (0..self.len()).map(|i| self.member(i)).collect();
        evaluator.evaluate(&batch)
    }
}
