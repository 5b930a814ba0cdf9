//! NAAP-440 in the pipeline: `naap-lines` on the published files, the `naap` space through
//! `arch-sample` and `arch-encode`, early-training ranking through `pred-eval`, and the GCN
//! tools on scheme graphs. Expected values are computed here from the published files.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use neural_predictor::{data_file, json_lines, run_ok, run_tool};
use serde_json::Value;

const CSV: &str = "naap440/naap440.csv";
const SCHEMES: &str = "naap440/generated_schemes.json";

/// `naap-lines` on the published files with `extra` arguments.
fn naap_lines(extra: &[&str]) -> Vec<Value> {
    let (csv, schemes) = (data_file(CSV), data_file(SCHEMES));
    let mut args = vec!["--csv", csv.to_str().unwrap(), "--schemes", schemes.to_str().unwrap()];
    args.extend_from_slice(extra);
    json_lines(&run_ok("naap-lines", &args, b""))
}

/// The CSV's rows as column name → text (the published file has no quoting).
fn csv_rows() -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(data_file(CSV)).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines.map(|line| header.iter().map(|h| h.to_string()).zip(line.split(',').map(str::to_string)).collect()).collect()
}

fn published_schemes() -> Vec<Value> {
    let text = std::fs::read_to_string(data_file(SCHEMES)).unwrap();
    serde_json::from_str::<Value>(&text).unwrap().as_array().unwrap().clone()
}

fn number(row: &HashMap<String, String>, column: &str) -> f64 {
    row[column].parse().unwrap()
}

#[test]
fn lines_carry_the_published_values() {
    let lines = naap_lines(&[]);
    let (rows, schemes) = (csv_rows(), published_schemes());
    assert_eq!((lines.len(), rows.len(), schemes.len()), (440, 440, 440));
    for (index, line) in lines.iter().enumerate() {
        assert_eq!(line["space"], "naap");
        assert_eq!(line["model_id"], index as u64 + 1);
        assert_eq!(line["scheme"], schemes[index]);
    }
    let ids: BTreeSet<&str> = lines.iter().map(|line| line["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 440, "ids are distinct");
    for index in [0, 136, 299, 439] {
        let (line, row) = (&lines[index], &rows[index]);
        assert_eq!(line["model_id"].as_f64().unwrap(), number(row, "ModelId"));
        assert_eq!(line["is_test"].as_f64().unwrap(), number(row, "IsTest"));
        assert_eq!(line["accuracy"].as_f64().unwrap(), number(row, "MaxAccuracy"));
        for (field, column) in [
            ("num_params", "NumParams"),
            ("num_macs", "NumMACs"),
            ("num_layers", "NumLayers"),
            ("num_stages", "NumStages"),
            ("first_layer_width", "FirstLayerWidth"),
            ("last_layer_width", "LastLayerWidth"),
        ] {
            assert_eq!(line[field].as_f64().unwrap(), number(row, column), "{field} of line {index}");
        }
        // MaxAccuracy is the best epoch's accuracy, a fraction.
        let best = (1..=90).map(|e| number(row, &format!("e{e}Accuracy"))).fold(0.0, f64::max);
        assert_eq!(line["accuracy"].as_f64().unwrap(), best);
        assert!(!line.as_object().unwrap().keys().any(|key| key.starts_with('e') && key.contains('_')));
    }
    // The first line in full, from the files' own values.
    let first = lines[0].as_object().unwrap();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "space",
            "id",
            "model_id",
            "is_test",
            "scheme",
            "accuracy",
            "num_params",
            "num_macs",
            "num_layers",
            "num_stages",
            "first_layer_width",
            "last_layer_width"
        ]
    );
    assert_eq!(first["id"], "k3w12s2-k3w16s2-k1w16s1");
}

