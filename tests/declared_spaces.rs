//! A search space of the user's own, declared in a spec file, through the whole pipeline:
//! sample, answer from a table with named columns, encode, train the GCN, score (with no spec
//! file: the predictor carries it), select, simulate searches, evolve, trade off a cost, and
//! `make search`; and the refusals that keep two specs of one name apart.
//!
//! The space is a 4-node edge-op cell with four ops (4,096 cells); its table is synthetic, made
//! here: a seeded weight per (edge, op), so a predictor can learn it, with repeated rows for
//! some cells and a latency column.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use neural_predictor::{json_lines, run_ok, run_tool, sharded_output, tool_path, workspace_root};

const SPEC: &str = r#"# A small cell of our own: ops on the six edges of a 4-node DAG.
name = "tiny-cell"
family = "edge-cell"

[edge-cell]
nodes = 4
ops = ["zero", "identity", "conv3x3", "sep5x5"]
cut = "zero"
identity = "identity"
"#;

/// A deterministic pseudo-random number in [0, 1) for `key` (splitmix64).
fn unit(key: u64) -> f64 {
    let mut z = key.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
}

/// The synthetic table of every cell: `cell` (the official string), `val_acc`, `test_acc`
/// (fractions) and `latency_ms`; cells whose id ends in 0 have a second, repeated run.
fn write_table(dir: &Path, spec: &Path) -> PathBuf {
    let cells = json_lines(&run_ok("arch-sample", &["--space-file", spec.to_str().unwrap(), "--all"], b""));
    assert_eq!(cells.len(), 4096);
    let mut csv = String::from("cell,val_acc,test_acc,latency_ms\n");
    for cell in &cells {
        let id = cell["id"].as_str().unwrap();
        let ops: Vec<u64> = id.bytes().map(|b| u64::from(b - b'0')).collect();
        let score: f64 = ops.iter().enumerate().map(|(edge, &op)| unit(edge as u64 * 8 + op)).sum();
        let val = 0.55 + 0.06 * score;
        let latency: f64 = ops.iter().map(|&op| [0.0, 0.1, 1.0, 1.6][op as usize]).sum();
        csv.push_str(&format!("{},{val:.5},{:.5},{latency:.2}\n", cell["arch"].as_str().unwrap(), val - 0.004));
        if id.ends_with('0') {
            csv.push_str(&format!("{},{:.5},{:.5},{latency:.2}\n", cell["arch"].as_str().unwrap(), val + 0.002, val));
        }
    }
    let path = dir.join("tiny.csv");
    std::fs::write(&path, csv).unwrap();
    path
}

struct Setup {
    dir: tempfile::TempDir,
    spec: PathBuf,
    table: PathBuf,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("tiny.toml");
    std::fs::write(&spec, SPEC).unwrap();
    let table = write_table(dir.path(), &spec);
    Setup { dir, spec, table }
}

impl Setup {
    fn spec(&self) -> &str {
        self.spec.to_str().unwrap()
    }

