//! Writing a tree predictor as ONNX: one `ai.onnx.ml` `TreeEnsembleRegressor` and a `Squeeze`.
//!
//! Input `features` float32 [batch, F]; the regressor's `scores` `[batch, 1]` are squeezed to
//! the output `pred` `[batch]`, the shape a GCN predictor's `pred` has, so a scorer treats both
//! alike. Nodes are listed tree by tree in preorder; node ids are positions within their tree.

use np_onnx::builder::{Dim, ModelBuilder, Node as OnnxNode};
use np_onnx::{DataType, ML_DOMAIN, ML_OPSET};

use crate::TreePredictor;
use crate::ensemble::Node;

/// The model's input, output and operator.
pub const INPUT_FEATURES: &str = "features";
pub const OUTPUT_PRED: &str = "pred";
pub const OPERATOR: &str = "TreeEnsembleRegressor";
/// The split mode of every branch: `x < threshold` takes the true branch, as the library's.
pub const BRANCH_MODE: &str = "BRANCH_LT";
pub const LEAF_MODE: &str = "LEAF";

impl TreePredictor {
    /// The ONNX file's bytes.
    pub fn to_onnx(&self) -> Vec<u8> {
        let ensemble = &self.ensemble;
        let mut attributes = Attributes::default();
        for (tree_id, tree) in ensemble.trees.iter().enumerate() {
            for (node_id, node) in tree.nodes.iter().enumerate() {
                attributes.push(tree_id as i64, node_id as i64, node);
            }
        }
        let batch = || Dim::Dynamic("batch".into());
        let mut model = ModelBuilder::new("tree_predictor");
        model.opset(ML_DOMAIN, ML_OPSET);
        model.doc_string("Gradient-boosted regression trees on cheap architecture features (neural-predictor).");
        for (key, value) in self.meta.to_properties() {
            model.metadata(&key, &value);
        }
        model.input(INPUT_FEATURES, DataType::Float, &[batch(), Dim::fixed(ensemble.feature_count)]);
        model.output(OUTPUT_PRED, DataType::Float, &[batch()]);
        model.int64_initializer("axis_target", &[1], &[1]);
        let a = attributes;
        model.node(
            OnnxNode::new(OPERATOR, &[INPUT_FEATURES], &["scores"])
                .domain(ML_DOMAIN)
                .name("trees")
                .attr("n_targets", 1_i64)
                .attr("aggregate_function", "SUM")
                .attr("post_transform", "NONE")
                .attr("base_values", vec![ensemble.base_score])
                .attr("nodes_treeids", a.tree_ids)
                .attr("nodes_nodeids", a.node_ids)
                .attr("nodes_featureids", a.feature_ids)
                .attr("nodes_values", a.values)
                .attr("nodes_modes", a.modes)
                .attr("nodes_truenodeids", a.true_ids)
                .attr("nodes_falsenodeids", a.false_ids)
                .attr("nodes_missing_value_tracks_true", a.missing_tracks_true)
                .attr("target_treeids", a.target_tree_ids)
                .attr("target_nodeids", a.target_node_ids)
                .attr("target_ids", a.target_ids)
                .attr("target_weights", a.target_weights),
        );
        model.node(OnnxNode::new("Squeeze", &["scores", "axis_target"], &[OUTPUT_PRED]));
        model.to_bytes()
    }
}

/// The parallel lists of `TreeEnsembleRegressor`'s attributes: one entry per node, and one
/// target entry per leaf.
#[derive(Default)]
struct Attributes {
    tree_ids: Vec<i64>,
    node_ids: Vec<i64>,
    feature_ids: Vec<i64>,
    values: Vec<f32>,
    modes: Vec<String>,
    true_ids: Vec<i64>,
    false_ids: Vec<i64>,
    missing_tracks_true: Vec<i64>,
    target_tree_ids: Vec<i64>,
    target_node_ids: Vec<i64>,
    target_ids: Vec<i64>,
    target_weights: Vec<f32>,
}

impl Attributes {
    fn push(&mut self, tree_id: i64, node_id: i64, node: &Node) {
        self.tree_ids.push(tree_id);
        self.node_ids.push(node_id);
        match *node {
            Node::Branch { feature, threshold, left, right, missing_left } => {
                self.feature_ids.push(feature as i64);
                self.values.push(threshold);
                self.modes.push(BRANCH_MODE.to_string());
                self.true_ids.push(left as i64);
                self.false_ids.push(right as i64);
                self.missing_tracks_true.push(i64::from(missing_left));
            }
            Node::Leaf { weight } => {
                self.feature_ids.push(0);
                self.values.push(0.0);
                self.modes.push(LEAF_MODE.to_string());
                self.true_ids.push(0);
                self.false_ids.push(0);
                self.missing_tracks_true.push(0);
                self.target_tree_ids.push(tree_id);
                self.target_node_ids.push(node_id);
                self.target_ids.push(0);
                self.target_weights.push(weight);
            }
        }
    }
}
