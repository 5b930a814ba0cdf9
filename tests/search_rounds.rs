//! The predictor-guided search in rounds (`search-sim --methods predictor-rounds`): budget
//! accounting, determinism by seed whatever the thread count, the summary's keys, rounds and
//! queries to the oracle, and the flags' checks.

use std::process::Command;

use neural_predictor::{data_file, json_lines, nbgraph_table, run_ok, run_tool, tool_path};
use serde_json::Value;

fn rounds_sim(table: &[&str], budget: &str, extra: &[&str], threads: &str) -> (String, Value) {
    let (csv, summary, _) = rounds_sim_trials(table, budget, extra, threads);
    (csv, summary)
}

/// [`rounds_sim`] with the `--per-trial` CSV as well.
fn rounds_sim_trials(table: &[&str], budget: &str, extra: &[&str], threads: &str) -> (String, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.json");
    let per_trial = dir.path().join("trials.csv");
    let mut args: Vec<&str> = table.to_vec();
    args.extend_from_slice(&["--trials", "3", "--budget", budget, "--methods", "evolution,predictor-rounds"]);
    args.extend_from_slice(&["--round-n", "20", "--round-batch", "7", "--epochs", "30", "--hidden", "16"]);
    args.extend_from_slice(&["--fit-steps", "200", "--seed", "3", "-q", "--summary"]);
    args.push(summary.to_str().unwrap());
    args.extend_from_slice(&["--per-trial", per_trial.to_str().unwrap()]);
    args.extend_from_slice(extra);
    let output = Command::new(tool_path("search-sim")).args(&args).env("RAYON_NUM_THREADS", threads).output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    let per_trial = std::fs::read_to_string(&per_trial).unwrap();
    (String::from_utf8(output.stdout).unwrap(), summary, per_trial)
}

#[test]
fn rounds_account_the_budget_and_do_not_depend_on_threads() {
    let table = nbgraph_table("cora").display().to_string();
    let args = ["--space", "nbgraph", "--table", table.as_str()];
    for extra in [
        &[][..],
        &["--ensemble", "3", "--acquisition", "thompson"][..],
        &["--ensemble", "2", "--acquisition", "ucb:1"][..],
        &["--warm-steps", "50", "--candidates", "local:5", "--rank-weight", "2"][..],
        &["--candidates", "local:3", "--global-picks", "0"][..],
        &["--round-cv", "3", "--round-cv-lr", "1e-3,4e-3", "--round-cv-weight-decay", "0,1e-3"][..],
    ] {
        let (csv, summary) = rounds_sim(&args, "120", extra, "2");
        assert_eq!(csv, rounds_sim(&args, "120", extra, "1").0, "{extra:?}: byte-identical with one thread");
        let rows: Vec<Vec<&str>> = csv.lines().skip(1).map(|l| l.split(',').collect()).collect();
        let oracle: f64 = rows.iter().find(|r| r[0] == "oracle").unwrap()[4].parse().unwrap();
        let curve: Vec<f64> =
            rows.iter().filter(|r| r[0] == "predictor-rounds").map(|r| r[4].parse().unwrap()).collect();
        assert_eq!(curve.len(), 120, "{extra:?}: one row per trained model up to the budget");
        assert!(curve.windows(2).all(|w| w[1] >= w[0]) && curve.iter().all(|&v| v <= oracle), "{extra:?}");
        let method = &summary["methods"]["predictor_rounds"];
        assert!(method["label"].as_str().unwrap().contains("N=20"), "{method}");
        // 120 models: the random 20, then batches of 7 (the last one cut to the budget): at most
        // 1 + ceil(100 / 7) = 16 rounds, fewer when a trial trained the oracle first.
        let rounds = &method["rounds"];
        assert_eq!(rounds["trials"], 3);
        let median = rounds["median"].as_f64().unwrap();
        assert!((2.0..=16.0).contains(&median), "{extra:?}: {rounds}");
        assert!(method["times_fewer_than_evolution"].is_object(), "{method}");
        assert_eq!(summary["rounds_settings"]["batch"], 7);
        let found = method["queries_to_oracle"]["found"].as_u64().unwrap();
        if found == 3 {
            // Trials stop at the oracle: their rounds and models agree with the round structure.
            let models = method["queries_to_oracle"]["median"].as_f64().unwrap();
            assert!(models <= 20.0 + 7.0 * (median - 1.0) + 1e-9, "{extra:?}: {method}");
        }
    }
}

