//! NAAP-440 (Hakim, 2022: "NAAP-440 Dataset and Baseline for Neural Architecture Accuracy
//! Prediction"; talcs/NAAP-440 on GitHub, MIT): 440 small CNNs trained 90 epochs on CIFAR-10.
//!
//! A scheme is a chain of 3 or 4 conv layers, each choosing a kernel size, a width, a stride
//! and whether its input is added to its output (residual), followed by global average
//! pooling and a linear classifier. Where each rule lives:
//! - [`scheme`]: the layer choices and rules of the published `scheme_generator.py`, the id
//!   text, the parameter count;
//! - [`enumerate`]: the published generator, which yields the 440 schemes in the dataset's
//!   order;
//! - [`mutate`]: evolution's random edit (ours: the dataset has none);
//! - [`json`]: the `scheme` field of records.
//!
//! **Graph view.** Node 0 the input image, nodes 1..=L the conv layers in order, node L + 1 the
//! output (pooling and classifier), edges i → i + 1. A residual layer at node k computes
//! `conv(x) + x` with x the output of node k − 1 (the repository's `create_dataset.py` adds
//! the block's input to its output after the ReLU), so whatever reads node k also reads node
//! k − 1: the residual is the edge k − 1 → k + 1 (to the output node when it is the last
//! layer). The input and output nodes let that edge exist for a last residual layer. Ops
//! `conv{k}x{k}_s{stride}`; node features `width` (output channels / 40, the widest layer;
//! the input node has 3 channels, the output node 10 classes) and `residual` (1 for a
//! residual layer).

pub mod enumerate;
pub mod json;
pub mod mutate;
pub mod scheme;

use std::ops::Range;
use std::sync::OnceLock;

use serde_json::{Map, Value};

pub use scheme::{ConvLayer, Scheme};

use crate::rng::{item_rng, uniform_below};
use crate::{
    ArchGraph, InvalidArchitecture, SamplingMethod, SearchSpace, SpaceRng, SpaceSize, draw_without_replacement,
};

/// The graph view's op vocabulary: the input, each (kernel size, stride) the generator allows,
/// the output.
pub const OP_VOCABULARY: [&str; 6] = ["input", "conv1x1_s1", "conv1x1_s2", "conv3x3_s1", "conv3x3_s2", "output"];

/// Input, at most four conv layers, output.
pub const GRAPH_NODES: usize = scheme::MAX_LAYERS + 2;

const SAMPLING_METHODS: [SamplingMethod; 2] = [
    SamplingMethod { name: "uniform", description: "uniform over the 440 published schemes, without replacement" },
    SamplingMethod { name: "with-replacement", description: "uniform over the 440 published schemes; may repeat" },
];

/// The NAAP-440 space: the 440 schemes of the published generator. Built on first use.
#[derive(Default)]
pub struct Naap {
    schemes: OnceLock<Vec<Scheme>>,
}

impl Naap {
    pub fn new() -> Self {
        Self::default()
    }

    /// All schemes in the published order: position i is the dataset's `ModelId` i + 1.
    pub fn schemes(&self) -> &[Scheme] {
        self.schemes.get_or_init(enumerate::published_schemes)
    }
}

/// The vocabulary index of a conv layer's op.
fn layer_op(layer: &ConvLayer) -> usize {
    let name = format!("conv{0}x{0}_s{1}", layer.kernel_size, layer.stride);
    OP_VOCABULARY.iter().position(|op| *op == name).expect("members use the generator's kernel sizes and strides")
}

impl SearchSpace for Naap {
    type Arch = Scheme;

