//! `scripts/export-nb201.py`, which exports `nb201.csv` from the official benchmark: its
//! columns are the shipped table's, in order, and each is read from the API call and key its
//! docstring names (driven by a stand-in for the API; the benchmark file is not test data).

use std::process::Command;

use neural_predictor::{data_file, python, workspace_root};
use serde_json::{Value, json};

#[test]
fn the_export_writes_the_tables_columns_from_the_documented_api_keys() {
    let output = Command::new(python())
        .arg("-B")
        .arg(workspace_root().join("tests/python/export_nb201_fake.py"))
        .arg(workspace_root().join("scripts/export-nb201.py"))
        .output()
        .expect("start python (set NP_PYTHON, or run make setup for .venv)");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let exported: Value = serde_json::from_slice(&output.stdout).unwrap();
    let table = std::fs::read_to_string(data_file("nb201/nb201.csv")).unwrap();
    let header: Vec<&str> = table.lines().next().unwrap().split(',').collect();
    assert_eq!(exported["columns"], json!(header));
    // The stand-in's accuracies: dataset 10/20/30/40 (cifar10-valid, cifar10, cifar100,
    // ImageNet16-120), + 0.5 at 200 epochs, + 1 valid, + 2 test.
    let expected = json!([
        7, "arch-7", "0.129306", "11.5", "12.5", "22.5", "32.5", "42.5", "11.0", "22.0", "31.0", "32.0", "41.0",
        "42.0", ""
    ]);
    assert_eq!(exported["row"], expected);
}
