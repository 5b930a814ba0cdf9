//! `pareto-sim` end to end: the accuracy–latency front on NAS-Bench-Graph (Cora) and the
//! accuracy–parameters front on the zc500 NAS-Bench-101 cells, with small budgets.

use neural_predictor::{data_file, nbgraph_table, run_ok, run_tool};
use serde_json::Value;

fn check_summary(summary: &Value, budget: u64) {
    assert!(summary["true_hypervolume"].as_f64().unwrap() > 0.0);
    let front = summary["true_front"].as_array().unwrap();
    assert!(!front.is_empty());
    for pair in front.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        assert!(a["cost"].as_f64() < b["cost"].as_f64(), "cheapest first: {a} {b}");
        assert!(a["accuracy"].as_f64() < b["accuracy"].as_f64(), "accuracy rises along the front: {a} {b}");
    }
    assert_eq!(summary["budget"], budget);
    for method in ["predictor", "random"] {
        let ratios = summary[method]["ratios"].as_array().unwrap();
        assert_eq!(ratios.len() as u64, summary["trials"].as_u64().unwrap());
        for ratio in ratios {
            let ratio = ratio.as_f64().unwrap();
            assert!(ratio > 0.0 && ratio <= 1.0 + 1e-12, "{method}: hypervolume ratio {ratio}");
        }
        let sizes = summary[method]["front_sizes"].as_array().unwrap();
        assert!(sizes.iter().all(|s| s.as_u64().unwrap() >= 1 && s.as_u64().unwrap() <= budget));
    }
}

#[test]
fn cora_latency_front_is_bounded_by_the_true_front_and_deterministic() {
    let table = nbgraph_table("cora").display().to_string();
    let args = [
        "--space",
        "nbgraph",
        "--table",
        &table,
        "--cost",
        "latency",
        "--n",
        "20",
        "--budget",
        "40",
        "--trials",
        "2",
        "--epochs",
        "20",
        "--lr",
        "1e-3",
        "--weight-decay",
        "0",
        "--quiet",
    ];
    let out = run_ok("pareto-sim", &args, b"");
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["architectures"], 26206);
    assert_eq!(summary["cost"], "latency");
    check_summary(&summary, 40);
    assert_eq!(out, run_ok("pareto-sim", &args, b""), "same seed, same result");
    let mut other = args.to_vec();
    other.extend(["--seed", "2"]);
    assert_ne!(out, run_ok("pareto-sim", &other, b""), "another seed, other trials");
}

#[test]
fn zc500_params_front_and_plots() {
    let table = data_file("nb101/zc500.jsonl").display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("front").display().to_string();
    let args = [
        "--space", "nb101", "--table", &table, "--cost", "params", "--n", "20", "--budget", "40", "--trials", "1",
        "--epochs", "20", "--quiet", "--plots", &prefix,
    ];
    let summary: Value = serde_json::from_str(&run_ok("pareto-sim", &args, b"")).unwrap();
    assert_eq!(summary["architectures"], 292, "zc500 holds 292 unique cells");
    check_summary(&summary, 40);
    let svg = std::fs::read_to_string(format!("{prefix}.svg")).unwrap();
    assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"));
    assert!(svg.contains("true front"));
    assert!(std::fs::read(format!("{prefix}.png")).unwrap().starts_with(b"\x89PNG"));
}

#[test]
fn unknown_cost_field_is_bad_input() {
    let table = data_file("nb101/zc500.jsonl").display().to_string();
    let args = ["--space", "nb101", "--table", &table, "--cost", "watts", "--n", "5", "--budget", "10", "--quiet"];
    let output = run_tool("pareto-sim", &args, b"");
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    assert!(String::from_utf8_lossy(&output.stderr).contains("'watts'"));
}