    fn table_flags(&self) -> Vec<&str> {
        vec![
            "--space-file",
            self.spec(),
            "--table",
            self.table.to_str().unwrap(),
            "--arch-column",
            "cell",
            "--val-column",
            "val_acc",
            "--test-column",
            "test_acc",
            "--cost-column",
            "latency_ms",
        ]
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

#[test]
fn the_pipeline_runs_on_a_declared_space_with_its_own_table() {
    let s = setup();
    let size = run_ok("arch-sample", &["--space-file", s.spec(), "--size"], b"");
    assert!(size.contains("space: tiny-cell") && size.contains("architectures: 4096"), "{size}");

    // Sample, answer, encode, train.
    let samples = run_ok("arch-sample", &["--space-file", s.spec(), "--count", "60", "--seed", "4"], b"");
    let mut query = s.table_flags();
    query.extend(["--seed", "1"]);
    let answered = run_ok("bench-query", &query, samples.as_bytes());
    let answered_lines = json_lines(&answered);
    assert_eq!(answered_lines.len(), 60);
    for line in &answered_lines {
        assert_eq!(line["space"], "tiny-cell");
        assert_eq!(line["space_digest"].as_str().unwrap().len(), 16);
        let val = line["val_accuracy"].as_f64().unwrap();
        assert!((55.0..92.0).contains(&val), "percent from fractions: {line}");
        assert!(line["latency_ms"].is_number(), "{line}");
        let runs = if line["id"].as_str().unwrap().ends_with('0') { 2 } else { 1 };
        assert_eq!(line["bench_runs"], runs, "repeated rows are runs: {line}");
    }
    let graphs = run_ok("arch-encode", &["--space-file", s.spec(), "--format", "graph"], answered.as_bytes());
    let model = s.path("model.onnx");
    run_ok(
        "gcn-train",
        &["--space-file", s.spec(), "--epochs", "60", "--hidden", "16", "-q", "-o", model.to_str().unwrap()],
        graphs.as_bytes(),
    );

    // Score the whole space without the spec file: the model carries it.
    let all = run_ok("arch-sample", &["--space-file", s.spec(), "--all"], b"");
    let scores = run_ok("gcn-score", &["-m", model.to_str().unwrap()], all.as_bytes());
    assert_eq!(scores.lines().count(), 4096);
    let trained = s.path("trained.jsonl");
    std::fs::write(&trained, &answered).unwrap();
    let top = json_lines(&run_ok(
        "topk",
        &["-k", "10", "--by", "pred", "--exclude", trained.to_str().unwrap()],
        scores.as_bytes(),
    ));
    assert_eq!(top.len(), 10);
    // The predictor learned the table: its top 10 beat the average cell by a margin.
    let top_answers =
        json_lines(&run_ok("bench-query", &query, top.iter().map(|l| format!("{l}\n")).collect::<String>().as_bytes()));
    let mean_top: f64 = top_answers.iter().map(|l| l["val_accuracy"].as_f64().unwrap()).sum::<f64>() / 10.0;
    let mean_all: f64 = answered_lines.iter().map(|l| l["val_accuracy"].as_f64().unwrap()).sum::<f64>() / 60.0;
    assert!(mean_top > mean_all + 2.0, "top 10 predicted {mean_top:.2} vs random {mean_all:.2}");

    // Search simulations, evolution and the cost trade-off read the same table.
    let mut sim = s.table_flags();
    sim.extend(["--trials", "2", "--budget", "60", "--methods", "evolution,predictor-rounds", "--round-n", "20"]);
    sim.extend(["--round-batch", "10", "--fit-steps", "150", "--epochs", "20", "--hidden", "16", "-q", "--summary"]);
    let summary_path = s.path("summary.json");
    sim.push(summary_path.to_str().unwrap());
    run_ok("search-sim", &sim, b"");
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&summary_path).unwrap()).unwrap();
    assert_eq!(summary["space"], "tiny-cell", "{summary}");

    let mut evolve = s.table_flags();
    evolve.extend(["--budget", "40", "--population", "10", "--sample-size", "3", "--seed", "2"]);
    let evolved = json_lines(&run_ok("arch-evolve", &evolve, b""));
    assert!(evolved.len() >= 40, "{} lines", evolved.len());
    assert!(evolved.iter().all(|l| l["space"] == "tiny-cell" && l["val_accuracy"].is_number()));

    let mut pareto = s.table_flags();
    pareto.extend(["--cost", "latency_ms", "--trials", "2", "--budget", "40", "--n", "20", "--epochs", "20"]);
    let fronts = run_ok("pareto-sim", &pareto, b"");
    assert!(!fronts.is_empty());
}

#[test]
fn lines_and_models_of_another_spec_of_the_same_name_are_refused() {
    let s = setup();
    let other_spec = s.path("other.toml");
    std::fs::write(&other_spec, SPEC.replace("\"sep5x5\"", "\"sep7x7\"")).unwrap();
    let ours = run_ok("arch-sample", &["--space-file", s.spec(), "--count", "3", "--seed", "1"], b"");
    let theirs = run_ok("arch-sample", &["--space-file", other_spec.to_str().unwrap(), "--count", "3"], b"");

    // A line of the other spec, read under ours: one line naming the line and the reason.
    let output = run_tool("arch-encode", &["--space-file", s.spec(), "--format", "graph"], theirs.as_bytes());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("line 1") && stderr.contains("another spec of 'tiny-cell'"), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(output.stdout.is_empty());

    // A model trained on ours refuses the other spec's lines, and the other spec's file.
    let mut query = s.table_flags();
    query.extend(["--seed", "1"]);
    let answered = run_ok("bench-query", &query, ours.as_bytes());
    let graphs = run_ok("arch-encode", &["--space-file", s.spec(), "--format", "graph"], answered.as_bytes());
    let model = s.path("model.onnx");
    let train = ["--space-file", s.spec(), "--epochs", "5", "--hidden", "8", "-q", "-o", model.to_str().unwrap()];
    run_ok("gcn-train", &train, graphs.as_bytes());
    let output = run_tool("gcn-score", &["-m", model.to_str().unwrap()], theirs.as_bytes());
    assert_eq!(output.status.code(), Some(2), "{}", String::from_utf8_lossy(&output.stderr));
    let output = run_tool(
        "gcn-score",
        &["-m", model.to_str().unwrap(), "--space-file", other_spec.to_str().unwrap()],
        ours.as_bytes(),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("already declared with another spec"));
}

