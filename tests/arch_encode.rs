//! `arch-encode` run as a real binary: real records, every kind of bad input, encodings.

use std::collections::HashSet;

use neural_predictor::{data_file, json_lines, run_ok, run_tool};
use serde_json::{Value, json};

fn records30() -> String {
    std::fs::read_to_string(data_file("nb101/records30.jsonl")).unwrap()
}

#[test]
fn real_records_get_their_official_ids_and_keep_every_other_field() {
    let input = records30();
    let output = run_ok("arch-encode", &["--space", "nb101", "--format", "graph"], input.as_bytes());
    let (before, after) = (json_lines(&input), json_lines(&output));
    assert_eq!(after.len(), 30);
    for (original, encoded) in before.iter().zip(&after) {
        assert_eq!(encoded["id"], original["hash"]);
        assert_eq!(encoded["space"], "nb101");
        for key in ["hash", "trainable_parameters", "epochs", "runs"] {
            assert_eq!(encoded[key], original[key], "field {key} flows through unchanged");
        }
        let graph = &encoded["graph"];
        let nodes = graph["nodes"].as_u64().unwrap() as usize;
        assert_eq!(nodes, encoded["ops"].as_array().unwrap().len());
        assert_eq!(graph["adjacency"].as_array().unwrap().len(), 7);
        let onehot = graph["op_onehot"].as_array().unwrap();
        assert_eq!(onehot.len(), 7);
        for (i, row) in onehot.iter().enumerate() {
            let ones = row.as_array().unwrap().iter().filter(|v| **v == 1).count();
            assert_eq!(ones, usize::from(i < nodes), "one op per real node, none for padding");
        }
    }
}

#[test]
fn encoding_is_idempotent() {
    let sampled = run_ok("arch-sample", &["--count", "300", "--seed", "9", "--sampler", "nasbench"], b"");
    let once = run_ok("arch-encode", &[], sampled.as_bytes());
    let twice = run_ok("arch-encode", &[], once.as_bytes());
    assert_eq!(once, twice);
    let sample_ids: Vec<Value> = json_lines(&sampled).iter().map(|r| r["id"].clone()).collect();
    let encoded_ids: Vec<Value> = json_lines(&once).iter().map(|r| r["id"].clone()).collect();
    assert_eq!(sample_ids, encoded_ids);
}

#[test]
fn naslib_tuples_and_nasbench_field_names_are_accepted() {
    let record = &json_lines(&records30())[0];
    let matrix = record["adjacency"].as_array().unwrap();
    let ops = record["ops"].as_array().unwrap();
    assert_eq!(matrix.len(), 7, "the first real record is a 7-vertex cell");
    let naslib_id = |op: &Value| match op.as_str().unwrap() {
        "input" => 0,
        "output" => 1,
        "maxpool3x3" => 2,
        "conv1x1-bn-relu" => 3,
        _ => 4,
    };
    let mut tuple: Vec<i64> =
        matrix.iter().flat_map(|row| row.as_array().unwrap().iter().map(|v| v.as_i64().unwrap())).collect();
    tuple.extend(ops.iter().map(naslib_id));
    let input = format!(
        "{}\n{}\n{}\n",
        serde_json::to_string(&tuple).unwrap(),
        json!({"naslib": tuple}),
        json!({"module_adjacency": record["adjacency"], "module_operations": record["ops"]})
    );
    let output = run_ok("arch-encode", &["--format", "none"], input.as_bytes());
    for encoded in json_lines(&output) {
        assert_eq!(encoded["id"], record["hash"]);
    }
}

#[test]
fn other_fields_keep_their_order_and_values_and_an_old_encoding_is_replaced() {
    let line = r#"{"note": "a b", "val_accuracy": 92.578125, "graph": {"old": 1}, "adjacency": [[false, true], [0, 0]], "ops": ["input", "output"], "space": "nb101", "extra": {"k": [1, 2.5e-3]}}"#;
    let output = run_ok("arch-encode", &[], format!("{line}\n").as_bytes());
    assert_eq!(output.matches(' ').count(), 1, "compact output, the one space inside a string: {output}");
    let encoded: Value = serde_json::from_str(output.trim_end()).unwrap();
    let keys: Vec<&str> = encoded.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["space", "id", "note", "val_accuracy", "adjacency", "ops", "extra", "graph"]);
    assert_eq!(encoded["note"], "a b");
    assert_eq!(encoded["val_accuracy"], 92.578125);
    assert_eq!(encoded["extra"], json!({"k": [1, 2.5e-3]}));
    assert_eq!(encoded["adjacency"], json!([[0, 1], [0, 0]]));
    assert_eq!(encoded["graph"]["nodes"], 2);
    assert!(encoded["graph"].get("old").is_none());
}

