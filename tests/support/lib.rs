//! Helpers shared by the workspace-level integration tests: where the benchmark data lives,
//! and how to run the project's real binaries.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The workspace root (this package's manifest directory).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The benchmark data directory: `$NAS_DATA`, default `../shared/data` beside the workspace.
pub fn data_dir() -> PathBuf {
    // A relative NAS_DATA is relative to the workspace root (joining keeps an absolute one).
    match std::env::var_os("NAS_DATA") {
        Some(dir) => workspace_root().join(dir),
        None => workspace_root().join("../shared/data"),
    }
}

/// A file under the data directory; panics with a clear message when it is missing.
pub fn data_file(relative: &str) -> PathBuf {
    let path = data_dir().join(relative);
    assert!(path.exists(), "benchmark data {} not found: set NAS_DATA to the data directory", path.display());
    path
}

/// The Python interpreter with the project's Python packages: `$NP_PYTHON`, default the
/// workspace's `.venv` (which `make setup` creates).
pub fn python() -> String {
    std::env::var("NP_PYTHON").unwrap_or_else(|_| workspace_root().join(".venv/bin/python").display().to_string())
}

/// A NAS-Bench-Graph light table, `<dataset>.bench` (cora, citeseer, pubmed, cs, physics,
/// photo, computers, arxiv, proteins), from the `nas-bench-graph` package: in `$NBGRAPH_DIR`
/// (the Makefile sets it), else in the workspace's `.venv`. Panics saying what to do when it
/// is missing.
pub fn nbgraph_table(dataset: &str) -> PathBuf {
    let dir = match std::env::var_os("NBGRAPH_DIR").filter(|dir| !dir.is_empty()) {
        Some(dir) => workspace_root().join(dir),
        None => venv_nbgraph_dir().unwrap_or_else(|| {
            panic!("the nas-bench-graph package is not in .venv: run `make setup` (or set NBGRAPH_DIR)")
        }),
    };
    let path = dir.join(format!("{dataset}.bench"));
    assert!(path.exists(), "NAS-Bench-Graph table {} not found: run `make setup` (or set NBGRAPH_DIR)", path.display());
    path
}

/// `.venv/lib/python3*/site-packages/nas_bench_graph/light` (the last in name order if several).
fn venv_nbgraph_dir() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(workspace_root().join(".venv/lib"))
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_str().is_some_and(|name| name.starts_with("python3")))
        .map(|entry| entry.path().join("site-packages/nas_bench_graph/light"))
        .filter(|dir| dir.is_dir())
        .collect();
    dirs.sort();
    dirs.pop()
}

/// The path of a tool binary built in the same target directory as the tests
/// (`make test` builds them first).
pub fn tool_path(name: &str) -> PathBuf {
    let mut dir = std::env::current_exe().expect("test executable path");
    dir.pop();
    if dir.ends_with("deps") {
        dir.pop();
    }
    let path = dir.join(name);
    assert!(path.exists(), "{} not built: run `cargo build --workspace` (make test does)", path.display());
    path
}

/// Runs a tool with `args`, feeding `stdin`, and returns its output.
pub fn run_tool(name: &str, args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(tool_path(name))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {name}: {e}"));
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let output = child.wait_with_output().expect("tool output");
    writer.join().expect("stdin writer");
    output
}

/// Stdout of a successful run, as text; panics with stderr otherwise.
pub fn run_ok(name: &str, args: &[&str], stdin: &[u8]) -> String {
    let output = run_tool(name, args, stdin);
    assert!(
        output.status.success(),
        "{name} {args:?} failed with {:?}: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Parses JSON lines.
pub fn json_lines(text: &str) -> Vec<serde_json::Value> {
    text.lines().map(|line| serde_json::from_str(line).expect("valid JSON line")).collect()
}

/// One line per distinct architecture `id` (the first line of twins, their `val_accuracy`
/// averaged), in id order: splits of zc500 must not put a cell's twin on both sides.
pub fn unique_by_id(lines: &str) -> Vec<serde_json::Value> {
    let mut by_id: std::collections::BTreeMap<String, (serde_json::Value, Vec<f64>)> = Default::default();
    for record in json_lines(lines) {
        let id = record["id"].as_str().expect("string id").to_string();
        let accuracy = record["val_accuracy"].as_f64().expect("numeric val_accuracy");
        by_id.entry(id).or_insert_with(|| (record.clone(), Vec::new())).1.push(accuracy);
    }
    by_id
        .into_values()
        .map(|(mut record, accuracies)| {
            record["val_accuracy"] = serde_json::Value::from(accuracies.iter().sum::<f64>() / accuracies.len() as f64);
            record
        })
        .collect()
}

/// zc500 encoded with `arch-encode --format FORMAT`, one line per distinct cell
/// ([`unique_by_id`]).
pub fn unique_zc500_cells(format: &str) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(data_file("nb101/zc500.jsonl")).expect("zc500 readable");
    unique_by_id(&run_ok("arch-encode", &["--format", format], text.as_bytes()))
}

/// Writes records as JSON lines to `path` and returns the path.
pub fn write_lines(path: &std::path::Path, records: &[serde_json::Value]) -> PathBuf {
    let text: String = records.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(path, text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path.to_path_buf()
}

/// Field `name` of every record, as numbers; panics naming a record that lacks it.
pub fn number_field(records: &[serde_json::Value], name: &str) -> Vec<f64> {
    records.iter().map(|r| r[name].as_f64().unwrap_or_else(|| panic!("numeric field {name} in {r}"))).collect()
}

/// Asserts that `a` and `b` agree within 1e-5 relative to `a` (absolute below 1): the most
/// that float32 backends running the same model may differ by.
pub fn assert_close(a: &[f64], b: &[f64], what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= 1e-5 * x.abs().max(1.0), "{what}[{i}]: {x} against {y}");
    }
}