    fn name(&self) -> &'static str {
        "naap"
    }

    fn op_vocabulary(&self) -> &'static [&'static str] {
        &OP_VOCABULARY
    }

    fn max_nodes(&self) -> usize {
        GRAPH_NODES
    }

    fn node_feature_names(&self) -> &'static [&'static str] {
        &["width", "residual"]
    }

    fn size(&self) -> SpaceSize {
        let count = enumerate::SCHEME_COUNT as u128;
        SpaceSize { published_count: count, unique_count: count, enumerable: true }
    }

    fn sampling_methods(&self) -> &'static [SamplingMethod] {
        &SAMPLING_METHODS
    }

    fn sample(&self, rng: &mut SpaceRng) -> Scheme {
        let schemes = self.schemes();
        schemes[uniform_below(rng, schemes.len() as u64) as usize].clone()
    }

    fn sample_range(
        &self,
        method: &str,
        seed: u64,
        count: u64,
        range: Range<u64>,
    ) -> Result<Vec<Scheme>, InvalidArchitecture> {
        match method {
            "uniform" => draw_without_replacement(self.name(), self.schemes(), seed, count, range, "with-replacement"),
            "with-replacement" => Ok(range.map(|i| self.sample(&mut item_rng(seed, i))).collect()),
            other => crate::unknown_sampler(self, other),
        }
    }

    fn parse(&self, record: &Value) -> Result<Scheme, InvalidArchitecture> {
        json::scheme_from_record(record)
    }

    fn write_fields(&self, arch: &Scheme, fields: &mut Map<String, Value>) {
        fields.insert("scheme".into(), json::scheme_to_json(arch));
    }

    /// The compact text of the scheme (see [`Scheme::compact_text`]).
    fn id(&self, arch: &Scheme) -> String {
        arch.compact_text()
    }

    fn enumerate(&self) -> Option<&[Scheme]> {
        Some(self.schemes())
    }

    fn mutate(&self, arch: &Scheme, rng: &mut SpaceRng) -> Scheme {
        mutate::mutate_scheme(arch, rng)
    }

    fn graph(&self, arch: &Scheme) -> ArchGraph {
        let layers = arch.layers.len();
        let nodes = layers + 2;
        let mut adjacency = ArchGraph::path_adjacency(nodes);
        for (index, layer) in arch.layers.iter().enumerate() {
            if layer.residual {
                // Layer `index` is node index + 1; its input comes from node `index`.
                adjacency[index][index + 2] = true;
            }
        }
        let mut ops = vec![0];
        ops.extend(arch.layers.iter().map(layer_op));
        ops.push(OP_VOCABULARY.len() - 1);
        let width = |channels: u16| channels as f64 / scheme::MAX_WIDTH as f64;
        let mut node_features = vec![vec![width(scheme::INPUT_CHANNELS), 0.0]];
        node_features.extend(arch.layers.iter().map(|layer| vec![width(layer.width), layer.residual as u8 as f64]));
        node_features.push(vec![width(scheme::CLASSES), 0.0]);
        ArchGraph { ops, adjacency, node_features }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn edges(graph: &ArchGraph) -> Vec<(usize, usize)> {
        let n = graph.node_count();
        (0..n).flat_map(|i| (0..n).map(move |j| (i, j))).filter(|&(i, j)| graph.adjacency[i][j]).collect()
    }

    fn residual_scheme() -> Value {
        json!({"scheme": [
            {"kernel_size": 3, "width": 16, "stride": 2, "residual": false},
            {"kernel_size": 3, "width": 24, "stride": 2, "residual": false},
            {"kernel_size": 1, "width": 24, "stride": 1, "residual": true},
            {"kernel_size": 3, "width": 40, "stride": 2, "residual": false}
        ]})
    }

    #[test]
    fn graph_is_a_chain_with_input_output_and_residual_edges() {
        let space = Naap::new();
        let scheme = space.parse(&residual_scheme()).unwrap();
        let graph = space.graph(&scheme);
        assert_eq!(graph.node_count(), 6);
        assert_eq!(graph.ops, vec![0, 4, 4, 1, 4, 5]);
        // Chain 0..5, plus the residual of layer 2 (node 3): node 2 → node 4.
        assert_eq!(edges(&graph), vec![(0, 1), (1, 2), (2, 3), (2, 4), (3, 4), (4, 5)]);
        assert_eq!(
            graph.node_features,
            vec![vec![0.075, 0.0], vec![0.4, 0.0], vec![0.6, 0.0], vec![0.6, 1.0], vec![1.0, 0.0], vec![0.25, 0.0]]
        );
    }

    #[test]
    fn a_residual_last_layer_skips_to_the_output_node() {
        let space = Naap::new();
        let scheme = space
            .parse(&json!({"scheme": [
                {"kernel_size": 3, "width": 12, "stride": 2, "residual": false},
                {"kernel_size": 3, "width": 16, "stride": 2, "residual": false},
                {"kernel_size": 3, "width": 16, "stride": 1, "residual": true}
            ]}))
            .unwrap();
        let graph = space.graph(&scheme);
        assert_eq!(graph.node_count(), 5);
        assert_eq!(graph.ops, vec![0, 4, 4, 3, 5]);
        assert_eq!(edges(&graph), vec![(0, 1), (1, 2), (2, 3), (2, 4), (3, 4)]);
        assert_eq!(space.id(&scheme), "k3w12s2-k3w16s2-k3w16s1r");
    }

    #[test]
    fn ids_are_stable_and_records_round_trip() {
        let space = Naap::new();
        let scheme = space.parse(&residual_scheme()).unwrap();
        // The id is the compact text, fixed forever: it names the same network in every file.
        assert_eq!(space.id(&scheme), "k3w16s2-k3w24s2-k1w24s1r-k3w40s2");
        let mut fields = Map::new();
        space.write_fields(&scheme, &mut fields);
        assert_eq!(Value::Object(fields.clone()), residual_scheme());
        assert_eq!(space.parse(&Value::Object(fields)).unwrap(), scheme);
        // 0/1 for residual and any key order mean the same scheme.
        let mut spelled = residual_scheme();
        spelled["scheme"][2] = json!({"residual": 1, "stride": 1, "width": 24, "kernel_size": 1});
        assert_eq!(space.id(&space.parse(&spelled).unwrap()), space.id(&scheme));
    }

    #[test]
    fn invalid_records_say_why() {
        let space = Naap::new();
        let cases = [
            (json!({}), "missing field 'scheme'"),
            (json!({"scheme": 3}), "field 'scheme' must be a list"),
            (json!({"scheme": [{"kernel_size": 3}]}), "scheme[0]: missing field 'width'"),
            (json!({"scheme": [{"kernel": 3}]}), "scheme[0]: unknown field 'kernel'"),
        ];
        for (record, expected) in cases {
            let error = space.parse(&record).unwrap_err();
            assert!(error.0.starts_with(expected), "{error}");
        }
        let mut wide = residual_scheme();
        wide["scheme"][3]["width"] = json!(64);
        assert!(space.parse(&wide).unwrap_err().0.starts_with("scheme[3]: width 64 is not allowed here"));
    }

    #[test]
    fn samplers_draw_members() {
        let space = Naap::new();
        let all = space.sample_range("uniform", 5, 440, 0..440).unwrap();
        let mut ids: Vec<String> = all.iter().map(|s| space.id(s)).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 440);
        assert_eq!(space.sample_range("uniform", 5, 100, 0..100).unwrap(), all[..100]);
        assert!(space.sample_range("uniform", 5, 441, 0..1).unwrap_err().0.contains("440 architectures"));
        let repeated = space.sample_range("with-replacement", 5, 1000, 0..1000).unwrap();
        assert!(repeated.iter().all(|s| space.schemes().contains(s)));
    }

    #[test]
    fn mutation_gives_a_different_member() {
        let space = Naap::new();
        let mut rng = item_rng(11, 0);
        let mut depth_changes = 0;
        for parent in space.schemes().iter().step_by(7) {
            for _ in 0..20 {
                let child = space.mutate(parent, &mut rng);
                assert_ne!(&child, parent);
                assert!(space.schemes().contains(&child), "{}", child.compact_text());
                depth_changes += (child.layers.len() != parent.layers.len()) as usize;
            }
        }
        assert!(depth_changes > 0);
    }
}
