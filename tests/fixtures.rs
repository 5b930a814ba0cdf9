//! Today's tools against the files of `fixtures/`, written by an earlier version
//! (`make fixtures`): a seed must keep meaning the same cells and encodings, and predictor files
//! users keep must keep loading and scoring the same, through both backends.

use std::path::PathBuf;

use neural_predictor::{json_lines, run_ok, workspace_root};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    workspace_root().join("fixtures").join(name)
}

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("fixtures/{name}: {e}"))
}

#[test]
fn sampling_costing_and_encoding_give_the_fixture_bytes() {
    let sampled = run_ok("arch-sample", &["--space", "nb101", "--count", "120", "--seed", "11"], b"");
    let costed = run_ok("arch-cost", &[], sampled.as_bytes());
    assert_eq!(costed, fixture_text("nb101-cells.jsonl"), "arch-sample --seed 11 | arch-cost changed");
    for format in ["graph", "flat"] {
        let encoded = run_ok("arch-encode", &["--format", format], costed.as_bytes());
        let name = format!("nb101-cells.{format}.jsonl");
        assert_eq!(encoded, fixture_text(&name), "arch-encode --format {format} changed");
    }
}

/// Scores `lines` with the fixture `model` through each backend and compares every field of
/// `expected` (a line per input line: `id` and the scores) to 1e-5, relative.
fn scores_match(model: &str, lines: &str, expected: &str, fields: &[&str]) {
    let expected = json_lines(&fixture_text(expected));
    let model = fixture(model);
    let lines = fixture(lines);
    for backend in ["ort", "native"] {
        let scored = json_lines(&run_ok(
            "gcn-score",
            &["-m", model.to_str().unwrap(), "--backend", backend, lines.to_str().unwrap()],
            b"",
        ));
        assert_eq!(scored.len(), expected.len(), "{backend}: line count");
        for (i, (got, want)) in scored.iter().zip(&expected).enumerate() {
            assert_eq!(got["id"], want["id"], "{backend}: line {}", i + 1);
            for &field in fields {
                let (a, b) = (number(got, field), number(want, field));
                assert!(
                    (a - b).abs() <= 1e-5 * b.abs().max(1.0),
                    "{backend}: line {} {field}: now {a}, when the file was written {b}",
                    i + 1
                );
            }
        }
    }
}

fn number(record: &Value, field: &str) -> f64 {
    record[field].as_f64().unwrap_or_else(|| panic!("no number `{field}` in {record}"))
}

#[test]
fn an_earlier_gcn_file_scores_as_it_did() {
    scores_match("gcn-two-stage.onnx", "nb101-cells.graph.jsonl", "gcn-two-stage.scores.jsonl", &["pred", "p_good"]);
}

#[test]
fn an_earlier_tree_file_scores_as_it_did() {
    scores_match("trees.onnx", "nb101-cells.flat.jsonl", "trees.scores.jsonl", &["pred"]);
}
