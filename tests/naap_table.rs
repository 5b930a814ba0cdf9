//! The scheme-only row of `make bench-naap` through the real tools: `naap-lines` on NAAP-440's
//! fixed split, `arch-encode --format flat`, `gbt-train` on the cost fields and the flat
//! encoding, `gcn-score` with the tree file and `pred-eval` on the 40 test models. Checks that
//! NAAP-440's monotonicity comes over its 780 pairs and the MAE is a finite fraction; the
//! numbers themselves are BENCHMARKS.md's.

use std::path::Path;

use neural_predictor::{data_file, json_lines, run_ok};
use serde_json::Value;

const COST_FIELDS: &str = "num_params,num_macs,num_layers,num_stages,first_layer_width,last_layer_width";

/// `naap-lines --split SPLIT` (scheme only) encoded flat, written to `dir/SPLIT.jsonl`.
fn encoded_split(dir: &Path, split: &str) -> String {
    let (csv, schemes) = (data_file("naap440/naap440.csv"), data_file("naap440/generated_schemes.json"));
    let lines = run_ok(
        "naap-lines",
        &["--csv", csv.to_str().unwrap(), "--schemes", schemes.to_str().unwrap(), "--split", split],
        b"",
    );
    let encoded = run_ok("arch-encode", &["--space", "naap", "--format", "flat"], lines.as_bytes());
    let path = dir.join(format!("{split}.jsonl"));
    std::fs::write(&path, encoded).unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn scheme_only_trees_are_judged_over_780_pairs() {
    let dir = tempfile::tempdir().unwrap();
    let (train, test) = (encoded_split(dir.path(), "train"), encoded_split(dir.path(), "test"));
    assert_eq!(std::fs::read_to_string(&train).unwrap().lines().count(), 400);
    let model = dir.path().join("trees.onnx");
    let model = model.to_str().unwrap();
    run_ok("gbt-train", &["--features", COST_FIELDS, "--flat", "--label", "accuracy", "-o", model, &train], b"");
    let scored = run_ok("gcn-score", &["-m", model, "--backend", "native", &test], b"");
    let scored_lines = json_lines(&scored);
    assert_eq!(scored_lines.len(), 40);
    assert!(scored_lines.iter().all(|line| line["is_test"] == 1));
    let summary: Value =
        serde_json::from_str(&run_ok("pred-eval", &["--pred", "pred", "--truth", "accuracy"], scored.as_bytes()))
            .unwrap();
    assert_eq!((summary["count"].as_u64(), summary["pairs"].as_u64()), (Some(40), Some(780)), "{summary}");
    let monotonicity = summary["monotonicity"].as_f64().unwrap();
    let violations = summary["violations"].as_u64().unwrap();
    assert!((monotonicity - (1.0 - violations as f64 / 780.0)).abs() < 1e-9, "{summary}");
    let mae = summary["mae"].as_f64().unwrap();
    assert!(mae.is_finite() && mae > 0.0 && mae < 1.0, "MAE {mae} is not a fraction's error");
    eprintln!("NAAP-440 scheme-only trees: monotonicity {monotonicity} ({violations} violations), MAE {mae}");
}
