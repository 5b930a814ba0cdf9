//! Encoded `graph` fields that no space's encoder writes are refused by the tools that read
//! them (`gcn-score` through both backends, `gcn-train`), with the line's number: an edge
//! against the nodes' topological order, an edge to a padding node, more edges than the
//! space allows (NAS-Bench-101's 9).

use std::path::PathBuf;

use neural_predictor::{run_tool, workspace_root};
use serde_json::Value;

fn fixture(name: &str) -> PathBuf {
    workspace_root().join("fixtures").join(name)
}

/// The first encoded cell of the fixtures (an nb101 line with a `graph` field).
fn encoded_cell() -> Value {
    let text = std::fs::read_to_string(fixture("nb101-cells.graph.jsonl")).unwrap();
    serde_json::from_str(text.lines().next().unwrap()).unwrap()
}

/// `cell` with its graph's adjacency replaced by `edges` (among `nodes` real nodes).
fn with_edges(cell: &Value, nodes: usize, edges: &[(usize, usize)]) -> String {
    let mut cell = cell.clone();
    let mut adjacency = vec![vec![0; 7]; 7];
    for &(i, j) in edges {
        adjacency[i][j] = 1;
    }
    cell["graph"]["nodes"] = Value::from(nodes);
    cell["graph"]["adjacency"] = serde_json::to_value(adjacency).unwrap();
    let ops: Vec<Vec<u8>> = (0..7).map(|i| (0..5).map(|k| u8::from(i < nodes && k == i.min(4))).collect()).collect();
    cell["graph"]["op_onehot"] = serde_json::to_value(ops).unwrap();
    cell.to_string()
}

/// Broken graphs and the reason each must be refused with.
fn broken_graphs() -> Vec<(String, &'static str)> {
    let cell = encoded_cell();
    let order = "edges go from a lower to a higher node of the 7 real ones (topological order)";
    let ten_edges = [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 6), (2, 6), (3, 6), (4, 6), (5, 6)];
    vec![
        (with_edges(&cell, 7, &[(0, 1), (1, 6), (2, 1)]), "graph adjacency has an edge 2 → 1"),
        (with_edges(&cell, 7, &[(0, 6), (3, 3)]), order),
        (with_edges(&cell, 3, &[(0, 1), (1, 2), (2, 5)]), "graph adjacency has an edge 2 → 5"),
        (with_edges(&cell, 7, &ten_edges), "graph has 10 edges; the space allows at most 9"),
    ]
}

#[test]
fn scoring_refuses_graphs_no_space_writes() {
    let model = fixture("gcn-two-stage.onnx");
    let good = encoded_cell().to_string();
    let nine_edges = with_edges(&encoded_cell(), 7, &[(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 6), (2, 6), (3, 6)]);
    for backend in ["native", "ort"] {
        let args = ["-m", model.to_str().unwrap(), "--backend", backend];
        let output = run_tool("gcn-score", &args, format!("{good}\n{nine_edges}\n").as_bytes());
        assert_eq!(output.status.code(), Some(0), "{backend}: {}", String::from_utf8_lossy(&output.stderr));
        for (broken, reason) in broken_graphs() {
            // Compact, as arch-encode writes it, and spaced out (the general reader).
            let spaced = broken.replace(',', ", ");
            for line in [&broken, &spaced] {
                let output = run_tool("gcn-score", &args, format!("{good}\n{line}\n").as_bytes());
                let stderr = String::from_utf8_lossy(&output.stderr);
                assert_eq!(output.status.code(), Some(2), "{backend} {line}: {stderr}");
                assert!(stderr.starts_with("gcn-score: line 2: ") && stderr.contains(reason), "{backend}: {stderr}");
            }
        }
    }
}

#[test]
fn training_refuses_graphs_no_space_writes() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("model.onnx");
    let mut good = encoded_cell();
    good["val_accuracy"] = Value::from(91.5);
    for (broken, reason) in broken_graphs() {
        let mut broken: Value = serde_json::from_str(&broken).unwrap();
        broken["val_accuracy"] = Value::from(90.0);
        let input = format!("{good}\n{broken}\n");
        let output = run_tool("gcn-train", &["--epochs", "1", "-q", "-o", target.to_str().unwrap()], input.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with("gcn-train: line 2: ") && stderr.contains(reason), "{reason}: {stderr}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no model and no temporary file");
    }
}
