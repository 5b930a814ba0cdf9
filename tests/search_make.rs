//! `make search` as a user runs it: every stage a file, sharded scoring identical to one
//! process, an interrupted run resuming where it stopped, and the README's GNU parallel recipe
//! (run locally with `-S :`) giving the same scores.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use neural_predictor::{tool_path, workspace_root};

fn bin_dir() -> PathBuf {
    tool_path("arch-sample").parent().expect("binary directory").to_path_buf()
}

fn make_search(run: &Path, shards: usize) -> Output {
    let output = Command::new("make")
        .current_dir(workspace_root())
        .args(["--no-print-directory", "search", "SEARCH_BUILD=", "SPACE=nbgraph", "DATASET=cora"])
        .args(["N=40", "K=8", "POOL=3000", "SEED=2", "GCN_FLAGS=--epochs 40 --lr 1e-3 --weight-decay 0"])
        .arg(format!("BIN={}", bin_dir().display()))
        .arg(format!("RUN={}", run.display()))
        .arg(format!("SHARDS={shards}"))
        .output()
        .expect("make runs");
    assert!(output.status.success(), "make search failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn ids(text: &str) -> Vec<String> {
    text.lines().map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].to_string()).collect()
}

#[test]
fn sharded_scoring_matches_one_process_and_runs_resume() {
    let dir = tempfile::tempdir().unwrap();
    let (one, three) = (dir.path().join("one"), dir.path().join("three"));
    let first = make_search(&one, 1);
    make_search(&three, 3);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("search: ") && stdout.contains("N=40, K=8"), "{stdout}");

    let scores = read(one.join("scores.jsonl"));
    assert_eq!(scores.lines().count(), 3000);
    assert_eq!(scores, read(three.join("scores.jsonl")), "3 shards scored by xargs -P = 1 process");
    assert_eq!(read(one.join("best.jsonl")), read(three.join("best.jsonl")));

    // The K chosen are new: none was among the N trained.
    let trained = ids(&read(one.join("trained.jsonl")));
    let top = ids(&read(one.join("top.jsonl")));
    assert_eq!((trained.len(), top.len()), (40, 8));
    assert!(top.iter().all(|id| !trained.contains(id)));
    // The deployed architecture is the best by validation among the N + K.
    let best: serde_json::Value = serde_json::from_str(&read(one.join("best.jsonl"))).unwrap();
    let all = read(one.join("trained.jsonl")) + &read(one.join("top-trained.jsonl"));
    let best_val = all
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["val_accuracy"].as_f64().unwrap())
        .fold(f64::MIN, f64::max);
    assert_eq!(best["val_accuracy"].as_f64().unwrap(), best_val);

    // Interrupted after scoring: only the later stages run again.
    std::fs::remove_file(three.join("top-trained.jsonl")).unwrap();
    std::fs::remove_file(three.join("best.jsonl")).unwrap();
    let resumed = make_search(&three, 3);
    let log = String::from_utf8_lossy(&resumed.stdout);
    assert!(!log.contains("gcn-train") && !log.contains("gcn-score"), "earlier stages reran: {log}");
    assert!(log.contains("bench-query"), "{log}");
    assert_eq!(read(one.join("best.jsonl")), read(three.join("best.jsonl")));
}

#[test]
fn the_gnu_parallel_recipe_gives_the_same_scores() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    make_search(&run, 1);
    let work = dir.path().join("parallel");
    std::fs::create_dir(&work).unwrap();
    std::fs::copy(run.join("pool.jsonl"), work.join("pool.jsonl")).unwrap();
    std::fs::copy(run.join("model.onnx"), work.join("model.onnx")).unwrap();
    // The README's multi-machine recipe, with the local machine (-S :) standing in for the
    // --sshloginfile hosts.
    let script = format!(
        "split -n l/5 -d -a 3 pool.jsonl shard. && \
         ls shard.* | parallel -S : --basefile model.onnx --transferfile {{}} --return {{}}.scored --cleanup \
           {gcn_score} -m model.onnx {{}} -o {{}}.scored && \
         cat shard.*.scored > scores.jsonl",
        gcn_score = tool_path("gcn-score").display()
    );
    let output = Command::new("bash").arg("-c").arg(&script).current_dir(&work).output().expect("bash runs");
    assert!(
        output.status.success(),
        "GNU parallel recipe failed (is GNU parallel installed? `make setup` installs it): {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(read(work.join("scores.jsonl")), read(run.join("scores.jsonl")));
}

