//! Writing a predictor as ONNX operators (opset 17, float32, dynamic batch).
//!
//! Inputs: `adjacency` [batch, N, N], `op_onehot` [batch, N, C], `node_features` [batch, N, F]
//! (only when the space has numeric node features), `node_mask` [batch, N] (1 for real
//! nodes), and `graph_features` [batch, G] (only when the predictor has graph-level inputs:
//! the values already transformed and standardised with the constants of the metadata, see
//! [`crate::graph_inputs`]; they join the readout before the fully connected layer). Outputs: `pred` [batch] and, for two stages, `p_good` [batch]. The operator graph
//! is the math of `np_gcn::model`, step for step and in the same order, so the native and ONNX
//! Runtime backends agree to float rounding. Weights are written without subnormal values
//! (flushed to zero, see `np_subnormal`), whatever the parameters hold.

use ndarray::{Array2, s};
use np_gcn::GcnParams;
use np_onnx::DataType;
use np_onnx::builder::{Dim, ModelBuilder, Node};

use crate::Predictor;

const INPUT_ADJACENCY: &str = "adjacency";
const INPUT_OPS: &str = "op_onehot";
const INPUT_FEATURES: &str = "node_features";
const INPUT_MASK: &str = "node_mask";
const INPUT_GRAPH_FEATURES: &str = "graph_features";

/// Names of the weight initializers of one network (`prefix` is `regressor/` or `classifier/`).
pub fn layer_names(prefix: &str, layer: usize) -> (String, String) {
    (format!("{prefix}gcn{layer}.forward"), format!("{prefix}gcn{layer}.backward"))
}

impl Predictor {
    /// The ONNX file's bytes.
    pub fn to_onnx(&self) -> Vec<u8> {
        let meta = &self.meta;
        let n = meta.max_nodes;
        let batch = || Dim::Dynamic("batch".into());
        let mut model = ModelBuilder::new("neural_predictor");
        model.doc_string("Neural Predictor GCN (Wen et al., ECCV 2020): accuracy from an architecture's graph.");
        for (key, value) in meta.to_properties() {
            model.metadata(&key, &value);
        }
        model.input(INPUT_ADJACENCY, DataType::Float, &[batch(), Dim::fixed(n), Dim::fixed(n)]);
        model.input(INPUT_OPS, DataType::Float, &[batch(), Dim::fixed(n), Dim::fixed(meta.op_vocabulary.len())]);
        let has_features = !meta.node_features.is_empty();
        if has_features {
            model.input(
                INPUT_FEATURES,
                DataType::Float,
                &[batch(), Dim::fixed(n), Dim::fixed(meta.node_features.len())],
            );
        }
        model.input(INPUT_MASK, DataType::Float, &[batch(), Dim::fixed(n)]);
        let graph_inputs = meta.graph_features.as_ref().map(|features| {
            model.input(INPUT_GRAPH_FEATURES, DataType::Float, &[batch(), Dim::fixed(features.len())]);
            INPUT_GRAPH_FEATURES
        });

        // Shared: normalised adjacencies (with self-loops), node inputs, readout weights.
        let eye = Array2::<f32>::eye(n);
        model.float_initializer("identity", &[n as i64, n as i64], eye.as_slice().expect("standard layout"));
        model.float_initializer("half", &[], &[0.5]);
        model.int64_initializer("axis_last", &[1], &[-1]);
        model.int64_initializer("axis_nodes", &[1], &[1]);
        model.node(Node::new("Add", &[INPUT_ADJACENCY, "identity"], &["a_self"]));
        model.node(Node::new("ReduceSum", &["a_self", "axis_last"], &["a_degree"]).attr("keepdims", 1i64));
        model.node(Node::new("Div", &["a_self", "a_degree"], &["a_hat"]));
        model.node(Node::new("Transpose", &[INPUT_ADJACENCY], &["a_transposed"]).attr("perm", vec![0i64, 2, 1]));
        model.node(Node::new("Add", &["a_transposed", "identity"], &["at_self"]));
        model.node(Node::new("ReduceSum", &["at_self", "axis_last"], &["at_degree"]).attr("keepdims", 1i64));
        model.node(Node::new("Div", &["at_self", "at_degree"], &["a_tilde"]));
        let node_inputs = if has_features {
            model.node(Node::new("Concat", &[INPUT_OPS, INPUT_FEATURES], &["node_inputs"]).attr("axis", -1i64));
            "node_inputs"
        } else {
            INPUT_OPS
        };
        model.node(Node::new("ReduceSum", &[INPUT_MASK, "axis_nodes"], &["node_count"]).attr("keepdims", 1i64));
        model.node(Node::new("Div", &[INPUT_MASK, "node_count"], &["readout_weights_2d"]));
        model.node(Node::new("Unsqueeze", &["readout_weights_2d", "axis_last"], &["readout_weights"]));

        let logit = add_network(&mut model, "regressor/", &self.regressor, node_inputs, graph_inputs);
        model.float_initializer("label_low", &[], &[meta.label_low as f32]);
        model.float_initializer("label_span", &[], &[(meta.label_high - meta.label_low) as f32]);
        model.node(Node::new("Sigmoid", &[&logit], &["regressor/probability"]));
        model.node(Node::new("Mul", &["regressor/probability", "label_span"], &["regressor/scaled"]));
        model.node(Node::new("Add", &["regressor/scaled", "label_low"], &["regressor/pred"]));
        model.node(Node::new("Squeeze", &["regressor/pred", "axis_last"], &["pred"]));
        model.output("pred", DataType::Float, &[batch()]);
        if let Some(classifier) = &self.classifier {
            let logit = add_network(&mut model, "classifier/", classifier, node_inputs, graph_inputs);
            model.node(Node::new("Sigmoid", &[&logit], &["classifier/probability"]));
            model.node(Node::new("Squeeze", &["classifier/probability", "axis_last"], &["p_good"]));
            model.output("p_good", DataType::Float, &[batch()]);
        }
        model.to_bytes()
    }
}

