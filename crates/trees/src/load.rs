//! Reading a tree predictor file back into an ensemble (the `native` backend).

use std::collections::BTreeMap;

use np_onnx::proto::{AttributeProto, NodeProto};
use np_onnx::{ML_DOMAIN, read_model};

use crate::TreePredictor;
use crate::ensemble::{Node, Tree, TreeEnsemble};
use crate::export::{BRANCH_MODE, INPUT_FEATURES, LEAF_MODE, OPERATOR, OUTPUT_PRED};
use crate::meta::TreeMeta;

impl TreePredictor {
    /// Parses an ONNX file written by [`TreePredictor::to_onnx`]: its metadata, and the trees of
    /// its `TreeEnsembleRegressor` (one target, `SUM`, no post transform, `BRANCH_LT` splits,
    /// every child after its parent).
    pub fn from_onnx(bytes: &[u8]) -> Result<Self, String> {
        let model = read_model(bytes).map_err(|e| format!("not an ONNX file: {e}"))?;
        let meta = TreeMeta::from_properties(&model.metadata_map())?;
        let graph = model.graph.as_ref().ok_or("the ONNX file has no graph")?;
        if !graph.input.iter().any(|input| input.name == INPUT_FEATURES)
            || !graph.output.iter().any(|output| output.name == OUTPUT_PRED)
        {
            return Err(format!("a tree predictor needs the input '{INPUT_FEATURES}' and the output '{OUTPUT_PRED}'"));
        }
        let node = graph
            .node
            .iter()
            .find(|node| node.op_type == OPERATOR && node.domain == ML_DOMAIN)
            .ok_or_else(|| format!("the file has no {ML_DOMAIN} {OPERATOR} node"))?;
        let ensemble = read_ensemble(node, meta.features.len())?;
        Ok(TreePredictor { meta, ensemble })
    }
}

fn attribute<'a>(node: &'a NodeProto, name: &str) -> Result<&'a AttributeProto, String> {
    node.find_attribute(name).ok_or_else(|| format!("{OPERATOR} lacks the attribute '{name}'"))
}

fn text(node: &NodeProto, name: &str) -> Result<String, String> {
    let value = attribute(node, name)?.s.as_deref().unwrap_or_default();
    String::from_utf8(value.to_vec()).map_err(|_| format!("{OPERATOR} attribute '{name}' is not UTF-8"))
}

fn ints<'a>(node: &'a NodeProto, name: &str, len: usize) -> Result<&'a [i64], String> {
    let values = &attribute(node, name)?.ints;
    if values.len() != len {
        return Err(format!("{OPERATOR} attribute '{name}' has {} values, expected {len}", values.len()));
    }
    Ok(values)
}

fn index(value: i64, what: &str) -> Result<usize, String> {
    usize::try_from(value).map_err(|_| format!("{OPERATOR}: negative {what} {value}"))
}

fn read_ensemble(node: &NodeProto, feature_count: usize) -> Result<TreeEnsemble, String> {
    if attribute(node, "n_targets")?.i != Some(1) {
        return Err(format!("{OPERATOR}: only one target is supported"));
    }
    for (name, expected) in [("aggregate_function", "SUM"), ("post_transform", "NONE")] {
        let value = node.find_attribute(name).map(|_| text(node, name)).transpose()?;
        if value.as_deref().unwrap_or(expected) != expected {
            return Err(format!("{OPERATOR}: {name} must be {expected}"));
        }
    }
    let base_values = node.find_attribute("base_values").map(|a| a.floats.clone()).unwrap_or_default();
    let base_score = match base_values.as_slice() {
        [] => 0.0,
        [value] => *value,
        _ => return Err(format!("{OPERATOR}: one base value expected")),
    };

    let modes = &attribute(node, "nodes_modes")?.strings;
    let count = modes.len();
    let tree_ids = ints(node, "nodes_treeids", count)?;
    let node_ids = ints(node, "nodes_nodeids", count)?;
    let feature_ids = ints(node, "nodes_featureids", count)?;
    let true_ids = ints(node, "nodes_truenodeids", count)?;
    let false_ids = ints(node, "nodes_falsenodeids", count)?;
    let values = &attribute(node, "nodes_values")?.floats;
    if values.len() != count {
        return Err(format!("{OPERATOR}: {} node values for {count} nodes", values.len()));
    }
    let missing = match node.find_attribute("nodes_missing_value_tracks_true") {
        Some(_) => ints(node, "nodes_missing_value_tracks_true", count)?.to_vec(),
        None => vec![0; count],
    };
    let target_weights = &attribute(node, "target_weights")?.floats;
    let target_trees = ints(node, "target_treeids", target_weights.len())?;
    let target_nodes = ints(node, "target_nodeids", target_weights.len())?;
    if ints(node, "target_ids", target_weights.len())?.iter().any(|&target| target != 0) {
        return Err(format!("{OPERATOR}: only target 0 is supported"));
    }
    let mut weights: BTreeMap<(usize, usize), f32> = BTreeMap::new();
    for i in 0..target_weights.len() {
        let key = (index(target_trees[i], "tree id")?, index(target_nodes[i], "node id")?);
        if weights.insert(key, target_weights[i]).is_some() {
            return Err(format!("{OPERATOR}: leaf {key:?} has two weights"));
        }
    }

    let mut trees: Vec<Vec<Option<Node>>> = Vec::new();
    for i in 0..count {
        let (tree, id) = (index(tree_ids[i], "tree id")?, index(node_ids[i], "node id")?);
        // Trees and their nodes are numbered densely from 0, so no id reaches the node count;
        // a larger one would size the tables below by a damaged file's numbers.
        if tree >= count || id >= count {
            return Err(format!("{OPERATOR}: node {id} of tree {tree} is numbered beyond the {count} nodes"));
        }
        if tree >= trees.len() {
            trees.resize_with(tree + 1, Vec::new);
        }
        let nodes = &mut trees[tree];
        if id >= nodes.len() {
            nodes.resize(id + 1, None);
        }
        let parsed = match std::str::from_utf8(&modes[i]).unwrap_or_default() {
            LEAF_MODE => Node::Leaf {
                weight: weights
                    .remove(&(tree, id))
                    .ok_or_else(|| format!("{OPERATOR}: leaf {id} of tree {tree} has no weight"))?,
            },
            BRANCH_MODE => Node::Branch {
                feature: index(feature_ids[i], "feature id")?,
                threshold: values[i],
                left: index(true_ids[i], "node id")?,
                right: index(false_ids[i], "node id")?,
                missing_left: missing[i] != 0,
            },
            other => {
                return Err(format!("{OPERATOR}: node mode '{other}' is not supported (only {BRANCH_MODE})"));
            }
        };
        if nodes[id].replace(parsed).is_some() {
            return Err(format!("{OPERATOR}: node {id} of tree {tree} is defined twice"));
        }
    }
    if let Some((tree, id)) = weights.keys().next() {
        return Err(format!("{OPERATOR}: a weight for node {id} of tree {tree}, which is not a leaf"));
    }
    let trees = trees
        .into_iter()
        .enumerate()
        .map(|(tree, nodes)| {
            let nodes = nodes
                .into_iter()
                .enumerate()
                .map(|(id, node)| node.ok_or_else(|| format!("{OPERATOR}: tree {tree} lacks node {id}")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Tree { nodes })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let ensemble = TreeEnsemble { base_score, trees, feature_count };
    ensemble.check()?;
    Ok(ensemble)
}
