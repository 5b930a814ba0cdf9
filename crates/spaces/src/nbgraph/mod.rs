//! NAS-Bench-Graph (Qin et al., NeurIPS 2022): 26,206 graph neural network architectures
//! with tabular results on nine datasets, matching the `nas-bench-graph` package (PyPI,
//! upstream THUMNLab/NAS-Bench-Graph on GitHub) code for code.
//!
//! An architecture is four computing nodes, each reading the raw input or an earlier node and
//! applying one of nine ops; nodes nobody reads feed the output. Where each rule lives:
//! - [`arch`]: what an architecture is, the ops, the nine link patterns, the table code;
//! - [`canonical`]: the package's canonical form (`valid_hash`), which the tables are keyed by;
//! - [`enumerate`]: the 26,206 canonical architectures (the package's `all_archs`);
//! - [`sample`], [`mutate`]: random architectures and evolution's random edits;
//! - [`json`]: the record forms we accept.
//!
//! Two spaces share this code: `nbgraph` (all nine ops; the tables of cora, citeseer, pubmed,
//! cs, physics, photo, computers and arxiv) and `nbgraph-proteins` (only gcn, sage, arma, fc
//! and skip: the 2,021 keys of the proteins table). Both write the same nine-op code.

pub mod arch;
pub mod canonical;
pub mod enumerate;
pub mod json;
pub mod mutate;
pub mod sample;

use std::ops::Range;
use std::sync::OnceLock;

use serde_json::{Map, Value};

pub use arch::GnnArch;

use crate::rng::{item_rng, uniform_below};
use crate::{
    ArchGraph, InvalidArchitecture, SamplingMethod, SearchSpace, SpaceRng, SpaceSize, draw_without_replacement,
};

/// The graph view's op vocabulary: the input, the nine ops in the package's order, the output.
pub const OP_VOCABULARY: [&str; 11] =
    ["input", "gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip", "output"];

/// Input, four computing nodes, output.
pub const GRAPH_NODES: usize = arch::NODES + 2;

const SAMPLING_METHODS: [SamplingMethod; 2] = [
    SamplingMethod { name: "uniform", description: "uniform over the benchmark's architectures, without replacement" },
    SamplingMethod {
        name: "package",
        description: "nas-bench-graph's random_arch: uniform link pattern, uniform op per node, canonicalised",
    },
];

/// Which ops a variant allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Variant {
    Full,
    Proteins,
}

/// The NAS-Bench-Graph space (or its proteins subset). The enumeration is built on first use.
pub struct NbGraph {
    variant: Variant,
    archs: OnceLock<Vec<GnnArch>>,
}

impl NbGraph {
    /// All nine ops: the space of the eight full tables.
    pub fn new() -> Self {
        NbGraph { variant: Variant::Full, archs: OnceLock::new() }
    }

    /// Only the ops evaluated on `proteins` (gcn, sage, arma, fc, skip).
    pub fn proteins() -> Self {
        NbGraph { variant: Variant::Proteins, archs: OnceLock::new() }
    }

    fn ops(&self) -> &'static [u8] {
        match self.variant {
            Variant::Full => &arch::ALL_OPS,
            Variant::Proteins => &arch::PROTEINS_OPS,
        }
    }

    /// All architectures of the space, in increasing code order.
    pub fn archs(&self) -> &[GnnArch] {
        self.archs.get_or_init(|| enumerate::canonical_archs(self.ops()))
    }

    fn count(&self) -> usize {
        match self.variant {
            Variant::Full => enumerate::FULL_COUNT,
            Variant::Proteins => enumerate::PROTEINS_COUNT,
        }
    }
}

impl Default for NbGraph {
    fn default() -> Self {
        Self::new()
    }
}

impl SearchSpace for NbGraph {
    type Arch = GnnArch;

