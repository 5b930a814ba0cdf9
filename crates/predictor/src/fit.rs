//! Training a predictor: label scale, one or two stages, and the training-data digest.

use md5::{Digest, Md5};
use np_gcn::train::{RegressionLoss, TrainConfig, train_from};
use np_gcn::{GcnConfig, GraphSample, Head};

use crate::graph_inputs::{GraphFeatureRequest, GraphFeatures};
use crate::{Predictor, PredictorMeta, SpaceSignature};

/// Whether labels are percentages (0–100) or fractions (0–1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelScale {
    Percent,
    Fraction,
}

impl LabelScale {
    /// Fractions when every label is at most 1 (accuracies of 1% do not occur in practice).
    pub fn detect(labels: &[f64]) -> Self {
        if labels.iter().all(|&y| y <= 1.0) { LabelScale::Fraction } else { LabelScale::Percent }
    }

    /// A value given in percent, in this scale's units.
    pub fn from_percent(self, percent: f64) -> f64 {
        match self {
            LabelScale::Percent => percent,
            LabelScale::Fraction => percent / 100.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            LabelScale::Percent => "percent",
            LabelScale::Fraction => "fraction",
        }
    }
}

/// The training lines: one graph, id and label each.
pub struct TrainingData {
    pub samples: Vec<GraphSample<f32>>,
    pub ids: Vec<String>,
    pub labels: Vec<f64>,
}

impl TrainingData {
    /// The [`training_digest`] of these lines.
    pub fn digest(&self) -> String {
        training_digest(&self.ids, &self.labels)
    }
}

