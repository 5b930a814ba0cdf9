//! Cheap signals against the GCN on real NAS-Bench-101 cells (the benchmark behind
//! `make bench-trees`).
//!
//! Input: `zc500.jsonl` encoded by `arch-encode --format flat`; the GCN's graph encoding is
//! computed from each line's cell (`np_predictor::encode_architecture`). The 500 lines hold 292 distinct cells; twins (same id)
//! are merged first, their single-run accuracies and their zero-cost proxies averaged. For each
//! of ten seeds, the 172/120 split of `zc500_quality` (`np_predictor::cv::random_split`): the
//! one-stage GCN with `gcn-train`'s defaults, the same GCN given the nine proxies as graph-level
//! inputs (`gcn-train --graph-features 'proxies.*'`, with the signed log transform and, for
//! comparison, without it), and trees with `gbt-train`'s defaults on
//! several feature sets (the same feature code as `gbt-train` and `gcn-score`), scored on the
//! 120. Prints Markdown tables: Kendall τ and MSE (mean ± std), and each proxy's own Spearman ρ
//! with the accuracy over the 292 cells.
//!
//! Usage: zc500_trees ENCODED.jsonl [SEEDS]

use std::collections::BTreeMap;

use np_encoding::GraphEncoding;
use np_gcn::GcnConfig;
use np_gcn::train::TrainConfig;
use np_predictor::cv::random_split;
use np_predictor::fit::{FitSettings, LabelScale, TrainingData, fit};
use np_predictor::graph_inputs::{GraphFeatureRequest, GraphTransform};
use np_predictor::{SpaceSignature, encode_architecture, graph_sample, graph_sample_with_features};
use np_trees::held_out::{MissingFields, ZERO_COST_FEATURE_SETS, feature_rows, fit_and_predict, mean_std};
use np_trees::{FeatureRequest, FeatureSet, TreeSettings};
use rayon::prelude::*;
use serde_json::{Map, Value};

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// One distinct cell: its merged line (averaged accuracy and proxies) and its graph.
struct Cell {
    id: String,
    record: Value,
    graph: GraphEncoding,
    accuracy: f64,
}

/// Single signals whose own ranking is shown beside the models: name and JSON pointer.
const SIGNALS: [(&str, &str); 3] =
    [("params_m", "/params_m"), ("proxies.synflow", "/proxies/synflow"), ("proxies.jacov", "/proxies/jacov")];

/// Merges the lines of each id: the first line, with `val_accuracy` and every member of
/// `proxies` averaged over the twins (their proxies were measured on each twin separately).
fn merge_twins(text: &str) -> Vec<Cell> {
    let mut by_id: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for line in text.lines().filter(|line| !line.trim().is_empty()) {
        let record: Value = serde_json::from_str(line).expect("JSON line");
        by_id.entry(record["id"].as_str().expect("id").to_string()).or_default().push(record);
    }
    by_id
        .into_iter()
        .map(|(id, twins)| {
            let mean = |get: &dyn Fn(&Value) -> f64| twins.iter().map(get).sum::<f64>() / twins.len() as f64;
            let accuracy = mean(&|r| r["val_accuracy"].as_f64().expect("val_accuracy"));
            let mut record = twins[0].clone();
            let names: Vec<String> = record["proxies"].as_object().expect("proxies").keys().cloned().collect();
            let proxies: Map<String, Value> = names
                .iter()
                .map(|name| (name.clone(), Value::from(mean(&|r| r["proxies"][name].as_f64().expect("proxy")))))
                .collect();
            record["proxies"] = Value::Object(proxies);
            record["val_accuracy"] = Value::from(accuracy);
            let graph = encode_architecture("nb101", &record).expect("an NAS-Bench-101 cell");
            Cell { id, record, graph, accuracy }
        })
        .collect()
}

