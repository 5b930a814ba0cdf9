//! NAS-Bench-101 (Ying et al., 2019), bit-exact with the `nasbench` library.
//!
//! Where each rule lives, mirroring `nasbench`'s modules:
//! - [`cell`]: what a cell is (ops, limits);
//! - [`spec`]: pruning and validity (`model_spec.py`, `api._check_spec`);
//! - [`hash`]: the module hash that is the dataset's id (`graph_util.hash_module`);
//! - [`canonical`]: one vertex order per isomorphism class;
//! - [`cost`]: trainable parameters and FLOPs of the network a cell builds (`model_builder.py`);
//! - [`enumerate`]: all 423,624 unique cells (`generate_graphs.py`);
//! - [`sample`], [`mutate`]: random cells and evolution's random edits;
//! - [`json`]: the record forms we accept.

pub mod canonical;
pub mod cell;
pub mod cost;
pub mod enumerate;
pub mod hash;
pub mod json;
pub mod mutate;
pub mod sample;
pub mod spec;

use std::ops::Range;
use std::sync::OnceLock;

use serde_json::{Map, Value};

pub use cell::{Cell, Op};
pub use hash::module_hash;

use crate::rng::item_rng;
use crate::{ArchGraph, InvalidArchitecture, RawFields, SamplingMethod, SearchSpace, SpaceRng, SpaceSize};

/// The graph view's op vocabulary (the one-hot order of the Neural Predictor paper).
pub const OP_VOCABULARY: [&str; 5] = ["input", "conv1x1-bn-relu", "conv3x3-bn-relu", "maxpool3x3", "output"];

const SAMPLING_METHODS: [SamplingMethod; 2] = [
    SamplingMethod { name: "uniform", description: "uniform over the 423,624 unique cells, without replacement" },
    SamplingMethod {
        name: "nasbench",
        description: "nasbench's random_spec: random 7x7 upper-triangular matrix (p=0.5 per edge), random ops, redrawn until valid",
    },
];

/// The NAS-Bench-101 cell space. The enumeration is built on first use and kept.
#[derive(Default)]
pub struct Nb101 {
    unique_cells: OnceLock<Vec<Cell>>,
}

impl Nb101 {
    pub fn new() -> Self {
        Self::default()
    }

    /// All unique cells in enumeration order.
    pub fn unique_cells(&self) -> &[Cell] {
        self.unique_cells.get_or_init(enumerate::enumerate_unique_cells)
    }

    /// Validates, prunes and canonicalises a cell given as a record.
    pub fn parse_cell(&self, record: &Value) -> Result<Cell, InvalidArchitecture> {
        let cell = json::spec_from_record(record)?.prune_and_validate()?;
        Ok(canonical::canonicalise(&cell))
    }
}

fn op_vocabulary_index(op: Op) -> usize {
    OP_VOCABULARY.iter().position(|name| *name == op.name()).expect("every op is in the vocabulary")
}

impl SearchSpace for Nb101 {
    type Arch = Cell;

    fn name(&self) -> &'static str {
        "nb101"
    }

    fn op_vocabulary(&self) -> &'static [&'static str] {
        &OP_VOCABULARY
    }

    fn max_nodes(&self) -> usize {
        cell::MAX_VERTICES
    }

    fn max_edges(&self) -> Option<usize> {
        Some(cell::MAX_EDGES)
    }

    fn size(&self) -> SpaceSize {
        let count = enumerate::UNIQUE_CELLS as u128;
        SpaceSize { published_count: count, unique_count: count, enumerable: true }
    }

    fn sampling_methods(&self) -> &'static [SamplingMethod] {
        &SAMPLING_METHODS
    }

    fn sample(&self, rng: &mut SpaceRng) -> Cell {
        let cells = self.unique_cells();
        cells[crate::rng::uniform_below(rng, cells.len() as u64) as usize]
    }

    fn sample_range(
        &self,
        method: &str,
        seed: u64,
        count: u64,
        range: Range<u64>,
    ) -> Result<Vec<Cell>, InvalidArchitecture> {
        match method {
            "uniform" => crate::draw_without_replacement("nb101", self.unique_cells(), seed, count, range, "nasbench"),
            "nasbench" => Ok(range.map(|i| sample::nasbench_random_cell(&mut item_rng(seed, i))).collect()),
            other => crate::unknown_sampler(self, other),
        }
    }

    fn parse(&self, record: &Value) -> Result<Cell, InvalidArchitecture> {
        self.parse_cell(record)
    }

    fn write_fields(&self, cell: &Cell, fields: &mut Map<String, Value>) {
        fields.insert("adjacency".into(), serde_json::to_value(cell.adjacency()).expect("matrix serialises"));
        let ops: Vec<Value> = cell.ops().iter().map(|op| Value::from(op.name())).collect();
        fields.insert("ops".into(), Value::Array(ops));
    }

    fn parse_fields(&self, fields: &RawFields<'_>) -> Result<Cell, InvalidArchitecture> {
        let cell = json::spec_from_fields(fields)?.prune_and_validate()?;
        Ok(canonical::canonicalise(&cell))
    }

    /// The same text as serde_json writes for [`write_fields`](Self::write_fields)' values,
    /// written directly: serde's writer copies each one-digit entry and quote on its own, a
    /// tenth of `arch-sample --all`.
    fn field_texts(&self, cell: &Cell) -> Vec<(String, String)> {
        let n = cell.vertex_count();
        let mut adjacency = String::with_capacity(2 + n * (2 * n + 2));
        crate::write_bit_matrix(&mut adjacency, n, n, |from, to| cell.has_edge(from, to));
        // Op names are plain ASCII words: nothing to escape. Written piece by piece: a
        // `format!` per op and a `join` were a tenth of `arch-encode`'s time.
        let mut ops = String::with_capacity(2 + n * 18);
        ops.push('[');
        for (i, op) in cell.ops().iter().enumerate() {
            ops.push_str(if i == 0 { "\"" } else { ",\"" });
            ops.push_str(op.name());
            ops.push('"');
        }
        ops.push(']');
        vec![("adjacency".into(), adjacency), ("ops".into(), ops)]
    }

    fn id(&self, cell: &Cell) -> String {
        module_hash(cell)
    }

    fn ids(&self, cells: &[Cell]) -> Vec<String> {
        hash::module_hashes(cells)
    }

    fn enumerate(&self) -> Option<&[Cell]> {
        Some(self.unique_cells())
    }

    fn mutate(&self, cell: &Cell, rng: &mut SpaceRng) -> Cell {
        mutate::mutate_cell(cell, rng)
    }

    fn graph(&self, cell: &Cell) -> ArchGraph {
        let n = cell.vertex_count();
        ArchGraph {
            ops: cell.ops().iter().map(|&op| op_vocabulary_index(op)).collect(),
            adjacency: (0..n).map(|i| (0..n).map(|j| cell.has_edge(i, j)).collect()).collect(),
            node_features: vec![Vec::new(); n],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn field_texts_are_serdes_text_of_the_fields() {
        let space = Nb101::new();
        let mut rng = SpaceRng::seed_from_u64(3);
        for _ in 0..500 {
            let cell = space.sample(&mut rng);
            let mut fields = Map::new();
            space.write_fields(&cell, &mut fields);
            let expected: Vec<(String, String)> =
                fields.into_iter().map(|(k, v)| (k, serde_json::to_string(&v).unwrap())).collect();
            assert_eq!(space.field_texts(&cell), expected);
        }
    }
}
