//! The ProxylessNAS mobile search space, as used by the Neural Predictor paper on ImageNet.
//!
//! Structure (ProxylessNAS, Cai et al. 2019, mobile setting; the Neural Predictor paper's
//! version as reproduced in Google's TuNAS code): a fixed 3×3 stride-2 stem convolution, then
//! 22 searchable layers in a chain:
//! - layer 0: a separable convolution choosing its kernel from {3, 5, 7} (3 choices; in
//!   ProxylessNAS itself this block is a fixed 3×3 MBConv1);
//! - six stages of MobileNetV2 inverted-bottleneck (MBConv) blocks with 4, 4, 4, 4, 4 and 1
//!   blocks, strides 2, 2, 2, 1, 2, 1 and widths 24, 40, 80, 96, 192, 320. Each block chooses a
//!   kernel from {3, 5, 7} and an expansion ratio from {3, 6} (6 choices); every block but the
//!   first of its stage may instead be skipped (a zero layer, 7 choices), because only those
//!   keep stride 1 and the same width and so have a residual path.
//!
//! Count: 3 · 6^6 · 7^15 = 664,506,689,423,701,824 ≈ 6.64·10^17, the paper's figure. Without
//! the stem choice (ProxylessNAS's own space) it is 6^6 · 7^15 ≈ 2.2·10^17.
//!
//! Canonical form: a skipped block is an identity inside a residual chain of equal-shaped
//! blocks, so where the skips sit inside a stage does not change the network. We move skips to
//! the end of their stage; the number of distinct networks is then 3 · 6 · (6 · 259)^5 ≈
//! 1.63·10^17 (259 = 1 + 6 + 6² + 6³ ordered choices for the three skippable blocks). Sampling
//! is uniform over the 6.64·10^17 layer-choice sequences, as in the paper.
//!
//! The space is an instance of the declared chain (`declared::chain`; `fixtures/spaces/
//! proxyless.toml` is the same spec as a file): the layers' choices, the canonical form,
//! sampling, mutation, size and graph view are the generic chain's. What stays here is what its
//! lines hold: `ops` and the chain's `adjacency`.

use std::ops::Range;
use std::sync::LazyLock;

use np_io::quoted;
use serde_json::{Map, Value};

use crate::declared::chain::{ChainArch, ChainSpace};
use crate::declared::{ChainSpec, SkipRule, SpaceSpec, StageSpec};
use crate::graph::ArchGraph;
use crate::rng::{SpaceRng, item_rng};
use crate::{InvalidArchitecture, SamplingMethod, SearchSpace, SpaceSize, invalid};

/// The op vocabulary; an architecture stores one index into it per layer.
pub const OP_VOCABULARY: [&str; 10] = [
    "sepconv_k3",
    "sepconv_k5",
    "sepconv_k7",
    "mbconv_k3_e3",
    "mbconv_k3_e6",
    "mbconv_k5_e3",
    "mbconv_k5_e6",
    "mbconv_k7_e3",
    "mbconv_k7_e6",
    "skip",
];

/// Blocks, stride and output width of each MBConv stage.
pub const STAGES: [(usize, usize, usize); 6] =
    [(4, 2, 24), (4, 2, 40), (4, 2, 80), (4, 1, 96), (4, 2, 192), (1, 1, 320)];
/// Searchable layers: the stem choice plus 21 MBConv blocks.
pub const LAYERS: usize = 22;
/// Output width of the stem layer.
const STEM_WIDTH: usize = 16;

/// One architecture: the op index of each layer, skips at the end of their stage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MobileArch {
    pub layers: [u8; LAYERS],
}

impl MobileArch {
    fn of(chain: &ChainArch) -> MobileArch {
        MobileArch { layers: chain.layers.as_slice().try_into().expect("22 layers") }
    }

    fn chain(&self) -> ChainArch {
        ChainArch { layers: self.layers.to_vec() }
    }
}

