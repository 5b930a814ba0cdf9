//! A declared node-op cell as a [`SearchSpace`]: what `nb101` does for its cell, for any op
//! list and any limits up to 9 vertices.
//!
//! - Lines carry `arch` (the canonical text form, [`NodeCellRules::text`]), `adjacency` and
//!   `ops` (input and output included) of the pruned cell in canonical vertex order; a line
//!   may give either (`arch` may also be the id).
//! - The id ([`NodeCellRules::id`]) is equal exactly for isomorphic cells after pruning.
//! - Spaces of at most 7 vertices are enumerated ([`NodeCellRules::enumerable`]); `uniform`
//!   then draws unique cells without replacement, as `nb101`'s default does. `random-matrix`
//!   is `nasbench`'s `random_spec` recipe for the spec's limits (repeats possible), the only
//!   sampler of larger spaces.
//! - `--size` counts the unique cells without making them up to 8 vertices (about a second
//!   at 8); for 9 it reports the labelled matrices (every upper-triangular matrix of the
//!   largest size with every interior labelling), an upper bound of the distinct cells.

use std::ops::Range;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::common::{DIGEST_FIELD, DeclaredHeader, known_fields, read_architecture};
use super::node_cell::{NodeCell, NodeCellRules};
use super::spec::SpaceSpec;
use crate::rng::{item_rng, uniform_below};
use crate::{
    ArchGraph, InvalidArchitecture, RawFields, SamplingMethod, SearchSpace, SpaceRng, SpaceSize,
    draw_without_replacement, invalid,
};

const SAMPLING_METHODS: [SamplingMethod; 2] = [
    SamplingMethod {
        name: "uniform",
        description: "uniform over the unique cells, without replacement (enumerable spaces)",
    },
    SamplingMethod {
        name: "random-matrix",
        description: "nasbench's random_spec for the spec's limits: random upper-triangular matrix (p=0.5 per edge), random ops, redrawn until valid; may repeat",
    },
];

const LARGE_SAMPLING_METHODS: [SamplingMethod; 1] = [SAMPLING_METHODS[1]];

/// A declared node-op cell space.
pub struct NodeCellSpace {
    header: DeclaredHeader,
    rules: NodeCellRules,
    cells: OnceLock<Vec<NodeCell>>,
    /// [`NodeCellRules::enumerable`], which counts the cells: asked once.
    enumerable: OnceLock<bool>,
}

impl NodeCellSpace {
    /// The space of a checked node-cell spec.
    pub fn new(spec: &SpaceSpec) -> Self {
        let rules = NodeCellRules::of(spec.node_cell.as_ref().expect("a node-cell spec"));
        NodeCellSpace {
            header: DeclaredHeader::new(spec, rules.op_vocabulary()),
            rules,
            cells: OnceLock::new(),
            enumerable: OnceLock::new(),
        }
    }

    pub fn header(&self) -> &DeclaredHeader {
        &self.header
    }

    pub fn rules(&self) -> &NodeCellRules {
        &self.rules
    }

    fn enumerable(&self) -> bool {
        *self.enumerable.get_or_init(|| self.rules.enumerable())
    }

    fn cells(&self) -> &[NodeCell] {
        self.cells.get_or_init(|| self.rules.enumerate())
    }

    /// A cell from its `arch` text: the text form, or the id.
    fn read_arch_text(&self, text: &str) -> Result<NodeCell, InvalidArchitecture> {
        self.rules
            .from_text(text)
            .or_else(|text_error| self.rules.from_id(text).map_err(|_| text_error))
            .map_err(|e| InvalidArchitecture(format!("field 'arch': {e}")))
    }

    fn read_matrix_fields(&self, fields: &Map<String, Value>) -> Result<Option<NodeCell>, InvalidArchitecture> {
        let (adjacency, ops) = match (fields.get("adjacency"), fields.get("ops")) {
            (None, None) => return Ok(None),
            (Some(adjacency), Some(ops)) => (adjacency, ops),
            _ => return invalid("fields 'adjacency' and 'ops' go together"),
        };
        // Read from the value in place: a line's matrix is not copied to be read.
        let adjacency = Vec::<Vec<u8>>::deserialize(adjacency)
            .map_err(|_| InvalidArchitecture("field 'adjacency' must be a square matrix of 0 and 1".into()))?;
        let ops: Vec<&str> = ops
            .as_array()
            .and_then(|items| items.iter().map(Value::as_str).collect())
            .ok_or_else(|| InvalidArchitecture("field 'ops' must be an array of op names".into()))?;
        self.rules.from_matrix(&adjacency, &ops).map(Some).map_err(InvalidArchitecture)
    }
}

