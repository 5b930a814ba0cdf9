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

use std::ops::Range;

use np_io::quoted;
use serde_json::{Map, Value};

use crate::graph::ArchGraph;
use crate::rng::{SpaceRng, item_rng, uniform_below};
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
const STEM_CHOICES: Range<u8> = 0..3;
const BLOCK_CHOICES: Range<u8> = 3..9;
const SKIP: u8 = 9;

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

/// Where a layer sits: its stage (None for the stem), stride, width and whether it may skip.
#[derive(Debug, Clone, Copy)]
struct LayerSlot {
    stage: Option<usize>,
    stride: usize,
    width: usize,
    skippable: bool,
}

fn layer_slots() -> [LayerSlot; LAYERS] {
    let mut slots = [LayerSlot { stage: None, stride: 1, width: STEM_WIDTH, skippable: false }; LAYERS];
    let mut layer = 1;
    for (stage, &(blocks, stride, width)) in STAGES.iter().enumerate() {
        for block in 0..blocks {
            let first = block == 0;
            slots[layer] =
                LayerSlot { stage: Some(stage), stride: if first { stride } else { 1 }, width, skippable: !first };
            layer += 1;
        }
    }
    slots
}

fn allowed_choices(slot: &LayerSlot) -> Vec<u8> {
    match slot.stage {
        None => STEM_CHOICES.collect(),
        Some(_) => BLOCK_CHOICES.chain(slot.skippable.then_some(SKIP)).collect(),
    }
}

/// Moves the skips of each stage behind its blocks, keeping the blocks' order.
fn canonicalise(mut layers: [u8; LAYERS]) -> [u8; LAYERS] {
    let mut start = 1;
    for &(blocks, _, _) in &STAGES {
        let stage = &mut layers[start..start + blocks];
        let kept: Vec<u8> = stage.iter().copied().filter(|&op| op != SKIP).collect();
        for (i, op) in stage.iter_mut().enumerate() {
            *op = kept.get(i).copied().unwrap_or(SKIP);
        }
        start += blocks;
    }
    layers
}

const SAMPLING_METHODS: [SamplingMethod; 1] =
    [SamplingMethod { name: "uniform", description: "each layer uniform over its allowed choices (as in the paper)" }];

/// The ProxylessNAS mobile space.
pub struct Proxyless {
    slots: [LayerSlot; LAYERS],
}

impl Default for Proxyless {
    fn default() -> Self {
        Proxyless { slots: layer_slots() }
    }
}

impl Proxyless {
    pub fn new() -> Self {
        Self::default()
    }

    fn random_arch(&self, rng: &mut SpaceRng) -> MobileArch {
        let mut layers = [0u8; LAYERS];
        for (op, slot) in layers.iter_mut().zip(&self.slots) {
            let choices = allowed_choices(slot);
            *op = choices[uniform_below(rng, choices.len() as u64) as usize];
        }
        MobileArch { layers: canonicalise(layers) }
    }
}

fn product_of_choice_counts(slots: &[LayerSlot]) -> u128 {
    slots.iter().map(|slot| allowed_choices(slot).len() as u128).product()
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

    fn size(&self) -> SpaceSize {
        let published_count = product_of_choice_counts(&self.slots);
        // Distinct networks: per stage, the first block (6) times the ordered sequences of 0..k
        // blocks for its k skippable slots.
        let blocks = BLOCK_CHOICES.len() as u128;
        let mut unique_count = STEM_CHOICES.len() as u128;
        for &(stage_blocks, _, _) in &STAGES {
            let tails: u128 = (0..stage_blocks as u32).map(|k| blocks.pow(k)).sum();
            unique_count *= blocks * tails;
        }
        SpaceSize { published_count, unique_count, enumerable: false }
    }

    fn sampling_methods(&self) -> &'static [SamplingMethod] {
        &SAMPLING_METHODS
    }

    fn sample(&self, rng: &mut SpaceRng) -> MobileArch {
        self.random_arch(rng)
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
        for (layer, (name, slot)) in ops.iter().zip(&self.slots).enumerate() {
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
            let allowed = allowed_choices(slot);
            if !allowed.contains(&(op as u8)) {
                let names: Vec<&str> = allowed.iter().map(|&i| OP_VOCABULARY[i as usize]).collect();
                return invalid(format!(
                    "op '{name}' is not allowed at layer {layer} (allowed there: {})",
                    names.join(", ")
                ));
            }
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
        Ok(MobileArch { layers: canonicalise(layers) })
    }

    fn write_fields(&self, arch: &MobileArch, fields: &mut Map<String, Value>) {
        let path: Vec<Vec<u8>> =
            ArchGraph::path_adjacency(LAYERS).iter().map(|row| row.iter().map(|&edge| edge as u8).collect()).collect();
        fields.insert("adjacency".into(), serde_json::to_value(path).expect("serialisable"));
        let ops: Vec<Value> = arch.layers.iter().map(|&op| Value::from(OP_VOCABULARY[op as usize])).collect();
        fields.insert("ops".into(), Value::Array(ops));
    }

    /// One digit per layer: the op's index in [`OP_VOCABULARY`].
    fn id(&self, arch: &MobileArch) -> String {
        arch.layers.iter().map(|&op| char::from(b'0' + op)).collect()
    }

    fn enumerate(&self) -> Option<&[MobileArch]> {
        None
    }

    fn mutate(&self, arch: &MobileArch, rng: &mut SpaceRng) -> MobileArch {
        loop {
            let layer = uniform_below(rng, LAYERS as u64) as usize;
            let others: Vec<u8> =
                allowed_choices(&self.slots[layer]).into_iter().filter(|&op| op != arch.layers[layer]).collect();
            let mut layers = arch.layers;
            layers[layer] = others[uniform_below(rng, others.len() as u64) as usize];
            let child = MobileArch { layers: canonicalise(layers) };
            if child != *arch {
                return child;
            }
        }
    }

    fn graph(&self, arch: &MobileArch) -> ArchGraph {
        let max_width = STAGES.last().map(|stage| stage.2).unwrap_or(1) as f64;
        ArchGraph {
            ops: arch.layers.iter().map(|&op| op as usize).collect(),
            adjacency: ArchGraph::path_adjacency(LAYERS),
            node_features: self
                .slots
                .iter()
                .enumerate()
                .map(|(layer, slot)| {
                    vec![
                        layer as f64 / (LAYERS - 1) as f64,
                        (slot.stride == 2) as u8 as f64,
                        slot.width as f64 / max_width,
                    ]
                })
                .collect(),
        }
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