fn make_rounds(run: &Path, shards: usize) -> Output {
    let output = Command::new("make")
        .current_dir(workspace_root())
        .args(["--no-print-directory", "search", "SEARCH_BUILD=", "SPACE=nbgraph", "DATASET=cora"])
        .args([
            "N=30",
            "ROUNDS=3",
            "BATCH=6",
            "POOL=2000",
            "SEED=4",
            "GCN_FLAGS=--epochs 30 --lr 1e-3 --weight-decay 0",
        ])
        // As on a fresh machine, where `make test` read the makefile before setup made the venv:
        // the table's directory is then found when the recipes run.
        .env("NBGRAPH_DIR", "")
        .arg(format!("BIN={}", bin_dir().display()))
        .arg(format!("RUN={}", run.display()))
        .arg(format!("SHARDS={shards}"))
        .output()
        .expect("make runs");
    assert!(output.status.success(), "make search ROUNDS=3 failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

#[test]
fn rounds_are_stages_that_shard_and_resume_mid_round() {
    let dir = tempfile::tempdir().unwrap();
    let (one, three) = (dir.path().join("one"), dir.path().join("three"));
    let first = make_rounds(&one, 1);
    make_rounds(&three, 3);
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("48 architectures: N=30 then 3 rounds of 6"), "{stdout}");
    // The first fit starts from scratch, every later one from the last round's model.
    assert!(stdout.contains("--steps 3000 -o"), "{stdout}");
    for round in 2..=3 {
        let warm = format!("--warm-start {}", one.join(format!("round-{:03}/model.onnx", round - 1)).display());
        assert!(stdout.contains(&warm), "round {round} not warm-started: {stdout}");
    }
    // Budget: N random, then each round's batch new, and each round's training set everything
    // trained before it.
    let mut before = ids(&read(one.join("trained.jsonl")));
    assert_eq!(before.len(), 30);
    for round in 1..=3 {
        let round_dir = one.join(format!("round-{round:03}"));
        let batch = ids(&read(round_dir.join("batch.jsonl")));
        assert_eq!(batch.len(), 6);
        assert!(batch.iter().all(|id| !before.contains(id)), "round {round} retrains");
        // BATCH - GLOBAL picks among the untrained neighbours of the best trained, GLOBAL from
        // the rest of the pool.
        let neighbours = ids(&read(round_dir.join("neighbours.jsonl")));
        assert!(neighbours.len() >= 6 && neighbours.iter().all(|id| !before.contains(id)), "round {round}");
        assert!(batch[..4].iter().all(|id| neighbours.contains(id)), "round {round}: {batch:?}");
        assert!(batch[4..].iter().all(|id| !neighbours.contains(id)), "round {round}: {batch:?}");
        before.extend(batch);
        assert_eq!(ids(&read(round_dir.join("trained.jsonl"))), before, "round {round}");
        // Sharded scoring is byte-identical to one process, round by round.
        assert_eq!(read(round_dir.join("scores.jsonl")), read(three.join(format!("round-{round:03}/scores.jsonl"))));
    }
    assert_eq!(read(one.join("best.jsonl")), read(three.join("best.jsonl")));

    // Interrupted while round 2's batch trained (its answer never written): rerunning trains
    // that batch and what follows, reuses round 2's model and scores, and ends the same.
    let round2 = three.join("round-002");
    std::fs::remove_file(round2.join("batch-trained.jsonl")).unwrap();
    std::fs::write(round2.join("batch-trained.jsonl.partial"), "half a batch\n").unwrap();
    let resumed = make_rounds(&three, 3);
    let log = String::from_utf8_lossy(&resumed.stdout);
    let refit = format!("-o {}", round2.join("model.onnx").display());
    assert!(!log.contains(&refit) && !log.contains("round-002/shards"), "round 2's model or scores redone: {log}");
    assert!(
        ["round-001/model.onnx", "round-001/scores", "round-001/batch"].iter().all(|stage| !log.contains(stage)),
        "round 1 reran: {log}"
    );
    assert!(log.contains("round-003/model.onnx"), "round 3 must follow the new answers: {log}");
    for round in 1..=3 {
        let file = format!("round-{round:03}/trained.jsonl");
        assert_eq!(read(one.join(&file)), read(three.join(&file)), "{file}");
    }
    assert_eq!(read(one.join("best.jsonl")), read(three.join("best.jsonl")));
}
