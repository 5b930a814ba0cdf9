//! Gradient-boosted regression trees on cheap numeric features of an architecture line: its
//! zero-cost proxies, its parameter count or FLOPs, and the `flat` encoding of
//! `arch-encode --format flat`. What `gbt-train` writes and `gcn-score` reads besides GCN files.
//!
//! A tree predictor is one ONNX file (IR 8, default opset 17 plus `ai.onnx.ml` opset 3): an
//! `ai.onnx.ml` `TreeEnsembleRegressor` over the input `features` float32 [batch, F], squeezed
//! to the output `pred` `[batch]` like a GCN predictor's. The metadata (`format`
//! `neural-predictor/trees/1`) names the features in order, so that a scorer computes the same
//! vector from each line with the same code the trainer used ([`FeatureSet::values`]).
//!
//! - [`features`]: `--features proxies.synflow,params_m`, `proxies.*`, `--flat`, resolved on the
//!   first training line into a fixed list; missing or non-numeric features are bad lines.
//! - [`train`]: fitting with `forust-ml` (squared loss, base value the mean label) and taking
//!   the trees out of it.
//! - [`ensemble`]: the trees and their native evaluation, which is ONNX Runtime's.
//! - [`export`], [`load`], [`meta`]: the file.
//! - [`held_out`]: feature vectors of many cells and trees fitted on some and scored on the
//!   others, as the comparison benchmarks do.
//!
//! **Why `forust-ml`.** Measured on the 292 distinct zc500 cells (ten 172/120 splits, Kendall τ
//! on the 120; clean release builds on a loaded 2-core machine):
//! - `forust-ml` 0.8.0 (pure Rust, rayon): τ 0.46 on the nine proxies and 0.60 with the flat
//!   encoding at 300 trees of depth 4; 0.04 s a fit; the crate itself compiles in ~36 s and
//!   brings only `rand` 0.8, `thiserror` 1 and `log` besides what the workspace has. Its trees
//!   are public plain data (`split_feature`, `split_value` with `x < split_value` going left,
//!   `missing_node`, leaf `weight_value` with the learning rate applied), the explicit settings
//!   (trees, learning rate, depth, subsampling, seed) are the usual ones, and with
//!   `parallel = false` a fit is deterministic.
//! - `perpetual`: every stable release (1.x to 2.3) needs a nightly compiler
//!   (`#![feature(array_ptr_get)]`); 3.0.0-rc.2 builds on stable but is a release candidate, its
//!   regressor may add a linear head outside the trees, and the crate takes ~73 s to compile.
//!   τ 0.51 / 0.58 at budget 1.5: no better overall.
//! - `gbdt` 0.1.3: its trees are private (reachable only through its own serialisation) and
//!   it has seen no release since January 2024.
//! - `lightgbm3`: needs a C++ toolchain and CMake; not tried.
//!
//! Not done here: reading lines or files (the tools), running ONNX Runtime (`np-ort`),
//! classification or several targets, categorical splits, and missing feature values in lines (a
//! line without a feature is refused rather than sent down a default branch; only the
//! benchmarks' [`held_out`] vectors may hold NaN).

pub mod ensemble;
pub mod export;
pub mod features;
pub mod held_out;
pub mod load;
pub mod meta;
pub mod train;

pub use ensemble::TreeEnsemble;
pub use features::{FeatureRequest, FeatureSet};
pub use meta::{FORMAT, TreeMeta};
pub use train::{LIBRARY, TreeSettings};

use np_predictor::fit::{LabelScale, training_digest};

/// A trained tree predictor: its metadata and its trees.
#[derive(Debug, Clone)]
pub struct TreePredictor {
    pub meta: TreeMeta,
    pub ensemble: TreeEnsemble,
}

/// The training lines: one feature vector, id and label each.
#[derive(Debug, Clone, Default)]
pub struct TrainingRows {
    pub features: Vec<Vec<f64>>,
    pub ids: Vec<String>,
    pub labels: Vec<f64>,
}

impl TreePredictor {
    /// Fits trees on `rows`, whose vectors follow `features`, to the labels of `label_field`.
    pub fn fit(
        features: FeatureSet,
        rows: &TrainingRows,
        label_field: &str,
        settings: &TreeSettings,
    ) -> Result<Self, String> {
        let ensemble = train::fit(&rows.features, &rows.labels, features.len(), settings)?;
        let meta = TreeMeta {
            features,
            label_field: label_field.to_string(),
            label_scale: LabelScale::detect(&rows.labels).name().to_string(),
            library: LIBRARY.to_string(),
            training: settings.to_json(),
            training_count: rows.labels.len(),
            training_digest: training_digest(&rows.ids, &rows.labels),
        };
        Ok(TreePredictor { meta, ensemble })
    }

