//! `gcn-train`, `gcn-score` and `pred-eval` as real binaries: training, ONNX round trip through
//! Python's onnxruntime, ORT against native, sharding, and bad input.

use std::path::{Path, PathBuf};
use std::process::Command;

use neural_predictor::{
    assert_close, json_lines, number_field, run_ok, run_tool, scores_agree_on_every_backend, tool_path, train_gcn,
    unique_zc500_cells, workspace_root, write_lines,
};
use serde_json::Value;

/// The predictor of these tests: 40 epochs on `val_accuracy` (the default label).
fn train(dir: &Path, records: &[Value], extra: &[&str]) -> PathBuf {
    train_gcn(dir, records, 40, extra)
}

#[test]
fn predictor_learns_ranks_and_round_trips_through_python_onnxruntime() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    assert_eq!(cells.len(), 292);
    let (train_cells, test_cells) = cells.split_at(172);
    for extra in [&[][..], &["--two-stage"]] {
        let model = train(dir.path(), train_cells, extra);
        let test_path = dir.path().join("test.jsonl");
        write_lines(&test_path, test_cells);
        let outputs: &[&str] = if extra.is_empty() { &["pred"] } else { &["pred", "p_good"] };
        let (_, ort) = scores_agree_on_every_backend(&model, &test_path, outputs);
        assert_eq!(ort.len(), 120);
        // Every input field flows through unchanged, with the scores appended.
        for (scored, original) in ort.iter().zip(test_cells) {
            assert_eq!(scored["id"], original["id"]);
            assert_eq!(scored["graph"], original["graph"]);
        }
        let scored: String = ort.iter().map(|r| format!("{r}\n")).collect();
        let summary = run_ok("pred-eval", &["--pred", "pred", "--truth", "val_accuracy"], scored.as_bytes());
        let summary: Value = serde_json::from_str(&summary).unwrap();
        let tau = summary["kendall_tau"].as_f64().unwrap();
        assert!(tau > 0.4, "a trained predictor ranks held-out cells (tau {tau})");
    }
}

#[test]
fn ort_and_native_agree_on_thousands_of_graphs_and_shards_match() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    let model = train(dir.path(), &cells[..120], &["--two-stage"]);
    let pool = run_ok("arch-sample", &["--count", "4000", "--seed", "3"], b"");
    let encoded = run_ok("arch-encode", &[], pool.as_bytes());
    let pool_path = dir.path().join("pool.jsonl");
    std::fs::write(&pool_path, &encoded).unwrap();
    let m = model.to_str().unwrap();
    let ort = run_ok("gcn-score", &["-m", m, "--batch", "512", pool_path.to_str().unwrap()], b"");
    let native = run_ok("gcn-score", &["-m", m, "--backend", "native", pool_path.to_str().unwrap()], b"");
    let (ort, native) = (json_lines(&ort), json_lines(&native));
    assert_eq!(ort.len(), 4000);
    for name in ["pred", "p_good"] {
        assert_close(&number_field(&ort, name), &number_field(&native, name), &format!("{name}: ORT against native"));
    }
    // split + xargs -P + cat gives the same bytes as one run.
    let bin = tool_path("gcn-score").parent().unwrap().to_path_buf();
    let script = format!(
        "split -n l/4 -d pool.jsonl part. && ls part.0? | xargs -P 4 -I{{}} gcn-score -m {m} {{}} -o {{}}.scored && cat part.0?.scored"
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let sharded = Command::new("sh").arg("-c").arg(&script).current_dir(dir.path()).env("PATH", path).output().unwrap();
    assert!(sharded.status.success(), "{}", String::from_utf8_lossy(&sharded.stderr));
    let whole = run_ok("gcn-score", &["-m", m, pool_path.to_str().unwrap()], b"");
    assert!(String::from_utf8(sharded.stdout).unwrap() == whole, "sharded scoring differs");
}