/// The fields a node-cell line's architecture is read from.
const CELL_FIELDS: [&str; 4] = ["arch", "adjacency", "ops", DIGEST_FIELD];

impl SearchSpace for NodeCellSpace {
    type Arch = NodeCell;

    fn name(&self) -> &'static str {
        self.header.name
    }

    fn op_vocabulary(&self) -> &'static [&'static str] {
        self.header.vocabulary
    }

    fn max_nodes(&self) -> usize {
        self.rules.max_vertices()
    }

    fn max_edges(&self) -> Option<usize> {
        Some(self.rules.max_edges())
    }

    fn size(&self) -> SpaceSize {
        if self.enumerable() {
            let count = self.cells().len() as u128;
            return SpaceSize { published_count: count, unique_count: count, enumerable: true };
        }
        if self.rules.max_vertices() <= 8 {
            let count = self.rules.count();
            return SpaceSize { published_count: count, unique_count: count, enumerable: false };
        }
        let v = self.rules.max_vertices() as u32;
        let matrices = 1u128 << (v * (v - 1) / 2);
        let labellings = (self.rules.interior_op_names().len() as u128).pow(v - 2);
        let count = matrices.saturating_mul(labellings);
        SpaceSize { published_count: count, unique_count: count, enumerable: false }
    }

    fn sampling_methods(&self) -> &'static [SamplingMethod] {
        if self.enumerable() { &SAMPLING_METHODS } else { &LARGE_SAMPLING_METHODS }
    }

    fn sample(&self, rng: &mut SpaceRng) -> NodeCell {
        if !self.enumerable() {
            return self.rules.random_matrix_cell(rng);
        }
        let cells = self.cells();
        cells[uniform_below(rng, cells.len() as u64) as usize]
    }

    fn sample_range(
        &self,
        method: &str,
        seed: u64,
        count: u64,
        range: Range<u64>,
    ) -> Result<Vec<NodeCell>, InvalidArchitecture> {
        match method {
            "uniform" if self.enumerable() => {
                draw_without_replacement(self.name(), self.cells(), seed, count, range, "random-matrix")
            }
            "random-matrix" => Ok(range.map(|i| self.rules.random_matrix_cell(&mut item_rng(seed, i))).collect()),
            other => crate::unknown_sampler(self, other),
        }
    }

    fn parse(&self, record: &Value) -> Result<NodeCell, InvalidArchitecture> {
        let text = |text: &str| self.read_arch_text(text);
        let matrix = |fields: &Map<String, Value>| self.read_matrix_fields(fields);
        read_architecture(&self.header, record, "'adjacency' and 'ops'", text, matrix, |c| self.rules.id(c))
    }

    fn parse_fields(&self, fields: &RawFields<'_>) -> Result<NodeCell, InvalidArchitecture> {
        self.parse(&known_fields(fields, &CELL_FIELDS)?)
    }

    fn write_fields(&self, cell: &NodeCell, fields: &mut Map<String, Value>) {
        self.header.write_digest(fields);
        fields.insert("arch".into(), Value::from(self.rules.text(cell)));
        fields.insert("adjacency".into(), serde_json::to_value(self.rules.adjacency(cell)).expect("matrix serialises"));
        fields.insert("ops".into(), serde_json::to_value(self.rules.op_names(cell)).expect("names serialise"));
    }

    fn id(&self, cell: &NodeCell) -> String {
        self.rules.id(cell)
    }

    fn enumerate(&self) -> Option<&[NodeCell]> {
        self.enumerable().then(|| self.cells())
    }

    fn mutate(&self, cell: &NodeCell, rng: &mut SpaceRng) -> NodeCell {
        self.rules.mutate(cell, rng)
    }

    fn graph(&self, cell: &NodeCell) -> ArchGraph {
        self.rules.graph(cell)
    }
}