#[test]
fn splits_follow_is_test() {
    let rows = csv_rows();
    let test_ids: BTreeSet<u64> =
        rows.iter().filter(|row| row["IsTest"] == "1").map(|row| row["ModelId"].parse().unwrap()).collect();
    let train = naap_lines(&["--split", "train"]);
    let test = naap_lines(&["--split", "test"]);
    assert_eq!((train.len(), test.len()), (400, 40));
    assert!(train.iter().all(|line| line["is_test"] == 0));
    let ids: BTreeSet<u64> = test.iter().map(|line| line["model_id"].as_u64().unwrap()).collect();
    assert_eq!(ids, test_ids);
    assert_eq!(naap_lines(&["--split", "all"]).len(), 440);
}

#[test]
fn epochs_add_the_early_training_features() {
    let plain = naap_lines(&["--split", "test"]);
    let early = naap_lines(&["--split", "test", "--epochs", "3"]);
    let rows = csv_rows();
    for (before, after) in plain.iter().zip(&early) {
        let (before, after) = (before.as_object().unwrap(), after.as_object().unwrap());
        let added: Vec<&str> = after.keys().filter(|key| !before.contains_key(*key)).map(String::as_str).collect();
        assert_eq!(
            added,
            [
                "e1_accuracy",
                "e2_accuracy",
                "e3_accuracy",
                "e1_loss_mean",
                "e2_loss_mean",
                "e3_loss_mean",
                "e1_loss_median",
                "e2_loss_median",
                "e3_loss_median"
            ]
        );
        let row = &rows[after["model_id"].as_u64().unwrap() as usize - 1];
        for e in 1..=3 {
            for (field, column) in [("accuracy", "Accuracy"), ("loss_mean", "LossMean"), ("loss_median", "LossMedian")]
            {
                assert_eq!(after[&format!("e{e}_{field}")].as_f64().unwrap(), number(row, &format!("e{e}{column}")));
            }
        }
    }
    let all_epochs = naap_lines(&["--split", "test", "--epochs", "90"]);
    assert_eq!(all_epochs[0].as_object().unwrap().len(), plain[0].as_object().unwrap().len() + 270);
    let (csv, schemes) = (data_file(CSV), data_file(SCHEMES));
    let output = run_tool(
        "naap-lines",
        &["--csv", csv.to_str().unwrap(), "--schemes", schemes.to_str().unwrap(), "--epochs", "91"],
        b"",
    );
    assert_eq!(output.status.code(), Some(2));
}

/// The edges a scheme's graph must have: input → layers → output in a chain, and for a
/// residual layer at node k the edge k − 1 → k + 1.
fn expected_edges(scheme: &Value) -> BTreeSet<(usize, usize)> {
    let layers = scheme.as_array().unwrap();
    let mut edges: BTreeSet<(usize, usize)> = (0..=layers.len()).map(|i| (i, i + 1)).collect();
    for (index, layer) in layers.iter().enumerate() {
        if layer["residual"] == true {
            edges.insert((index, index + 2));
        }
    }
    edges
}

#[test]
fn every_line_encodes_as_a_graph_with_its_residual_edges() {
    let text: String = naap_lines(&[]).iter().map(|line| format!("{line}\n")).collect();
    let encoded = json_lines(&run_ok("arch-encode", &["--space", "naap", "--format", "graph"], text.as_bytes()));
    assert_eq!(encoded.len(), 440);
    let mut residual_edges = 0;
    for line in &encoded {
        let scheme = &line["scheme"];
        let layers = scheme.as_array().unwrap().len();
        let graph = &line["graph"];
        assert_eq!(graph["nodes"], layers + 2, "input, one node per layer, output");
        let adjacency = graph["adjacency"].as_array().unwrap();
        assert_eq!(adjacency.len(), 6);
        let edges: BTreeSet<(usize, usize)> =
            (0..6).flat_map(|i| (0..6).map(move |j| (i, j))).filter(|&(i, j)| adjacency[i][j] == 1).collect();
        let expected = expected_edges(scheme);
        assert_eq!(edges, expected, "{}", line["id"]);
        residual_edges += expected.len() - (layers + 1);
        // Width and residual features of the layer nodes.
        for (index, layer) in scheme.as_array().unwrap().iter().enumerate() {
            let features = &graph["node_features"][index + 1];
            assert_eq!(features[0].as_f64().unwrap(), layer["width"].as_f64().unwrap() / 40.0);
            assert_eq!(features[1].as_f64().unwrap(), if layer["residual"] == true { 1.0 } else { 0.0 });
        }
        // Labels flow through.
        assert!(line["accuracy"].is_number() && line["model_id"].is_number());
    }
    let published_residuals: usize = published_schemes()
        .iter()
        .map(|scheme| scheme.as_array().unwrap().iter().filter(|layer| layer["residual"] == true).count())
        .sum();
    assert_eq!(residual_edges, published_residuals);
    assert!(residual_edges > 0);
    let flat = json_lines(&run_ok("arch-encode", &["--space", "naap", "--format", "flat"], text.as_bytes()));
    assert!(flat.iter().all(|line| line["flat"].as_array().unwrap().len() == 15 + 6 * (6 + 2)));
}

