//! The predictor file: what `gcn-train` writes and `gcn-score` reads.
//!
//! A predictor is one ONNX file (opset 17, float32, dynamic batch) holding a trained GCN
//! regressor and, for the paper's two-stage variant, a classifier with the same body. Its
//! inputs are the padded graph tensors of `arch-encode --format graph`; its outputs are `pred`
//! (accuracy in the label's range) and, for two stages, `p_good` (the probability that the
//! architecture beats the threshold). The file's metadata records everything needed to use it
//! safely: the search space, its op vocabulary and max nodes, the label range, the threshold,
//! the hyper-parameters and a digest of the training data.
//!
//! - [`meta`]: the metadata and the checks a scorer makes against its input.
//! - [`export`]: writing the networks as ONNX operators.
//! - [`load`]: reading the file back into native parameters (the `native` backend).
//! - [`graph_inputs`]: optional graph-level inputs (e.g. zero-cost proxies) and their
//!   standardisation.
//! - [`quality`]: measuring a predictor on held-out cells (the quality benchmarks).
//!
//! Graph-level inputs travel in [`GraphSample::graph_features`] as raw values (the numbers of
//! the line); the predictor transforms and standardises them itself, natively and in ONNX.

pub mod cv;
pub mod export;
pub mod fit;
pub mod graph_inputs;
pub mod load;
pub mod meta;
pub mod quality;

use np_gcn::shared_states::SharedStateForward;
use np_gcn::{GcnParams, GraphSample, Head};

pub use meta::PredictorMeta;

/// A trained predictor: the regressor, and the classifier of the two-stage variant.
#[derive(Debug, Clone, PartialEq)]
pub struct Predictor {
    pub meta: PredictorMeta,
    pub regressor: GcnParams<f32>,
    pub classifier: Option<GcnParams<f32>>,
}

/// One architecture's scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scores {
    pub pred: f64,
    pub p_good: Option<f64>,
}

impl Predictor {
    pub fn regressor_head(&self) -> Head {
        Head::Regression { low: self.meta.label_low, high: self.meta.label_high }
    }

    /// Scores `samples` with the native Rust forward pass. Their `graph_features` hold the
    /// raw graph-level inputs (empty when the predictor has none).
    pub fn score_native(&self, samples: &[GraphSample<f32>]) -> Vec<Scores> {
        self.native_scorer().score(&samples.iter().collect::<Vec<_>>())
    }

    /// A native scorer that keeps the node states it has computed between calls (see
    /// [`np_gcn::shared_states`]): for scoring a stream in batches.
    pub fn native_scorer(&self) -> NativeScorer<'_> {
        NativeScorer {
            predictor: self,
            regressor: SharedStateForward::new(&self.regressor),
            classifier: self.classifier.as_ref().map(SharedStateForward::new),
        }
    }
}

/// The native forward passes of a [`Predictor`], with their tables of computed node states.
pub struct NativeScorer<'p> {
    predictor: &'p Predictor,
    regressor: SharedStateForward<'p>,
    classifier: Option<SharedStateForward<'p>>,
}

impl NativeScorer<'_> {
    /// Scores of `samples` (raw graph-level inputs, as [`Predictor::score_native`] takes them).
    pub fn score(&mut self, samples: &[&GraphSample<f32>]) -> Vec<Scores> {
        let scaled: Vec<GraphSample<f32>>;
        let scaled_refs: Vec<&GraphSample<f32>>;
        let samples = match &self.predictor.meta.graph_features {
            Some(features) => {
                scaled = samples
                    .iter()
                    .map(|s| (*s).clone().with_graph_features(features.scale(&s.graph_features)))
                    .collect();
                scaled_refs = scaled.iter().collect();
                &scaled_refs[..]
            }
            None => samples,
        };
        let head = self.predictor.regressor_head();
        let preds = self.regressor.logits(samples);
        let goods = self.classifier.as_mut().map(|c| c.logits(samples));
        preds
            .iter()
            .enumerate()
            .map(|(i, &logit)| Scores {
                pred: head.apply(logit as f64),
                p_good: goods.as_ref().map(|g| Head::Classifier.apply(g[i] as f64)),
            })
            .collect()
    }
}

/// The model input of one encoded record, for the native backend.
pub fn graph_sample(encoding: &np_encoding::GraphEncoding) -> GraphSample<f32> {
    GraphSample::from_encoding(encoding.nodes, &encoding.adjacency, &encoding.op_onehot, &encoding.node_features)
}

/// [`graph_sample`] with the raw graph-level inputs of the line (in the order of the
/// predictor's `graph_features`; empty when it has none).
pub fn graph_sample_with_features(encoding: &np_encoding::GraphEncoding, graph_features: &[f64]) -> GraphSample<f32> {
    let raw = ndarray::Array1::from_iter(graph_features.iter().map(|&x| x as f32));
    graph_sample(encoding).with_graph_features(raw)
}

