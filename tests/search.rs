//! Search runs end to end: regularized evolution through the in-process table and through an
//! external training command, and the simulated experiment's budget accounting and
//! determinism.

use std::collections::HashSet;
use std::process::Command;

use neural_predictor::{json_lines, nbgraph_table, run_ok, run_tool, tool_path};

fn cora() -> String {
    nbgraph_table("cora").display().to_string()
}

#[test]
fn evolution_in_process_trains_each_architecture_once_and_improves() {
    let table = cora();
    let args = ["--space", "nbgraph", "--table", &table, "--budget", "400", "--seed", "3"];
    let out = run_ok("arch-evolve", &args, b"");
    assert_eq!(out, run_ok("arch-evolve", &args, b""), "same seed, same history");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 400);
    let ids: HashSet<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 400, "an architecture is trained at most once");
    for (i, line) in lines.iter().enumerate() {
        assert_eq!(line["trained"], i + 1);
        assert_eq!(line["space"], "nbgraph");
        assert!(line["val_accuracy"].is_number() && line["test_accuracy"].is_number());
    }
    // Children of tournament winners beat the random initial population (compared by median:
    // a few mutations land on very poor networks, as in any evolution).
    let median = |part: &[serde_json::Value]| {
        let mut values: Vec<f64> = part.iter().map(|l| l["val_accuracy"].as_f64().unwrap()).collect();
        values.sort_by(f64::total_cmp);
        values[values.len() / 2]
    };
    assert!(
        median(&lines[300..]) > median(&lines[..100]) + 0.5,
        "{} vs {}",
        median(&lines[300..]),
        median(&lines[..100])
    );
    // The answers are the benchmark's, as bench-query gives them.
    let queried = json_lines(&run_ok("bench-query", &["--space", "nbgraph", "--table", &table], out.as_bytes()));
    for (evolved, answer) in lines.iter().zip(&queried) {
        assert_eq!(evolved["val_accuracy"], answer["val_accuracy"]);
        assert_eq!(evolved["latency"], answer["latency"]);
    }
}

