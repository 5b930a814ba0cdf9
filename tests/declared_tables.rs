//! Tables read by named columns (`--val-column`, `--arch-column`, `--test-column`,
//! `--params-column`, `--cost-column`), the way users of declared search spaces bring theirs:
//! NAS-Bench-201's `nb201.csv` read by its columns answers as its protocol does, in
//! `bench-query` and `search-sim`; NAS-Bench-101 cells as JSON lines with names of their own
//! answer as the fixed-field reader does, and their cost column is `pareto-sim`'s cost; rows
//! outside the space are counted by line in one error; the flags' checks.

use std::process::Command;

use neural_predictor::{data_file, json_lines, run_ok, run_tool, tool_path};
use serde_json::{Value, json};

fn nb201_csv() -> String {
    data_file("nb201/nb201.csv").display().to_string()
}

/// Runs `tool` expecting failure with `code` and one stderr line, which it returns.
fn failure(tool: &str, args: &[&str], input: &str, code: i32) -> String {
    let output = run_tool(tool, args, input.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(code), "{tool} {args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn nb201_read_by_its_columns_answers_every_cell_as_the_protocol_does() {
    let cells = run_ok("arch-sample", &["--space", "nb201", "--all"], b"");
    assert_eq!(cells.lines().count(), 15_625);
    let table = nb201_csv();
    let base = ["--space", "nb201", "--table", table.as_str()];
    let protocol = json_lines(&run_ok(
        "bench-query",
        &[&base[..], &["--dataset", "cifar10", "--search-epochs", "200"]].concat(),
        cells.as_bytes(),
    ));
    let columns = ["--arch-column", "arch", "--val-column", "cifar10_valid_200", "--test-column", "cifar10_test_200"];
    let by_columns = json_lines(&run_ok("bench-query", &[&base[..], &columns].concat(), cells.as_bytes()));
    assert_eq!(by_columns.len(), 15_625);
    for (mut expected, answer) in protocol.into_iter().zip(&by_columns) {
        assert_eq!(answer["id"], expected["id"]);
        assert_eq!(answer["val_accuracy"].as_f64(), expected["val_accuracy"].as_f64(), "{answer}");
        assert_eq!(answer["test_accuracy"].as_f64(), expected["test_accuracy"].as_f64(), "{answer}");
        // The protocol adds `params` (from params_m, in millions) and the benchmark's `index`;
        // named columns add only what is named. One run each, so bench_run/bench_runs agree.
        let fields = expected.as_object_mut().unwrap();
        assert!(fields.remove("params").is_some() && fields.remove("index").is_some());
        assert_eq!(answer, &expected);
    }
}

/// `search-sim` on nb201.csv, small settings: (the curves CSV, the summary).
fn search_sim(reading: &[&str]) -> (String, Value) {
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.json");
    let table = nb201_csv();
    let mut args = vec!["--space", "nb201", "--table", table.as_str()];
    args.extend_from_slice(reading);
    args.extend_from_slice(&["--trials", "2", "--budget", "60", "--n", "20", "--epochs", "10", "--hidden", "16"]);
    args.extend_from_slice(&["--seed", "5", "-q", "--summary", summary.to_str().unwrap()]);
    let output = Command::new(tool_path("search-sim")).args(&args).env("RAYON_NUM_THREADS", "2").output().unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let summary: Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    (String::from_utf8(output.stdout).unwrap(), summary)
}

#[test]
fn search_sim_on_named_columns_is_the_protocol_run() {
    let (protocol_csv, mut protocol) = search_sim(&["--dataset", "cifar10", "--search-epochs", "12"]);
    let (columns_csv, mut columns) =
        search_sim(&["--val-column", "cifar10_valid_12", "--test-column", "cifar10_test_200"]);
    assert_eq!(columns_csv, protocol_csv, "the curves, byte for byte");
    assert_eq!(columns["architectures"], 15_625);
    // The same file either way, so the summaries differ only in their timing.
    for summary in [&mut protocol, &mut columns] {
        summary.as_object_mut().unwrap().remove("wall_seconds");
    }
    assert_eq!(serde_json::to_string_pretty(&columns).unwrap(), serde_json::to_string_pretty(&protocol).unwrap());
}

/// NAS-Bench-101's 30 records as a table of one line per run with names of our own: the cell
/// (`adjacency`, `ops`), `acc_valid` and `acc_test` as fractions, `n_params`, `lat_ms`.
fn records30_by_run() -> String {
    let records = json_lines(&std::fs::read_to_string(data_file("nb101/records30.jsonl")).unwrap());
    let mut text = String::new();
    for (i, record) in records.iter().enumerate() {
        for run in record["runs"].as_array().unwrap() {
            let line = json!({
                "adjacency": record["adjacency"], "ops": record["ops"],
                "acc_valid": run["final_validation_accuracy"], "acc_test": run["final_test_accuracy"],
                "n_params": record["trainable_parameters"], "lat_ms": 2.5 + i as f64,
            });
            text.push_str(&format!("{line}\n"));
        }
    }
    text
}

const NB101_COLUMNS: [&str; 6] =
    ["--val-column", "acc_valid", "--test-column", "acc_test", "--params-column", "n_params"];

#[test]
fn nb101_json_lines_with_own_names_answer_as_the_fixed_fields_do() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mine.jsonl");
    std::fs::write(&path, records30_by_run()).unwrap();
    let path = path.display().to_string();
    let records30 = data_file("nb101/records30.jsonl").display().to_string();
    let cells: String = json_lines(&std::fs::read_to_string(&records30).unwrap())
        .iter()
        .map(|r| format!("{}\n", json!({"adjacency": r["adjacency"], "ops": r["ops"]})))
        .collect();
    let fixed = json_lines(&run_ok("bench-query", &["--table", &records30, "--seed", "3"], cells.as_bytes()));
    let args = [&["--table", path.as_str(), "--seed", "3", "--cost-column", "lat_ms"][..], &NB101_COLUMNS].concat();
    let mine = json_lines(&run_ok("bench-query", &args, cells.as_bytes()));
    assert_eq!(mine.len(), 30);
    for (i, (mut expected, answer)) in fixed.into_iter().zip(&mine).enumerate() {
        // Three lines per cell are its three runs, drawn alike; fractions answered in percent.
        assert_eq!(answer["bench_runs"], 3);
        assert_eq!(answer["lat_ms"].as_f64(), Some(2.5 + i as f64));
        let fields = expected.as_object_mut().unwrap();
        fields.remove("train_seconds");
        fields.insert("lat_ms".into(), answer["lat_ms"].clone());
        assert_eq!(answer, &expected);
    }

    // The cost column is pareto-sim's cost objective.
    let args = [
        &["--space", "nb101", "--table", path.as_str(), "--cost-column", "lat_ms", "--cost", "lat_ms"][..],
        &NB101_COLUMNS,
        &["--n", "8", "--budget", "16", "--trials", "1", "--epochs", "5", "--hidden", "8", "--quiet"],
    ]
    .concat();
    let summary: Value = serde_json::from_str(&run_ok("pareto-sim", &args, b"")).unwrap();
    assert_eq!((summary["architectures"].as_u64(), summary["cost"].as_str()), (Some(30), Some("lat_ms")));
    let front = summary["true_front"].as_array().unwrap();
    assert_eq!(front[0]["cost"].as_f64(), Some(2.5), "the cheapest cell is on the front");
}