    /// Predictions for feature vectors (see [`TreeEnsemble::predict`]).
    pub fn predict(&self, rows: &[Vec<f64>]) -> Vec<f32> {
        rows.iter().map(|row| self.ensemble.predict(row)).collect()
    }
}

/// The format tag in the metadata of the ONNX file `bytes` (`neural-predictor/gcn/1`,
/// [`FORMAT`], ...), so that a scorer can tell which kind of predictor it holds.
pub fn file_format(bytes: &[u8]) -> Result<String, String> {
    let model = np_onnx::read_model(bytes).map_err(|e| format!("not an ONNX file: {e}"))?;
    model
        .metadata_map()
        .remove("format")
        .ok_or_else(|| "no 'format' in the file's metadata: not a predictor file of this project".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_predictor_survives_the_onnx_round_trip() {
        let features = FeatureSet::new(vec!["a".into(), "b".into()], Some(2), Some("nb101".into()));
        let rows = TrainingRows {
            features: (0..60).map(|i| vec![i as f64, (i % 7) as f64, (i % 2) as f64, 0.5]).collect(),
            ids: (0..60).map(|i| format!("id{i}")).collect(),
            labels: (0..60).map(|i| 90.0 + (i % 7) as f64 * 0.3 + (i % 2) as f64).collect(),
        };
        let settings = TreeSettings { trees: 30, ..TreeSettings::default() };
        let predictor = TreePredictor::fit(features, &rows, "val_accuracy", &settings).unwrap();
        let bytes = predictor.to_onnx();
        assert_eq!(file_format(&bytes).unwrap(), FORMAT);
        let read = TreePredictor::from_onnx(&bytes).unwrap();
        assert_eq!(read.ensemble, predictor.ensemble);
        assert_eq!(read.meta.features.names(), ["a", "b"]);
        assert_eq!((read.meta.features.flat_length, read.meta.features.space.as_deref()), (Some(2), Some("nb101")));
        assert_eq!(read.meta.training_count, 60);
        assert_eq!(read.meta.label_scale, "percent");
        assert_eq!(read.meta.training_digest, predictor.meta.training_digest);
        assert_eq!(read.to_onnx(), bytes, "writing what was read gives the same bytes");
        let preds = read.predict(&rows.features);
        let mse = preds.iter().zip(&rows.labels).map(|(p, y)| (*p as f64 - y).powi(2)).sum::<f64>() / 60.0;
        assert!(mse < 0.05, "training MSE {mse}");
    }

    /// Numbers in a damaged file are checked before anything is sized by them: such files once
    /// made the loader ask for terabytes, or overflowed the feature count.
    #[test]
    fn ids_and_lengths_beyond_the_file_are_errors() {
        let features = FeatureSet::new(vec!["a".into()], None, None);
        let rows = TrainingRows {
            features: (0..20).map(|i| vec![i as f64]).collect(),
            ids: (0..20).map(|i| format!("id{i}")).collect(),
            labels: (0..20).map(|i| (i % 5) as f64).collect(),
        };
        let settings = TreeSettings { trees: 2, ..TreeSettings::default() };
        let bytes = TreePredictor::fit(features, &rows, "y", &settings).unwrap().to_onnx();
        let edited = |edit: &dyn Fn(&mut np_onnx::proto::ModelProto)| {
            let mut model = np_onnx::read_model(&bytes).unwrap();
            edit(&mut model);
            TreePredictor::from_onnx(&np_onnx::write_model(&model)).unwrap_err()
        };
        for name in ["nodes_treeids", "nodes_nodeids"] {
            let error = edited(&|model| {
                let node = &mut model.graph.as_mut().unwrap().node[0];
                node.attribute.iter_mut().find(|a| a.name == name).unwrap().ints[0] = 1_000_000_000_000;
            });
            assert!(error.contains("numbered beyond"), "{name}: {error}");
        }
        let error = edited(&|model| {
            for (key, value) in [("flat", "true"), ("flat_length", "18446744073709551615")] {
                model.metadata_props.iter_mut().find(|entry| entry.key == key).unwrap().value = value.into();
            }
        });
        assert!(error.contains("'flat_length' is too large"), "{error}");
    }

    #[test]
    fn gcn_files_and_garbage_are_told_apart() {
        assert!(TreePredictor::from_onnx(b"not onnx at all").is_err());
        let mut model = np_onnx::ModelBuilder::new("g");
        model.metadata("format", "neural-predictor/gcn/1");
        let bytes = model.to_bytes();
        assert_eq!(file_format(&bytes).unwrap(), "neural-predictor/gcn/1");
        assert!(TreePredictor::from_onnx(&bytes).unwrap_err().contains("not a tree predictor"));
    }
}
