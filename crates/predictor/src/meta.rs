//! The predictor's metadata, stored as ONNX `metadata_props` (string key/value pairs).

use std::collections::BTreeMap;

use np_gcn::GcnConfig;

use crate::graph_inputs::{GraphFeatures, GraphTransform};

/// Format tag: a scorer refuses files of another format.
pub const FORMAT: &str = "neural-predictor/gcn/1";

/// What a predictor was trained on and how to read its outputs.
#[derive(Debug, Clone, PartialEq)]
pub struct PredictorMeta {
    /// Search space name (`nb101`, ...).
    pub space: String,
    /// The op vocabulary of the one-hot columns, in order.
    pub op_vocabulary: Vec<String>,
    /// Names of the numeric node features, in order (may be empty).
    pub node_features: Vec<String>,
    /// Padded node count of the inputs.
    pub max_nodes: usize,
    /// The regressor's output range (label units).
    pub label_low: f64,
    pub label_high: f64,
    /// The label field the predictor was trained on, and whether it was a fraction or percent.
    pub label_field: String,
    pub label_scale: String,
    /// Two-stage threshold (label units), if a classifier is present.
    pub threshold: Option<f64>,
    /// The network sizes.
    pub config: GcnConfig,
    /// Training settings as JSON text (learning rate, weight decay, epochs, ...).
    pub training: String,
    /// Number of training lines and a digest of their ids and labels.
    pub training_count: usize,
    pub training_digest: String,
    /// Graph-level inputs and their standardisation, if the predictor reads any.
    pub graph_features: Option<GraphFeatures>,
    /// The spec of a declared space, as JSON: the file carries it, so a scorer knows the space
    /// without the spec file, and lines of another spec of the same name are refused.
    pub space_spec: Option<String>,
}

