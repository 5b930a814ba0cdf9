//! A declared chain of choices (the ProxylessNAS / MobileNet family) as a [`SearchSpace`]:
//! what `proxyless` does for its 22 layers, for any stages and choice lists.
//!
//! - Layers: an optional stem layer choosing from `stem`, then each stage's blocks choosing
//!   from the stage's `choices`, or skipping where the stage's `skip` rule allows.
//! - Op vocabulary of the graph view and of ids: the stem's choices, then each stage's choices
//!   in order of first appearance (a choice shared by stages is one op), then `skip` when any
//!   stage may skip. The id is one character per layer ([`super::common::ID_ALPHABET`]), so
//!   the ProxylessNAS spec writes the built-in digit ids.
//! - Canonical form: a skipped block is an identity inside a residual chain of equal-shaped
//!   blocks, so where the skips of a stage sit does not change the network; they are moved to
//!   the end of their stage (as `proxyless` does). Sampling is uniform over the choice
//!   sequences (each layer uniform over what it allows), before that move.
//! - Text form: the stem's choice, then one group per stage, joined by `+`; a group lists its
//!   blocks' choices joined by `|` (`sepconv_k3+mbconv_k3_e6|skip|skip|skip+…`).
//! - Graph view: a path through the layers, each node carrying its op and the features
//!   `depth` (layer / (layers − 1)), `downsample` (stride 2 or more) and `width` (relative to
//!   the widest layer; 1 when the spec gives no widths): the built-in ProxylessNAS features.

use std::ops::Range;

use serde_json::{Map, Value};

use super::common::{
    DIGEST_FIELD, DeclaredHeader, id_char, id_index, known_fields, op_names_to_indices, read_architecture,
};
use super::spec::{SKIP_OP, SkipRule, SpaceSpec};
use crate::rng::{item_rng, uniform_below};
use crate::{ArchGraph, InvalidArchitecture, RawFields, SamplingMethod, SearchSpace, SpaceRng, SpaceSize, invalid};

/// One architecture: the op index of each layer, skips at the end of their stage.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainArch {
    pub layers: Vec<u8>,
}

/// Where a layer sits and what it may choose.
#[derive(Debug, Clone)]
struct Slot {
    /// The stage, or None for the stem.
    stage: Option<usize>,
    stride: usize,
    width: usize,
    /// Allowed op indices: the choices, then the skip where allowed.
    allowed: Vec<u8>,
}

const SAMPLING_METHODS: [SamplingMethod; 1] =
    [SamplingMethod { name: "uniform", description: "each layer uniform over its allowed choices (as in the paper)" }];

/// A declared chain space.
pub struct ChainSpace {
    header: DeclaredHeader,
    slots: Vec<Slot>,
    /// The layer range of each stage.
    stages: Vec<Range<usize>>,
    skip: Option<u8>,
    max_width: usize,
}

impl ChainSpace {
    /// The space of a checked chain spec.
    pub fn new(spec: &SpaceSpec) -> Self {
        let chain = spec.chain.as_ref().expect("a chain spec");
        let mut vocabulary: Vec<String> = chain.stem.iter().flatten().cloned().collect();
        for stage in &chain.stages {
            for choice in &stage.choices {
                if !vocabulary.contains(choice) {
                    vocabulary.push(choice.clone());
                }
            }
        }
        let skip = chain.stages.iter().any(|stage| stage.skip != SkipRule::None).then(|| {
            vocabulary.push(SKIP_OP.to_string());
            (vocabulary.len() - 1) as u8
        });
        let index = |name: &String| vocabulary.iter().position(|known| known == name).expect("in the vocabulary") as u8;
        let mut slots = Vec::new();
        if let Some(stem) = &chain.stem {
            let allowed = stem.iter().map(index).collect();
            slots.push(Slot { stage: None, stride: 1, width: chain.stem_width.unwrap_or(1), allowed });
        }
        let mut stages = Vec::new();
        for (s, stage) in chain.stages.iter().enumerate() {
            let start = slots.len();
            for block in 0..stage.blocks {
                let mut allowed: Vec<u8> = stage.choices.iter().map(index).collect();
                let skippable = block >= stage.first_skippable();
                allowed.extend(skip.filter(|_| skippable));
                let stride = if block == 0 { stage.stride.unwrap_or(1) } else { 1 };
                slots.push(Slot { stage: Some(s), stride, width: stage.width.unwrap_or(1), allowed });
            }
            stages.push(start..slots.len());
        }
        let max_width = slots.iter().map(|slot| slot.width).max().unwrap_or(1);
        ChainSpace { header: DeclaredHeader::new(spec, vocabulary), slots, stages, skip, max_width }
    }

    pub fn header(&self) -> &DeclaredHeader {
        &self.header
    }

