//! The GCN with graph-level inputs (`gcn-train --graph-features 'proxies.*'`): ONNX Runtime,
//! the native backend and Python's onnxruntime agree, and a line without a proxy is refused.

use neural_predictor::{json_lines, run_ok, run_tool, scores_agree_on_every_backend, unique_zc500_cells, write_lines};
use serde_json::Value;

#[test]
fn proxies_as_graph_level_inputs_score_alike_everywhere_and_are_required() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    let (train_cells, test_cells) = cells.split_at(172);
    let train_path = dir.path().join("train.jsonl");
    let test_path = dir.path().join("test.jsonl");
    write_lines(&train_path, train_cells);
    write_lines(&test_path, test_cells);
    let model = dir.path().join("model.onnx");
    let m = model.to_str().unwrap();
    run_ok(
        "gcn-train",
        &[
            "--graph-features",
            "proxies.*",
            "--two-stage",
            "--epochs",
            "40",
            "-q",
            "-o",
            m,
            train_path.to_str().unwrap(),
        ],
        b"",
    );

    let (native, _) = scores_agree_on_every_backend(&model, &test_path, &["pred", "p_good"]);
    assert_eq!(native.len(), 120);
    // The proxies reach the network: changing one changes the prediction.
    let mut changed = test_cells[0].clone();
    changed["proxies"]["synflow"] = Value::from(changed["proxies"]["synflow"].as_f64().unwrap() * 1e6 + 1e6);
    let changed =
        json_lines(&run_ok("gcn-score", &["-m", m, "--backend", "native"], format!("{changed}\n").as_bytes()));
    assert_ne!(changed[0]["pred"], native[0]["pred"]);

    // A line without one of the proxies: exit 2, naming the line and the feature.
    let mut missing = test_cells[1].clone();
    missing["proxies"].as_object_mut().unwrap().remove("snip");
    let input = format!("{}\n{missing}\n", test_cells[0]);
    for backend in ["ort", "native"] {
        let output = run_tool("gcn-score", &["-m", m, "--backend", backend], input.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{backend}: {stderr}");
        assert!(stderr.contains("line 2") && stderr.contains("proxies.snip"), "{backend}: {stderr}");
    }
}