/// The scores of the reference tooling: `tests/python/check_predictor.py` runs `onnx.checker`
/// (full check) on `model`, then Python's onnxruntime on the encoded `lines`; one object per
/// line with the model's outputs (`pred`, and `p_good` for a two-stage GCN).
pub fn python_scores(model: &Path, lines: &Path) -> Vec<serde_json::Value> {
    let output = Command::new(python())
        .arg(workspace_root().join("tests/python/check_predictor.py"))
        .arg(model)
        .arg(lines)
        .output()
        .expect("start python (set NP_PYTHON, or run make setup for .venv)");
    assert!(output.status.success(), "onnx.checker / onnxruntime: {}", String::from_utf8_lossy(&output.stderr));
    json_lines(&String::from_utf8(output.stdout).expect("UTF-8 output"))
}

/// Scores the encoded `lines` with the GCN file `model` on `gcn-score`'s native and ONNX
/// Runtime backends and in Python ([`python_scores`]), asserts that each of `outputs` agrees
/// across the three ([`assert_close`]), and returns the native and the ONNX Runtime lines.
pub fn scores_agree_on_every_backend(
    model: &Path,
    lines: &Path,
    outputs: &[&str],
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let (model_arg, lines_arg) = (model.to_str().expect("UTF-8 path"), lines.to_str().expect("UTF-8 path"));
    let native = json_lines(&run_ok("gcn-score", &["-m", model_arg, "--backend", "native", lines_arg], b""));
    let ort = json_lines(&run_ok("gcn-score", &["-m", model_arg, lines_arg], b""));
    let python = python_scores(model, lines);
    assert_eq!((ort.len(), python.len()), (native.len(), native.len()), "one score line per input line");
    for name in outputs {
        let (a, b, c) = (number_field(&native, name), number_field(&ort, name), number_field(&python, name));
        assert_close(&a, &b, &format!("{name}: native against ORT"));
        assert_close(&b, &c, &format!("{name}: ORT against Python"));
    }
    (native, ort)
}

/// The output of `tool` run once per part `--shard i/parts` (i = 0..parts) with `args`, the
/// parts concatenated in order: what must equal the unsharded output.
pub fn sharded_output(tool: &str, args: &[&str], parts: usize) -> String {
    (0..parts)
        .map(|part| {
            let shard = format!("{part}/{parts}");
            let mut sharded = args.to_vec();
            sharded.extend(["--shard", shard.as_str()]);
            run_ok(tool, &sharded, b"")
        })
        .collect()
}

/// Trains a GCN with `gcn-train` on `records` (written to `dir/train.jsonl`) for `epochs`,
/// with the options `extra`; the model is written to `dir`, named after the options, and its
/// path returned.
pub fn train_gcn(dir: &Path, records: &[serde_json::Value], epochs: u32, extra: &[&str]) -> PathBuf {
    let train_path = write_lines(&dir.join("train.jsonl"), records);
    let model = dir.join(format!("model{}.onnx", extra.join("").replace('-', "")));
    let epochs = epochs.to_string();
    let mut args = vec!["--epochs", epochs.as_str(), "-q", "-o", model.to_str().expect("UTF-8 path")];
    args.extend_from_slice(extra);
    args.push(train_path.to_str().expect("UTF-8 path"));
    run_ok("gcn-train", &args, b"");
    model
}