impl PredictorMeta {
    pub fn to_properties(&self) -> Vec<(String, String)> {
        let mut props = vec![
            ("format", FORMAT.to_string()),
            ("space", self.space.clone()),
            ("op_vocabulary", self.op_vocabulary.join(",")),
            ("node_features", self.node_features.join(",")),
            ("max_nodes", self.max_nodes.to_string()),
            ("label_field", self.label_field.clone()),
            ("label_scale", self.label_scale.clone()),
            ("label_low", self.label_low.to_string()),
            ("label_high", self.label_high.to_string()),
            ("gcn_input_width", self.config.input_width.to_string()),
            ("gcn_hidden", self.config.hidden.to_string()),
            ("gcn_layers", self.config.layers.to_string()),
            ("gcn_fc_hidden", self.config.fc_hidden.to_string()),
            ("training", self.training.clone()),
            ("training_count", self.training_count.to_string()),
            ("training_digest", self.training_digest.clone()),
        ];
        if let Some(threshold) = self.threshold {
            props.push(("threshold", threshold.to_string()));
        }
        if let Some(spec) = &self.space_spec {
            props.push(("space_spec", spec.clone()));
        }
        // Only with graph-level inputs, so a predictor without them is written as before.
        if let Some(features) = &self.graph_features {
            let json = |value: serde_json::Value| value.to_string();
            props.push(("graph_features", json(features.names.clone().into())));
            props.push(("graph_feature_transform", features.transform.name().to_string()));
            props.push(("graph_feature_mean", json(features.mean.clone().into())));
            props.push(("graph_feature_std", json(features.std.clone().into())));
        }
        props.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    pub fn from_properties(props: &BTreeMap<String, String>) -> Result<Self, String> {
        let get = |key: &str| props.get(key).cloned().ok_or_else(|| format!("predictor metadata lacks '{key}'"));
        let number = |key: &str| -> Result<f64, String> {
            get(key)?.parse::<f64>().map_err(|_| format!("predictor metadata '{key}' is not a number"))
        };
        let count = |key: &str| -> Result<usize, String> {
            get(key)?.parse::<usize>().map_err(|_| format!("predictor metadata '{key}' is not a count"))
        };
        let list = |key: &str| -> Result<Vec<String>, String> {
            let text = get(key)?;
            Ok(if text.is_empty() { Vec::new() } else { text.split(',').map(str::to_string).collect() })
        };
        let format = get("format")?;
        if format != FORMAT {
            return Err(format!("not a GCN predictor of this version (format '{format}', expected '{FORMAT}')"));
        }
        let graph_features = match props.get("graph_features") {
            None => None,
            Some(names) => {
                let parse = |key: &str, text: &str| -> Result<serde_json::Value, String> {
                    serde_json::from_str(text).map_err(|_| format!("predictor metadata '{key}' is not JSON"))
                };
                let names: Vec<String> = serde_json::from_value(parse("graph_features", names)?)
                    .map_err(|_| "predictor metadata 'graph_features' is not a list of names".to_string())?;
                let numbers = |key: &str| -> Result<Vec<f64>, String> {
                    let values: Vec<f64> = serde_json::from_value(parse(key, &get(key)?)?)
                        .map_err(|_| format!("predictor metadata '{key}' is not a list of numbers"))?;
                    if values.len() != names.len() {
                        return Err(format!(
                            "predictor metadata '{key}' has {} numbers for {} graph features",
                            values.len(),
                            names.len()
                        ));
                    }
                    Ok(values)
                };
                Some(GraphFeatures {
                    transform: GraphTransform::parse(&get("graph_feature_transform")?)?,
                    mean: numbers("graph_feature_mean")?,
                    std: numbers("graph_feature_std")?,
                    names,
                })
            }
        };
        let (op_vocabulary, node_features) = (list("op_vocabulary")?, list("node_features")?);
        let input_width = count("gcn_input_width")?;
        // The scorer builds node inputs of this width from a line's graph: a file whose network
        // reads another width would fail on the first line instead of here.
        if input_width != op_vocabulary.len() + node_features.len() {
            return Err(format!(
                "predictor metadata 'gcn_input_width' is {input_width}, but {} ops and {} node features make {}",
                op_vocabulary.len(),
                node_features.len(),
                op_vocabulary.len() + node_features.len()
            ));
        }
        let (hidden, layers, fc_hidden) = (count("gcn_hidden")?, count("gcn_layers")?, count("gcn_fc_hidden")?);
        // The forward pass reads at least one layer; a file with none loaded and then panicked.
        if [hidden, layers, fc_hidden].contains(&0) {
            return Err("predictor metadata: 'gcn_hidden', 'gcn_layers' and 'gcn_fc_hidden' must be positive".into());
        }
        Ok(PredictorMeta {
            space: get("space")?,
            op_vocabulary,
            node_features,
            max_nodes: count("max_nodes")?,
            label_low: number("label_low")?,
            label_high: number("label_high")?,
            label_field: get("label_field")?,
            label_scale: get("label_scale")?,
            threshold: props.get("threshold").map(|_| number("threshold")).transpose()?,
            config: GcnConfig {
                input_width,
                hidden,
                layers,
                fc_hidden,
                graph_features: graph_features.as_ref().map_or(0, GraphFeatures::len),
            },
            training: get("training")?,
            training_count: count("training_count")?,
            training_digest: get("training_digest")?,
            graph_features,
            space_spec: props.get("space_spec").cloned(),
        })
    }

    /// Checks that encoded inputs of `space` with this vocabulary and size fit the predictor.
    pub fn check_input(
        &self,
        space: &str,
        op_vocabulary: &[&str],
        node_features: &[&str],
        max_nodes: usize,
    ) -> Result<(), String> {
        if space != self.space {
            return Err(format!("the predictor was trained on space '{}', the input is '{space}'", self.space));
        }
        if op_vocabulary.iter().map(|s| s.to_string()).collect::<Vec<_>>() != self.op_vocabulary {
            return Err(format!("the predictor's op vocabulary differs from space '{space}''s"));
        }
        if node_features.iter().map(|s| s.to_string()).collect::<Vec<_>>() != self.node_features {
            return Err(format!("the predictor's node features differ from space '{space}''s"));
        }
        if max_nodes != self.max_nodes {
            return Err(format!("the predictor pads to {} nodes, space '{space}' to {max_nodes}", self.max_nodes));
        }
        Ok(())
    }
}