#[test]
fn bad_specs_and_tables_name_the_problem() {
    let s = setup();
    // A spec with an unknown field, a missing file, a built-in name.
    let bad = s.path("bad.toml");
    std::fs::write(&bad, SPEC.replace("nodes = 4", "nodes = 4\nnode = 5")).unwrap();
    let output = run_tool("arch-sample", &["--space-file", bad.to_str().unwrap(), "--count", "1"], b"");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("bad.toml") && stderr.contains("line 7") && stderr.contains("node"), "{stderr}");
    let output = run_tool("arch-sample", &["--space-file", "no-such-spec.toml", "--count", "1"], b"");
    assert_eq!(output.status.code(), Some(1));
    let built_in = s.path("nb201.json");
    std::fs::write(
        &built_in,
        r#"{"name": "nb201", "family": "edge-cell", "edge-cell": {"nodes": 3, "ops": ["a", "b"]}}"#,
    )
    .unwrap();
    let output = run_tool("arch-sample", &["--space-file", built_in.to_str().unwrap(), "--count", "1"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("built-in"));

    // Rows of the table naming architectures outside the space: every one reported by line.
    let table = std::fs::read_to_string(&s.table).unwrap();
    let mut lines: Vec<String> = table.lines().map(str::to_string).collect();
    let rest = lines[3].split_once(',').unwrap().1.to_string();
    lines[3] = format!("|conv9x9~0|+|zero~0|zero~1|+|zero~0|zero~1|zero~2|,{rest}");
    lines[7] = lines[7].replacen("|", "", 1);
    let broken = s.path("broken.csv");
    std::fs::write(&broken, lines.join("\n") + "\n").unwrap();
    let mut query = s.table_flags();
    let position = query.iter().position(|a| *a == "--table").unwrap() + 1;
    query[position] = broken.to_str().unwrap();
    let samples = run_ok("arch-sample", &["--space-file", s.spec(), "--count", "1"], b"");
    let output = run_tool("bench-query", &query, samples.as_bytes());
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("2 rows") && stderr.contains("4") && stderr.contains("8"), "{stderr}");
}

