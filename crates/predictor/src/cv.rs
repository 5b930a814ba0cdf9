//! Hyper-parameter selection by cross-validation on the N training lines only (paper,
//! Section 3.2: hold out a third), and the paper's widening heuristic for the final model.

use np_gcn::train::TrainConfig;
use np_gcn::{GcnConfig, GraphSample};
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rayon::prelude::*;

use crate::SpaceSignature;
use crate::fit::{FitSettings, TrainingData, fit};

/// The values tried for each hyper-parameter; every combination is one candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    pub learning_rates: Vec<f64>,
    pub weight_decays: Vec<f64>,
    pub hidden_sizes: Vec<usize>,
    pub epochs: Vec<usize>,
    pub layers: Vec<usize>,
}

/// One candidate's settings and its mean held-out scores over the folds.
#[derive(Debug, Clone, PartialEq)]
pub struct CvResult {
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub hidden: usize,
    pub epochs: usize,
    pub layers: usize,
    pub kendall_tau: f64,
    pub mse: f64,
}

impl Grid {
    fn candidates(&self) -> Vec<(f64, f64, usize, usize, usize)> {
        let mut all = Vec::new();
        for &lr in &self.learning_rates {
            for &wd in &self.weight_decays {
                for &hidden in &self.hidden_sizes {
                    for &epochs in &self.epochs {
                        for &layers in &self.layers {
                            all.push((lr, wd, hidden, epochs, layers));
                        }
                    }
                }
            }
        }
        all
    }
}

/// Evaluates every grid candidate by `folds`-fold cross-validation (each fold holds out
/// 1/`folds` of the lines, a third by default) and returns the results, best first: highest mean
/// Kendall τ (ranking is what a search needs), then lowest MSE. Candidates are one-stage
/// regressors trained with `base`'s other settings (its loss included). All (candidate, fold) trainings run in
/// parallel; results do not depend on the thread count.
pub fn cross_validate(
    space: &SpaceSignature,
    data: &TrainingData,
    base: &FitSettings,
    grid: &Grid,
    folds: usize,
) -> Vec<CvResult> {
    let folds = folds.clamp(2, data.labels.len().max(2));
    let mut order: Vec<usize> = (0..data.labels.len()).collect();
    order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(base.training.seed));
    let fold_of = |position: usize| position * folds / order.len().max(1);
    let candidates = grid.candidates();
    let jobs: Vec<(usize, usize)> = (0..candidates.len()).flat_map(|c| (0..folds).map(move |f| (c, f))).collect();
    let scores: Vec<(f64, f64)> = jobs
        .par_iter()
        .map(|&(c, fold)| {
            let (lr, wd, hidden, epochs, layers) = candidates[c];
            let pick = |held_out: bool| -> Vec<usize> {
                (0..order.len()).filter(|&p| (fold_of(p) == fold) == held_out).map(|p| order[p]).collect()
            };
            let (train_idx, test_idx) = (pick(false), pick(true));
            let subset = TrainingData {
                samples: train_idx.iter().map(|&i| data.samples[i].clone()).collect(),
                ids: train_idx.iter().map(|&i| data.ids[i].clone()).collect(),
                labels: train_idx.iter().map(|&i| data.labels[i]).collect(),
            };
            let settings = FitSettings {
                config: GcnConfig { hidden, layers, ..base.config.clone() },
                training: TrainConfig { learning_rate: lr, weight_decay: wd, epochs, ..base.training.clone() },
                threshold: None,
                ..base.clone()
            };
            let predictor = fit(space, &subset, &settings, &|_, _, _| {}).expect("one-stage fitting cannot fail");
            let test: Vec<GraphSample<f32>> = test_idx.iter().map(|&i| data.samples[i].clone()).collect();
            let truth: Vec<f64> = test_idx.iter().map(|&i| data.labels[i]).collect();
            let pred: Vec<f64> = predictor.score_native(&test).iter().map(|s| s.pred).collect();
            let tau = np_metrics::kendall_tau_b(&pred, &truth).unwrap_or(f64::NAN);
            let mse = np_metrics::mse(&pred, &truth).unwrap_or(f64::NAN);
            (tau, mse)
        })
        .collect();
    let mut results: Vec<CvResult> = candidates
        .iter()
        .enumerate()
        .map(|(c, &(learning_rate, weight_decay, hidden, epochs, layers))| {
            let own = &scores[c * folds..(c + 1) * folds];
            let mean = |f: fn(&(f64, f64)) -> f64| own.iter().map(f).sum::<f64>() / folds as f64;
            CvResult {
                learning_rate,
                weight_decay,
                hidden,
                epochs,
                layers,
                kendall_tau: mean(|s| s.0),
                mse: mean(|s| s.1),
            }
        })
        .collect();
    results.sort_by(|a, b| {
        let tau = |r: &CvResult| if r.kendall_tau.is_nan() { f64::NEG_INFINITY } else { r.kendall_tau };
        tau(b).total_cmp(&tau(a)).then(a.mse.total_cmp(&b.mse))
    });
    results
}

/// A seeded random split of `count` items into `train` training and `count - train` test
/// positions (a ChaCha8 shuffle, then the first `train`): the splits of the zc500 quality
/// benchmarks, shared so that every predictor is judged on the same cells.
///
/// # Panics
/// If `train > count`.
pub fn random_split(count: usize, train: usize, seed: u64) -> (Vec<usize>, Vec<usize>) {
    let mut order: Vec<usize> = (0..count).collect();
    order.shuffle(&mut rand_chacha::ChaCha8Rng::seed_from_u64(seed));
    let test = order.split_off(train);
    (order, test)
}

/// The hidden size whose network has about `factor` times the parameters of `config` (the
/// paper's heuristic: train the final model, which sees all N lines instead of two thirds,
/// about 1.5× wider). `factor <= 1` keeps the size.
pub fn widened_hidden(config: &GcnConfig, factor: f64) -> usize {
    if factor <= 1.0 {
        return config.hidden;
    }
    let target = config.parameter_count() as f64 * factor;
    (config.hidden..=config.hidden * 4)
        .min_by(|&a, &b| {
            let count = |h: usize| GcnConfig { hidden: h, ..config.clone() }.parameter_count() as f64;
            (count(a) - target).abs().total_cmp(&(count(b) - target).abs())
        })
        .unwrap_or(config.hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widening_by_one_and_a_half_grows_the_parameter_count_by_about_that() {
        let config = GcnConfig::paper(5);
        let wide = widened_hidden(&config, 1.5);
        let ratio =
            GcnConfig { hidden: wide, ..config.clone() }.parameter_count() as f64 / config.parameter_count() as f64;
        assert!((ratio - 1.5).abs() < 0.02, "hidden {wide}, ratio {ratio}");
        assert_eq!(widened_hidden(&config, 1.0), 144);
    }
}
