//! Cheap signals against the GCN on NAS-Bench-201 (the benchmark behind
//! `make bench-nb201-trees`). Two parts:
//!
//! (a) NAS-Bench-Suite-Zero's cells (`zc491.jsonl` encoded by `arch-encode --space nb201
//! --format flat`), each dataset on its own: 491 distinct cells with a 200-epoch
//! `val_accuracy`, nine proxies, `params_m` and `flops_m`. Ten seeded splits of the zc500
//! benchmarks' proportion, 172 of 292 for training: 289 train / 202 test
//! (`np_predictor::cv::random_split`). The one-stage GCN with `gcn-train`'s defaults but an
//! output range of 0–100 (CIFAR-100 and ImageNet16-120 accuracies go down to 1 %), and trees
//! with `gbt-train`'s defaults on the zero-cost feature sets of `zc500_trees`. Spearman ρ and
//! Kendall τ on the 202, mean ± std; each signal's own ρ over the 491.
//!
//! (b) All 15,625 cells answered by `bench-query --space nb201 --dataset cifar10
//! --search-epochs 200` (`val_accuracy` = `cifar10_valid_200`), costed by `arch-cost --space
//! nb201` (`params`, `flops`) and encoded flat, with `naswot_cifar10` joined from `nb201.csv`
//! by `index`. NASWOT is empty for the 341 cells whose output node no path reaches: the trees
//! get NaN there and route it as forust-ml learned while fitting; the "no model" ranking puts
//! those cells last. Trees trained on N = 156 and 1,563 random cells, ten seeds, scored on all
//! the others.
//!
//! Usage: nb201_trees ZC491_FLAT.jsonl TABLE_FLAT.jsonl NB201_CSV [SEEDS]

use std::collections::{BTreeMap, HashMap};

use np_gcn::GcnConfig;
use np_gcn::train::TrainConfig;
use np_predictor::cv::random_split;
use np_predictor::fit::{FitSettings, LabelScale, TrainingData, fit};
use np_predictor::{SpaceSignature, encode_architecture, graph_sample};
use np_trees::held_out::{MissingFields, ZERO_COST_FEATURE_SETS, feature_rows, fit_and_predict, mean_std};
use np_trees::{FeatureRequest, FeatureSet, TreeSettings};
use rayon::prelude::*;
use serde_json::Value;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// NAS-Bench-Suite-Zero's datasets, as the lines name them, and as tables title them.
const DATASETS: [(&str, &str); 3] =
    [("cifar10", "CIFAR-10"), ("cifar100", "CIFAR-100"), ("imagenet16", "ImageNet16-120")];

/// The zc500 benchmarks' training share: 172 of its 292 distinct cells.
const ZC500_SPLIT: (usize, usize) = (172, 292);

/// Part (b): training sizes (1 % and 10 % of the space) and the tree rows.
const TABLE_SIZES: [usize; 2] = [156, 1563];
const TABLE_ROWS: [(&str, &[&str], bool); 3] = [
    ("trees: NASWOT, params, FLOPs", &["naswot_cifar10", "params", "flops"], false),
    ("trees: flat encoding", &[], true),
    ("trees: NASWOT, params, FLOPs + flat encoding", &["naswot_cifar10", "params", "flops"], true),
];

/// Spearman ρ and Kendall τ of one predictor on one split.
type RhoTau = (f64, f64);

fn read_lines(path: &str) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| serde_json::from_str(line).expect("JSON line"))
        .collect()
}

/// The lines sorted by `id` (so that seeded splits depend on the cells, not the file order),
/// each id once.
fn by_id(lines: impl IntoIterator<Item = Value>) -> Vec<Value> {
    let mut cells: BTreeMap<String, Value> = BTreeMap::new();
    for line in lines {
        let id = line["id"].as_str().expect("id").to_string();
        assert!(cells.insert(id.clone(), line).is_none(), "cell {id} listed twice");
    }
    cells.into_values().collect()
}

fn label(record: &Value) -> f64 {
    record["val_accuracy"].as_f64().expect("val_accuracy")
}