/// The space as a declared chain (`fixtures/spaces/proxyless.toml` holds the same spec): its
/// choices per layer, canonical form, sampling, mutation, size and graph view are the generic
/// chain's. Built once per process, since tools look the space up per line.
fn chain() -> &'static ChainSpace {
    static CHAIN: LazyLock<ChainSpace> = LazyLock::new(|| {
        let stage = |&(blocks, stride, width): &(usize, usize, usize)| StageSpec {
            blocks,
            choices: OP_VOCABULARY[3..9].iter().map(|op| op.to_string()).collect(),
            skip: SkipRule::AllButFirst,
            min_blocks: None,
            stride: Some(stride),
            width: Some(width),
        };
        let spec = SpaceSpec {
            name: "proxyless".into(),
            family: "chain".into(),
            node_cell: None,
            edge_cell: None,
            chain: Some(ChainSpec {
                stem: Some(OP_VOCABULARY[..3].iter().map(|op| op.to_string()).collect()),
                stem_width: Some(STEM_WIDTH),
                stages: STAGES.iter().map(stage).collect(),
            }),
        };
        ChainSpace::new(&spec)
    });
    &CHAIN
}

/// The chain's adjacency, the same on every line, as a value and as compact JSON text.
static PATH: LazyLock<(Value, String)> = LazyLock::new(|| {
    let path: Vec<Vec<u8>> =
        ArchGraph::path_adjacency(LAYERS).iter().map(|row| row.iter().map(|&edge| edge as u8).collect()).collect();
    let value = serde_json::to_value(&path).expect("serialisable");
    let text = serde_json::to_string(&value).expect("serialisable");
    (value, text)
});

const SAMPLING_METHODS: [SamplingMethod; 1] =
    [SamplingMethod { name: "uniform", description: "each layer uniform over its allowed choices (as in the paper)" }];

/// The ProxylessNAS mobile space.
#[derive(Default)]
pub struct Proxyless;

impl Proxyless {
    pub fn new() -> Self {
        Proxyless
    }
}

impl SearchSpace for Proxyless {
    type Arch = MobileArch;