/// [`graph_sample_with_features`] of a graph read as bits
/// ([`np_encoding::GraphBits::from_compact_json`]): the same sample, without the nested
/// vectors of a [`GraphEncoding`](np_encoding::GraphEncoding) in between.
pub fn graph_sample_from_bits(graph: &np_encoding::GraphBits, graph_features: &[f64]) -> GraphSample<f32> {
    let max = graph.max_nodes();
    let inputs =
        ndarray::Array2::from_shape_fn((max, graph.op_count()), |(i, k)| f32::from(u8::from(graph.has_op(i, k))));
    let raw = ndarray::Array1::from_iter(graph_features.iter().map(|&x| x as f32));
    GraphSample::from_adjacency_fn(graph.nodes, max, |i, j| f32::from(u8::from(graph.has_edge(i, j))), inputs)
        .with_graph_features(raw)
}

/// The space's encoding shape and names, which a predictor's metadata must match.
#[derive(Debug, Clone)]
pub struct SpaceSignature {
    pub name: String,
    pub shape: np_encoding::EncodingShape,
    pub op_vocabulary: Vec<String>,
    pub node_features: Vec<String>,
}

impl SpaceSignature {
    pub fn of<S: np_spaces::SearchSpace>(space: &S) -> Self {
        SpaceSignature {
            name: space.name().to_string(),
            shape: np_encoding::EncodingShape::of(space),
            op_vocabulary: space.op_vocabulary().iter().map(|s| s.to_string()).collect(),
            node_features: space.node_feature_names().iter().map(|s| s.to_string()).collect(),
        }
    }

    /// The signature of the space called `name`.
    pub fn named(name: &str) -> Result<Self, String> {
        struct Visit;
        impl np_spaces::SpaceVisitor for Visit {
            type Output = SpaceSignature;
            fn visit<S: np_spaces::SearchSpace>(self, space: &S) -> SpaceSignature {
                SpaceSignature::of(space)
            }
        }
        np_spaces::with_space(name, Visit).map_err(|e| e.0)
    }
}

/// The graph encoding of a plain architecture record (no `graph` field) in the space called
/// `space_name`: lets a scorer read `arch-sample` output directly, skipping the JSON round trip
/// of `arch-encode --format graph`.
pub fn encode_architecture(space_name: &str, record: &serde_json::Value) -> Result<np_encoding::GraphEncoding, String> {
    np_spaces::with_space(space_name, Encode(Record::Value(record))).map_err(|e| e.0)?
}

/// [`encode_architecture`] for a line kept as raw fields (only the architecture's own fields
/// are parsed).
pub fn encode_architecture_fields(
    space_name: &str,
    record: &np_spaces::RawFields<'_>,
) -> Result<np_encoding::GraphEncoding, String> {
    np_spaces::with_space(space_name, Encode(Record::Fields(record))).map_err(|e| e.0)?
}

enum Record<'a, 'b> {
    Value(&'a serde_json::Value),
    Fields(&'a np_spaces::RawFields<'b>),
}

struct Encode<'a, 'b>(Record<'a, 'b>);

impl np_spaces::SpaceVisitor for Encode<'_, '_> {
    type Output = Result<np_encoding::GraphEncoding, String>;

    fn visit<S: np_spaces::SearchSpace>(self, space: &S) -> Self::Output {
        let arch = match self.0 {
            Record::Value(value) => space.parse(value),
            Record::Fields(fields) => space.parse_fields(fields),
        }
        .map_err(|e| e.0)?;
        Ok(np_encoding::GraphEncoding::new(&space.graph(&arch), &np_encoding::EncodingShape::of(space)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use np_encoding::{EncodingShape, GraphBits, GraphEncoding};
    use np_spaces::{SearchSpace, SpaceVisitor, with_space};
    use rand::SeedableRng;

    /// In every space without node features, a graph's compact text read as bits gives the
    /// sample the general reader gives.
    #[test]
    fn samples_from_bits_are_the_encodings_samples() {
        struct Check;
        impl SpaceVisitor for Check {
            type Output = usize;
            fn visit<S: SearchSpace>(self, space: &S) -> usize {
                let shape = EncodingShape::of(space);
                let mut rng = np_spaces::SpaceRng::seed_from_u64(5);
                let mut read = 0;
                for _ in 0..200 {
                    let text = GraphEncoding::json_of(&space.graph(&space.sample(&mut rng)), &shape);
                    let general = graph_sample_with_features(&GraphEncoding::from_json(&text).unwrap(), &[0.5]);
                    match GraphBits::from_compact_json(&text, &shape) {
                        Some(bits) => {
                            assert_eq!(graph_sample_from_bits(&bits, &[0.5]), general, "{text}");
                            read += 1;
                        }
                        None => assert!(shape.feature_count > 0, "{text}"),
                    }
                }
                read
            }
        }
        let read: usize = np_spaces::SPACE_NAMES.iter().map(|name| with_space(name, Check).unwrap()).sum();
        assert!(read >= 600, "most spaces have no node features ({read} graphs read as bits)");
    }
}