#[test]
fn make_search_runs_on_a_declared_space() {
    let s = setup();
    let bin = tool_path("arch-sample").parent().unwrap().to_path_buf();
    let run = s.path("run");
    let table_flags = "--arch-column cell --val-column val_acc --test-column test_acc";
    let output = Command::new("make")
        .current_dir(workspace_root())
        .args(["--no-print-directory", "search", "SEARCH_BUILD=", "N=20", "ROUNDS=2", "BATCH=5", "SEED=3"])
        .arg(format!("SPACE_FILE={}", s.spec()))
        .arg(format!("BENCH={}", s.table.display()))
        .arg(format!("TABLE_FLAGS={table_flags}"))
        .arg("FIT_STEPS=150")
        .arg("WARM_STEPS=40")
        .arg("GCN_FLAGS=--hidden 16")
        .arg(format!("BIN={}", bin.display()))
        .arg(format!("RUN={}", run.display()))
        .output()
        .expect("make runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "make search failed: {}\n{stdout}", String::from_utf8_lossy(&output.stderr));
    assert!(stdout.contains("deployed after training 30 architectures"), "{stdout}");
    let best = json_lines(&std::fs::read_to_string(run.join("best.jsonl")).unwrap());
    assert_eq!(best[0]["space"], "tiny-cell");
    let trained = std::fs::read_to_string(run.join("round-002/trained.jsonl")).unwrap();
    assert_eq!(trained.lines().count(), 30);
}

/// An architecture's id and its encoding's JSON text.
type IdEncoding = (String, String);

/// The encodings of `count` sampled architectures (every one with `--all`) of a built-in space
/// and of its declaration in `fixtures/spaces/`, as (id, encoding) pairs.
fn encodings(space: &str, sample: &[&str], format: &str) -> (Vec<IdEncoding>, Vec<IdEncoding>) {
    let spec = workspace_root().join(format!("fixtures/spaces/{space}.toml"));
    let spec = spec.to_str().unwrap();
    let field = if format == "flat" { "flat" } else { "graph" };
    let encode = |space_args: &[&str]| -> Vec<IdEncoding> {
        let mut sample_args = space_args.to_vec();
        sample_args.extend_from_slice(sample);
        let lines = run_ok("arch-sample", &sample_args, b"");
        let mut encode_args = space_args.to_vec();
        encode_args.extend(["--format", format]);
        json_lines(&run_ok("arch-encode", &encode_args, lines.as_bytes()))
            .iter()
            .map(|line| (line["id"].as_str().unwrap().to_string(), line[field].to_string()))
            .collect()
    };
    (encode(&["--space", space]), encode(&["--space-file", spec]))
}

#[test]
fn built_in_spaces_declared_in_fixtures_encode_as_the_built_in_code() {
    // NAS-Bench-101: the same cells drawn by the same seed (the enumerations agree in order),
    // so the same encodings, line for line; ids are written differently (module hash there).
    for format in ["graph", "flat"] {
        let (built_in, declared) = encodings("nb101", &["--count", "3000", "--seed", "5"], format);
        assert_eq!(built_in.len(), 3000);
        let encodings = |lines: &[IdEncoding]| lines.iter().map(|(_, e)| e.clone()).collect::<Vec<_>>();
        assert_eq!(encodings(&built_in), encodings(&declared), "nb101 {format}");
        // Equal ids exactly for equal cells: the declared ids part the lines as the hashes do.
        let distinct = |lines: &[IdEncoding]| lines.iter().map(|(id, _)| id).collect::<HashSet<_>>().len();
        assert_eq!(distinct(&built_in), distinct(&declared));
    }
    // NAS-Bench-201, the whole space; ProxylessNAS, a sample: ids too are the built-in ones.
    for (space, sample) in [("nb201", &["--all"][..]), ("proxyless", &["--count", "2000", "--seed", "3"][..])] {
        for format in ["graph", "flat"] {
            let (built_in, declared) = encodings(space, sample, format);
            assert!(built_in.len() >= 2000);
            assert_eq!(built_in, declared, "{space} {format}");
        }
    }
}

#[test]
fn declared_samples_shard_exactly() {
    let s = setup();
    let whole = run_ok("arch-sample", &["--space-file", s.spec(), "--count", "500", "--seed", "7"], b"");
    let parts = sharded_output("arch-sample", &["--space-file", s.spec(), "--count", "500", "--seed", "7"], 3);
    assert_eq!(whole, parts);
    let all = run_ok("arch-sample", &["--space-file", s.spec(), "--all"], b"");
    assert_eq!(all, sharded_output("arch-sample", &["--space-file", s.spec(), "--all"], 4));
}

const CHAIN_SPEC: &str = r#"# Two stages of mobile blocks; chains are never enumerated.
name = "tiny-chain"
family = "chain"

[chain]
stem = ["stem_k3", "stem_k5"]

[[chain.stages]]
blocks = 3
choices = ["k3_e3", "k3_e6", "k5_e3", "k5_e6"]
skip = "all-but-first"
stride = 2
width = 24

[[chain.stages]]
blocks = 3
choices = ["k3_e3", "k3_e6", "k5_e3", "k5_e6"]
skip = "all-but-first"
stride = 2
width = 40
"#;

#[test]
fn a_table_of_a_space_too_large_to_enumerate_is_searched_over_its_own_architectures() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("chain.toml");
    std::fs::write(&spec, CHAIN_SPEC).unwrap();
    let spec = spec.to_str().unwrap();
    // 400 sampled networks (fewer after repeats) with a synthetic accuracy: a weight per
    // (layer, op), written as the text form in a CSV.
    let samples = json_lines(&run_ok("arch-sample", &["--space-file", spec, "--count", "400", "--seed", "3"], b""));
    let mut csv = String::from("arch,val,test\n");
    let mut seen = HashSet::new();
    for line in &samples {
        let id = line["id"].as_str().unwrap();
        if !seen.insert(id.to_string()) {
            continue;
        }
        let score: f64 = id.bytes().enumerate().map(|(layer, op)| unit(layer as u64 * 64 + u64::from(op))).sum();
        let val = 70.0 + 3.0 * score;
        csv.push_str(&format!("{},{val:.4},{:.4}\n", line["arch"].as_str().unwrap(), val - 0.3));
    }
    let table = dir.path().join("chain.csv");
    std::fs::write(&table, csv).unwrap();
    let summary = dir.path().join("summary.json");
    let args = [
        "--space-file",
        spec,
        "--table",
        table.to_str().unwrap(),
        "--val-column",
        "val",
        "--test-column",
        "test",
        "--trials",
        "2",
        "--budget",
        "60",
        "--methods",
        "random,evolution,predictor-rounds",
        "--round-n",
        "20",
        "--round-batch",
        "10",
        "--fit-steps",
        "150",
        "--epochs",
        "20",
        "--hidden",
        "16",
        "-q",
        "--summary",
        summary.to_str().unwrap(),
    ];
    run_ok("search-sim", &args, b"");
    let summary: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&summary).unwrap()).unwrap();
    assert_eq!(summary["space"], "tiny-chain");
    assert_eq!(summary["architectures"].as_u64(), Some(seen.len() as u64), "{summary}");
    let evolve = [
        "--space-file",
        spec,
        "--table",
        table.to_str().unwrap(),
        "--val-column",
        "val",
        "--budget",
        "30",
        "--population",
        "10",
        "--sample-size",
        "3",
    ];
    let evolved = json_lines(&run_ok("arch-evolve", &evolve, b""));
    assert!(evolved.len() >= 30 && evolved.iter().all(|l| seen.contains(l["id"].as_str().unwrap())));
}
