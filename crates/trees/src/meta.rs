//! The tree predictor's metadata, stored as ONNX `metadata_props` (string key/value pairs).

use std::collections::BTreeMap;

use crate::features::FeatureSet;

/// Format tag: a scorer tells tree files from GCN files (`neural-predictor/gcn/1`) by it.
pub const FORMAT: &str = "neural-predictor/trees/1";

/// What a tree predictor was trained on and how.
#[derive(Debug, Clone)]
pub struct TreeMeta {
    /// The input vector: named fields, then the flat encoding when used.
    pub features: FeatureSet,
    /// The label field the predictor was trained on, and whether it was a fraction or percent
    /// (predictions are in the label's units).
    pub label_field: String,
    pub label_scale: String,
    /// The library that fitted the trees (name and version).
    pub library: String,
    /// Its settings as JSON text.
    pub training: String,
    /// Number of training lines and the digest of their ids and labels
    /// (`np_predictor::fit::training_digest`).
    pub training_count: usize,
    pub training_digest: String,
}

impl TreeMeta {
    pub fn to_properties(&self) -> Vec<(String, String)> {
        let features = &self.features;
        let mut props = vec![
            ("format", FORMAT.to_string()),
            ("features", serde_json::Value::from(features.names()).to_string()),
            ("flat", features.flat_length.is_some().to_string()),
            ("flat_length", features.flat_length.unwrap_or(0).to_string()),
            ("feature_count", features.len().to_string()),
            ("label_field", self.label_field.clone()),
            ("label_scale", self.label_scale.clone()),
            ("library", self.library.clone()),
            ("training", self.training.clone()),
            ("training_count", self.training_count.to_string()),
            ("training_digest", self.training_digest.clone()),
        ];
        if let Some(space) = &features.space {
            props.push(("space", space.clone()));
        }
        props.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
    }

    pub fn from_properties(props: &BTreeMap<String, String>) -> Result<Self, String> {
        let get = |key: &str| props.get(key).cloned().ok_or_else(|| format!("tree predictor metadata lacks '{key}'"));
        let count = |key: &str| -> Result<usize, String> {
            get(key)?.parse::<usize>().map_err(|_| format!("tree predictor metadata '{key}' is not a count"))
        };
        let format = get("format")?;
        if format != FORMAT {
            return Err(format!("not a tree predictor of this version (format '{format}', expected '{FORMAT}')"));
        }
        let names: Vec<String> = serde_json::from_str(&get("features")?)
            .map_err(|_| "tree predictor metadata 'features' is not a JSON list of names".to_string())?;
        let flat = match get("flat")?.as_str() {
            "true" => true,
            "false" => false,
            other => return Err(format!("tree predictor metadata 'flat' is '{other}', expected true or false")),
        };
        let flat_length = flat.then(|| count("flat_length")).transpose()?;
        // Checked here, so that the feature count of a set built from a damaged file cannot
        // overflow.
        if flat_length.is_some_and(|length| length.checked_add(names.len()).is_none()) {
            return Err("tree predictor metadata 'flat_length' is too large".into());
        }
        let features = FeatureSet::new(names, flat_length, props.get("space").cloned());
        if features.len() != count("feature_count")? {
            return Err("tree predictor metadata: 'feature_count' does not match the features".into());
        }
        Ok(TreeMeta {
            features,
            label_field: get("label_field")?,
            label_scale: get("label_scale")?,
            library: get("library")?,
            training: get("training")?,
            training_count: count("training_count")?,
            training_digest: get("training_digest")?,
        })
    }
}