    fn name(&self) -> &'static str {
        "proxyless"
    }

    fn op_vocabulary(&self) -> &'static [&'static str] {
        &OP_VOCABULARY
    }

    fn max_nodes(&self) -> usize {
        LAYERS
    }

    fn node_feature_names(&self) -> &'static [&'static str] {
        &["depth", "downsample", "width"]
    }

    fn fixed_topology(&self) -> bool {
        true
    }

    /// Choice sequences, and distinct networks: per stage, the first block (6) times the
    /// ordered sequences of 0..k blocks for its k skippable slots ([`ChainSpace`]'s count).
    fn size(&self) -> SpaceSize {
        chain().size()
    }

    fn sampling_methods(&self) -> &'static [SamplingMethod] {
        &SAMPLING_METHODS
    }

    fn sample(&self, rng: &mut SpaceRng) -> MobileArch {
        let mut layers = [0u8; LAYERS];
        chain().draw_layers(rng, &mut layers);
        chain().move_skips(&mut layers);
        MobileArch { layers }
    }

    fn sample_range(
        &self,
        method: &str,
        seed: u64,
        _count: u64,
        range: Range<u64>,
    ) -> Result<Vec<MobileArch>, InvalidArchitecture> {
        match method {
            "uniform" => Ok(range.map(|i| self.sample(&mut item_rng(seed, i))).collect()),
            other => crate::unknown_sampler(self, other),
        }
    }

    fn parse(&self, record: &Value) -> Result<MobileArch, InvalidArchitecture> {
        let Some(ops) = record.get("ops") else {
            return invalid("missing field 'ops' (22 layer op names)");
        };
        let Some(ops) = ops.as_array() else {
            return invalid("field 'ops' must be an array of op names");
        };
        if ops.len() != LAYERS {
            return invalid(format!("proxyless architectures have {LAYERS} layers, got {} ops", ops.len()));
        }
        let mut layers = [0u8; LAYERS];
        for (layer, name) in ops.iter().enumerate() {
            let Some(name) = name.as_str() else {
                return invalid("field 'ops' must be an array of op names");
            };
            let Some(op) = OP_VOCABULARY.iter().position(|known| *known == name) else {
                return invalid(format!(
                    "unknown op {} at layer {layer} (known: {})",
                    quoted(name),
                    OP_VOCABULARY.join(", ")
                ));
            };
            chain().check_allowed(layer, op as u8)?;
            layers[layer] = op as u8;
        }
        if let Some(adjacency) = record.get("adjacency") {
            let path: Vec<Vec<u8>> = ArchGraph::path_adjacency(LAYERS)
                .iter()
                .map(|row| row.iter().map(|&edge| edge as u8).collect())
                .collect();
            if serde_json::from_value::<Vec<Vec<u8>>>(adjacency.clone()).ok().as_ref() != Some(&path) {
                return invalid("proxyless 'adjacency' must be the 22-node chain (or be left out)");
            }
        }
        chain().move_skips(&mut layers);
        Ok(MobileArch { layers })
    }

    fn write_fields(&self, arch: &MobileArch, fields: &mut Map<String, Value>) {
        fields.insert("adjacency".into(), PATH.0.clone());
        let ops: Vec<Value> = arch.layers.iter().map(|&op| Value::from(OP_VOCABULARY[op as usize])).collect();
        fields.insert("ops".into(), Value::Array(ops));
    }

    /// The same fields as text, the adjacency written once per process: every line holds the
    /// same 22-node chain, whose serialisation was most of `arch-sample`'s time.
    fn field_texts(&self, arch: &MobileArch) -> Vec<(String, String)> {
        let mut ops = String::with_capacity(2 + LAYERS * 16);
        ops.push('[');
        for (i, &op) in arch.layers.iter().enumerate() {
            ops.push_str(if i == 0 { "\"" } else { ",\"" });
            ops.push_str(OP_VOCABULARY[op as usize]);
            ops.push('"');
        }
        ops.push(']');
        vec![("adjacency".into(), PATH.1.clone()), ("ops".into(), ops)]
    }

    /// One digit per layer: the op's index in [`OP_VOCABULARY`].
    fn id(&self, arch: &MobileArch) -> String {
        arch.layers.iter().map(|&op| char::from(b'0' + op)).collect()
    }

    fn enumerate(&self) -> Option<&[MobileArch]> {
        None
    }

    /// One layer's op changed to another it allows, redrawn until the network changes (moving
    /// a skip within its stage does not): the generic chain's mutation.
    fn mutate(&self, arch: &MobileArch, rng: &mut SpaceRng) -> MobileArch {
        MobileArch::of(&chain().mutate(&arch.chain(), rng))
    }

    /// A path through the 22 layers with the features `depth`, `downsample` and `width` (the
    /// generic chain's view).
    fn graph(&self, arch: &MobileArch) -> ArchGraph {
        chain().graph(&arch.chain())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_matches_the_neural_predictor_paper() {
        let size = Proxyless::new().size();
        assert_eq!(size.published_count, 3 * 6u128.pow(6) * 7u128.pow(15));
        assert_eq!(size.published_count, 664_506_689_423_701_824);
        assert_eq!(size.unique_count, 3 * 6 * (6 * 259u128).pow(5));
    }

    #[test]
    fn skips_move_to_the_end_of_their_stage() {
        let space = Proxyless::new();
        let mut ops: Vec<&str> = vec!["sepconv_k3"];
        ops.extend(["mbconv_k3_e3", "skip", "mbconv_k5_e6", "skip"]);
        ops.extend(std::iter::repeat_n("mbconv_k7_e6", 17));
        let arch = space.parse(&serde_json::json!({ "ops": ops })).unwrap();
        assert_eq!(&space.id(&arch)[..5], "03699");
        let mut moved = ops.clone();
        moved.swap(2, 3);
        assert_eq!(space.parse(&serde_json::json!({ "ops": moved })).unwrap(), arch);
    }

    #[test]
    fn first_block_of_a_stage_cannot_skip() {
        let space = Proxyless::new();
        let mut ops = vec!["mbconv_k3_e3"; LAYERS];
        ops[0] = "sepconv_k5";
        ops[5] = "skip";
        let error = space.parse(&serde_json::json!({ "ops": ops })).unwrap_err();
        assert!(error.0.starts_with("op 'skip' is not allowed at layer 5"), "{error}");
    }

    #[test]
    fn mutation_changes_the_network() {
        let space = Proxyless::new();
        let parent = space.sample_range("uniform", 3, 1, 0..1).unwrap()[0];
        let mut rng = item_rng(9, 0);
        for _ in 0..100 {
            assert_ne!(space.mutate(&parent, &mut rng), parent);
        }
    }
}
