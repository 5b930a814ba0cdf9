//! `gbt-train` and `gcn-score` with tree predictors as real binaries: training on zc500's
//! proxies (and the flat encoding), ONNX Runtime against the native evaluator and Python's
//! onnxruntime with `onnx.checker`, deterministic files, and bad feature lines.

use std::path::Path;
use std::process::Command;

use neural_predictor::{
    assert_close, data_file, json_lines, number_field, python_scores, run_ok, run_tool, tool_path, unique_by_id,
    write_lines,
};
use np_trees::TreePredictor;
use serde_json::Value;

/// zc500 encoded with `arch-encode --format flat`: every line, in file order.
fn zc500_flat() -> String {
    let text = std::fs::read_to_string(data_file("nb101/zc500.jsonl")).unwrap();
    run_ok("arch-encode", &["--format", "flat"], text.as_bytes())
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

fn preds(text: &str) -> Vec<f64> {
    number_field(&json_lines(text), "pred")
}

#[test]
fn trees_learn_from_proxies_and_every_backend_agrees_on_all_zc500_lines() {
    let dir = tempfile::tempdir().unwrap();
    let encoded = zc500_flat();
    let all = write_lines(&dir.path().join("all.jsonl"), &json_lines(&encoded));
    let cells = unique_by_id(&encoded);
    assert_eq!(cells.len(), 292);
    let (train_cells, test_cells) = cells.split_at(172);
    let train = write_lines(&dir.path().join("train.jsonl"), train_cells);
    let test = write_lines(&dir.path().join("test.jsonl"), test_cells);
    let cases: [(&str, &[&str], f64); 2] = [
        ("proxies", &["--features", "proxies.*"], 0.3),
        ("flat", &["--features", "proxies.*,params_m,flops_m", "--flat"], 0.4),
    ];
    for (name, flags, least_tau) in cases {
        let model = dir.path().join(format!("{name}.onnx"));
        let mut args = vec!["-q", "-o", path_str(&model)];
        args.extend_from_slice(flags);
        args.push(path_str(&train));
        run_ok("gbt-train", &args, b"");

        let m = path_str(&model);
        let ort = run_ok("gcn-score", &["-m", m, path_str(&all)], b"");
        let native = run_ok("gcn-score", &["-m", m, "--backend", "native", path_str(&all)], b"");
        let (ort_preds, native_preds) = (preds(&ort), preds(&native));
        assert_eq!(ort_preds.len(), 500);
        assert_close(&native_preds, &ort_preds, &format!("{name}: native against ORT"));
        let python_preds = number_field(&python_scores(&model, &all), "pred");
        assert_close(&python_preds, &native_preds, &format!("{name}: Python against native"));
        // Each line comes back byte for byte with `pred` appended.
        for (scored, original) in ort.lines().zip(encoded.lines()) {
            let (body, _) = scored.rsplit_once(",\"pred\":").unwrap();
            assert_eq!(format!("{body}}}"), original);
        }

        let scored = run_ok("gcn-score", &["-m", m, path_str(&test)], b"");
        let summary = run_ok("pred-eval", &["--pred", "pred", "--truth", "val_accuracy"], scored.as_bytes());
        let tau = serde_json::from_str::<Value>(&summary).unwrap()["kendall_tau"].as_f64().unwrap();
        assert!(tau > least_tau, "{name}: held-out Kendall tau {tau}");

        let predictor = TreePredictor::from_onnx(&std::fs::read(&model).unwrap()).unwrap();
        let meta = &predictor.meta;
        assert_eq!(meta.training_count, 172);
        let ids: Vec<String> = train_cells.iter().map(|c| c["id"].as_str().unwrap().to_string()).collect();
        let labels: Vec<f64> = train_cells.iter().map(|c| c["val_accuracy"].as_f64().unwrap()).collect();
        assert_eq!(meta.training_digest, np_predictor::fit::training_digest(&ids, &labels));
        assert_eq!(meta.label_field, "val_accuracy");
        assert_eq!(meta.label_scale, "percent");
        let names = meta.features.names();
        assert_eq!(names[..2], ["proxies.epe_nas", "proxies.fisher"]);
        if name == "flat" {
            assert_eq!(names[9..], ["params_m", "flops_m"]);
            assert_eq!((meta.features.flat_length, meta.features.space.as_deref()), (Some(56), Some("nb101")));
            assert_eq!(meta.features.len(), 9 + 2 + 56);
        } else {
            assert_eq!((names.len(), meta.features.flat_length), (9, None));
        }
    }
}

#[test]
fn the_same_seed_gives_the_same_file_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let encoded = zc500_flat();
    let train = |name: &str, seed: &str, threads: &str| -> Vec<u8> {
        let model = dir.path().join(name);
        let args = [
            "-q",
            "--features",
            "proxies.*",
            "--flat",
            "--subsample",
            "0.7",
            "--colsample",
            "0.8",
            "--trees",
            "80",
            "--seed",
            seed,
            "-o",
            path_str(&model),
        ];
        let output = Command::new(tool_path("gbt-train"))
            .args(args)
            .env("RAYON_NUM_THREADS", threads)
            .stdin(std::process::Stdio::piped())
            .spawn()
            .and_then(|mut child| {
                use std::io::Write;
                child.stdin.take().unwrap().write_all(encoded.as_bytes())?;
                child.wait_with_output()
            })
            .unwrap();
        assert!(output.status.success());
        std::fs::read(&model).unwrap()
    };
    let first = train("a.onnx", "5", "1");
    assert_eq!(first, train("b.onnx", "5", "2"), "same seed, other thread count");
    assert_ne!(first, train("c.onnx", "6", "2"), "another seed draws other rows");
}

