//! Predictor quality on real NAS-Bench-101 cells (the benchmark behind `make bench-quality`).
//!
//! Input: `zc500.jsonl` encoded by `arch-encode --format graph`. The 500 lines hold 292
//! distinct cells; twins (same id) are merged first, their single-run accuracies averaged, so
//! no test cell leaks into training. For each of ten seeds: a random 172/120 split, a one-stage
//! and a two-stage predictor trained with the defaults of `gcn-train`, scored on the 120.
//! Prints a Markdown table of mean ± std.
//!
//! Usage: zc500_quality ENCODED.jsonl [SEEDS]

use np_gcn::GcnConfig;
use np_gcn::train::TrainConfig;
use np_predictor::SpaceSignature;
use np_predictor::cv::random_split;
use np_predictor::fit::{FitSettings, LabelScale, TrainingData, fit};
use np_predictor::quality::{mean_std, read_labelled_cells};
use rayon::prelude::*;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Default, Clone)]
struct Scores {
    tau_all: f64,
    mse_all: f64,
    tau_good: f64,
    mse_good: f64,
    classifier_accuracy: f64,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: zc500_quality ENCODED.jsonl [SEEDS]");
    let seeds: u64 = args.get(2).map_or(10, |s| s.parse().expect("seed count"));
    let cells = read_labelled_cells(path.as_ref(), "val_accuracy").unwrap_or_else(|e| panic!("{e}"));
    let space = SpaceSignature::named("nb101").expect("nb101");
    let threshold = 91.0;
    let start = std::time::Instant::now();
    let results: Vec<(Scores, Scores)> = (0..seeds)
        .into_par_iter()
        .map(|seed| {
            let (train_idx, test_idx) = random_split(cells.len(), 172, seed);
            let data = TrainingData::from_cells(&cells, &train_idx);
            let test: Vec<_> = test_idx.iter().map(|&i| cells[i].sample.clone()).collect();
            let truth: Vec<f64> = test_idx.iter().map(|&i| cells[i].label).collect();
            let good: Vec<usize> = (0..truth.len()).filter(|&i| truth[i] > threshold).collect();
            let evaluate = |two_stage: bool| {
                let settings = FitSettings {
                    config: GcnConfig::paper(space.shape.op_count),
                    training: TrainConfig { seed, ..TrainConfig::default() },
                    label_field: "val_accuracy".into(),
                    label_scale: LabelScale::Percent,
                    label_range: (10.0, 100.0),
                    threshold: two_stage.then_some(threshold),
                    graph_features: None,
                    loss: Default::default(),
                };
                let predictor = fit(&space, &data, &settings, &|_, _, _| {}).expect("training");
                let scores = predictor.score_native(&test);
                let pred: Vec<f64> = scores.iter().map(|s| s.pred).collect();
                let pick = |v: &[f64]| good.iter().map(|&i| v[i]).collect::<Vec<f64>>();
                let classifier_accuracy = scores
                    .iter()
                    .zip(&truth)
                    .filter(|(s, t)| s.p_good.is_some_and(|p| (p >= 0.5) == (**t > threshold)))
                    .count() as f64
                    / truth.len() as f64;
                Scores {
                    tau_all: np_metrics::kendall_tau_b(&pred, &truth).unwrap_or(f64::NAN),
                    mse_all: np_metrics::mse(&pred, &truth).unwrap_or(f64::NAN),
                    tau_good: np_metrics::kendall_tau_b(&pick(&pred), &pick(&truth)).unwrap_or(f64::NAN),
                    mse_good: np_metrics::mse(&pick(&pred), &pick(&truth)).unwrap_or(f64::NAN),
                    classifier_accuracy,
                }
            };
            (evaluate(false), evaluate(true))
        })
        .collect();
    let column = |f: &dyn Fn(&(Scores, Scores)) -> f64| mean_std(&results.iter().map(f).collect::<Vec<_>>());
    println!(
        "{} distinct cells, {seeds} seeds of 172 train / 120 test, threshold {threshold}%, {:.0} s",
        cells.len(),
        start.elapsed().as_secs_f64()
    );
    println!();
    println!(
        "| predictor | Kendall τ (all 120) | MSE (all 120) | Kendall τ (test cells > 91%) | MSE (test cells > 91%) | classifier accuracy |"
    );
    println!("|---|---|---|---|---|---|");
    println!(
        "| one-stage | {} | {} | {} | {} | – |",
        column(&|r| r.0.tau_all),
        column(&|r| r.0.mse_all),
        column(&|r| r.0.tau_good),
        column(&|r| r.0.mse_good)
    );
    println!(
        "| two-stage (regressor) | {} | {} | {} | {} | {} |",
        column(&|r| r.1.tau_all),
        column(&|r| r.1.mse_all),
        column(&|r| r.1.tau_good),
        column(&|r| r.1.mse_good),
        column(&|r| r.1.classifier_accuracy)
    );
}