    fn name(&self) -> &'static str {
        match self.variant {
            Variant::Full => "nbgraph",
            Variant::Proteins => "nbgraph-proteins",
        }
    }

    fn op_vocabulary(&self) -> &'static [&'static str] {
        &OP_VOCABULARY
    }

    fn max_nodes(&self) -> usize {
        GRAPH_NODES
    }

    fn size(&self) -> SpaceSize {
        let count = self.count() as u128;
        SpaceSize { published_count: count, unique_count: count, enumerable: true }
    }

    fn sampling_methods(&self) -> &'static [SamplingMethod] {
        &SAMPLING_METHODS
    }

    fn sample(&self, rng: &mut SpaceRng) -> GnnArch {
        let archs = self.archs();
        archs[uniform_below(rng, archs.len() as u64) as usize]
    }

    fn sample_range(
        &self,
        method: &str,
        seed: u64,
        count: u64,
        range: Range<u64>,
    ) -> Result<Vec<GnnArch>, InvalidArchitecture> {
        match method {
            "uniform" => draw_without_replacement(self.name(), self.archs(), seed, count, range, "package"),
            "package" => Ok(range.map(|i| sample::package_random_arch(self.ops(), &mut item_rng(seed, i))).collect()),
            other => crate::unknown_sampler(self, other),
        }
    }

    fn parse(&self, record: &Value) -> Result<GnnArch, InvalidArchitecture> {
        json::arch_from_record(record, self.ops())
    }

    fn write_fields(&self, arch: &GnnArch, fields: &mut Map<String, Value>) {
        fields.insert("link".into(), Value::from(arch.link.to_vec()));
        let ops: Vec<Value> = arch.ops.iter().map(|&op| Value::from(arch::OP_NAMES[op as usize])).collect();
        fields.insert("ops".into(), Value::Array(ops));
        fields.insert("code".into(), Value::from(code_of(arch)));
    }

    /// The table key, in decimal.
    fn id(&self, arch: &GnnArch) -> String {
        code_of(arch).to_string()
    }

    fn enumerate(&self) -> Option<&[GnnArch]> {
        Some(self.archs())
    }

    fn mutate(&self, arch: &GnnArch, rng: &mut SpaceRng) -> GnnArch {
        mutate::mutate_arch(arch, self.ops(), rng)
    }

    /// Node 0 the input, nodes 1-4 the computing nodes, node 5 the output; an edge from each
    /// node's input to it, and from every node nobody reads to the output.
    fn graph(&self, arch: &GnnArch) -> ArchGraph {
        let output = GRAPH_NODES - 1;
        let mut adjacency = vec![vec![false; GRAPH_NODES]; GRAPH_NODES];
        for node in 0..arch::NODES {
            adjacency[arch.link[node] as usize][node + 1] = true;
            if !arch.has_successor(node) {
                adjacency[node + 1][output] = true;
            }
        }
        let mut ops = vec![0];
        ops.extend(arch.ops.iter().map(|&op| op as usize + 1));
        ops.push(output_op());
        ArchGraph { ops, adjacency, node_features: vec![Vec::new(); GRAPH_NODES] }
    }
}

fn output_op() -> usize {
    OP_VOCABULARY.len() - 1
}

/// Spaces only hold canonical architectures, whose link list is always a pattern.
fn code_of(arch: &GnnArch) -> u32 {
    arch.code().expect("canonical architectures use a link pattern")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn records_round_trip_through_their_fields() {
        let space = NbGraph::new();
        let arch = space.parse(&json!({"link": [0, 1, 2, 1], "ops": ["gcn", "gin", "fc", "cheb"]})).unwrap();
        let mut fields = Map::new();
        space.write_fields(&arch, &mut fields);
        assert_eq!(
            Value::Object(fields.clone()),
            json!({"link": [0, 1, 1, 2], "ops": ["gcn", "gin", "cheb", "fc"], "code": 61237})
        );
        assert_eq!(space.id(&arch), "61237");
        assert_eq!(space.parse(&Value::Object(fields)).unwrap(), arch);
    }

    #[test]
    fn graph_has_input_nodes_and_output() {
        let space = NbGraph::new();
        // gcn reads the input; gin and cheb read gcn; fc reads gin. Leaves: cheb, fc.
        let arch = space.parse(&json!({"code": 61237})).unwrap();
        let graph = space.graph(&arch);
        assert_eq!(graph.ops, vec![0, 2, 3, 4, 8, 10]);
        let edges: Vec<(usize, usize)> = (0..GRAPH_NODES)
            .flat_map(|i| (0..GRAPH_NODES).map(move |j| (i, j)))
            .filter(|&(i, j)| graph.adjacency[i][j])
            .collect();
        assert_eq!(edges, vec![(0, 1), (1, 2), (1, 3), (2, 4), (3, 5), (4, 5)]);
        assert_eq!(space.max_nodes(), graph.node_count());
    }

    #[test]
    fn uniform_draws_are_distinct_prefix_stable_and_shardable() {
        let space = NbGraph::new();
        let long = space.sample_range("uniform", 4, 300, 0..300).unwrap();
        let short = space.sample_range("uniform", 4, 50, 0..50).unwrap();
        assert_eq!(&long[..50], &short[..]);
        let middle = space.sample_range("uniform", 4, 300, 120..180).unwrap();
        assert_eq!(&long[120..180], &middle[..]);
        let mut codes: Vec<u32> = long.iter().map(code_of).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), 300);
        assert!(space.sample_range("uniform", 4, 26_207, 0..1).unwrap_err().0.contains("26206 architectures"));
    }

    #[test]
    fn the_package_sampler_gives_members() {
        for space in [NbGraph::new(), NbGraph::proteins()] {
            let members = space.archs();
            for arch in space.sample_range("package", 2, 500, 0..500).unwrap() {
                assert!(members.contains(&arch), "{arch:?}");
            }
        }
    }
}
