//! NAAP-440: final accuracy from the scheme alone and after E epochs (the benchmark behind
//! `make bench-naap`).
//!
//! Input: the 440 lines of `naap-lines --epochs 9`, encoded by `arch-encode --space naap
//! --format flat`; the GCN's graph encoding is computed from each line's scheme
//! (`np_predictor::encode_architecture`). The split is NAAP-440's own (`is_test`: 400 train,
//! 40 test). For E = 0, 1, 2, 3, 5, 9:
//! - trees with `gbt-train`'s defaults on the cost fields, the early-training fields
//!   e1..eE (accuracy, loss mean, loss median) and the flat encoding;
//! - the same trees with the GCN's prediction as one more feature (stacked: out-of-fold
//!   predictions on the 400 from five folds, the GCN trained on all 400 for the 40);
//! - for E = 0 the one-stage GCN on the scheme graph (`--weight-decay 0 --lr 1e-3 --epochs 40`),
//!   for E > 0 the same GCN with e1..eE as graph-level inputs (standardised, no transform);
//! - for E > 0 the ranking by `eE_accuracy` itself, and a least-squares line from it to the
//!   final accuracy fitted on the 400 (its MAE).
//!
//! Scored on the 40 test models: MAE (accuracy as a fraction) and NAAP-440's monotonicity
//! (1 − violations / 780 pairs) with the violation count. Each model is trained with seeds
//! 0..SEEDS; a column shows mean ± std over the seeds when they differ.
//!
//! Usage: naap440_table ENCODED.jsonl [SEEDS]

use np_gcn::GcnConfig;
use np_gcn::train::TrainConfig;
use np_predictor::fit::{FitSettings, LabelScale, TrainingData, fit};
use np_predictor::graph_inputs::{GraphFeatureRequest, GraphTransform};
use np_predictor::{SpaceSignature, encode_architecture, graph_sample, graph_sample_with_features};
use np_trees::{FeatureRequest, TrainingRows, TreePredictor, TreeSettings};
use rayon::prelude::*;
use serde_json::Value;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The epoch counts of the table (NAAP-440 publishes up to 9 in its baseline).
const EPOCH_COUNTS: [usize; 6] = [0, 1, 2, 3, 5, 9];

/// The cost fields of `naap-lines`, the scheme's own numbers.
const COST_FIELDS: [&str; 6] =
    ["num_params", "num_macs", "num_layers", "num_stages", "first_layer_width", "last_layer_width"];

/// Folds of the GCN's out-of-fold predictions on the training models (stacking).
const FOLDS: usize = 5;

/// One model's scores on the test set: MAE and the violation count (of 780 pairs).
#[derive(Debug, Clone, Copy)]
struct Scores {
    mae: f64,
    violations: u64,
    pairs: u64,
}

impl Scores {
    fn of(pred: &[f64], truth: &[f64]) -> Self {
        let m = np_metrics::monotonicity(pred, truth);
        Scores { mae: np_metrics::mae(pred, truth).unwrap_or(f64::NAN), violations: m.violations, pairs: m.pairs }
    }

    fn monotonicity(&self) -> f64 {
        1.0 - self.violations as f64 / self.pairs as f64
    }
}

/// `mean` when every value is the same (to the shown digits), else `mean ± std`.
fn mean_std(values: &[f64], digits: usize) -> String {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0)).sqrt();
    if std < 0.5 * 10f64.powi(-(digits as i32)) {
        format!("{mean:.digits$}")
    } else {
        format!("{mean:.digits$} ± {std:.digits$}")
    }
}

/// One table row from the scores of each seed.
fn row(name: &str, features: &str, runs: &[Scores], with_mae: bool) -> String {
    let monotonicity: Vec<f64> = runs.iter().map(Scores::monotonicity).collect();
    let violations: Vec<f64> = runs.iter().map(|s| s.violations as f64).collect();
    let digits = if violations.iter().all(|&v| v == violations[0]) { 0 } else { 1 };
    let mae: Vec<f64> = runs.iter().map(|s| s.mae).collect();
    let mae = if with_mae { mean_std(&mae, 4) } else { "–".into() };
    format!("| {name} | {features} | {} | {} | {mae} |", mean_std(&monotonicity, 4), mean_std(&violations, digits))
}

