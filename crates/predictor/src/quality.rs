//! Judging a predictor on held-out cells: what the quality benchmarks (`zc500_quality`,
//! `nb201_quality`) read, measure and print, in one place so that every table computes its
//! numbers alike.
//!
//! Nothing here trains: the benchmarks call [`crate::fit::fit`] with their own settings, score
//! the held-out cells natively and hand predictions and truths to [`held_out_scores`].

use std::collections::BTreeMap;
use std::path::Path;

use np_gcn::GraphSample;

use crate::Scores;
use crate::fit::TrainingData;
use crate::graph_sample;

/// One distinct cell: its id, the model input and its label.
#[derive(Debug, Clone)]
pub struct LabelledCell {
    pub id: String,
    pub sample: GraphSample<f32>,
    pub label: f64,
}

/// Reads lines of `arch-encode --format graph` with a numeric `label` field. Lines with the same
/// id are one cell and their labels are averaged: a benchmark may list a cell once per training
/// run (zc500 does), and a cell in both the training and the test side of a split would leak.
/// Cells come out in id order, so a seeded split of them depends on the cells only, not on the
/// order of the file.
pub fn read_labelled_cells(path: &Path, label: &str) -> Result<Vec<LabelledCell>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut by_id: BTreeMap<String, (GraphSample<f32>, Vec<f64>)> = BTreeMap::new();
    for (number, line) in text.lines().enumerate() {
        let at = || format!("{}: line {}", path.display(), number + 1);
        let record: serde_json::Value = serde_json::from_str(line).map_err(|e| format!("{}: {e}", at()))?;
        let id = record["id"].as_str().ok_or_else(|| format!("{}: no string 'id'", at()))?.to_string();
        let value = record[label].as_f64().ok_or_else(|| format!("{}: no numeric '{label}'", at()))?;
        if !by_id.contains_key(&id) {
            let encoding: np_encoding::GraphEncoding = serde_json::from_value(record["graph"].clone())
                .map_err(|e| format!("{}: 'graph': {e} (encode with arch-encode --format graph)", at()))?;
            by_id.insert(id.clone(), (graph_sample(&encoding), Vec::new()));
        }
        by_id.get_mut(&id).expect("inserted above").1.push(value);
    }
    Ok(by_id
        .into_iter()
        .map(|(id, (sample, labels))| LabelledCell {
            id,
            sample,
            label: labels.iter().sum::<f64>() / labels.len() as f64,
        })
        .collect())
}

impl TrainingData {
    /// The cells at `indices` as training lines.
    pub fn from_cells(cells: &[LabelledCell], indices: &[usize]) -> Self {
        TrainingData {
            samples: indices.iter().map(|&i| cells[i].sample.clone()).collect(),
            ids: indices.iter().map(|&i| cells[i].id.clone()).collect(),
            labels: indices.iter().map(|&i| cells[i].label).collect(),
        }
    }
}

/// One number per scored architecture that orders them as the Neural Predictor search picks
/// them: with a classifier, those it deems good (`p_good` ≥ 0.5) first, each group by `pred`
/// (the two-stage regressor never saw a bad cell, so its `pred` alone ranks those poorly);
/// without one, `pred`. Rank correlations of these values measure the order a search uses.
pub fn search_order_values(scores: &[Scores]) -> Vec<f64> {
    // Predictions lie in the label range (at most 100 percent): 10⁶ puts every good one above
    // every other.
    scores.iter().map(|s| s.pred + if s.p_good.is_some_and(|p| p >= 0.5) { 1e6 } else { 0.0 }).collect()
}

/// Rank and error measurements of predictions against truths on held-out cells.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeldOutScores {
    /// Kendall τ-b over all cells.
    pub kendall_tau: f64,
    /// Spearman ρ over all cells.
    pub spearman_rho: f64,
    /// Mean squared error over all cells (label units).
    pub mse: f64,
    /// Kendall τ-b among the best cells by truth only (the top `top_fraction`): how well the
    /// predictor orders the cells a search ends up choosing between.
    pub top_kendall_tau: f64,
}

/// Measures `predictions` against `truths`; `top_fraction` (e.g. 0.1) picks the best cells by
/// truth for [`HeldOutScores::top_kendall_tau`] (at least two; ties at the cut are all taken
/// only as far as the count reaches, in truth order then position). Undefined values are NaN.
pub fn held_out_scores(predictions: &[f64], truths: &[f64], top_fraction: f64) -> HeldOutScores {
    let mut order: Vec<usize> = (0..truths.len()).collect();
    order.sort_by(|&a, &b| truths[b].total_cmp(&truths[a]).then(a.cmp(&b)));
    let top = ((truths.len() as f64 * top_fraction).round() as usize).clamp(2.min(truths.len()), truths.len());
    let pick = |values: &[f64]| order[..top].iter().map(|&i| values[i]).collect::<Vec<f64>>();
    HeldOutScores {
        kendall_tau: np_metrics::kendall_tau_b(predictions, truths).unwrap_or(f64::NAN),
        spearman_rho: np_metrics::spearman_rho(predictions, truths).unwrap_or(f64::NAN),
        mse: np_metrics::mse(predictions, truths).unwrap_or(f64::NAN),
        top_kendall_tau: np_metrics::kendall_tau_b(&pick(predictions), &pick(truths)).unwrap_or(f64::NAN),
    }
}

/// `mean ± std` to three decimals, the sample standard deviation (n − 1) over seeds.
pub fn mean_std(values: &[f64]) -> String {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    format!("{mean:.3} ± {std:.3}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_perfect_ranking_scores_one_and_the_top_cells_are_the_best_by_truth() {
        let truth: Vec<f64> = (0..20).map(f64::from).collect();
        let mut pred = truth.clone();
        let scores = held_out_scores(&pred, &truth, 0.1);
        assert_eq!((scores.kendall_tau, scores.spearman_rho, scores.mse, scores.top_kendall_tau), (1.0, 1.0, 0.0, 1.0));
        // Reversing the two best cells only: nearly perfect overall, reversed among the top 2.
        pred.swap(18, 19);
        let scores = held_out_scores(&pred, &truth, 0.1);
        assert!(scores.kendall_tau > 0.98);
        assert_eq!(scores.top_kendall_tau, -1.0);
    }

    #[test]
    fn the_search_order_puts_every_cell_the_classifier_deems_good_first() {
        let scores = [
            Scores { pred: 95.0, p_good: Some(0.2) },
            Scores { pred: 60.0, p_good: Some(0.9) },
            Scores { pred: 70.0, p_good: Some(0.5) },
            Scores { pred: 90.0, p_good: None },
        ];
        let values = search_order_values(&scores);
        assert!(values[2] > values[1] && values[1] > values[0] && values[0] > values[3]);
    }

    #[test]
    fn mean_std_uses_the_sample_deviation() {
        assert_eq!(mean_std(&[1.0, 3.0]), "2.000 ± 1.414");
        assert_eq!(mean_std(&[0.5]), "0.500 ± 0.000");
    }
}
