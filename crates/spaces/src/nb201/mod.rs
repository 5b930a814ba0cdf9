//! NAS-Bench-201 (Dong & Yang, ICLR 2020; the topology space of NATS-Bench): 15,625 cells,
//! each a four-node DAG whose six edges carry one of five ops, trained on CIFAR-10,
//! CIFAR-100 and ImageNet16-120.
//!
//! Where each rule lives:
//! - [`cell`]: what a cell is, the edge and op orders, the id;
//! - [`arch_string`]: the official `arch` string that keys the benchmark's tables;
//! - [`naslib`]: NASLib's op-index tuple;
//! - [`classes`]: which cells compute the same function (the published 6,466 classes);
//! - [`cost`]: trainable parameters and FLOPs of the network built around a cell;
//! - [`mutate`]: evolution's random edit (the benchmark authors' own);
//! - [`graph_view`]: edges turned into nodes for the GCN;
//! - [`json`]: the record forms we accept.
//!
//! Cells are not merged into their classes: the benchmark trains and tabulates every string
//! on its own, so a cell is its own canonical form and `id` names the cell; `class_id` names
//! its class. Lines carry `arch`, `ops` (six names in the string's edge order) and `class_id`.

pub mod arch_string;
pub mod cell;
pub mod classes;
pub mod cost;
pub mod graph_view;
pub mod json;
pub mod mutate;
pub mod naslib;

use std::ops::Range;
use std::sync::OnceLock;

use serde_json::{Map, Value};

pub use cell::Cell;
use classes::{Classes, PUBLISHED_CLASS_COUNT};

use crate::declared::{EdgeCellRules, EdgeCellSpec};

use crate::rng::{item_rng, uniform_below};
use crate::{
    ArchGraph, InvalidArchitecture, RawFields, SamplingMethod, SearchSpace, SpaceRng, SpaceSize,
    draw_without_replacement, invalid,
};

const SAMPLING_METHODS: [SamplingMethod; 3] = [
    SamplingMethod { name: "uniform", description: "uniform over the 15,625 cells, without replacement" },
    SamplingMethod {
        name: "classes",
        description: "uniform over the 6,466 classes of cells computing the same function, without replacement; each draw is its class's representative",
    },
    SamplingMethod {
        name: "with-replacement",
        description: "uniform over the 15,625 cells, each op drawn independently (the benchmark's random_architecture); may repeat",
    },
];

/// The NAS-Bench-201 space. The enumeration and the class table are built on first use.
/// The cell's rules as a declared edge-op cell: NAS-Bench-201 is an instance of the generic
/// edge-cell core (`declared::edge_cell`), which holds its string layout, equivalence rule,
/// full algebra, line graph and mutation for any node count and op list.
pub(crate) fn rules() -> &'static EdgeCellRules {
    static RULES: std::sync::LazyLock<EdgeCellRules> = std::sync::LazyLock::new(|| {
        let spec = EdgeCellSpec {
            nodes: cell::CELL_NODES,
            ops: cell::OP_NAMES.iter().map(|op| op.to_string()).collect(),
            cut: Some(cell::OP_NAMES[cell::NONE as usize].to_string()),
            identity: Some(cell::OP_NAMES[cell::SKIP_CONNECT as usize].to_string()),
            ids: crate::declared::EdgeIds::Cells,
        };
        EdgeCellRules::of(&spec)
    });
    &RULES
}

#[derive(Default)]
pub struct Nb201 {
    cells: OnceLock<Vec<Cell>>,
    classes: OnceLock<Classes>,
}

impl Nb201 {
    pub fn new() -> Self {
        Self::default()
    }

    /// All cells in increasing id order.
    pub fn cells(&self) -> &[Cell] {
        self.cells.get_or_init(Cell::all)
    }

    /// The class of every cell.
    pub fn classes(&self) -> &Classes {
        self.classes.get_or_init(Classes::of_all_cells)
    }

    /// The id of `cell`'s class: its representative's id.
    pub fn class_id(&self, cell: &Cell) -> String {
        self.classes().representative(cell).id_text()
    }
}

impl SearchSpace for Nb201 {
    type Arch = Cell;