#[test]
fn missing_or_non_numeric_features_stop_training_and_scoring_with_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let encoded = zc500_flat();
    let lines: Vec<Value> = json_lines(&encoded).into_iter().take(40).collect();
    let good: String = lines.iter().map(|r| format!("{r}\n")).collect();

    let mut no_snip = lines[2].clone();
    no_snip["proxies"].as_object_mut().unwrap().remove("snip");
    let mut text_snip = lines[2].clone();
    text_snip["proxies"]["snip"] = Value::from("high");
    let mut no_flat = lines[2].clone();
    no_flat.as_object_mut().unwrap().remove("flat");
    let mut short_flat = lines[2].clone();
    short_flat["flat"].as_array_mut().unwrap().pop();
    let cases: [(&Value, &[&str], &str); 4] = [
        (&no_snip, &["--features", "proxies.*"], "line 3: field 'proxies.snip' is missing"),
        (&text_snip, &["--features", "proxies.snip"], "line 3: field 'proxies.snip' is a string, expected a number"),
        (&no_flat, &["--features", "params_m", "--flat"], "line 3: field 'flat' is missing"),
        (&short_flat, &["--flat"], "line 3: field 'flat' has 55 numbers, the predictor expects 56"),
    ];
    for (bad, flags, message) in cases {
        let text: String =
            lines.iter().enumerate().map(|(i, r)| format!("{}\n", if i == 2 { bad } else { r })).collect();
        let model = dir.path().join("bad.onnx");
        let mut args = vec!["-q", "-o", path_str(&model)];
        args.extend_from_slice(flags);
        let output = run_tool("gbt-train", &args, text.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with(&format!("gbt-train: {message}")), "{stderr}");
        assert!(!model.exists(), "no file is left behind");

        // A model trained on good lines refuses the same line when scoring.
        run_ok("gbt-train", &args, good.as_bytes());
        for backend in ["ort", "native"] {
            let output = run_tool("gcn-score", &["-m", path_str(&model), "--backend", backend], text.as_bytes());
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(output.status.code(), Some(2), "{stderr}");
            assert!(stderr.starts_with(&format!("gcn-score: {message}")), "{backend}: {stderr}");
        }
        let skipped = run_tool("gcn-score", &["-m", path_str(&model), "--skip-invalid"], text.as_bytes());
        assert!(skipped.status.success());
        assert_eq!(String::from_utf8_lossy(&skipped.stdout).lines().count(), 39);
        std::fs::remove_file(&model).unwrap();
    }

    for (flags, message) in [
        (&["--label", "val_accuracy"][..], "no features: give --features NAME,... and/or --flat"),
        (&["--features", "proxies.snip,proxies.snip"], "feature 'proxies.snip' is given twice"),
        (&["--features", "adjacency.*"], "line 1: features 'adjacency.*': field 'adjacency' is not an object"),
        (&["--features", "proxies.*", "--label", "accuracy"], "line 1: field 'accuracy' is missing"),
        (&["--features", "proxies.*", "--trees", "0"], "the number of trees must be at least 1"),
    ] {
        let mut args = vec!["-q", "-o", "unused.onnx"];
        args.extend_from_slice(flags);
        let output = run_tool("gbt-train", &args, good.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{flags:?}: {stderr}");
        assert_eq!(stderr.trim_end(), format!("gbt-train: {message}"));
    }
}

#[test]
fn a_file_of_another_format_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("other.onnx");
    let mut builder = np_onnx_model("neural-predictor/forest/9");
    std::fs::write(&model, builder.to_bytes()).unwrap();
    let output = run_tool("gcn-score", &["-m", path_str(&model)], b"{}\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown predictor format 'neural-predictor/forest/9'"), "{stderr}");
    builder = np_onnx_model("");
    std::fs::write(&model, builder.to_bytes()).unwrap();
    assert_eq!(run_tool("gcn-score", &["-m", path_str(&model)], b"{}\n").status.code(), Some(2));
}

fn np_onnx_model(format: &str) -> np_onnx::ModelBuilder {
    let mut model = np_onnx::ModelBuilder::new("other");
    if !format.is_empty() {
        model.metadata("format", format);
    }
    model
}