#[test]
fn training_rejects_bad_lines_with_their_number() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    let good = cells[0].to_string();
    let mut no_label = cells[1].clone();
    no_label.as_object_mut().unwrap().remove("val_accuracy");
    let mut text_label = cells[1].clone();
    text_label["val_accuracy"] = Value::from("high");
    let mut too_big = cells[1].clone();
    too_big["graph"]["nodes"] = Value::from(8);
    let mut no_graph = cells[1].clone();
    no_graph.as_object_mut().unwrap().remove("graph");
    let cases = [
        (no_label.to_string(), "missing label field 'val_accuracy'"),
        (text_label.to_string(), "is not a finite number"),
        (too_big.to_string(), "graph has 8 nodes; the space allows 1 to 7"),
        (no_graph.to_string(), "missing field 'graph'"),
        ("{\"val_accuracy\": 1e999}".to_string(), "not valid JSON"),
    ];
    let target = dir.path().join("model.onnx");
    for (bad, reason) in cases {
        let input = format!("{good}\n{bad}\n");
        let output = run_tool("gcn-train", &["--epochs", "1", "-q", "-o", target.to_str().unwrap()], input.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with("gcn-train: line 2: ") && stderr.contains(reason), "{reason}: {stderr}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "no model and no temporary file");
    }
}

#[test]
fn scoring_refuses_another_space_and_explains_a_missing_runtime() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    let model = train(dir.path(), &cells[..60], &[]);
    let m = model.to_str().unwrap();
    let proxyless = run_ok("arch-sample", &["--space", "proxyless", "--count", "3"], b"");
    let encoded = run_ok("arch-encode", &["--space", "proxyless"], proxyless.as_bytes());
    let output = run_tool("gcn-score", &["-m", m], encoded.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("line 1: space 'proxyless' but the predictor was trained on 'nb101'"), "{stderr}");

    // A broken `graph` field, in the compact layout and spaced out: the line's number and why.
    let good = serde_json::to_string(&cells[0]).unwrap();
    let graph = serde_json::to_string(&cells[0]["graph"]).unwrap();
    for (broken, reason) in [
        (graph.replacen("[0,", "[2,", 1), "adjacency entries must be 0 or 1"),
        (graph.replacen("\"op_onehot\"", "\"op_one\"", 1), "invalid 'graph' field: missing field `op_onehot`"),
        (graph.replacen(":", ": ", 1).replacen("[0,", "[2,", 1), "adjacency entries must be 0 or 1"),
        (graph.replacen("]]", "]", 1), "not an encoded architecture line"),
    ] {
        let input = format!("{good}\n{}\n", good.replacen(&graph, &broken, 1));
        let output = run_tool("gcn-score", &["-m", m, "--backend", "native"], input.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{broken}: {stderr}");
        assert!(stderr.contains("line 2: ") && stderr.contains(reason), "{broken}: {stderr}");
    }

    // A missing library, and a file that is not one: one line saying how to fix it, exit 1.
    let not_a_library = dir.path().join("libonnxruntime.so.9");
    std::fs::write(&not_a_library, "not a shared library").unwrap();
    for library in [dir.path().join("libonnxruntime.so.0"), not_a_library] {
        let output =
            Command::new(tool_path("gcn-score")).args(["-m", m]).env("ORT_DYLIB_PATH", &library).output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains("make setup"), "{stderr}");
    }

    // `--device cuda` never falls back to the CPU: this build has no CUDA support, so it stops
    // at once (exit 1, one line saying how to get it) and writes no output file; the native
    // backend has no CUDA at all (a usage error).
    let scored = dir.path().join("scored.jsonl");
    let args = ["-m", m, "--device", "cuda", "-o", scored.to_str().unwrap()];
    let output = run_tool("gcn-score", &args, good.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("--features cuda"), "{stderr}");
    assert!(!scored.exists());
    let output = run_tool("gcn-score", &["-m", m, "--device", "cuda", "--backend", "native"], good.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("--device cuda needs --backend ort"), "{stderr}");
}