fn rho_tau(pred: &[f64], truth: &[f64]) -> RhoTau {
    (
        np_metrics::spearman_rho(pred, truth).unwrap_or(f64::NAN),
        np_metrics::kendall_tau_b(pred, truth).unwrap_or(f64::NAN),
    )
}

/// `ρ | τ` columns of one row, from its scores over the seeds.
fn columns(runs: &[RhoTau]) -> String {
    let rho: Vec<f64> = runs.iter().map(|r| r.0).collect();
    let tau: Vec<f64> = runs.iter().map(|r| r.1).collect();
    format!("{} | {}", mean_std(&rho), mean_std(&tau))
}

/// The feature column of a set, as the tables show it.
fn feature_label(set: &FeatureSet) -> String {
    let flat = set.flat_length.map(|n| format!("flat[{n}]"));
    let fields = (!set.names().is_empty()).then(|| set.names().len().to_string());
    [fields, flat].into_iter().flatten().collect::<Vec<_>>().join(" + ")
}

fn request(patterns: &[&str], flat: bool) -> FeatureRequest {
    FeatureRequest { patterns: patterns.iter().map(|p| p.to_string()).collect(), flat }
}

/// Part (a) on one dataset.
struct DatasetResults {
    /// Cells of the dataset.
    count: usize,
    /// Per seed: the GCN's and each tree row's (ρ, τ) on the test cells.
    runs: Vec<Vec<RhoTau>>,
    /// The tree rows' feature sets.
    sets: Vec<FeatureSet>,
    /// Each signal's name and ρ over all cells.
    signals: Vec<(String, f64)>,
}

fn zero_cost_dataset(cells: &[Value], seeds: u64) -> DatasetResults {
    let space = SpaceSignature::named("nb201").expect("nb201");
    let samples: Vec<_> =
        cells.iter().map(|r| graph_sample(&encode_architecture("nb201", r).expect("an nb201 cell"))).collect();
    let ids: Vec<String> = cells.iter().map(|r| r["id"].as_str().expect("id").to_string()).collect();
    let labels: Vec<f64> = cells.iter().map(label).collect();
    let (sets, vectors): (Vec<FeatureSet>, Vec<Vec<Vec<f64>>>) = ZERO_COST_FEATURE_SETS
        .iter()
        .map(|(_, patterns, flat)| {
            feature_rows(cells, &request(patterns, *flat), MissingFields::Refuse).expect("every feature")
        })
        .unzip();
    let train_count = (cells.len() * ZC500_SPLIT.0 + ZC500_SPLIT.1 / 2) / ZC500_SPLIT.1;
    let runs: Vec<Vec<RhoTau>> = (0..seeds)
        .into_par_iter()
        .map(|seed| {
            let (train, test) = random_split(cells.len(), train_count, seed);
            let truth: Vec<f64> = test.iter().map(|&i| labels[i]).collect();
            let settings = FitSettings {
                config: GcnConfig::paper(space.shape.op_count),
                training: TrainConfig { seed, ..TrainConfig::default() },
                label_field: "val_accuracy".into(),
                label_scale: LabelScale::Percent,
                label_range: (0.0, 100.0),
                threshold: None,
                graph_features: None,
                loss: Default::default(),
            };
            let data = TrainingData {
                samples: train.iter().map(|&i| samples[i].clone()).collect(),
                ids: train.iter().map(|&i| ids[i].clone()).collect(),
                labels: train.iter().map(|&i| labels[i]).collect(),
            };
            let gcn = fit(&space, &data, &settings, &|_, _, _| {}).expect("GCN training");
            let test_samples: Vec<_> = test.iter().map(|&i| samples[i].clone()).collect();
            let pred: Vec<f64> = gcn.score_native(&test_samples).iter().map(|s| s.pred).collect();
            let mut row = vec![rho_tau(&pred, &truth)];
            let trees = TreeSettings { seed, ..TreeSettings::default() };
            for (set, rows) in sets.iter().zip(&vectors) {
                let pred = fit_and_predict(set, rows, &ids, &labels, (&train, &test), &trees).expect("trees");
                row.push(rho_tau(&pred, &truth));
            }
            row
        })
        .collect();
    let proxies = &sets[0];
    let mut signals: Vec<(String, f64)> = (0..proxies.len())
        .map(|j| {
            let values: Vec<f64> = vectors[0].iter().map(|row| row[j]).collect();
            (proxies.feature_name(j), np_metrics::spearman_rho(&values, &labels).unwrap_or(f64::NAN))
        })
        .collect();
    for cost in ["params_m", "flops_m"] {
        let values: Vec<f64> = cells.iter().map(|c| c[cost].as_f64().expect("cost")).collect();
        signals.push((cost.to_string(), np_metrics::spearman_rho(&values, &labels).unwrap_or(f64::NAN)));
    }
    DatasetResults { count: cells.len(), runs, sets, signals }
}