#[test]
fn rows_outside_the_space_are_counted_by_line_and_damage_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let line = format!("{}\n", json!({"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"]}));
    let mut lines: Vec<String> = records30_by_run().lines().map(str::to_string).collect();
    for at in [4, 40] {
        lines[at] = lines[at].replace("conv3x3-bn-relu", "conv5x5-bn-relu");
    }
    assert!(lines[4].contains("conv5x5") && lines[40].contains("conv5x5"));
    let outside = write("outside.jsonl", &(lines.join("\n") + "\n"));
    let stderr = failure("bench-query", &[&["--table", outside.as_str()][..], &NB101_COLUMNS].concat(), &line, 2);
    assert!(
        stderr.contains(&format!("{outside}: 2 rows name architectures outside the space, lines 5, 41; line 5: ")),
        "{stderr}"
    );
    assert!(stderr.contains("conv5x5-bn-relu"), "the first reason: {stderr}");

    // A CSV file with names of its own, for NAS-Bench-201 cells: line 1 is the header.
    let arch = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
    let csv = write("cells.csv", &format!("cell,acc\n{arch},0.9\n{arch},n/a\n"));
    let args = ["--space", "nb201", "--table", csv.as_str(), "--arch-column", "cell", "--val-column", "acc"];
    let input = format!("{}\n", json!({"arch": arch}));
    let stderr = failure("bench-query", &args, &input, 2);
    assert!(stderr.contains(&format!("{csv}: line 3: column 'acc' is \"n/a\", not a number")), "{stderr}");
    write("cells.csv", &format!("cell,acc\n{arch},0.9\n{arch},0.8\n|bad~0|,0.7\n"));
    let stderr = failure("bench-query", &args, &input, 2);
    assert!(stderr.contains("1 row names an architecture outside the space: line 4: "), "{stderr}");
    write("cells.csv", &format!("cell,acc\n{arch},0.9\n{arch},0.8\n"));
    let answer = &json_lines(&run_ok("bench-query", &args, input.as_bytes()))[0];
    assert_eq!((answer["bench_runs"].as_u64(), answer["id"].as_str()), (Some(2), Some("333132")));
    assert!([90.0, 80.0].contains(&answer["val_accuracy"].as_f64().unwrap()), "fractions in percent: {answer}");
    let stderr = failure("bench-query", &[&args[..], &["--test-column", "acc_test"]].concat(), &input, 2);
    assert!(stderr.contains("line 1: no column 'acc_test'; the columns are: cell, acc"), "{stderr}");
    // A JSON line's architecture under another name reaches the space as its "arch".
    let jsonl = write("cells.jsonl", &format!("{}\n", json!({"cell": arch, "acc": 91.5})));
    let args = ["--space", "nb201", "--table", jsonl.as_str(), "--arch-column", "cell", "--val-column", "acc"];
    let answer = &json_lines(&run_ok("bench-query", &args, input.as_bytes()))[0];
    assert_eq!(answer["val_accuracy"].as_f64(), Some(91.5));

    // An unreadable table is a runtime failure.
    let missing = dir.path().join("missing.csv").display().to_string();
    let stderr = failure("bench-query", &["--table", &missing, "--val-column", "acc"], &line, 1);
    assert!(stderr.contains("cannot open"), "{stderr}");
}

