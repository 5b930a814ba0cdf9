//! The Neural Predictor's settings as command-line flags, one definition for every search tool.

use np_gcn::GcnConfig;
use np_gcn::train::{RegressionLoss, TrainConfig};
use np_predictor::SpaceSignature;
use np_predictor::fit::{FitSettings, LabelScale};

/// GCN size and training flags (defaults: the paper's), flattened into a tool's arguments.
#[derive(clap::Args, Debug, Clone)]
pub struct PredictorArgs {
    /// GCN training epochs.
    #[arg(long, default_value_t = 300)]
    pub epochs: usize,

    /// GCN hidden size.
    #[arg(long, default_value_t = 144)]
    pub hidden: usize,

    /// GCN layers.
    #[arg(long, default_value_t = 3)]
    pub layers: usize,

    /// Adam learning rate.
    #[arg(long, default_value_t = 2e-4)]
    pub lr: f64,

    /// Weight decay (L2, coupled).
    #[arg(long, default_value_t = 1e-3)]
    pub weight_decay: f64,

    /// GCN mini-batch size.
    #[arg(long, default_value_t = 10)]
    pub batch: usize,

    /// Output range of the predictor in percent, LOW,HIGH.
    #[arg(long, default_value = "0,100", value_parser = parse_range)]
    pub label_range: (f64, f64),

    /// Weight of a pairwise ranking term beside the squared error (gcn-train --rank-weight;
    /// 0: the paper's loss alone).
    #[arg(long, default_value_t = 0.0, value_parser = parse_weight)]
    pub rank_weight: f64,
}

fn parse_weight(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(weight) if weight.is_finite() && weight >= 0.0 => Ok(weight),
        _ => Err(format!("expected a number ≥ 0, got '{text}'")),
    }
}

fn parse_range(text: &str) -> Result<(f64, f64), String> {
    let parts: Vec<f64> =
        text.split(',').map(|p| p.trim().parse::<f64>().map_err(|e| e.to_string())).collect::<Result<_, _>>()?;
    match parts.as_slice() {
        &[low, high] if low < high => Ok((low, high)),
        _ => Err(format!("expected LOW,HIGH with LOW < HIGH, got '{text}'")),
    }
}

impl PredictorArgs {
    /// One-stage settings for validation accuracies in percent; the search sets each fit's seed.
    pub fn fit_settings(&self, signature: &SpaceSignature) -> FitSettings {
        FitSettings {
            config: GcnConfig {
                input_width: signature.shape.op_count + signature.shape.feature_count,
                hidden: self.hidden,
                layers: self.layers,
                fc_hidden: 128,
                graph_features: 0,
            },
            training: TrainConfig {
                epochs: self.epochs,
                batch_size: self.batch,
                learning_rate: self.lr,
                weight_decay: self.weight_decay,
                dropout: 0.0,
                seed: 0,
            },
            label_field: "val_accuracy".into(),
            label_scale: LabelScale::Percent,
            label_range: self.label_range,
            threshold: None,
            graph_features: None,
            loss: RegressionLoss { rank_weight: self.rank_weight },
        }
    }
}