#[test]
fn evolution_trains_through_an_external_command_in_batches() {
    let table = cora();
    let query = format!("{} --space nbgraph --table {table}", tool_path("bench-query").display());
    let args = ["--space", "nbgraph", "--eval-cmd", &query, "--budget", "60", "--population", "20", "--batch", "4"];
    let lines = json_lines(&run_ok("arch-evolve", &args, b""));
    assert_eq!(lines.len(), 60);
    let ids: HashSet<&str> = lines.iter().map(|l| l["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 60);
    assert!(lines.iter().enumerate().all(|(i, l)| l["trained"] == i + 1 && l["val_accuracy"].is_number()));

    // A trainer that fails, or loses lines, stops the search with exit 1 and one clear line.
    for (command, reason) in [("false", "failed"), ("head -n 1", "answered 1 lines")] {
        let output = run_tool(
            "arch-evolve",
            &["--space", "nbgraph", "--eval-cmd", command, "--budget", "10", "--batch", "2"],
            b"",
        );
        assert_eq!(output.status.code(), Some(1), "{command}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{command}: {stderr}");
    }
}

fn search_sim(threads: &str, extra: &[&str]) -> (String, String) {
    let table = cora();
    let mut args = vec![
        "--space", "nbgraph", "--table", &table, "--trials", "4", "--budget", "150", "--n", "20,60", "--epochs", "15",
        "--hidden", "24", "--seed", "5", "-q",
    ];
    args.extend_from_slice(extra);
    let output = Command::new(tool_path("search-sim")).args(&args).env("RAYON_NUM_THREADS", threads).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    (String::from_utf8(output.stdout).unwrap(), String::from_utf8(output.stderr).unwrap())
}

#[test]
fn the_experiment_accounts_budgets_and_does_not_depend_on_threads() {
    let (csv, summary) = search_sim("2", &[]);
    assert_eq!(csv, search_sim("1", &[]).0, "byte-identical with one thread");
    let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
    let oracle = rows.iter().find(|r| r[0] == "oracle").expect("an oracle row");
    assert_eq!(oracle[2], "26206", "the oracle has seen the whole table");
    let oracle_val: f64 = oracle[4].parse().unwrap();
    for (method, n) in [("random", ""), ("evolution", ""), ("predictor", "20"), ("predictor", "60")] {
        let curve: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == method && r[1] == n).collect();
        let budgets: Vec<usize> = curve.iter().map(|r| r[2].parse().unwrap()).collect();
        assert_eq!(budgets, (1..=150).collect::<Vec<_>>(), "{method} {n}: one row per trained model");
        let vals: Vec<f64> = curve.iter().map(|r| r[4].parse().unwrap()).collect();
        assert!(vals.windows(2).all(|w| w[1] >= w[0]), "{method} {n}: best-so-far never falls");
        assert!(vals.iter().all(|&v| v <= oracle_val), "{method} {n}: nothing beats the oracle");
        assert!(curve.iter().all(|r| r[3] == "4"), "four trials");
    }
    assert!(summary.contains("Neural Predictor (N=60)") && summary.contains("fewer models"), "{summary}");
}

#[test]
fn bad_arguments_and_tables_fail_with_one_line() {
    let table = cora();
    let unknown = run_tool("search-sim", &["--table", &table, "--methods", "random,annealing", "-q"], b"");
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("unknown method 'annealing'"));
    for tool in ["search-sim", "arch-evolve"] {
        let missing = run_tool(tool, &["--space", "nbgraph", "--table", "no/such/table.bench"], b"");
        assert_eq!(missing.status.code(), Some(1), "{tool}: a missing file is a runtime failure");
        let stderr = String::from_utf8_lossy(&missing.stderr);
        assert_eq!(stderr.lines().count(), 1, "{tool}: {stderr}");
        assert!(stderr.contains("cannot open no/such/table.bench"), "{tool}: {stderr}");
    }
    let neither = run_tool("arch-evolve", &["--space", "nbgraph"], b"");
    assert_eq!(neither.status.code(), Some(2), "a table or a training command is required");
}

#[test]
fn the_experiment_runs_on_the_nas_bench_101_file_and_draws_its_figures() {
    let table = neural_predictor::data_file("nb101/records30.tfrecord").display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("nb101").display().to_string();
    let summary = dir.path().join("summary.json");
    let args = [
        "--space",
        "nb101",
        "--table",
        &table,
        "--trials",
        "3",
        "--n",
        "10",
        "--epochs",
        "10",
        "--hidden",
        "16",
        "-q",
        "--plots",
        &prefix,
        "--summary",
        summary.to_str().unwrap(),
    ];
    let csv = run_ok("search-sim", &args, b"");
    // The 30 cells of the file are the whole universe: the budget stops at 30.
    let last_random = csv.lines().rfind(|l| l.starts_with("random,")).unwrap();
    assert!(last_random.starts_with("random,,30,3,"), "{last_random}");
    // Training times are known here, so the time axis is accounted (and drawn).
    let seconds: f64 = last_random.rsplit(',').next().unwrap().parse().unwrap();
    assert!(seconds > 30.0 * 100.0, "30 NAS-Bench-101 trainings take more than 100 s each: {seconds}");
    for figure in ["methods", "methods-test", "methods-time", "n-vs-k"] {
        let png = std::fs::read(format!("{prefix}-{figure}.png")).unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{figure}");
        let svg = std::fs::read_to_string(format!("{prefix}-{figure}.svg")).unwrap();
        assert!(svg.starts_with("<svg") || svg.starts_with("<?xml"), "{figure}");
    }
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(summary).unwrap()).unwrap();
    assert_eq!(summary["architectures"], 30);
    assert!(summary["methods"]["predictor_n10"]["kendall_tau"]["mean"].is_number());
}