/// Adds one GCN body and head; returns the name of its logit tensor ([batch, 1]).
/// `graph_inputs` ([batch, G], standardised) joins the readout before the fully connected layer.
fn add_network(
    model: &mut ModelBuilder,
    prefix: &str,
    params: &GcnParams<f32>,
    node_inputs: &str,
    graph_inputs: Option<&str>,
) -> String {
    let hidden = params.config.hidden;
    let mut h = node_inputs.to_string();
    for (l, weights) in params.gcn.iter().enumerate() {
        let (forward_name, backward_name) = layer_names(prefix, l);
        let rows = weights.nrows() as i64;
        let forward = weights.slice(s![.., ..hidden]).to_owned();
        let backward = weights.slice(s![.., hidden..]).to_owned();
        weights_initializer(model, &forward_name, &[rows, hidden as i64], forward.as_slice().expect("owned"));
        weights_initializer(model, &backward_name, &[rows, hidden as i64], backward.as_slice().expect("owned"));
        let t = |name: &str| format!("{prefix}gcn{l}/{name}");
        model.node(Node::new("MatMul", &[&h, &forward_name], &[&t("along")]));
        model.node(Node::new("MatMul", &[&h, &backward_name], &[&t("against")]));
        model.node(Node::new("MatMul", &["a_hat", &t("along")], &[&t("pre_forward")]));
        model.node(Node::new("MatMul", &["a_tilde", &t("against")], &[&t("pre_backward")]));
        model.node(Node::new("Relu", &[&t("pre_forward")], &[&t("relu_forward")]));
        model.node(Node::new("Relu", &[&t("pre_backward")], &[&t("relu_backward")]));
        model.node(Node::new("Add", &[&t("relu_forward"), &t("relu_backward")], &[&t("sum")]));
        model.node(Node::new("Mul", &[&t("sum"), "half"], &[&t("out")]));
        h = t("out");
    }
    let p = |name: &str| format!("{prefix}{name}");
    model.node(Node::new("Mul", &[&h, "readout_weights"], &[&p("weighted_nodes")]));
    model.node(Node::new("ReduceSum", &[&p("weighted_nodes"), "axis_nodes"], &[&p("readout")]).attr("keepdims", 0i64));
    let fc_in = match graph_inputs {
        Some(graph_inputs) => {
            model.node(Node::new("Concat", &[&p("readout"), graph_inputs], &[&p("fc.in")]).attr("axis", -1i64));
            p("fc.in")
        }
        None => p("readout"),
    };
    let fc = &params.fc_weight;
    weights_initializer(
        model,
        &p("fc.weight"),
        &[fc.nrows() as i64, fc.ncols() as i64],
        fc.as_slice().expect("standard"),
    );
    weights_initializer(
        model,
        &p("fc.bias"),
        &[params.fc_bias.len() as i64],
        params.fc_bias.as_slice().expect("standard"),
    );
    let out = params.out_weight.as_slice().expect("standard");
    weights_initializer(model, &p("out.weight"), &[out.len() as i64, 1], out);
    weights_initializer(model, &p("out.bias"), &[1], params.out_bias.as_slice().expect("standard"));
    model.node(Node::new("MatMul", &[&fc_in, &p("fc.weight")], &[&p("fc.product")]));
    model.node(Node::new("Add", &[&p("fc.product"), &p("fc.bias")], &[&p("fc.pre")]));
    model.node(Node::new("Relu", &[&p("fc.pre")], &[&p("fc.out")]));
    model.node(Node::new("MatMul", &[&p("fc.out"), &p("out.weight")], &[&p("out.product")]));
    model.node(Node::new("Add", &[&p("out.product"), &p("out.bias")], &[&p("logit")]));
    p("logit")
}

/// A weight tensor as an initializer, its subnormal values written as zero.
fn weights_initializer(model: &mut ModelBuilder, name: &str, dims: &[i64], values: &[f32]) {
    let mut values = values.to_vec();
    np_subnormal::flush_slice(&mut values);
    model.float_initializer(name, dims, &values);
}