/// Kendall τ-b and MSE of `pred` against `truth`.
fn scores(pred: &[f64], truth: &[f64]) -> (f64, f64) {
    (np_metrics::kendall_tau_b(pred, truth).unwrap_or(f64::NAN), np_metrics::mse(pred, truth).unwrap_or(f64::NAN))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let path = args.get(1).expect("usage: zc500_trees ENCODED.jsonl [SEEDS]");
    let seeds: u64 = args.get(2).map_or(10, |s| s.parse().expect("seed count"));
    let cells = merge_twins(&std::fs::read_to_string(path).expect("readable input"));
    let truth_all: Vec<f64> = cells.iter().map(|c| c.accuracy).collect();
    let records: Vec<Value> = cells.iter().map(|c| c.record.clone()).collect();
    let (feature_sets, vectors): (Vec<FeatureSet>, Vec<Vec<Vec<f64>>>) = ZERO_COST_FEATURE_SETS
        .iter()
        .map(|(_, patterns, flat)| {
            let request = FeatureRequest { patterns: patterns.iter().map(|p| p.to_string()).collect(), flat: *flat };
            feature_rows(&records, &request, MissingFields::Refuse).expect("every feature of every cell")
        })
        .unzip();
    let all_ids: Vec<String> = cells.iter().map(|c| c.id.clone()).collect();
    let space = SpaceSignature::named("nb101").expect("nb101");
    let start = std::time::Instant::now();
    // Per seed: (τ, MSE) of the GCN, the GCN with proxies (signed log, identity), then of each
    // tree row.
    let proxies_set = &feature_sets[0];
    let results: Vec<Vec<(f64, f64)>> = (0..seeds)
        .into_par_iter()
        .map(|seed| {
            let (train_idx, test_idx) = random_split(cells.len(), 172, seed);
            let truth: Vec<f64> = test_idx.iter().map(|&i| cells[i].accuracy).collect();
            let ids: Vec<String> = train_idx.iter().map(|&i| cells[i].id.clone()).collect();
            let labels: Vec<f64> = train_idx.iter().map(|&i| cells[i].accuracy).collect();
            let data = TrainingData {
                samples: train_idx.iter().map(|&i| graph_sample(&cells[i].graph)).collect(),
                ids: ids.clone(),
                labels: labels.clone(),
            };
            // `zc500_quality`'s one-stage predictor, exactly.
            let settings = FitSettings {
                config: GcnConfig::paper(space.shape.op_count),
                training: TrainConfig { seed, ..TrainConfig::default() },
                label_field: "val_accuracy".into(),
                label_scale: LabelScale::Percent,
                label_range: (10.0, 100.0),
                threshold: None,
                graph_features: None,
                loss: Default::default(),
            };
            let gcn = fit(&space, &data, &settings, &|_, _, _| {}).expect("GCN training");
            let test: Vec<_> = test_idx.iter().map(|&i| graph_sample(&cells[i].graph)).collect();
            let pred: Vec<f64> = gcn.score_native(&test).iter().map(|s| s.pred).collect();
            let mut row = vec![scores(&pred, &truth)];
            for transform in [GraphTransform::SignedLog1p, GraphTransform::Identity] {
                let with_proxies = |idx: &[usize]| -> Vec<_> {
                    idx.iter().map(|&i| graph_sample_with_features(&cells[i].graph, &vectors[0][i])).collect()
                };
                let data = TrainingData { samples: with_proxies(&train_idx), ids: ids.clone(), labels: labels.clone() };
                let settings = FitSettings {
                    graph_features: Some(GraphFeatureRequest { names: proxies_set.names(), transform }),
                    ..settings.clone()
                };
                let gcn = fit(&space, &data, &settings, &|_, _, _| {}).expect("GCN training");
                let pred: Vec<f64> = gcn.score_native(&with_proxies(&test_idx)).iter().map(|s| s.pred).collect();
                row.push(scores(&pred, &truth));
            }
            let settings = TreeSettings { seed, ..TreeSettings::default() };
            for (set, rows) in feature_sets.iter().zip(&vectors) {
                let split = (&train_idx[..], &test_idx[..]);
                let pred = fit_and_predict(set, rows, &all_ids, &truth_all, split, &settings).expect("trees");
                row.push(scores(&pred, &truth));
            }
            row
        })
        .collect();

    let defaults = TreeSettings::default();
    println!(
        "{} distinct cells, {seeds} seeds of 172 train / 120 test, {:.0} s; trees: {} trees, depth {}, learning rate {}",
        cells.len(),
        start.elapsed().as_secs_f64(),
        defaults.trees,
        defaults.max_depth,
        defaults.learning_rate
    );
    println!();
    println!("| predictor | features | Kendall τ (120 test cells) | MSE (120 test cells) |");
    println!("|---|---|---|---|");
    let column = |r: usize, f: fn(&(f64, f64)) -> f64| mean_std(&results.iter().map(|s| f(&s[r])).collect::<Vec<_>>());
    println!("| GCN, one stage | graph | {} | {} |", column(0, |s| s.0), column(0, |s| s.1));
    let g = proxies_set.len();
    println!("| GCN + proxies (graph-level inputs) | graph + {g} | {} | {} |", column(1, |s| s.0), column(1, |s| s.1));
    println!("| GCN + proxies, no log transform | graph + {g} | {} | {} |", column(2, |s| s.0), column(2, |s| s.1));
    for (r, ((name, _, _), set)) in ZERO_COST_FEATURE_SETS.iter().zip(&feature_sets).enumerate() {
        let flat = set.flat_length.map(|n| format!(" + flat[{n}]")).unwrap_or_default();
        let fields = set.names().len();
        println!("| {name} | {fields}{flat} | {} | {} |", column(r + 3, |s| s.0), column(r + 3, |s| s.1));
    }
    // A signal used as the ranking itself, without training, on the same test cells.
    for signal in SIGNALS {
        let values: Vec<f64> =
            cells.iter().map(|c| c.record.pointer(signal.1).and_then(Value::as_f64).expect("signal")).collect();
        let taus: Vec<f64> = (0..seeds)
            .map(|seed| {
                let (_, test_idx) = random_split(cells.len(), 172, seed);
                let pick = |v: &[f64]| test_idx.iter().map(|&i| v[i]).collect::<Vec<f64>>();
                np_metrics::kendall_tau_b(&pick(&values), &pick(&truth_all)).unwrap_or(f64::NAN)
            })
            .collect();
        println!("| no model: the value of {} | 1 | {} | – |", signal.0, mean_std(&taus));
    }
    println!();
    println!("| proxy | Spearman ρ with val_accuracy (292 cells) |");
    println!("|---|---|");
    let proxies = &feature_sets[0];
    let mut rhos: Vec<(String, f64)> = (0..proxies.len())
        .map(|j| {
            let values: Vec<f64> = vectors[0].iter().map(|row| row[j]).collect();
            (proxies.feature_name(j), np_metrics::spearman_rho(&values, &truth_all).unwrap_or(f64::NAN))
        })
        .collect();
    for cost in ["params_m", "flops_m"] {
        let values: Vec<f64> = cells.iter().map(|c| c.record[cost].as_f64().expect("cost")).collect();
        rhos.push((cost.to_string(), np_metrics::spearman_rho(&values, &truth_all).unwrap_or(f64::NAN)));
    }
    rhos.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
    for (name, rho) in rhos {
        println!("| {name} | {rho:+.3} |");
    }
}