    /// Moves each stage's skips behind its blocks, keeping the blocks' order.
    pub(crate) fn canonicalise(&self, mut layers: Vec<u8>) -> ChainArch {
        self.move_skips(&mut layers);
        ChainArch { layers }
    }

    /// Moves each stage's skips behind its blocks in place, keeping the blocks' order.
    pub(crate) fn move_skips(&self, layers: &mut [u8]) {
        let Some(skip) = self.skip else { return };
        for stage in &self.stages {
            let part = &mut layers[stage.clone()];
            let mut kept = 0;
            for i in 0..part.len() {
                if part[i] != skip {
                    part[kept] = part[i];
                    kept += 1;
                }
            }
            part[kept..].fill(skip);
        }
    }

    /// Draws every layer's op uniformly among those it allows (before skips are moved).
    pub(crate) fn draw_layers(&self, rng: &mut SpaceRng, layers: &mut [u8]) {
        for (op, slot) in layers.iter_mut().zip(&self.slots) {
            *op = slot.allowed[uniform_below(rng, slot.allowed.len() as u64) as usize];
        }
    }

    /// Checks op `op` at `layer`, naming what the layer allows otherwise.
    pub(crate) fn check_allowed(&self, layer: usize, op: u8) -> Result<(), InvalidArchitecture> {
        let allowed = &self.slots[layer].allowed;
        if allowed.contains(&op) {
            return Ok(());
        }
        let names: Vec<&str> = allowed.iter().map(|&i| self.header.vocabulary[i as usize]).collect();
        invalid(format!(
            "op '{}' is not allowed at layer {layer} (allowed there: {})",
            self.header.vocabulary[op as usize],
            names.join(", ")
        ))
    }

    fn checked_arch(&self, layers: Vec<u8>) -> Result<ChainArch, InvalidArchitecture> {
        for (layer, &op) in layers.iter().enumerate() {
            self.check_allowed(layer, op)?;
        }
        Ok(self.canonicalise(layers))
    }

    /// The text form (see the module docs).
    pub fn text(&self, arch: &ChainArch) -> String {
        let name = |layer: usize| self.header.vocabulary[arch.layers[layer] as usize];
        let mut groups = Vec::new();
        if self.slots.first().is_some_and(|slot| slot.stage.is_none()) {
            groups.push(name(0).to_string());
        }
        for stage in &self.stages {
            groups.push(stage.clone().map(name).collect::<Vec<_>>().join("|"));
        }
        groups.join("+")
    }

    /// A chain from its `arch` text: the text form, or else the id (tried second, so a text
    /// form that looks like an id, one single-character choice per layer, still means itself).
    fn read_arch_text(&self, text: &str) -> Result<ChainArch, InvalidArchitecture> {
        let from_text = self.read_text_form(text);
        if from_text.is_err() && text.chars().count() == self.slots.len() {
            let layers: Option<Vec<u8>> = text.chars().map(id_index).collect();
            if let Some(layers) = layers.filter(|l| l.iter().all(|&op| (op as usize) < self.header.vocabulary.len())) {
                return self.checked_arch(layers);
            }
        }
        from_text
    }

    /// A chain from its text form (see the module docs).
    fn read_text_form(&self, text: &str) -> Result<ChainArch, InvalidArchitecture> {
        let groups: Vec<&str> = text.split('+').collect();
        let has_stem = self.slots.first().is_some_and(|slot| slot.stage.is_none());
        if groups.len() != self.stages.len() + usize::from(has_stem) {
            return invalid(format!(
                "field 'arch' must have {} groups joined by '+' ({}one per stage), got {}",
                self.stages.len() + usize::from(has_stem),
                if has_stem { "the stem, then " } else { "" },
                groups.len()
            ));
        }
        let names: Vec<&str> = groups
            .iter()
            .enumerate()
            .flat_map(|(g, group)| if has_stem && g == 0 { vec![*group] } else { group.split('|').collect() })
            .collect();
        if names.len() != self.slots.len() {
            return invalid(format!("field 'arch' names {} layers; this space has {}", names.len(), self.slots.len()));
        }
        let ops = Value::Array(names.into_iter().map(Value::from).collect());
        self.checked_arch(op_names_to_indices(&ops, self.header.vocabulary, self.slots.len())?)
            .map_err(|e| InvalidArchitecture(format!("field 'arch': {e}")))
    }
}

/// The fields a chain line's architecture is read from.
const CHAIN_FIELDS: [&str; 3] = ["arch", "ops", DIGEST_FIELD];

impl SearchSpace for ChainSpace {
    type Arch = ChainArch;

