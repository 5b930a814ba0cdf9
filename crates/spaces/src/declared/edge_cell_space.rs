//! A declared edge-op cell as a [`SearchSpace`]: what `nb201` does for its one cell, for any
//! node count and op list.
//!
//! - A cell is its ops in edge order ([`EdgeCellRules`]); its id is one character per edge
//!   ([`super::common::ID_ALPHABET`]), so a benchmark that tabulates every cell (as
//!   NAS-Bench-201 does) keys its rows by cell, and equivalent cells share a `class_id`: the
//!   id of the smallest cell with the same [`EdgeCellRules::class_key`].
//! - Lines carry `arch` (the official string layout), `ops` and `class_id`; `arch` may also
//!   be given as the id.
//! - Enumeration, the `uniform` and `classes` samplers and the class table need every cell in
//!   memory: offered up to [`ENUMERATION_LIMIT`] cells. Larger spaces sample each edge's op
//!   independently, and their `class_id` is a digest of the class key instead of a member.
//! - With `ids = "classes"` equivalent cells are one architecture: a cell is read as its
//!   class's smallest cell (what lines then write), ids name classes, `--all` lists one cell
//!   per class, `uniform` draws classes, `with-replacement` draws cells (so classes weighted by
//!   their size), and a mutation redraws until the class changes.
//! - The graph view is `nb201`'s line graph (input, one node per edge, output) of the smallest
//!   cell computing the same function in the full algebra ([`EdgeCellRules::function_key`]),
//!   for enumerable spaces; a larger space shows each cell's own line graph.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::OnceLock;

use serde_json::{Map, Value};

use super::common::{DeclaredHeader, id_char, id_index, known_fields, op_names_to_indices, read_architecture};
use super::edge_cell::EdgeCellRules;
use super::spec::{EdgeIds, MAX_CELL_VERTICES, SpaceSpec};
use crate::rng::{item_rng, uniform_below};
use crate::{
    ArchGraph, InvalidArchitecture, RawFields, SamplingMethod, SearchSpace, SpaceRng, SpaceSize,
    draw_without_replacement, invalid,
};

/// The most cells an edge-cell space enumerates (and keeps, with their classes, in memory):
/// 2^21, about 80 MB of cells; building the class table takes a few seconds at that size.
pub const ENUMERATION_LIMIT: u64 = 1 << 21;

/// The most edges a declared edge cell has (9 nodes).
pub const MAX_CELL_EDGES: usize = MAX_CELL_VERTICES * (MAX_CELL_VERTICES - 1) / 2;

/// One cell: an op index per edge, in edge order; edges beyond the space's count are 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeCell {
    pub ops: [u8; MAX_CELL_EDGES],
}

/// Which cells share a class and a function (see the module docs), by position.
struct Classes {
    representative_of: Vec<u32>,
    representatives: Vec<EdgeCell>,
    function_representative_of: Vec<u32>,
}

const SAMPLING_METHODS: [SamplingMethod; 3] = [
    SamplingMethod { name: "uniform", description: "uniform over the cells, without replacement (enumerable spaces)" },
    SamplingMethod {
        name: "classes",
        description: "uniform over the classes of cells computing the same function, without replacement; each draw is its class's representative (enumerable spaces)",
    },
    SamplingMethod {
        name: "with-replacement",
        description: "each edge's op drawn uniformly and independently; may repeat",
    },
];

const LARGE_SAMPLING_METHODS: [SamplingMethod; 1] = [SAMPLING_METHODS[2]];

const CLASS_SAMPLING_METHODS: [SamplingMethod; 2] = [
    SamplingMethod { name: "uniform", description: "uniform over the classes, without replacement" },
    SamplingMethod {
        name: "with-replacement",
        description: "a cell uniform over the cells, shown as its class (classes weighted by their size); may repeat",
    },
];

/// A declared edge-op cell space.
pub struct EdgeCellSpace {
    header: DeclaredHeader,
    rules: EdgeCellRules,
    /// Cells the spec allows, when it fits in a `u64`.
    count: Option<u64>,
    cells: OnceLock<Vec<EdgeCell>>,
    classes: OnceLock<Classes>,
    graph_edges: usize,
    /// `ids = "classes"`: architectures are classes ([`EdgeIds::Classes`]).
    by_class: bool,
}

impl EdgeCellSpace {
    /// The space of a checked edge-cell spec.
    pub fn new(spec: &SpaceSpec) -> Self {
        let rules = EdgeCellRules::of(spec.edge_cell.as_ref().expect("an edge-cell spec"));
        let mut vocabulary = vec!["input".to_string()];
        vocabulary.extend(rules.ops.iter().cloned());
        vocabulary.push("output".to_string());
        let count = spec.sequence_count().and_then(|count| u64::try_from(count).ok());
        let header = DeclaredHeader::new(spec, vocabulary);
        let graph_edges =
            rules.line_graph(&vec![0; rules.edges.len()]).adjacency.iter().flatten().filter(|&&e| e).count();
        let by_class = spec.edge_cell.as_ref().is_some_and(|cell| cell.ids == EdgeIds::Classes);
        EdgeCellSpace { header, rules, count, cells: OnceLock::new(), classes: OnceLock::new(), graph_edges, by_class }
    }

