//! Predictor files: the ONNX reader, and the two loaders `gcn-score` picks between by the
//! file's `format` metadata (a GCN of `gcn-train`, trees of `gbt-train`).
//!
//! A file that loads is then used as the native backend uses it, on one input of the shape its
//! metadata declares: a loader that accepts a file must have checked everything scoring relies
//! on, or the tool would fail on the first line instead of naming the file.

use np_encoding::GraphEncoding;
use np_onnx::read_model;
use np_predictor::{Predictor, graph_sample_with_features};
use np_trees::TreePredictor;

/// Inputs larger than this are not built (a declared shape can be anything); the loaders'
/// own memory use is what the target measures.
const LARGEST_INPUT: usize = 1 << 16;

/// The `onnx_model` target.
pub fn onnx_model(data: &[u8]) {
    let Ok(model) = read_model(data) else { return };
    // What the loaders and `np-ort`'s checks look at.
    model.metadata_map();
    for domain in ["", np_onnx::ML_DOMAIN] {
        model.opset_version(domain);
    }
    if let Some(graph) = &model.graph {
        graph.input_signatures();
        graph.output_signatures();
        for tensor in &graph.initializer {
            tensor.element_count();
            let _ = graph.float_initializer(&tensor.name);
            let _ = graph.int64_initializer(&tensor.name);
        }
        for node in &graph.node {
            node.find_attribute("nodes_modes");
        }
    }
    let Ok(format) = np_trees::file_format(data) else { return };
    if format == np_trees::FORMAT {
        if let Ok(trees) = TreePredictor::from_onnx(data) {
            score_trees(&trees);
        }
    } else if let Ok(predictor) = Predictor::from_onnx(data) {
        score_gcn(&predictor);
    }
}

fn score_trees(trees: &TreePredictor) {
    let count = trees.meta.features.len();
    if count <= LARGEST_INPUT {
        trees.ensemble.predict(&vec![0.5; count]);
    }
}

/// One graph of the declared shape (a single node with the first op), scored natively.
fn score_gcn(predictor: &Predictor) {
    let meta = &predictor.meta;
    let (nodes, ops, features) = (meta.max_nodes, meta.op_vocabulary.len(), meta.node_features.len());
    let size = nodes.checked_add(ops).and_then(|width| width.checked_add(features)).and_then(|w| w.checked_mul(nodes));
    if ops == 0 || !size.is_some_and(|size| (1..=LARGEST_INPUT).contains(&size)) {
        return;
    }
    let mut encoding = GraphEncoding {
        nodes: 1,
        adjacency: vec![vec![0; nodes]; nodes],
        op_onehot: vec![vec![0; ops]; nodes],
        node_features: vec![vec![0.0; features]; if features > 0 { nodes } else { 0 }],
    };
    encoding.op_onehot[0][0] = 1;
    let graph_features = vec![1.0; meta.graph_features.as_ref().map_or(0, |f| f.names.len())];
    let sample = graph_sample_with_features(&encoding, &graph_features);
    predictor.native_scorer().score(&[&sample]);
}
