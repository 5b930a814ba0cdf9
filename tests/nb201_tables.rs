//! `bench-query --space nb201` on NAS-Bench-201's real tables (`nb201/nb201.csv`,
//! `nb201/latency.csv`): both protocols and latency checked against the CSV read here on its
//! own, every cell of the space answered, protocol and device errors, damaged tables named by
//! file and line.

use std::collections::HashMap;

use neural_predictor::{data_file, json_lines, run_ok, run_tool};
use serde_json::{Value, json};

/// A CSV file as rows of column name → text, keyed by the `arch` string.
fn csv_by_arch(relative: &str) -> HashMap<String, HashMap<String, String>> {
    let text = std::fs::read_to_string(data_file(relative)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines
        .map(|line| {
            let row: HashMap<String, String> =
                header.iter().zip(line.split(',')).map(|(h, v)| (h.to_string(), v.to_string())).collect();
            (row["arch"].clone(), row)
        })
        .collect()
}

fn number(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap_or_else(|_| panic!("{column} = {:?}", row[column]))
}

fn table_path(name: &str) -> String {
    data_file(&format!("nb201/{name}")).to_str().unwrap().to_string()
}

fn query(extra: &[&str], input: &str) -> Vec<Value> {
    let table = table_path("nb201.csv");
    let mut args = vec!["--space", "nb201", "--table", table.as_str()];
    args.extend_from_slice(extra);
    json_lines(&run_ok("bench-query", &args, input.as_bytes()))
}

/// All 15,625 cells as `arch-sample --all` writes them.
fn all_cells() -> String {
    run_ok("arch-sample", &["--space", "nb201", "--all"], b"")
}

const BEST_CIFAR10: &str =
    "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";

#[test]
fn both_protocols_answer_the_table_columns_for_every_cell() {
    let rows = csv_by_arch("nb201/nb201.csv");
    let cells = all_cells();
    assert_eq!(cells.lines().count(), 15_625);
    for (dataset, epochs) in [("cifar10", "200"), ("cifar10", "12"), ("cifar100", "12"), ("imagenet16", "12")] {
        let answers = query(&["--dataset", dataset, "--search-epochs", epochs], &cells);
        assert_eq!(answers.len(), 15_625, "{dataset} {epochs}: none missing");
        if (dataset, epochs) == ("cifar10", "200") {
            let best = answers
                .iter()
                .max_by(|a, b| a["val_accuracy"].as_f64().partial_cmp(&b["val_accuracy"].as_f64()).unwrap());
            assert_eq!(best.unwrap()["arch"], BEST_CIFAR10, "the best CIFAR-10 cell by validation");
        }
        for answer in &answers {
            let row = &rows[answer["arch"].as_str().unwrap()];
            let val = number(row, &format!("{dataset}_valid_{epochs}"));
            let test = number(row, &format!("{dataset}_test_200"));
            assert_eq!(answer["val_accuracy"].as_f64(), Some(val), "{dataset} {epochs} {answer}");
            assert_eq!(answer["test_accuracy"].as_f64(), Some(test));
            assert_eq!(answer["params"].as_f64(), Some((number(row, "params_m") * 1e6).round()));
            assert_eq!(answer["index"].as_f64(), Some(number(row, "index")));
            assert!(answer.get("latency_ms").is_none());
        }
    }
}

#[test]
fn any_form_of_a_cell_finds_its_row_and_the_best_cifar10_cell_answers() {
    let best = json!({"arch": BEST_CIFAR10});
    let ops = json!({"ops": ["nor_conv_3x3", "nor_conv_3x3", "nor_conv_3x3", "skip_connect", "nor_conv_3x3", "nor_conv_1x1"]});
    let input = format!("{best}\n{ops}\n");
    let answers = query(&["--dataset", "cifar10", "--search-epochs", "200"], &input);
    for answer in &answers {
        assert_eq!(answer["id"], "333132");
        // The published figures, to the four places they are usually quoted to.
        assert!((answer["val_accuracy"].as_f64().unwrap() - 91.6067).abs() < 1e-4, "{answer}");
        assert!((answer["test_accuracy"].as_f64().unwrap() - 94.3733).abs() < 1e-4, "{answer}");
    }
    assert_eq!(answers.len(), 2);
}

#[test]
fn latency_comes_from_the_named_device_and_output_is_reproducible() {
    let latency = csv_by_arch("nb201/latency.csv");
    let cells: String = all_cells().lines().step_by(97).map(|l| format!("{l}\n")).collect();
    let latency_file = table_path("latency.csv");
    let args = ["--dataset", "imagenet16", "--search-epochs", "12", "--latency", &latency_file, "--device", "pixel3"];
    let answers = query(&args, &cells);
    assert_eq!(answers.len(), cells.lines().count());
    for answer in &answers {
        let row = &latency[answer["arch"].as_str().unwrap()];
        assert_eq!(answer["latency_ms"].as_f64(), Some(number(row, "pixel3_ms")));
    }
    let table = table_path("nb201.csv");
    let mut full = vec!["--space", "nb201", "--table", table.as_str()];
    full.extend_from_slice(&args);
    let once = run_ok("bench-query", &full, cells.as_bytes());
    assert_eq!(once, run_ok("bench-query", &full, cells.as_bytes()), "same arguments, same bytes");
}

fn stderr_of(args: &[&str], input: &str) -> String {
    let output = run_tool("bench-query", args, input.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr).to_string();
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn protocols_and_devices_the_tables_lack_are_refused() {
    let table = table_path("nb201.csv");
    let line = format!("{}\n", json!({"arch": BEST_CIFAR10}));
    let base = ["--space", "nb201", "--table", table.as_str()];
    fn with<'a>(base: &[&'a str], extra: &[&'a str]) -> Vec<&'a str> {
        [base, extra].concat()
    }
    let stderr = stderr_of(&with(&base, &["--dataset", "cifar100", "--search-epochs", "200"]), &line);
    assert!(stderr.contains("200-epoch validation only for cifar10"), "{stderr}");
    let stderr = stderr_of(&with(&base, &["--dataset", "cifar10", "--search-epochs", "50"]), &line);
    assert!(stderr.contains("12 or 200 epochs"), "{stderr}");
    let stderr = stderr_of(&with(&base, &["--search-epochs", "12"]), &line);
    assert!(stderr.contains("--dataset"), "{stderr}");
    let latency = table_path("latency.csv");
    let stderr = stderr_of(
        &with(&base, &["--dataset", "cifar10", "--search-epochs", "12", "--latency", &latency, "--device", "abacus"]),
        &line,
    );
    assert!(stderr.contains("latency.csv: no device 'abacus'") && stderr.contains("pixel3, raspi4"), "{stderr}");
    // The protocol belongs to the .csv table, and the .csv table to the nb201 space.
    let stderr = stderr_of(&["--space", "nb201", "--table", "cells.jsonl", "--dataset", "cifar10"], &line);
    assert!(stderr.contains("go with a NAS-Bench-201 .csv table"), "{stderr}");
    let stderr = stderr_of(&["--table", table.as_str(), "--dataset", "cifar10", "--search-epochs", "12"], &line);
    assert!(stderr.contains("use --space nb201"), "{stderr}");
}

#[test]
fn damaged_tables_are_named_by_file_and_line() {
    let original = std::fs::read_to_string(data_file("nb201/nb201.csv")).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let line = format!("{}\n", json!({"arch": BEST_CIFAR10}));
    let protocol = ["--dataset", "cifar10", "--search-epochs", "12"];
    let damaged = |name: &str, edit: &dyn Fn(&mut Vec<String>)| -> String {
        let mut lines: Vec<String> = original.lines().map(str::to_string).collect();
        edit(&mut lines);
        let path = dir.path().join(name);
        std::fs::write(&path, lines.join("\n") + "\n").unwrap();
        let path = path.to_str().unwrap().to_string();
        let stderr = stderr_of(&[&["--space", "nb201", "--table", path.as_str()], protocol.as_slice()].concat(), &line);
        assert!(stderr.contains(&path), "names the file: {stderr}");
        stderr
    };
    // Line 5 is the fourth row.
    let stderr = damaged("number.csv", &|lines| {
        let mut fields: Vec<&str> = lines[4].split(',').collect();
        fields[2] = "many";
        lines[4] = fields.join(",");
    });
    assert!(stderr.contains("line 5: column 'params_m'"), "{stderr}");
    let stderr = damaged("arch.csv", &|lines| lines[6] = lines[6].replacen("~0|", "~9|", 1));
    assert!(stderr.contains("line 7:"), "{stderr}");
    let stderr = damaged("twice.csv", &|lines| lines[9] = lines[2].clone());
    assert!(stderr.contains("line 10: cell") && stderr.contains("repeats line 3"), "{stderr}");
    let stderr = damaged("short.csv", &|lines| lines[11] = lines[11].split(',').take(4).collect::<Vec<_>>().join(","));
    assert!(stderr.contains("line 12"), "{stderr}");
    let stderr =
        damaged("header.csv", &|lines| lines[0] = lines[0].replace("cifar10_valid_12", "cifar10_valid_twelve"));
    assert!(stderr.contains("line 1: no column 'cifar10_valid_12'"), "{stderr}");
}