    pub fn header(&self) -> &DeclaredHeader {
        &self.header
    }

    pub fn rules(&self) -> &EdgeCellRules {
        &self.rules
    }

    fn edges(&self) -> usize {
        self.rules.edges.len()
    }

    fn enumerable(&self) -> bool {
        self.count.is_some_and(|count| count <= ENUMERATION_LIMIT)
    }

    fn ops<'a>(&self, cell: &'a EdgeCell) -> &'a [u8] {
        &cell.ops[..self.edges()]
    }

    /// The cell at `position` in id order (first edge most significant).
    pub fn cell_at(&self, position: u64) -> EdgeCell {
        let radix = self.rules.ops.len() as u64;
        let mut ops = [0u8; MAX_CELL_EDGES];
        let mut rest = position;
        for op in ops[..self.edges()].iter_mut().rev() {
            *op = (rest % radix) as u8;
            rest /= radix;
        }
        EdgeCell { ops }
    }

    fn position(&self, cell: &EdgeCell) -> usize {
        let radix = self.rules.ops.len();
        self.ops(cell).iter().fold(0, |position, &op| position * radix + op as usize)
    }

    /// Every cell in id order (enumerable spaces only).
    fn cells(&self) -> &[EdgeCell] {
        self.cells.get_or_init(|| (0..self.count.expect("an enumerable space")).map(|p| self.cell_at(p)).collect())
    }

    fn classes(&self) -> &Classes {
        self.classes.get_or_init(|| {
            let cells = self.cells();
            let mut first_member: HashMap<String, u32> = HashMap::new();
            let mut representatives = Vec::new();
            let representative_of = cells
                .iter()
                .enumerate()
                .map(|(position, cell)| {
                    *first_member.entry(self.rules.class_key(self.ops(cell))).or_insert_with(|| {
                        representatives.push(*cell);
                        position as u32
                    })
                })
                .collect();
            let mut first_of_function = HashMap::new();
            let function_representative_of = cells
                .iter()
                .enumerate()
                .map(|(position, cell)| {
                    *first_of_function.entry(self.rules.function_key(self.ops(cell))).or_insert(position as u32)
                })
                .collect();
            Classes { representative_of, representatives, function_representative_of }
        })
    }

    /// The architecture a cell is: itself, or with `ids = "classes"` its class's smallest cell.
    fn canonical(&self, cell: EdgeCell) -> EdgeCell {
        match self.by_class {
            true => self.cells()[self.classes().representative_of[self.position(&cell)] as usize],
            false => cell,
        }
    }

    /// The id of the smallest cell of `cell`'s class, or for a space too large to enumerate a
    /// digest of its class key (`k` and 16 hex digits).
    pub fn class_id(&self, cell: &EdgeCell) -> String {
        if self.enumerable() {
            let classes = self.classes();
            return self.id(&self.cells()[classes.representative_of[self.position(cell)] as usize]);
        }
        let key = self.rules.class_key(self.ops(cell));
        let mut out = [[0u8; 16]];
        md5_batch::md5_many(&[key.as_bytes()], &mut out);
        let hex: String = out[0][..8].iter().map(|b| format!("{b:02x}")).collect();
        format!("k{hex}")
    }

    fn line_graph(&self, cell: &EdgeCell) -> ArchGraph {
        self.rules.line_graph(self.ops(cell))
    }

    fn cell_of_ops(&self, ops: &[u8]) -> EdgeCell {
        let mut cell = EdgeCell { ops: [0; MAX_CELL_EDGES] };
        cell.ops[..ops.len()].copy_from_slice(ops);
        cell
    }

    /// A cell from its `arch` text: the official layout, or the id.
    fn read_arch_text(&self, text: &str) -> Result<EdgeCell, InvalidArchitecture> {
        if !text.starts_with('|') && text.chars().count() == self.edges() {
            let ops: Option<Vec<u8>> = text.chars().map(id_index).collect();
            if let Some(ops) = ops.filter(|ops| ops.iter().all(|&op| (op as usize) < self.rules.ops.len())) {
                return Ok(self.cell_of_ops(&ops));
            }
        }
        self.rules
            .from_text(text)
            .map(|ops| self.cell_of_ops(&ops))
            .map_err(|e| InvalidArchitecture(format!("field {e}")))
    }
}

/// The fields an edge-cell line's architecture is read from.
const CELL_FIELDS: [&str; 4] = ["arch", "ops", "class_id", super::common::DIGEST_FIELD];

impl SearchSpace for EdgeCellSpace {
    type Arch = EdgeCell;