    fn name(&self) -> &'static str {
        self.header.name
    }

    fn op_vocabulary(&self) -> &'static [&'static str] {
        self.header.vocabulary
    }

    fn max_nodes(&self) -> usize {
        self.slots.len()
    }

    fn node_feature_names(&self) -> &'static [&'static str] {
        &["depth", "downsample", "width"]
    }

    fn fixed_topology(&self) -> bool {
        true
    }

    fn size(&self) -> SpaceSize {
        let published_count = self.header.spec.sequence_count().unwrap_or(u128::MAX);
        // Distinct networks: per stage, the blocks that are always there, then the blocks kept
        // of the rest (skips at the end). With c choices, b blocks of which the first k always
        // stay: c^k · Σ_{j=0..b−k} c^j (c^b when none may skip).
        let chain = self.header.spec.chain.as_ref().expect("a chain spec");
        let mut unique: Option<u128> = Some(chain.stem.as_ref().map_or(1, |stem| stem.len() as u128));
        for stage in &chain.stages {
            let c = stage.choices.len() as u128;
            let b = stage.blocks as u32;
            let sum = |n: u32| (0..=n).try_fold(0u128, |total, k| total.checked_add(c.checked_pow(k)?));
            let kept = stage.first_skippable() as u32;
            let count = c.checked_pow(kept).zip(sum(b - kept)).and_then(|(prefix, tails)| prefix.checked_mul(tails));
            unique = unique.zip(count).and_then(|(u, count)| u.checked_mul(count));
        }
        SpaceSize { published_count, unique_count: unique.unwrap_or(u128::MAX), enumerable: false }
    }

    fn sampling_methods(&self) -> &'static [SamplingMethod] {
        &SAMPLING_METHODS
    }

    fn sample(&self, rng: &mut SpaceRng) -> ChainArch {
        let mut layers = vec![0; self.slots.len()];
        self.draw_layers(rng, &mut layers);
        self.canonicalise(layers)
    }

    fn sample_range(
        &self,
        method: &str,
        seed: u64,
        _count: u64,
        range: Range<u64>,
    ) -> Result<Vec<ChainArch>, InvalidArchitecture> {
        match method {
            "uniform" => Ok(range.map(|i| self.sample(&mut item_rng(seed, i))).collect()),
            other => crate::unknown_sampler(self, other),
        }
    }

    fn parse(&self, record: &Value) -> Result<ChainArch, InvalidArchitecture> {
        let from_ops = |fields: &Map<String, Value>| {
            let ops = fields.get("ops");
            ops.map(|ops| self.checked_arch(op_names_to_indices(ops, self.header.vocabulary, self.slots.len())?))
                .transpose()
        };
        let text = |text: &str| self.read_arch_text(text);
        read_architecture(&self.header, record, "'ops' (one op name per layer)", text, from_ops, |a| self.id(a))
    }

    fn parse_fields(&self, fields: &RawFields<'_>) -> Result<ChainArch, InvalidArchitecture> {
        self.parse(&known_fields(fields, &CHAIN_FIELDS)?)
    }

    fn write_fields(&self, arch: &ChainArch, fields: &mut Map<String, Value>) {
        self.header.write_digest(fields);
        fields.insert("arch".into(), Value::from(self.text(arch)));
        let ops = arch.layers.iter().map(|&op| Value::from(self.header.vocabulary[op as usize])).collect();
        fields.insert("ops".into(), Value::Array(ops));
    }

    fn id(&self, arch: &ChainArch) -> String {
        arch.layers.iter().map(|&op| id_char(op)).collect()
    }

    fn enumerate(&self) -> Option<&[ChainArch]> {
        None
    }

    /// `proxyless`'s mutation: a layer uniform, a different allowed op uniform, redrawn until
    /// the network changes (moving a skip within its stage does not).
    fn mutate(&self, arch: &ChainArch, rng: &mut SpaceRng) -> ChainArch {
        if self.slots.iter().all(|slot| slot.allowed.len() < 2) {
            return arch.clone();
        }
        loop {
            let layer = uniform_below(rng, self.slots.len() as u64) as usize;
            let others: Vec<u8> =
                self.slots[layer].allowed.iter().copied().filter(|&op| op != arch.layers[layer]).collect();
            if others.is_empty() {
                continue;
            }
            let mut layers = arch.layers.clone();
            layers[layer] = others[uniform_below(rng, others.len() as u64) as usize];
            let child = self.canonicalise(layers);
            if child != *arch {
                return child;
            }
        }
    }

    fn graph(&self, arch: &ChainArch) -> ArchGraph {
        let layers = self.slots.len();
        ArchGraph {
            ops: arch.layers.iter().map(|&op| op as usize).collect(),
            adjacency: ArchGraph::path_adjacency(layers),
            node_features: self
                .slots
                .iter()
                .enumerate()
                .map(|(layer, slot)| {
                    vec![
                        layer as f64 / (layers.max(2) - 1) as f64,
                        (slot.stride >= 2) as u8 as f64,
                        slot.width as f64 / self.max_width as f64,
                    ]
                })
                .collect(),
        }
    }
}