#[test]
fn cross_validation_picks_from_the_grid_and_widens_the_final_model() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    let train_path = dir.path().join("train.jsonl");
    write_lines(&train_path, &cells[..90]);
    let model = dir.path().join("cv.onnx");
    let output = run_tool(
        "gcn-train",
        &[
            "--cv",
            "--cv-lr",
            "1e-4,1e-3",
            "--cv-weight-decay",
            "1e-3",
            "--cv-hidden",
            "16",
            "--cv-epochs",
            "20",
            "--cv-layers",
            "2",
            "-o",
            model.to_str().unwrap(),
            train_path.to_str().unwrap(),
        ],
        b"",
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.contains("3-fold cross-validation"), "{stderr}");
    let rows: Vec<&str> = stderr.lines().filter(|l| l.contains("     16 ")).collect();
    assert_eq!(rows.len(), 2, "one row per grid point: {stderr}");
    let predictor = np_predictor::Predictor::from_onnx(&std::fs::read(&model).unwrap()).unwrap();
    let config = &predictor.meta.config;
    assert_eq!(config.layers, 2);
    assert!(config.hidden > 16, "the final model is widened (hidden {})", config.hidden);
    assert!(stderr.contains(&format!("hidden {} (widened from 16)", config.hidden)), "{stderr}");
}

#[test]
fn plain_architecture_lines_score_like_encoded_ones() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    let model = train(dir.path(), &cells[..60], &["--two-stage"]);
    let m = model.to_str().unwrap();
    let pool = run_ok("arch-sample", &["--count", "700", "--seed", "5", "--sampler", "nasbench"], b"");
    let encoded = run_ok("arch-encode", &[], pool.as_bytes());
    let plain = json_lines(&run_ok("gcn-score", &["-m", m], pool.as_bytes()));
    let via_encode = json_lines(&run_ok("gcn-score", &["-m", m], encoded.as_bytes()));
    assert_eq!(plain.len(), 700);
    for (a, b) in plain.iter().zip(&via_encode) {
        assert_eq!(a["id"], b["id"]);
        assert_eq!((&a["pred"], &a["p_good"]), (&b["pred"], &b["p_good"]));
        assert!(a.get("graph").is_none(), "plain lines stay plain");
    }
    let bad = run_tool("gcn-score", &["-m", m], b"{\"ops\": [\"input\"]}\n");
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("line 1: no 'graph' field, and not a valid nb101 architecture"), "{stderr}");
}

#[test]
fn fraction_labels_train_like_percent_labels() {
    let cells = unique_zc500_cells("graph");
    let fractions: Vec<Value> = cells
        .iter()
        .map(|cell| {
            let mut cell = cell.clone();
            cell["val_accuracy"] = Value::from(cell["val_accuracy"].as_f64().unwrap() / 100.0);
            cell
        })
        .collect();
    let (percent_dir, fraction_dir) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let percent_model = train(percent_dir.path(), &cells[..150], &[]);
    let fraction_model = train(fraction_dir.path(), &fractions[..150], &[]);
    let test: String = cells[150..].iter().map(|r| format!("{r}\n")).collect();
    let score = |model: &Path| {
        let scored = run_ok("gcn-score", &["--backend", "native", "-m", model.to_str().unwrap()], test.as_bytes());
        number_field(&json_lines(&scored), "pred")
    };
    let (percent, fraction) = (score(&percent_model), score(&fraction_model));
    let spread = fraction.iter().cloned().fold(f64::MIN, f64::max) - fraction.iter().cloned().fold(f64::MAX, f64::min);
    let percent_spread =
        percent.iter().cloned().fold(f64::MIN, f64::max) - percent.iter().cloned().fold(f64::MAX, f64::min);
    assert!(
        spread > 0.001,
        "fraction labels must not collapse to a constant (spread {spread}, percent {percent_spread})"
    );
    for (p, f) in percent.iter().zip(&fraction) {
        assert!((p - 100.0 * f).abs() < 0.01, "the same network in other units: {p} vs {}", 100.0 * f);
    }
}