    fn name(&self) -> &'static str {
        self.header.name
    }

    fn op_vocabulary(&self) -> &'static [&'static str] {
        self.header.vocabulary
    }

    fn max_nodes(&self) -> usize {
        self.edges() + 2
    }

    fn max_edges(&self) -> Option<usize> {
        Some(self.graph_edges)
    }

    fn fixed_topology(&self) -> bool {
        true
    }

    fn size(&self) -> SpaceSize {
        let published_count = self.header.spec.sequence_count().unwrap_or(u128::MAX);
        let unique_count =
            if self.enumerable() { self.classes().representatives.len() as u128 } else { published_count };
        if self.by_class {
            return SpaceSize { published_count: unique_count, unique_count, enumerable: true };
        }
        SpaceSize { published_count, unique_count, enumerable: self.enumerable() }
    }

    fn sampling_methods(&self) -> &'static [SamplingMethod] {
        match (self.by_class, self.enumerable()) {
            (true, _) => &CLASS_SAMPLING_METHODS,
            (false, true) => &SAMPLING_METHODS,
            (false, false) => &LARGE_SAMPLING_METHODS,
        }
    }

    /// A uniform cell: one draw of its position when the count fits a `u64` (as `nb201`
    /// draws), else each edge's op on its own.
    fn sample(&self, rng: &mut SpaceRng) -> EdgeCell {
        match self.count {
            Some(count) => self.canonical(self.cell_at(uniform_below(rng, count))),
            None => {
                let ops: Vec<u8> =
                    (0..self.edges()).map(|_| uniform_below(rng, self.rules.ops.len() as u64) as u8).collect();
                self.cell_of_ops(&ops)
            }
        }
    }

    fn sample_range(
        &self,
        method: &str,
        seed: u64,
        count: u64,
        range: Range<u64>,
    ) -> Result<Vec<EdgeCell>, InvalidArchitecture> {
        match method {
            "uniform" if self.by_class => {
                let classes = &self.classes().representatives;
                draw_without_replacement(self.name(), classes, seed, count, range, "with-replacement")
            }
            "classes" if self.by_class => crate::unknown_sampler(self, method),
            "uniform" if self.enumerable() => {
                draw_without_replacement(self.name(), self.cells(), seed, count, range, "with-replacement")
            }
            "classes" if self.enumerable() => {
                let classes = &self.classes().representatives;
                if count > classes.len() as u64 {
                    return invalid(format!(
                        "{} has {} classes; cannot draw {count} of them without replacement",
                        self.name(),
                        classes.len()
                    ));
                }
                draw_without_replacement(self.name(), classes, seed, count, range, "uniform")
            }
            "with-replacement" => Ok(range.map(|i| self.sample(&mut item_rng(seed, i))).collect()),
            other => crate::unknown_sampler(self, other),
        }
    }

    fn parse(&self, record: &Value) -> Result<EdgeCell, InvalidArchitecture> {
        let ops_names = &self.header.vocabulary[1..=self.rules.ops.len()];
        let from_ops = |fields: &Map<String, Value>| {
            let ops = fields.get("ops").map(|ops| op_names_to_indices(ops, ops_names, self.edges())).transpose()?;
            Ok(ops.map(|ops| self.cell_of_ops(&ops)))
        };
        let text = |text: &str| self.read_arch_text(text);
        let cell =
            read_architecture(&self.header, record, "'ops' (one op name per edge)", text, from_ops, |c| self.id(c))?;
        if let Some(declared) = record.get("class_id") {
            let class_id = self.class_id(&cell);
            if declared.as_str() != Some(class_id.as_str()) {
                return invalid(format!("field 'class_id' is {declared} but the cell's class is \"{class_id}\""));
            }
        }
        Ok(self.canonical(cell))
    }

    fn parse_fields(&self, fields: &RawFields<'_>) -> Result<EdgeCell, InvalidArchitecture> {
        self.parse(&known_fields(fields, &CELL_FIELDS)?)
    }

    fn write_fields(&self, cell: &EdgeCell, fields: &mut Map<String, Value>) {
        self.header.write_digest(fields);
        fields.insert("arch".into(), Value::from(self.rules.text(self.ops(cell))));
        let ops = self.ops(cell).iter().map(|&op| Value::from(self.rules.ops[op as usize].as_str())).collect();
        fields.insert("ops".into(), Value::Array(ops));
        fields.insert("class_id".into(), Value::from(self.class_id(cell)));
    }

    fn id(&self, cell: &EdgeCell) -> String {
        self.ops(cell).iter().map(|&op| id_char(op)).collect()
    }

    fn enumerate(&self) -> Option<&[EdgeCell]> {
        match self.by_class {
            true => Some(&self.classes().representatives),
            false => self.enumerable().then(|| self.cells()),
        }
    }

    /// `nb201`'s mutation ([`EdgeCellRules::mutate`]); with `ids = "classes"` redrawn until the
    /// class changes (changing the edge from the input to the output always does).
    fn mutate(&self, cell: &EdgeCell, rng: &mut SpaceRng) -> EdgeCell {
        loop {
            let mut child = *cell;
            self.rules.mutate(&mut child.ops[..self.rules.edges.len()], rng);
            let child = self.canonical(child);
            if child != *cell {
                return child;
            }
        }
    }

    fn graph(&self, cell: &EdgeCell) -> ArchGraph {
        if !self.enumerable() {
            return self.line_graph(cell);
        }
        let representative = self.classes().function_representative_of[self.position(cell)];
        self.line_graph(&self.cells()[representative as usize])
    }
}