#[test]
fn rounds_find_the_best_nas_bench_201_cell_with_few_models() {
    let table = data_file("nb201/nb201.csv").display().to_string();
    let args = ["--space", "nb201", "--table", table.as_str(), "--dataset", "cifar10", "--search-epochs", "200"];
    let (_, summary, per_trial) = rounds_sim_trials(&args, "300", &["--lr", "1e-3"], "2");
    let method = &summary["methods"]["predictor_rounds"];
    // The per-trial CSV holds what the summary's statistics are made of.
    let rows: Vec<Vec<&str>> = per_trial.lines().skip(1).map(|l| l.split(',').collect()).collect();
    assert_eq!(
        per_trial.lines().next().unwrap(),
        "method,n,trial,models_to_oracle,rounds,kendall_tau,final_val,final_test"
    );
    let rounds_rows: Vec<&Vec<&str>> = rows.iter().filter(|r| r[0] == "predictor-rounds").collect();
    assert_eq!((rows.len(), rounds_rows.len()), (6, 3), "{per_trial}");
    let found = rounds_rows.iter().filter(|r| !r[3].is_empty()).count();
    assert_eq!(found as u64, method["queries_to_oracle"]["found"].as_u64().unwrap(), "{per_trial}");
    let mut rounds: Vec<f64> = rounds_rows.iter().map(|r| r[4].parse().unwrap()).collect();
    rounds.sort_by(f64::total_cmp);
    assert_eq!(rounds[1], method["rounds"]["median"].as_f64().unwrap(), "{per_trial}");
    let evolution = &summary["methods"]["evolution"];
    // Each trial ran until it trained the table's best or the budget: never more rounds than
    // 1 + ceil(280 / 7).
    assert!(method["rounds"]["p90"].as_f64().is_none_or(|r| r <= 41.0), "{method}");
    // Better than evolution at 100 models: the predictor's batches go where the good cells are.
    let at = |m: &Value, b: &str| m["at_budget"][b]["val_mean"].as_f64().unwrap();
    assert!(at(method, "100") >= at(evolution, "100"), "{method} vs {evolution}");
}

#[test]
fn bad_round_flags_are_usage_errors() {
    let table = nbgraph_table("cora").display().to_string();
    for (flag, value, reason) in [
        ("--round-batch", "0", "must be positive"),
        ("--ensemble", "0", "must be positive"),
        ("--acquisition", "ucb:inf", "finite"),
        ("--acquisition", "best", "known: mean"),
        ("--candidates", "local:0", "positive number of parents"),
        ("--candidates", "near", "known: all, local:M"),
        ("--rank-weight", "nan", "≥ 0"),
        ("--round-cv-lr", "0", "finite values > 0"),
        ("--round-cv-weight-decay", "inf", "finite values ≥ 0"),
    ] {
        let args = ["--space", "nbgraph", "--table", &table, "--methods", "predictor-rounds", flag, value, "-q"];
        let output = run_tool("search-sim", &args, b"");
        assert_eq!(output.status.code(), Some(2), "{flag} {value}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{flag} {value}: {stderr}");
    }
}

/// NAAP-440 (440 schemes, `naap-lines --accuracy-field val_accuracy`) and zc500 (NAS-Bench-101
/// cells) are closed spaces: every search stays inside the table and, with the whole table as
/// the budget, every trial of the rounds method trains the table's best.
#[test]
fn rounds_search_closed_tables() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, schemes) = (data_file("naap440/naap440.csv"), data_file("naap440/generated_schemes.json"));
    let naap = dir.path().join("naap440.table.jsonl");
    let lines = run_ok(
        "naap-lines",
        &["--csv", csv.to_str().unwrap(), "--schemes", schemes.to_str().unwrap(), "--accuracy-field", "val_accuracy"],
        b"",
    );
    assert!(json_lines(&lines).iter().all(|line| line["val_accuracy"].is_number() && line.get("accuracy").is_none()));
    std::fs::write(&naap, lines).unwrap();
    let zc500 = data_file("nb101/zc500.jsonl");
    for (space, table, members) in [("naap", naap.as_path(), 440), ("nb101", zc500.as_path(), 292)] {
        let args = ["--space", space, "--table", table.to_str().unwrap()];
        let (_, summary) = rounds_sim(&args, "1000", &[], "2");
        assert_eq!(summary["architectures"], members, "{space}");
        assert_eq!(summary["budget"], members, "{space}: the budget is cut to the table");
        let found = &summary["methods"]["predictor_rounds"]["queries_to_oracle"];
        assert_eq!(found["found"], 3, "{space}: {found}");
        assert!(found["median"].as_f64().unwrap() <= members as f64, "{space}: {found}");
    }
    let taken = run_tool(
        "naap-lines",
        &["--csv", csv.to_str().unwrap(), "--schemes", schemes.to_str().unwrap(), "--accuracy-field", "num_params"],
        b"",
    );
    assert_eq!(taken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&taken.stderr).contains("already have a field"));
}