#[test]
fn arch_sample_lists_the_published_schemes_in_dataset_order() {
    let all = json_lines(&run_ok("arch-sample", &["--space", "naap", "--all"], b""));
    let schemes: Vec<Value> = all.iter().map(|line| line["scheme"].clone()).collect();
    assert_eq!(schemes, published_schemes());
    let ids: Vec<Value> = naap_lines(&[]).iter().map(|line| line["id"].clone()).collect();
    assert_eq!(all.iter().map(|line| line["id"].clone()).collect::<Vec<_>>(), ids);
    let sampled = json_lines(&run_ok("arch-sample", &["--space", "naap", "--count", "50", "--seed", "3"], b""));
    let distinct: BTreeSet<&str> = sampled.iter().map(|line| line["id"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), 50);
}

#[test]
fn early_accuracy_ranks_the_test_split() {
    let text: String =
        naap_lines(&["--split", "test", "--epochs", "9"]).iter().map(|line| format!("{line}\n")).collect();
    let summary: Value =
        serde_json::from_str(&run_ok("pred-eval", &["--pred", "e9_accuracy", "--truth", "accuracy"], text.as_bytes()))
            .unwrap();
    assert_eq!((summary["count"].as_u64(), summary["pairs"].as_u64()), (Some(40), Some(780)));
    let monotonicity = summary["monotonicity"].as_f64().unwrap();
    eprintln!("NAAP-440 test split, e9_accuracy against accuracy: monotonicity {monotonicity}");
    assert!(monotonicity > 0.75 && monotonicity <= 1.0, "{summary}");
}

#[test]
fn gcn_learns_from_scheme_graphs() {
    let dir = tempfile::tempdir().unwrap();
    let encode = |split: &str, name: &str| {
        let text: String = naap_lines(&["--split", split]).iter().map(|line| format!("{line}\n")).collect();
        let path = dir.path().join(name);
        std::fs::write(&path, run_ok("arch-encode", &["--space", "naap"], text.as_bytes())).unwrap();
        path
    };
    let (train, test) = (encode("train", "train.jsonl"), encode("test", "test.jsonl"));
    let model = dir.path().join("model.onnx");
    // Fraction labels spanning 0.53–0.75: no weight decay, so the small loss is not drowned.
    let path = |p: &Path| p.to_str().unwrap().to_string();
    run_ok(
        "gcn-train",
        &[
            "--label",
            "accuracy",
            "--epochs",
            "40",
            "--lr",
            "1e-3",
            "--weight-decay",
            "0",
            "-q",
            "-o",
            &path(&model),
            &path(&train),
        ],
        b"",
    );
    let scored = run_ok("gcn-score", &["-m", &path(&model), "--backend", "native", &path(&test)], b"");
    assert_eq!(json_lines(&scored).len(), 40);
    let summary: Value =
        serde_json::from_str(&run_ok("pred-eval", &["--pred", "pred", "--truth", "accuracy"], scored.as_bytes()))
            .unwrap();
    eprintln!("NAAP-440 test split, GCN on scheme graphs: {summary}");
    assert!(summary["monotonicity"].as_f64().unwrap() > 0.8, "{summary}");
}