#[test]
fn training_gives_the_same_model_bytes_on_one_thread_or_several() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    let train_path = dir.path().join("train.jsonl");
    write_lines(&train_path, &cells[..120]);
    // Dropout and an odd batch size: the masks and uneven halves are split between threads.
    let train = |name: &str, threads: &str| {
        let model = dir.path().join(name);
        let output = Command::new(tool_path("gcn-train"))
            .args(["--label", "val_accuracy", "--epochs", "15", "--batch", "7", "--dropout", "0.1", "-q", "-o"])
            .arg(&model)
            .arg(&train_path)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        std::fs::read(&model).unwrap()
    };
    let one = train("one.onnx", "1");
    assert_eq!(one, train("two.onnx", "2"), "two threads");
    assert_eq!(one, train("three.onnx", "3"), "three threads");
}

/// A line that already has scores is rewritten through a JSON value of the whole line: a field
/// that serde_json cannot hold is a bad line (exit 2, or skipped), never a panic.
#[test]
fn rescoring_a_line_serde_cannot_hold_is_a_bad_line() {
    let model = workspace_root().join("fixtures/gcn-two-stage.onnx");
    let cells = std::fs::read_to_string(workspace_root().join("fixtures/nb101-cells.graph.jsonl")).unwrap();
    let first = cells.lines().next().unwrap().trim_end();
    let bad = format!("{},\"pred\":1,\"x\":1e999}}\n", &first[..first.len() - 1]);
    for backend in ["native", "ort"] {
        let args = ["--backend", backend, "-m", model.to_str().unwrap()];
        let output = run_tool("gcn-score", &args, bad.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{backend}: {stderr}");
        assert!(stderr.starts_with("gcn-score: line 1: ") && stderr.lines().count() == 1, "{backend}: {stderr}");
        let input = format!("{cells}{bad}");
        let skipped = run_tool("gcn-score", &[&args[..], &["--skip-invalid"]].concat(), input.as_bytes());
        assert!(skipped.status.success(), "{backend}: {}", String::from_utf8_lossy(&skipped.stderr));
        assert_eq!(String::from_utf8_lossy(&skipped.stdout).lines().count(), cells.lines().count());
    }
}

#[test]
fn a_network_with_no_layer_or_unit_is_a_usage_error() {
    for flag in ["--layers", "--hidden", "--fc-hidden", "--cv-layers", "--cv-hidden"] {
        let output = run_tool("gcn-train", &["--label", "val_accuracy", flag, "0"], b"");
        assert_eq!(output.status.code(), Some(2), "{flag}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

/// `--rank-weight`: the ranking term trains the same bytes on any thread count (its pairs span
/// both halves of a step), is recorded in the file, still ranks held-out cells, and must be a
/// number ≥ 0.
#[test]
fn a_ranking_weight_is_recorded_thread_independent_and_ranks() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    let train_path = dir.path().join("train.jsonl");
    write_lines(&train_path, &cells[..172]);
    let train = |name: &str, threads: &str, extra: &[&str]| {
        let model = dir.path().join(name);
        let output = Command::new(tool_path("gcn-train"))
            .args(["--epochs", "40", "--batch", "7", "-q", "-o"])
            .arg(&model)
            .args(extra)
            .arg(&train_path)
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        model
    };
    let ranked = train("ranked.onnx", "1", &["--rank-weight", "100"]);
    let bytes = std::fs::read(&ranked).unwrap();
    assert_eq!(bytes, std::fs::read(train("ranked2.onnx", "2", &["--rank-weight", "100"])).unwrap(), "two threads");
    let contains = |haystack: &[u8], needle: &str| haystack.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(contains(&bytes, "\"rank_weight\":100"), "the weight is in the training metadata");
    let plain = std::fs::read(train("plain.onnx", "1", &[])).unwrap();
    assert!(!contains(&plain, "rank_weight") && plain != bytes, "without the flag, the file of before");
    let test: String = cells[172..].iter().map(|r| format!("{r}\n")).collect();
    let scored = run_ok("gcn-score", &["--backend", "native", "-m", ranked.to_str().unwrap()], test.as_bytes());
    let summary = run_ok("pred-eval", &["--pred", "pred", "--truth", "val_accuracy"], scored.as_bytes());
    let tau = serde_json::from_str::<Value>(&summary).unwrap()["kendall_tau"].as_f64().unwrap();
    assert!(tau > 0.4, "a ranking-trained predictor ranks held-out cells (tau {tau})");
    for bad in ["-1", "nan"] {
        let output = run_tool("gcn-train", &["-o", "x.onnx", "--rank-weight", bad], b"");
        assert_eq!(output.status.code(), Some(2), "{bad}: {}", String::from_utf8_lossy(&output.stderr));
    }
}

/// `--steps` sets the epochs from the number of lines, and `--warm-start` continues from a
/// model of the same shapes: from a fitted model a short run ranks held-out cells at least as
/// well as the same short run from scratch; a model of other shapes or stages is refused.
#[test]
fn warm_starts_continue_a_model_and_refuse_other_shapes() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    let (train_cells, test_cells) = cells.split_at(172);
    let train_path = write_lines(&dir.path().join("train.jsonl"), train_cells);
    let test_path = write_lines(&dir.path().join("test.jsonl"), test_cells);
    let fit = |name: &str, extra: &[&str]| {
        let model = dir.path().join(name);
        let mut args = vec!["-q", "--lr", "1e-3", "-o", model.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(train_path.to_str().unwrap());
        let output = run_tool("gcn-train", &args, b"");
        (model, output)
    };
    let tau = |model: &Path| {
        let scored = run_ok(
            "gcn-score",
            &["--backend", "native", "-m", model.to_str().unwrap()],
            &std::fs::read(&test_path).unwrap(),
        );
        let summary = run_ok("pred-eval", &["--pred", "pred", "--truth", "val_accuracy"], scored.as_bytes());
        serde_json::from_str::<Value>(&summary).unwrap()["kendall_tau"].as_f64().unwrap()
    };
    // 172 lines in batches of 10: 18 steps an epoch, so 600 steps are 34 epochs.
    let (base, output) = fit("base.onnx", &["--steps", "600"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let (same, _) = fit("same.onnx", &["--epochs", "34"]);
    assert_eq!(std::fs::read(&base).unwrap(), std::fs::read(&same).unwrap(), "--steps 600 is 34 epochs here");
    let (cold, _) = fit("cold.onnx", &["--steps", "40", "--seed", "5"]);
    let (warm, output) = fit("warm.onnx", &["--steps", "40", "--seed", "5", "--warm-start", base.to_str().unwrap()]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    assert_ne!(std::fs::read(&warm).unwrap(), std::fs::read(&cold).unwrap());
    let (tau_base, tau_warm, tau_cold) = (tau(&base), tau(&warm), tau(&cold));
    assert!(tau_warm > tau_cold && tau_warm > 0.8 * tau_base, "warm {tau_warm}, cold {tau_cold}, base {tau_base}");
    for (extra, reason) in
        [(&["--hidden", "16"][..], "same network shapes"), (&["--two-stage"][..], "same network shapes and stages")]
    {
        let args = [&["--steps", "10", "--warm-start", base.to_str().unwrap()][..], extra].concat();
        let (_, output) = fit("refused.onnx", &args);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{extra:?}: {stderr}");
        assert!(stderr.contains(reason) && stderr.lines().count() == 1, "{extra:?}: {stderr}");
        assert!(!dir.path().join("refused.onnx").exists(), "{extra:?}: no output on refusal");
    }
    let (_, output) = fit("missing.onnx", &["--warm-start", dir.path().join("none.onnx").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "a missing model is a runtime failure");
}