    fn name(&self) -> &'static str {
        "nb201"
    }

    fn op_vocabulary(&self) -> &'static [&'static str] {
        &graph_view::OP_VOCABULARY
    }

    fn max_nodes(&self) -> usize {
        graph_view::GRAPH_NODES
    }

    fn max_edges(&self) -> Option<usize> {
        Some(graph_view::GRAPH_EDGES)
    }

    fn fixed_topology(&self) -> bool {
        true
    }

    fn size(&self) -> SpaceSize {
        SpaceSize {
            published_count: cell::CELL_COUNT as u128,
            unique_count: PUBLISHED_CLASS_COUNT as u128,
            enumerable: true,
        }
    }

    fn sampling_methods(&self) -> &'static [SamplingMethod] {
        &SAMPLING_METHODS
    }

    fn sample(&self, rng: &mut SpaceRng) -> Cell {
        Cell::at(uniform_below(rng, cell::CELL_COUNT as u64) as usize)
    }

    fn sample_range(
        &self,
        method: &str,
        seed: u64,
        count: u64,
        range: Range<u64>,
    ) -> Result<Vec<Cell>, InvalidArchitecture> {
        match method {
            "uniform" => draw_without_replacement(self.name(), self.cells(), seed, count, range, "with-replacement"),
            "classes" => {
                if count > PUBLISHED_CLASS_COUNT as u64 {
                    return invalid(format!(
                        "nb201 has {PUBLISHED_CLASS_COUNT} classes; cannot draw {count} of them without replacement"
                    ));
                }
                draw_without_replacement(self.name(), self.classes().representatives(), seed, count, range, "uniform")
            }
            "with-replacement" => Ok(range.map(|i| self.sample(&mut item_rng(seed, i))).collect()),
            other => crate::unknown_sampler(self, other),
        }
    }

    fn parse(&self, record: &Value) -> Result<Cell, InvalidArchitecture> {
        json::cell_from_record(record, |cell| self.class_id(cell))
    }

    /// Only the space's own fields are parsed: a label this space never reads cannot make a
    /// line unreadable.
    fn parse_fields(&self, fields: &RawFields<'_>) -> Result<Cell, InvalidArchitecture> {
        let record = fields
            .to_value_where(|key| json::CELL_FIELDS.contains(&key))
            .map_err(|e| InvalidArchitecture(format!("not valid JSON: {e}")))?;
        self.parse(&record)
    }

    fn write_fields(&self, cell: &Cell, fields: &mut Map<String, Value>) {
        fields.insert("arch".into(), Value::from(arch_string::arch_string(cell)));
        let ops: Vec<Value> = (0..cell::EDGE_COUNT).map(|edge| Value::from(cell.op_name(edge))).collect();
        fields.insert("ops".into(), Value::Array(ops));
        fields.insert("class_id".into(), Value::from(self.class_id(cell)));
    }

    /// One digit per edge (see [`Cell::id_text`]).
    fn id(&self, cell: &Cell) -> String {
        cell.id_text()
    }

    fn enumerate(&self) -> Option<&[Cell]> {
        Some(self.cells())
    }

    fn mutate(&self, cell: &Cell, rng: &mut SpaceRng) -> Cell {
        mutate::mutate_cell(cell, rng)
    }

    /// The line graph of the smallest cell computing the same function
    /// ([`Classes::function_representative`]): what the cell computes, not how its string
    /// spells it, as NAS-Bench-101's graph view is of the pruned cell. Cells of one function
    /// differ only in edges that cannot reach the output, in skips, and in the order and
    /// nesting of sums; shown as one graph, a predictor need not learn from a few hundred labels
    /// that those differences do not matter. Measured (BENCHMARKS.md, "Predictor quality on
    /// NAS-Bench-201", N = 156): the GCN's Kendall τ over all other cells rose from 0.64 (each
    /// cell its own graph) to 0.69 (the benchmark's 6,466 classes) and 0.73 (these 4,930) with
    /// `gcn-train`'s defaults.
    fn graph(&self, cell: &Cell) -> ArchGraph {
        graph_view::edge_node_graph(&self.classes().function_representative(cell))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_round_trip_through_their_fields() {
        let space = Nb201::new();
        let cell = space.parse(&json!({"naslib": [1, 1, 2, 1, 1, 1]})).unwrap();
        let mut fields = Map::new();
        space.write_fields(&cell, &mut fields);
        assert_eq!(
            Value::Object(fields.clone()),
            json!({
                "arch": "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|",
                "ops": ["none", "none", "none", "nor_conv_3x3", "none", "none"],
                "class_id": "000300"
            })
        );
        assert_eq!(space.id(&cell), "000300");
        assert_eq!(space.parse(&Value::Object(fields)).unwrap(), cell);
    }

    #[test]
    fn a_cell_names_its_class_by_the_smallest_member() {
        let space = Nb201::new();
        // Node 1 is cut off (none from the input), so whatever reads it adds zero.
        let cell = space
            .parse(&json!({"arch": "|none~0|+|none~0|nor_conv_1x1~1|+|nor_conv_3x3~0|skip_connect~1|none~2|"}))
            .unwrap();
        let representative =
            space.parse(&json!({"arch": "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|"})).unwrap();
        assert_eq!(space.class_id(&cell), "000300");
        assert_eq!(space.class_id(&representative), "000300");
    }

    #[test]
    fn cells_computing_one_function_share_one_graph() {
        let space = Nb201::new();
        let member = space
            .parse(&json!({"arch": "|none~0|+|none~0|nor_conv_1x1~1|+|nor_conv_3x3~0|skip_connect~1|none~2|"}))
            .unwrap();
        let representative = space.classes().representative(&member);
        assert_ne!(member, representative);
        assert_eq!(space.graph(&member), space.graph(&representative));
        assert_eq!(space.graph(&representative), graph_view::edge_node_graph(&representative));
        // Node 2 reads only `none` edges, so a conv on it adds zero: the full algebra drops the
        // term, the benchmark's rule keeps "(#+#)@nor_conv_3x3" in node 3's text.
        let nested =
            space.parse(&json!({"arch": "|none~0|+|none~0|none~1|+|nor_conv_1x1~0|none~1|nor_conv_3x3~2|"})).unwrap();
        let direct = space.parse(&json!({"arch": "|none~0|+|none~0|none~1|+|nor_conv_1x1~0|none~1|none~2|"})).unwrap();
        assert_ne!(space.class_id(&nested), space.class_id(&direct));
        assert_eq!(space.graph(&nested), space.graph(&direct));
        // Different functions, different graphs.
        let graphs: std::collections::HashSet<String> =
            space.cells().iter().map(|cell| format!("{:?}", space.graph(cell))).collect();
        assert_eq!(graphs.len(), classes::FUNCTION_COUNT);
    }

    #[test]
    fn draws_are_distinct_prefix_stable_and_classes_are_representatives() {
        let space = Nb201::new();
        let long = space.sample_range("uniform", 4, 500, 0..500).unwrap();
        assert_eq!(&long[..40], &space.sample_range("uniform", 4, 40, 0..40).unwrap()[..]);
        assert_eq!(&long[200..260], &space.sample_range("uniform", 4, 500, 200..260).unwrap()[..]);
        let distinct: std::collections::HashSet<&Cell> = long.iter().collect();
        assert_eq!(distinct.len(), 500);

        let classes = space.sample_range("classes", 4, PUBLISHED_CLASS_COUNT as u64, 0..PUBLISHED_CLASS_COUNT as u64);
        let classes = classes.unwrap();
        let ids: std::collections::HashSet<String> = classes.iter().map(|cell| space.class_id(cell)).collect();
        assert_eq!(ids.len(), PUBLISHED_CLASS_COUNT);
        assert!(classes.iter().all(|cell| space.class_id(cell) == cell.id_text()));
        let error = space.sample_range("classes", 4, 6_467, 0..1).unwrap_err().0;
        assert_eq!(error, "nb201 has 6466 classes; cannot draw 6467 of them without replacement");
        assert!(space.sample_range("uniform", 4, 15_626, 0..1).unwrap_err().0.contains("15625 architectures"));
        assert_eq!(space.sample_range("with-replacement", 4, 20_000, 19_990..20_000).unwrap().len(), 10);
        assert!(space.sample_range("nasbench", 4, 1, 0..1).unwrap_err().0.starts_with("unknown sampler 'nasbench'"));
    }
}