#[test]
fn column_flags_are_checked_before_any_file_is_read() {
    let table = nb201_csv();
    let line = "{}\n";
    let with = |extra: &[&str]| -> Vec<String> {
        ["--space", "nb201", "--table", table.as_str()].iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let refused = |extra: &[&str]| {
        let args = with(extra);
        failure("bench-query", &args.iter().map(String::as_str).collect::<Vec<_>>(), line, 2)
    };
    let stderr = refused(&["--val-column", "cifar10_valid_200", "--dataset", "cifar10", "--search-epochs", "200"]);
    assert!(stderr.contains("give one or the other"), "{stderr}");
    assert!(refused(&["--test-column", "cifar10_test_200"]).contains("go with --val-column"));
    assert!(refused(&["--val-column", "a", "--cost-column", "params"]).contains("--params-column"));
    let stderr = refused(&[]);
    assert!(stderr.contains("--dataset and --search-epochs") && stderr.contains("--val-column"), "{stderr}");
    let tfrecord = data_file("nb101/records30.tfrecord").display().to_string();
    let stderr = failure("bench-query", &["--table", &tfrecord, "--val-column", "a"], line, 2);
    assert!(stderr.contains("goes with a .csv or JSON-lines table"), "{stderr}");
    let stderr = failure("arch-evolve", &["--eval-cmd", "cat", "--val-column", "a", "--budget", "1"], "", 2);
    assert!(stderr.contains("go with a --table"), "{stderr}");
}
