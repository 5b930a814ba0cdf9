//! `arch-sample` run as a real binary.

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use neural_predictor::{data_file, json_lines, run_ok, run_tool, sharded_output, tool_path};

#[test]
fn all_enumerates_423624_distinct_cells_including_the_real_ones() {
    let text = run_ok("arch-sample", &["--space", "nb101", "--all"], b"");
    let mut ids = HashSet::new();
    let mut lines = 0;
    for line in text.lines() {
        lines += 1;
        let record: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(record["space"], "nb101");
        assert!(record["adjacency"].is_array() && record["ops"].is_array());
        ids.insert(record["id"].as_str().unwrap().to_string());
    }
    assert_eq!(lines, 423_624);
    assert_eq!(ids.len(), 423_624, "module hashes are distinct");
    let real = std::fs::read_to_string(data_file("nb101/records30.jsonl")).unwrap();
    for record in json_lines(&real) {
        assert!(ids.contains(record["hash"].as_str().unwrap()), "real cell {} enumerated", record["hash"]);
    }
}

#[test]
fn shards_concatenate_to_the_unsharded_output() {
    let cases: [&[&str]; 4] = [
        &["--all", "--space", "nb101"],
        &["--count", "1500", "--seed", "4", "--sampler", "uniform"],
        &["--count", "1500", "--seed", "4", "--sampler", "nasbench"],
        &["--count", "700", "--seed", "4", "--space", "proxyless"],
    ];
    for args in cases {
        let whole = run_ok("arch-sample", args, b"");
        assert!(sharded_output("arch-sample", args, 3) == whole, "shards of {args:?} differ from the whole");
    }
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    for args in [
        &["--count", "3000", "--seed", "11"][..],
        &["--all", "--shard", "5/8"],
        &["--count", "3000", "--sampler", "nasbench"],
    ] {
        let runs: Vec<Vec<u8>> = ["1", "2", "3"]
            .iter()
            .map(|threads| {
                let output = Command::new(tool_path("arch-sample"))
                    .args(args)
                    .env("RAYON_NUM_THREADS", threads)
                    .output()
                    .unwrap();
                assert!(output.status.success());
                output.stdout
            })
            .collect();
        assert!(runs[0] == runs[1] && runs[1] == runs[2], "{args:?}");
    }
}

#[test]
fn seeds_matter_and_uniform_samples_are_distinct_prefixes() {
    let a = run_ok("arch-sample", &["--count", "2000", "--seed", "1"], b"");
    let b = run_ok("arch-sample", &["--count", "2000", "--seed", "2"], b"");
    assert_ne!(a, b);
    let ids: HashSet<String> = json_lines(&a).iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 2000, "uniform sampling is without replacement");
    let short = run_ok("arch-sample", &["--count", "50", "--seed", "1"], b"");
    assert!(a.starts_with(&short), "a smaller count is a prefix of a larger one");
}

#[test]
fn proxyless_reports_its_size_and_samples_valid_chains() {
    let size = run_ok("arch-sample", &["--space", "proxyless", "--size"], b"");
    assert!(size.contains("architectures: 664506689423701824 (6.645e17)"), "{size}");
    let text = run_ok("arch-sample", &["--space", "proxyless", "--count", "20", "--seed", "3"], b"");
    for record in json_lines(&text) {
        assert_eq!(record["ops"].as_array().unwrap().len(), 22);
        assert_eq!(record["id"].as_str().unwrap().len(), 22);
    }
}

#[test]
fn impossible_requests_exit_2_with_one_line() {
    let cases: [(&[&str], &str); 5] = [
        (&["--space", "proxyless", "--all"], "too many for --all"),
        (&["--count", "500000"], "has 423624 architectures; cannot draw 500000 without replacement"),
        (&["--count", "5", "--shard", "8/8"], "below the shard count"),
        (&["--count", "5", "--space", "nb301"], "unknown search space 'nb301'"),
        (&["--count", "5", "--sampler", "evolution"], "unknown sampler 'evolution'"),
    ];
    for (args, expected) in cases {
        let output = run_tool("arch-sample", args, b"");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn closing_the_pipe_early_ends_quietly() {
    let mut child = Command::new(tool_path("arch-sample"))
        .args(["--all"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    // The reader is dropped here, like `| head -1`.
    let output = child.wait_with_output().unwrap();
    assert!(first.contains("\"space\":\"nb101\""));
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "");
}

#[test]
fn output_file_is_written_whole() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("cells.jsonl");
    let target_arg = target.to_str().unwrap();
    run_ok("arch-sample", &["--count", "10", "-o", target_arg], b"");
    assert_eq!(std::fs::read_to_string(&target).unwrap(), run_ok("arch-sample", &["--count", "10"], b""));
    let failed =
        run_tool("arch-sample", &["--count", "900000", "-o", dir.path().join("none.jsonl").to_str().unwrap()], b"");
    assert_eq!(failed.status.code(), Some(2));
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, vec![std::ffi::OsString::from("cells.jsonl")]);
}

/// `--neighbours-of`: the untrained architectures one mutation away from the best parents, in
/// id order; each differs from some parent in one choice; the same seed gives the same bytes.
#[test]
fn neighbours_of_the_best_trained_cells() {
    let dir = tempfile::tempdir().unwrap();
    let cells = run_ok("arch-sample", &["--space", "nb201", "--count", "30", "--seed", "4"], b"");
    let trained: Vec<serde_json::Value> = json_lines(&cells)
        .into_iter()
        .enumerate()
        .map(|(i, mut cell)| {
            cell["val_accuracy"] = serde_json::json!((i * 7 % 30) as f64);
            cell
        })
        .collect();
    let path = neural_predictor::write_lines(&dir.path().join("trained.jsonl"), &trained);
    let args = ["--space", "nb201", "--neighbours-of", path.to_str().unwrap(), "--parents", "2", "--seed", "1"];
    let out = run_ok("arch-sample", &args, b"");
    assert_eq!(out, run_ok("arch-sample", &args, b""), "same seed, same bytes");
    let found = json_lines(&out);
    let ids: Vec<&str> = found.iter().map(|n| n["id"].as_str().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "distinct, in id order");
    let trained_ids: HashSet<&str> = trained.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(ids.iter().all(|id| !trained_ids.contains(id)), "nothing already trained");
    // The two best: values 29 (i = 17) and 28 (i = 4). A cell's 6 edges each take 4 other ops:
    // up to 24 neighbours per parent, fewer after merging equivalent cells.
    let ops = |cell: &serde_json::Value| -> Vec<String> {
        cell["ops"].as_array().unwrap().iter().map(|o| o.as_str().unwrap().to_string()).collect()
    };
    let parents = [ops(&trained[17]), ops(&trained[4])];
    assert!(found.len() > 24 && found.len() <= 48, "{}", found.len());
    for cell in &found {
        let o = ops(cell);
        let distance = |p: &Vec<String>| p.iter().zip(&o).filter(|(a, b)| a != b).count();
        assert!(parents.iter().any(|p| distance(p) == 1), "{cell}");
    }
    let bad = dir.path().join("bad.jsonl");
    std::fs::write(&bad, format!("{}\n{{\"ops\":[\"x\"]}}\n", serde_json::to_string(&trained[0]).unwrap())).unwrap();
    let output = run_tool("arch-sample", &["--space", "nb201", "--neighbours-of", bad.to_str().unwrap()], b"");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("line 2") && stderr.lines().count() == 1, "{stderr}");
    let output = run_tool("arch-sample", &["--space", "nb201", "--count", "3", "--parents", "2"], b"");
    assert_eq!(output.status.code(), Some(2));
}