#[test]
fn bad_input_exits_2_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, schemes) = (data_file(CSV), data_file(SCHEMES));
    let run = |csv: &Path, schemes: &Path| {
        run_tool("naap-lines", &["--csv", csv.to_str().unwrap(), "--schemes", schemes.to_str().unwrap()], b"")
    };
    let stderr = |output: &std::process::Output| String::from_utf8_lossy(&output.stderr).to_string();

    // A damaged number in the row of ModelId 5 (line 6 of the file).
    let text = std::fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut fields: Vec<String> = lines[5].split(',').map(str::to_string).collect();
    fields[2] = "12x".into();
    lines[5] = fields.join(",");
    let damaged = dir.path().join("damaged.csv");
    std::fs::write(&damaged, lines.join("\n") + "\n").unwrap();
    let output = run(&damaged, &schemes);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("damaged.csv: line 6: NumParams is '12x'"), "{}", stderr(&output));
    assert!(output.stdout.is_empty());

    // Two rows swapped: ModelIds out of order.
    let mut swapped = text.lines().map(str::to_string).collect::<Vec<_>>();
    swapped.swap(2, 3);
    let swapped_path = dir.path().join("swapped.csv");
    std::fs::write(&swapped_path, swapped.join("\n") + "\n").unwrap();
    let output = run(&swapped_path, &schemes);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("swapped.csv: line 3: ModelId is 3, expected 2"), "{}", stderr(&output));

    // A scheme outside the published rules.
    let mut list = published_schemes();
    list[9][2]["kernel_size"] = Value::from(7);
    let edited = dir.path().join("edited.json");
    std::fs::write(&edited, Value::Array(list).to_string()).unwrap();
    let output = run(&csv, &edited);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("edited.json: scheme 10 (ModelId 10): scheme[2]: kernel_size 7"),
        "{}",
        stderr(&output)
    );

    // A missing file is a runtime failure.
    let output = run(&dir.path().join("missing.csv"), &schemes);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("cannot open"), "{}", stderr(&output));

    // arch-encode names the bad line.
    let good = serde_json::json!({"scheme": published_schemes()[0]}).to_string();
    let input = format!("{good}\n{{\"scheme\": [{{\"kernel_size\": 3, \"width\": 12, \"stride\": 2}}]}}\n");
    let output = run_tool("arch-encode", &["--space", "naap"], input.as_bytes());
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("line 2: scheme[0]: missing field 'residual'"), "{}", stderr(&output));
}

#[test]
fn bad_values_are_named_by_their_file_line_whatever_the_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let (csv, schemes) = (data_file(CSV), data_file(SCHEMES));
    let published = std::fs::read(&csv).unwrap();
    // The published file ends its lines with \r\n; the same file with \n must number alike.
    assert!(published.windows(2).any(|pair| pair == b"\r\n"), "the published file has \\r\\n line ends");
    let text = String::from_utf8(published).unwrap();
    for (ending, name) in [("\r\n", "crlf.csv"), ("\n", "lf.csv")] {
        for damaged_line in [2, 6, 441] {
            let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
            let mut fields: Vec<&str> = lines[damaged_line - 1].split(',').collect();
            fields[2] = "12x";
            lines[damaged_line - 1] = fields.join(",");
            let damaged = dir.path().join(name);
            std::fs::write(&damaged, lines.join(ending) + ending).unwrap();
            let args = ["--csv", damaged.to_str().unwrap(), "--schemes", schemes.to_str().unwrap()];
            let output = run_tool("naap-lines", &args, b"");
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{stderr}");
            let expected = format!("{name}: line {damaged_line}: NumParams is '12x'");
            assert!(stderr.contains(&expected), "expected '{expected}' in {stderr}");
        }
    }
}