/// Each bad line, with the reason arch-encode must give.
fn bad_lines() -> Vec<(String, &'static str)> {
    let io = |m: Value, ops: Value| json!({"adjacency": m, "ops": ops}).to_string();
    let chain = json!([[0, 1, 0], [0, 0, 1], [0, 0, 0]]);
    let mut ten_edges = vec![vec![0; 7]; 7];
    for (i, j) in [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 6), (2, 6), (3, 6), (4, 6), (5, 6)] {
        ten_edges[i][j] = 1;
    }
    let seven_ops = json!([
        "input",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "conv3x3-bn-relu",
        "maxpool3x3",
        "output"
    ]);
    vec![
        ("{not json".into(), "not valid JSON"),
        ("42".into(), "expected a JSON object"),
        (json!({"ops": ["input", "output"]}).to_string(), "missing field 'adjacency'"),
        (io(json!(ten_edges), seven_ops), "cell has 10 edges after pruning (max 9)"),
        (io(json!([[0, 1], [1, 0]]), json!(["input", "output"])), "upper-triangular"),
        (io(json!([[0, 0], [0, 0]]), json!(["input", "output"])), "input is not connected to output"),
        (io(chain.clone(), json!(["input", "conv5x5", "output"])), "op 'conv5x5' at vertex 1 is not allowed"),
        (io(chain.clone(), json!(["input", "maxpool3x3"])), "adjacency is 3×3 but ops has 2 entries"),
        (io(chain.clone(), json!(["maxpool3x3", "conv1x1-bn-relu", "output"])), "first op must be 'input'"),
        (io(json!([[0, 3], [0, 0]]), json!(["input", "output"])), "entries must be 0 or 1"),
        (
            json!({"space": "proxyless", "adjacency": chain, "ops": ["input", "maxpool3x3", "output"]}).to_string(),
            "record is from space",
        ),
        (json!({"naslib": [1, 2, 3]}).to_string(), "a NASLib tuple has 56 integers, got 3"),
        (io(json!([[0, 1.0], [0, 0]]), json!(["input", "output"])), "must be an array of arrays of 0/1"),
        (io(chain.clone(), json!(["input", 7, "output"])), "field 'ops' must be an array of op names"),
        (r#"{"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"], "x": [1, }"#.into(), "not valid JSON"),
        // Another field that the line reader passes but serde_json cannot read back, which
        // compacting its spaces needs: a number beyond f64, a lone surrogate, deep nesting.
        (
            r#"{"adjacency":[[0,1],[0,0]],"ops":["input","output"],"x":{"a": 1e999}}"#.into(),
            "field 'x' cannot be passed on: number out of range",
        ),
        (
            r#"{"adjacency":[[0,1],[0,0]],"ops":["input","output"],"x":{"a": "\ud800"}}"#.into(),
            "field 'x' cannot be passed on: unexpected end of hex escape",
        ),
        (
            format!(
                r#"{{"adjacency":[[0,1],[0,0]],"ops":["input","output"],"x":[ {}{}]}}"#,
                "[".repeat(200),
                "]".repeat(200)
            ),
            "field 'x' cannot be passed on: recursion limit exceeded",
        ),
        // An op name with a line break stays on the message's one line.
        (io(chain.clone(), json!(["input", "conv\n5x5", "output"])), "op 'conv\\n5x5' at vertex 1 is not allowed"),
    ]
}

#[test]
fn every_bad_line_stops_with_its_line_number_and_reason() {
    let good = r#"{"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"], "val_accuracy": 0.5}"#;
    for (bad, reason) in bad_lines() {
        let input = format!("{good}\n\n{bad}\n{good}\n");
        let output = run_tool("arch-encode", &[], input.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{bad}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "one line on stderr: {stderr}");
        assert!(stderr.starts_with("arch-encode: line 3: "), "{stderr}");
        assert!(stderr.contains(reason), "expected '{reason}' in: {stderr}");
    }
}

#[test]
fn skip_invalid_counts_bad_lines_and_keeps_going() {
    let good = r#"{"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"]}"#;
    let bad: Vec<String> = bad_lines().into_iter().map(|(line, _)| line).collect();
    let input = format!("{good}\n{}\n{good}\n", bad.join("\n"));
    let output = run_tool("arch-encode", &["--skip-invalid"], input.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 2);
    assert!(
        stderr.contains(&format!("skipped {} invalid line(s); first: line 2: not valid JSON", bad.len())),
        "{stderr}"
    );
}

#[test]
fn a_line_that_is_not_utf8_is_a_bad_line() {
    let good = br#"{"adjacency": [[0, 1], [0, 0]], "ops": ["input", "output"]}"#;
    let input = [&good[..], b"\n\xff\xfe\n", good, b"\n"].concat();
    let output = run_tool("arch-encode", &[], &input);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "arch-encode: line 2: line is not valid UTF-8\n");
    let output = run_tool("arch-encode", &["--skip-invalid"], &input);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr, "arch-encode: skipped 1 invalid line(s); first: line 2: line is not valid UTF-8\n");
}

#[test]
fn failed_runs_leave_no_output_file() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("encoded.jsonl");
    let input = format!("{}\n{{broken\n", records30().lines().next().unwrap());
    let output = run_tool("arch-encode", &["-o", target.to_str().unwrap()], input.as_bytes());
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "neither the target nor a temporary file");
    let missing = run_tool("arch-encode", &[dir.path().join("absent.jsonl").to_str().unwrap()], b"");
    assert_eq!(missing.status.code(), Some(1), "an unreadable input is a runtime failure");
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot open"));
}

#[test]
fn flat_vectors_have_the_documented_length() {
    let nb101 = run_ok("arch-encode", &["--format", "flat"], records30().as_bytes());
    for record in json_lines(&nb101) {
        assert_eq!(record["flat"].as_array().unwrap().len(), 21 + 7 * 5);
    }
    let sampled = run_ok("arch-sample", &["--space", "proxyless", "--count", "5"], b"");
    let proxyless = run_ok("arch-encode", &["--space", "proxyless", "--format", "flat"], sampled.as_bytes());
    for record in json_lines(&proxyless) {
        assert_eq!(record["flat"].as_array().unwrap().len(), 22 * (10 + 3));
    }
}

#[test]
fn zero_cost_table_holds_292_distinct_cells() {
    // shared/README.md: the 500 lines hold only 292 distinct architectures.
    let text = std::fs::read_to_string(data_file("nb101/zc500.jsonl")).unwrap();
    let output = run_ok("arch-encode", &["--format", "none"], text.as_bytes());
    let ids: HashSet<String> = json_lines(&output).iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 292);
}