fn zero_cost_part(path: &str, seeds: u64) {
    let lines = read_lines(path);
    let start = std::time::Instant::now();
    let results: Vec<DatasetResults> = DATASETS
        .iter()
        .map(|(name, _)| zero_cost_dataset(&by_id(lines.iter().filter(|l| l["dataset"] == *name).cloned()), seeds))
        .collect();
    let count = results[0].count;
    assert!(results.iter().all(|r| r.count == count), "the same cells on every dataset");
    let train = (count * ZC500_SPLIT.0 + ZC500_SPLIT.1 / 2) / ZC500_SPLIT.1;
    let defaults = TreeSettings::default();
    println!(
        "(a) zc491: {count} distinct cells per dataset, {seeds} seeds of {train} train / {} test, {:.0} s; trees: {} trees, depth {}, learning rate {}",
        count - train,
        start.elapsed().as_secs_f64(),
        defaults.trees,
        defaults.max_depth,
        defaults.learning_rate
    );
    println!();
    let titles: Vec<String> = DATASETS.iter().map(|(_, title)| format!("{title} ρ | {title} τ")).collect();
    println!("| predictor | features | {} |", titles.join(" | "));
    println!("|---|---|{}", "---|---|".repeat(DATASETS.len()));
    let names: Vec<(String, String)> = std::iter::once(("GCN, one stage".to_string(), "graph".to_string()))
        .chain(
            ZERO_COST_FEATURE_SETS
                .iter()
                .zip(&results[0].sets)
                .map(|((name, _, _), set)| (name.to_string(), feature_label(set))),
        )
        .collect();
    for (r, (name, features)) in names.iter().enumerate() {
        let cells: Vec<String> =
            results.iter().map(|d| columns(&d.runs.iter().map(|seed| seed[r]).collect::<Vec<_>>())).collect();
        println!("| {name} | {features} | {} |", cells.join(" | "));
    }
    println!();
    let titles: Vec<&str> = DATASETS.iter().map(|(_, title)| *title).collect();
    println!("| signal | {} ρ |", titles.join(" ρ | "));
    println!("|---|{}", "---|".repeat(DATASETS.len()));
    let first = &results[0].signals;
    let mut order: Vec<usize> = (0..first.len()).collect();
    order.sort_by(|&a, &b| first[b].1.abs().total_cmp(&first[a].1.abs()));
    for i in order {
        let rhos: Vec<String> = results.iter().map(|d| format!("{:+.3}", d.signals[i].1)).collect();
        println!("| {} | {} |", first[i].0, rhos.join(" | "));
    }
}

/// `naswot_cifar10` of `nb201.csv` by `index`; `None` where the table leaves it empty.
fn naswot_by_index(path: &str) -> HashMap<u64, Option<f64>> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let column = |name: &str| header.iter().position(|c| *c == name).unwrap_or_else(|| panic!("no column {name}"));
    let (index, naswot) = (column("index"), column("naswot_cifar10"));
    lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            let score = (!fields[naswot].is_empty()).then(|| fields[naswot].parse().expect("a NASWOT number"));
            (fields[index].parse().expect("an index"), score)
        })
        .collect()
}