/// md5 of `id<TAB>label<LF>` per training line, in order: identifies the training set in a
/// predictor file (`training_digest` in its metadata), whatever the model.
pub fn training_digest(ids: &[String], labels: &[f64]) -> String {
    let mut hasher = Md5::new();
    for (id, label) in ids.iter().zip(labels) {
        hasher.update(format!("{id}\t{label}\n").as_bytes());
    }
    hasher.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// How to train.
#[derive(Debug, Clone)]
pub struct FitSettings {
    pub config: GcnConfig,
    pub training: TrainConfig,
    pub label_field: String,
    pub label_scale: LabelScale,
    /// Output range of the regressor, in label units.
    pub label_range: (f64, f64),
    /// Two-stage threshold in label units: a classifier learns P(label > threshold) on all
    /// lines, the regressor learns only the lines above it.
    pub threshold: Option<f64>,
    /// Graph-level inputs (their raw values in each sample's `graph_features`): the network
    /// gets them standardised with the training lines' statistics. `config.graph_features` is
    /// set from them.
    pub graph_features: Option<GraphFeatureRequest>,
    /// What the regressor minimises besides the squared error (`gcn-train --rank-weight`); a
    /// non-zero ranking weight is recorded in the file's `training` metadata.
    pub loss: RegressionLoss,
}

/// Trains the predictor. With two stages the classifier and the regressor train in parallel.
/// `progress(stage, epoch, loss)` reports each epoch.
pub fn fit(
    space: &SpaceSignature,
    data: &TrainingData,
    settings: &FitSettings,
    progress: &(dyn Fn(&str, usize, f64) + Sync),
) -> Result<Predictor, String> {
    fit_from(space, data, settings, None, progress)
}

/// [`fit`] whose networks start from `previous`'s weights (a warm start, [`train_from`]): a
/// search in rounds refits on a training set that grew by one batch, and a short run from the
/// last round's networks does what a long run from scratch would. `previous` must have been
/// fitted with the same network shapes and stages; its classifier seeds the classifier.
pub fn fit_from(
    space: &SpaceSignature,
    data: &TrainingData,
    settings: &FitSettings,
    previous: Option<&Predictor>,
    progress: &(dyn Fn(&str, usize, f64) + Sync),
) -> Result<Predictor, String> {
    let loss = settings.loss;
    let (low, high) = settings.label_range;
    let graph_features = match &settings.graph_features {
        Some(request) => {
            let raw: Vec<_> = data.samples.iter().map(|s| &s.graph_features).collect();
            Some(GraphFeatures::fit(request, &raw)?)
        }
        None => None,
    };
    let scaled: Vec<GraphSample<f32>>;
    let samples = match &graph_features {
        Some(features) => {
            scaled =
                data.samples.iter().map(|s| s.clone().with_graph_features(features.scale(&s.graph_features))).collect();
            &scaled[..]
        }
        None => &data.samples[..],
    };
    let config =
        GcnConfig { graph_features: graph_features.as_ref().map_or(0, GraphFeatures::len), ..settings.config.clone() };
    let config = &config;
    if let Some(previous) = previous
        && (previous.meta.config != *config || previous.classifier.is_some() != settings.threshold.is_some())
    {
        return Err("a warm start needs a predictor of the same network shapes and stages".into());
    }
    // The regressor always learns in percent: with fractions the squared errors are 10⁴ times
    // smaller, the weight decay wins and the network collapses to a constant. The logit is the
    // same in either unit, so the trained weights serve the fraction range unchanged.
    let to_percent = match settings.label_scale {
        LabelScale::Percent => 1.0,
        LabelScale::Fraction => 100.0,
    };
    let head = Head::Regression { low: low * to_percent, high: high * to_percent };
    let train_regressor = |samples: &[GraphSample<f32>], labels: &[f64]| {
        let labels: Vec<f64> = labels.iter().map(|y| y * to_percent).collect();
        train_from(
            previous.map(|p| &p.regressor),
            samples,
            &labels,
            config,
            head,
            &settings.training,
            loss,
            |epoch, loss| progress("regressor", epoch, loss),
        )
    };
    let (regressor, classifier) = match settings.threshold {
        None => (train_regressor(samples, &data.labels), None),
        Some(threshold) => {
            let good: Vec<usize> = (0..data.labels.len()).filter(|&i| data.labels[i] > threshold).collect();
            if good.is_empty() {
                return Err(format!("no training label is above the two-stage threshold {threshold}"));
            }
            let good_samples: Vec<GraphSample<f32>> = good.iter().map(|&i| samples[i].clone()).collect();
            let good_labels: Vec<f64> = good.iter().map(|&i| data.labels[i]).collect();
            let classes: Vec<f64> = data.labels.iter().map(|&y| if y > threshold { 1.0 } else { 0.0 }).collect();
            let (regressor, classifier) = rayon::join(
                || train_regressor(&good_samples, &good_labels),
                || {
                    let initial = previous.and_then(|p| p.classifier.as_ref());
                    let plain = RegressionLoss::default();
                    train_from(
                        initial,
                        samples,
                        &classes,
                        config,
                        Head::Classifier,
                        &settings.training,
                        plain,
                        |epoch, loss| progress("classifier", epoch, loss),
                    )
                },
            );
            (regressor, Some(classifier))
        }
    };
    let t = &settings.training;
    // Only a non-zero ranking weight is written, so files trained as before keep their bytes.
    let rank = if loss.rank_weight > 0.0 { format!(",\"rank_weight\":{}", loss.rank_weight) } else { String::new() };
    let training = format!(
        "{{\"epochs\":{},\"batch_size\":{},\"learning_rate\":{},\"weight_decay\":{},\"dropout\":{},\"seed\":{},\"optimizer\":\"adam\",\"schedule\":\"cosine\"{rank}}}",
        t.epochs, t.batch_size, t.learning_rate, t.weight_decay, t.dropout, t.seed
    );
    let meta = PredictorMeta {
        space: space.name.clone(),
        op_vocabulary: space.op_vocabulary.clone(),
        node_features: space.node_features.clone(),
        max_nodes: space.shape.max_nodes,
        label_low: low,
        label_high: high,
        label_field: settings.label_field.clone(),
        label_scale: settings.label_scale.name().to_string(),
        threshold: settings.threshold,
        config: config.clone(),
        training,
        training_count: data.labels.len(),
        training_digest: data.digest(),
        graph_features,
        space_spec: np_spaces::declared::registry::spec_of(&space.name).map(|spec| spec.canonical_json()),
    };
    Ok(Predictor { meta, regressor, classifier })
}