/// Least squares `y ≈ a + b·x`.
fn fit_line(x: &[f64], y: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let b = sxy / sxx;
    (my - b * mx, b)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: naap440_table ENCODED.jsonl [SEEDS]");
    let seeds: u64 = args.get(2).map_or(5, |s| s.parse().expect("seed count"));
    let records: Vec<Value> = std::fs::read_to_string(path)
        .expect("readable input")
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect();
    let is_test = |r: &Value| r["is_test"].as_u64().expect("is_test") == 1;
    let train: Vec<&Value> = records.iter().filter(|r| !is_test(r)).collect();
    let test: Vec<&Value> = records.iter().filter(|r| is_test(r)).collect();
    let accuracy = |r: &&Value| r["accuracy"].as_f64().expect("accuracy");
    let labels: Vec<f64> = train.iter().map(accuracy).collect();
    let truth: Vec<f64> = test.iter().map(accuracy).collect();
    let ids: Vec<String> = train.iter().map(|r| r["id"].as_str().expect("id").to_string()).collect();
    let start = std::time::Instant::now();

    // The GCN on the scheme graph, one run per seed.
    let space = SpaceSignature::named("naap").expect("naap");
    let graphs = |set: &[&Value]| -> Vec<_> {
        set.iter().map(|r| graph_sample(&encode_architecture("naap", r).expect("a naap scheme"))).collect()
    };
    let data = TrainingData { samples: graphs(&train), ids: ids.clone(), labels: labels.clone() };
    let test_graphs = graphs(&test);
    // One GCN fit; `graph_features` names the graph-level inputs the samples carry (raw).
    let fit_gcn_on = |seed: u64, data: &TrainingData, graph_features: Option<GraphFeatureRequest>| {
        let settings = FitSettings {
            config: GcnConfig::paper(space.shape.op_count + space.shape.feature_count),
            training: TrainConfig {
                seed,
                epochs: 40,
                learning_rate: 1e-3,
                weight_decay: 0.0,
                ..TrainConfig::default()
            },
            label_field: "accuracy".into(),
            label_scale: LabelScale::Fraction,
            label_range: (0.1, 1.0),
            threshold: None,
            graph_features,
            loss: Default::default(),
        };
        fit(&space, data, &settings, &|_, _, _| {}).expect("GCN training")
    };
    let fit_gcn = |seed: u64, rows: &[usize]| {
        let data = TrainingData {
            samples: rows.iter().map(|&i| data.samples[i].clone()).collect(),
            ids: rows.iter().map(|&i| data.ids[i].clone()).collect(),
            labels: rows.iter().map(|&i| data.labels[i]).collect(),
        };
        fit_gcn_on(seed, &data, None)
    };
    let predict = |gcn: &np_predictor::Predictor, samples: &[_]| -> Vec<f64> {
        gcn.score_native(samples).iter().map(|s| s.pred).collect()
    };
    // Per seed: the GCN trained on the 400 and its predictions on the 40, and its out-of-fold
    // predictions on the 400 (five folds, position mod 5), which the stacked trees learn from.
    let gcn_runs: Vec<(Vec<f64>, Vec<f64>)> = (0..seeds)
        .into_par_iter()
        .map(|seed| {
            let all: Vec<usize> = (0..train.len()).collect();
            let test_pred = predict(&fit_gcn(seed, &all), &test_graphs);
            let mut out_of_fold = vec![f64::NAN; train.len()];
            for fold in 0..FOLDS {
                let (held, kept): (Vec<usize>, Vec<usize>) = all.iter().partition(|&&i| i % FOLDS == fold);
                let held_graphs: Vec<_> = held.iter().map(|&i| data.samples[i].clone()).collect();
                for (i, pred) in held.iter().zip(predict(&fit_gcn(seed, &kept), &held_graphs)) {
                    out_of_fold[*i] = pred;
                }
            }
            (test_pred, out_of_fold)
        })
        .collect();
    let gcn_scores: Vec<Scores> = gcn_runs.iter().map(|(pred, _)| Scores::of(pred, &truth)).collect();

    let defaults = TreeSettings::default();
    println!(
        "NAAP-440: {} train / {} test models; trees: {} trees, depth {}, learning rate {}; GCN: 40 epochs, lr 1e-3, no weight decay; {seeds} seeds",
        train.len(),
        test.len(),
        defaults.trees,
        defaults.max_depth,
        defaults.learning_rate
    );
    println!("features: cost = the 6 cost fields; e1..eE = each epoch's accuracy, loss mean and loss median");
    println!();
    println!("| E | predictor | features | monotonicity (40 test models) | violations (of 780) | MAE |");
    println!("|---|---|---|---|---|---|");
    for epochs in EPOCH_COUNTS {
        let mut patterns: Vec<String> = COST_FIELDS.iter().map(|f| f.to_string()).collect();
        let mut early_patterns: Vec<String> = Vec::new();
        for kind in ["accuracy", "loss_mean", "loss_median"] {
            early_patterns.extend((1..=epochs).map(|e| format!("e{e}_{kind}")));
        }
        patterns.extend(early_patterns.iter().cloned());
        let set = FeatureRequest { patterns: patterns.clone(), flat: true }
            .resolve(train[0], 1)
            .expect("first line's features");
        let vectors = |set_of: &[&Value]| -> Vec<Vec<f64>> {
            set_of.iter().map(|r| set.values(r, 1).expect("every feature")).collect()
        };
        let rows = TrainingRows { features: vectors(&train), ids: ids.clone(), labels: labels.clone() };
        let test_rows = vectors(&test);
        let tree_runs: Vec<Scores> = (0..seeds)
            .into_par_iter()
            .map(|seed| {
                let settings = TreeSettings { seed, ..TreeSettings::default() };
                let trees = TreePredictor::fit(set.clone(), &rows, "accuracy", &settings).expect("trees");
                let pred: Vec<f64> = trees.predict(&test_rows).into_iter().map(f64::from).collect();
                Scores::of(&pred, &truth)
            })
            .collect();
        let early = match epochs {
            0 => String::new(),
            1 => " + e1".to_string(),
            _ => format!(" + e1..e{epochs}"),
        };
        let flat = set.flat_length.unwrap_or(0);
        println!("{}", row(&format!("{epochs} | trees"), &format!("cost{early} + flat[{flat}]"), &tree_runs, true));
        // The same trees with the GCN's prediction as one more feature: out-of-fold on the
        // 400, from the GCN trained on all 400 on the 40.
        let with_gcn = |record: &Value, pred: f64| {
            let mut record = record.clone();
            record["gcn_pred"] = Value::from(pred);
            record
        };
        patterns.push("gcn_pred".into());
        let stacked_set = FeatureRequest { patterns, flat: true }
            .resolve(&with_gcn(train[0], 0.5), 1)
            .expect("first line's features");
        let stacked_runs: Vec<Scores> = (0..seeds)
            .into_par_iter()
            .map(|seed| {
                let (test_pred, out_of_fold) = &gcn_runs[seed as usize];
                let vectors = |set_of: &[&Value], preds: &[f64]| -> Vec<Vec<f64>> {
                    set_of
                        .iter()
                        .zip(preds)
                        .map(|(r, &p)| stacked_set.values(&with_gcn(r, p), 1).expect("every feature"))
                        .collect()
                };
                let rows =
                    TrainingRows { features: vectors(&train, out_of_fold), ids: ids.clone(), labels: labels.clone() };
                let settings = TreeSettings { seed, ..TreeSettings::default() };
                let trees = TreePredictor::fit(stacked_set.clone(), &rows, "accuracy", &settings).expect("trees");
                let pred: Vec<f64> = trees.predict(&vectors(&test, test_pred)).into_iter().map(f64::from).collect();
                Scores::of(&pred, &truth)
            })
            .collect();
        println!(
            "{}",
            row(
                &format!("{epochs} | trees + GCN prediction (stacked)"),
                &format!("cost{early} + flat[{flat}] + GCN"),
                &stacked_runs,
                true
            )
        );
        if epochs == 0 {
            println!("{}", row("0 | GCN, one stage", "scheme graph", &gcn_scores, true));
        } else {
            // The one-stage GCN on the scheme graph with e1..eE as graph-level inputs
            // (standardised on the 400 by `fit`; no transform, the values are of order 1).
            let early_set = FeatureRequest { patterns: early_patterns, flat: false }
                .resolve(train[0], 1)
                .expect("first line's early fields");
            let with_early = |set_of: &[&Value]| -> Vec<_> {
                set_of
                    .iter()
                    .map(|r| {
                        let encoding = encode_architecture("naap", r).expect("a naap scheme");
                        graph_sample_with_features(&encoding, &early_set.values(r, 1).expect("every early field"))
                    })
                    .collect()
            };
            let early_data = TrainingData { samples: with_early(&train), ids: ids.clone(), labels: labels.clone() };
            let early_test = with_early(&test);
            let request = GraphFeatureRequest { names: early_set.names(), transform: GraphTransform::Identity };
            let early_gcn_runs: Vec<Scores> = (0..seeds)
                .into_par_iter()
                .map(|seed| {
                    let gcn = fit_gcn_on(seed, &early_data, Some(request.clone()));
                    Scores::of(&predict(&gcn, &early_test), &truth)
                })
                .collect();
            println!(
                "{}",
                row(
                    &format!("{epochs} | GCN{early} (graph-level inputs)"),
                    &format!("scheme graph{early}"),
                    &early_gcn_runs,
                    true
                )
            );
            let field = format!("e{epochs}_accuracy");
            let value = |r: &&Value| r[&field].as_f64().expect("early accuracy");
            let x_train: Vec<f64> = train.iter().map(value).collect();
            let x_test: Vec<f64> = test.iter().map(value).collect();
            let (a, b) = fit_line(&x_train, &labels);
            let line: Vec<f64> = x_test.iter().map(|x| a + b * x).collect();
            // The value itself ranks; a line fitted on the 400 (positive slope, the same order)
            // gives it an MAE.
            let scores = Scores { mae: Scores::of(&line, &truth).mae, ..Scores::of(&x_test, &truth) };
            println!(
                "{}",
                row(&format!("{epochs} | no model: {field} (MAE: a line fitted on the 400)"), "1", &[scores], true)
            );
        }
    }
    println!();
    println!("{:.0} s", start.elapsed().as_secs_f64());
}