fn table_part(path: &str, csv: &str, seeds: u64) {
    let naswot = naswot_by_index(csv);
    let cells = by_id(read_lines(path).into_iter().map(|mut line| {
        let index = line["index"].as_u64().expect("index (from bench-query)");
        line["naswot_cifar10"] = naswot[&index].map_or(Value::Null, Value::from);
        line
    }));
    let missing = cells.iter().filter(|c| c["naswot_cifar10"].is_null()).count();
    let labels: Vec<f64> = cells.iter().map(label).collect();
    let ids: Vec<String> = cells.iter().map(|c| c["id"].as_str().expect("id").to_string()).collect();
    // The first cell (in id order, all `none`) has no NASWOT: resolve on a cell that has one.
    let first = cells.iter().position(|c| !c["naswot_cifar10"].is_null()).expect("a NASWOT score");
    let mut reordered = cells.clone();
    reordered.swap(0, first);
    let (sets, vectors): (Vec<FeatureSet>, Vec<Vec<Vec<f64>>>) = TABLE_ROWS
        .iter()
        .map(|(_, patterns, flat)| {
            let (set, mut rows) =
                feature_rows(&reordered, &request(patterns, *flat), MissingFields::AsNan).expect("every feature");
            rows.swap(0, first);
            (set, rows)
        })
        .unzip();
    // Single signals as rankings: NASWOT's missing scores are log 0 = −∞, below every other.
    let signal = |name: &str| -> Vec<f64> {
        cells.iter().map(|c| c[name].as_f64().unwrap_or(f64::NEG_INFINITY)).collect::<Vec<f64>>()
    };
    let signals = [("NASWOT", signal("naswot_cifar10")), ("params", signal("params")), ("FLOPs", signal("flops"))];
    let start = std::time::Instant::now();
    // Per size, per seed: each tree row's (ρ, τ), then each signal's.
    let runs: Vec<Vec<Vec<RhoTau>>> = TABLE_SIZES
        .iter()
        .map(|&size| {
            (0..seeds)
                .into_par_iter()
                .map(|seed| {
                    let (train, test) = random_split(cells.len(), size, seed);
                    let truth: Vec<f64> = test.iter().map(|&i| labels[i]).collect();
                    let trees = TreeSettings { seed, ..TreeSettings::default() };
                    let mut row: Vec<RhoTau> = sets
                        .iter()
                        .zip(&vectors)
                        .map(|(set, rows)| {
                            let pred =
                                fit_and_predict(set, rows, &ids, &labels, (&train, &test), &trees).expect("trees");
                            rho_tau(&pred, &truth)
                        })
                        .collect();
                    for (_, values) in &signals {
                        let pick: Vec<f64> = test.iter().map(|&i| values[i]).collect();
                        row.push(rho_tau(&pick, &truth));
                    }
                    row
                })
                .collect()
        })
        .collect();
    println!();
    println!(
        "(b) all {} cells, val_accuracy = cifar10_valid_200; NASWOT missing on {missing}; {seeds} seeds per N, scored on the other {} cells; {:.0} s",
        cells.len(),
        TABLE_SIZES.map(|n| (cells.len() - n).to_string()).join(" / "),
        start.elapsed().as_secs_f64()
    );
    println!();
    let titles: Vec<String> = TABLE_SIZES.iter().map(|n| format!("N = {n} ρ | N = {n} τ")).collect();
    println!("| predictor | features | {} |", titles.join(" | "));
    println!("|---|---|{}", "---|---|".repeat(TABLE_SIZES.len()));
    let names: Vec<(String, String)> = TABLE_ROWS
        .iter()
        .zip(&sets)
        .map(|((name, _, _), set)| (name.to_string(), feature_label(set)))
        .chain(signals.iter().map(|(name, _)| (format!("no model: the value of {name}"), "1".to_string())))
        .collect();
    for (r, (name, features)) in names.iter().enumerate() {
        let cells: Vec<String> =
            runs.iter().map(|size| columns(&size.iter().map(|seed| seed[r]).collect::<Vec<_>>())).collect();
        println!("| {name} | {features} | {} |", cells.join(" | "));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: nb201_trees ZC491_FLAT.jsonl TABLE_FLAT.jsonl NB201_CSV [SEEDS]";
    let (zc, table, csv) = match &args[1..] {
        [zc, table, csv, ..] => (zc, table, csv),
        _ => panic!("{usage}"),
    };
    let seeds: u64 = args.get(4).map_or(10, |s| s.parse().expect("seed count"));
    zero_cost_part(zc, seeds);
    table_part(table, csv, seeds);
}
