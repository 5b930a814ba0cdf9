//! `topk` run as a real binary: selection, merging shard selections, filters, Pareto fronts,
//! bad input.

use std::collections::BTreeMap;

use neural_predictor::{json_lines, run_ok, run_tool};
use serde_json::{Value, json};

/// Lines with ids drawn from a small pool (so ids repeat) and scores with many ties.
fn scored_lines(count: usize, seed: u64) -> Vec<Value> {
    let mut state = seed;
    let mut next = move |bound: u64| {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (state >> 33) % bound
    };
    (0..count)
        .map(|i| {
            let id = format!("cell{:04}", next(count as u64 / 2));
            json!({"id": id, "pred": next(200) as f64 / 4.0, "params": next(50) as f64, "p_good": next(100) as f64 / 100.0, "line": i})
        })
        .collect()
}

fn text(lines: &[Value]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// The expected selection: best line per id (first on ties), sorted by score then id.
fn brute_force(lines: &[Value], k: usize, field: &str, smaller_is_better: bool) -> Vec<Value> {
    let mut best: BTreeMap<String, Value> = BTreeMap::new();
    for line in lines {
        let id = line["id"].as_str().unwrap().to_string();
        let score = |l: &Value| l[field].as_f64().unwrap() * if smaller_is_better { -1.0 } else { 1.0 };
        match best.get(&id) {
            Some(kept) if score(kept) >= score(line) => {}
            _ => {
                best.insert(id, line.clone());
            }
        }
    }
    let mut ranked: Vec<Value> = best.into_values().collect();
    let sign = if smaller_is_better { -1.0 } else { 1.0 };
    ranked.sort_by(|a, b| {
        (sign * b[field].as_f64().unwrap())
            .total_cmp(&(sign * a[field].as_f64().unwrap()))
            .then(a["id"].as_str().unwrap().cmp(b["id"].as_str().unwrap()))
    });
    ranked.truncate(k);
    ranked
}

#[test]
fn selects_the_best_line_per_id_and_shard_selections_merge_exactly() {
    let lines = scored_lines(6000, 1);
    let all = text(&lines);
    for (args, field, asc) in
        [(&["-k", "50", "--by", "pred"][..], "pred", false), (&["-k", "30", "--by", "params", "--asc"], "params", true)]
    {
        let whole = run_ok("topk", args, all.as_bytes());
        assert_eq!(json_lines(&whole), brute_force(&lines, args[1].parse().unwrap(), field, asc));
        let merged: String = lines.chunks(1700).map(|shard| run_ok("topk", args, text(shard).as_bytes())).collect();
        assert_eq!(run_ok("topk", args, merged.as_bytes()), whole, "topk of shard selections equals topk of all");
    }
}

#[test]
fn where_filters_before_ranking() {
    let lines = scored_lines(2000, 2);
    let kept: Vec<Value> = lines.iter().filter(|l| l["p_good"].as_f64().unwrap() >= 0.5).cloned().collect();
    let out = run_ok("topk", &["-k", "20", "--by", "pred", "--where", "p_good>=0.5"], text(&lines).as_bytes());
    assert_eq!(json_lines(&out), brute_force(&kept, 20, "pred", false));
}

/// `--exclude` (repeatable) drops the ids of its files, `--only` keeps just the ids of its file.
#[test]
fn exclude_and_only_filter_by_the_ids_of_other_files() {
    let dir = tempfile::tempdir().unwrap();
    let lines = scored_lines(500, 3);
    let ids = |range: std::ops::Range<usize>| -> Vec<Value> {
        lines[range].iter().map(|l| serde_json::json!({"id": l["id"]})).collect()
    };
    let (first, second, only) = (
        neural_predictor::write_lines(&dir.path().join("a.jsonl"), &ids(0..100)),
        neural_predictor::write_lines(&dir.path().join("b.jsonl"), &ids(100..150)),
        neural_predictor::write_lines(&dir.path().join("only.jsonl"), &ids(50..300)),
    );
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    // Ids repeat in these lines: the expectation filters by id, as topk does.
    let id_set = |range: std::ops::Range<usize>| -> std::collections::HashSet<Value> {
        lines[range].iter().map(|l| l["id"].clone()).collect()
    };
    let kept =
        |keep: &dyn Fn(&Value) -> bool| -> Vec<Value> { lines.iter().filter(|l| keep(&l["id"])).cloned().collect() };
    let (a, b, o) = (id_set(0..100), id_set(100..150), id_set(50..300));
    let args = ["-k", "20", "--by", "pred", "--exclude", &path(&first), "--exclude", &path(&second)];
    let out = run_ok("topk", &args, text(&lines).as_bytes());
    let expected = brute_force(&kept(&|id| !a.contains(id) && !b.contains(id)), 20, "pred", false);
    assert!(!expected.is_empty());
    assert_eq!(json_lines(&out), expected);
    let args = ["-k", "20", "--by", "pred", "--exclude", &path(&first), "--only", &path(&only)];
    let out = run_ok("topk", &args, text(&lines).as_bytes());
    let expected = brute_force(&kept(&|id| !a.contains(id) && o.contains(id)), 20, "pred", false);
    assert!(!expected.is_empty());
    assert_eq!(json_lines(&out), expected);
}

#[test]
fn pareto_front_is_the_non_dominated_set() {
    let lines = scored_lines(3000, 3);
    let out = json_lines(&run_ok("topk", &["--pareto", "pred:max,params:min"], text(&lines).as_bytes()));
    let best = brute_force(&lines, usize::MAX, "pred", false);
    let dominated = |a: &Value| {
        best.iter().any(|b| {
            let (pa, qa, pb, qb) = (a["pred"].as_f64(), a["params"].as_f64(), b["pred"].as_f64(), b["params"].as_f64());
            pb >= pa && qb <= qa && (pb > pa || qb < qa)
        })
    };
    let mut expected: Vec<Value> = best.iter().filter(|l| !dominated(l)).cloned().collect();
    expected.sort_by(|a, b| b["pred"].as_f64().unwrap().total_cmp(&a["pred"].as_f64().unwrap()));
    assert!(!out.is_empty());
    assert_eq!(out.len(), expected.len());
    for (got, want) in out.iter().zip(&expected) {
        assert_eq!((got["pred"].as_f64(), got["params"].as_f64()), (want["pred"].as_f64(), want["params"].as_f64()));
    }
    let thinned = json_lines(&run_ok("topk", &["--pareto", "pred:max,params:min", "-k", "3"], text(&lines).as_bytes()));
    assert_eq!(thinned.len(), 3.min(out.len()));
    assert_eq!(thinned[0]["pred"], out[0]["pred"], "the front's ends are kept first");
}

#[test]
fn bad_lines_and_bad_usage_exit_2() {
    let cases: [(&[&str], &str, &str); 5] = [
        (&["-k", "2", "--by", "pred"], "{\"pred\": 1}\n", "line 1: missing field 'id'"),
        (&["-k", "2", "--by", "pred"], "{\"id\": \"a\", \"pred\": \"x\"}\n", "line 1: field 'pred' is a string"),
        (&["-k", "2", "--by", "pred", "--where", "p_good=>1"], "", "needs FIELD OP NUMBER"),
        (&["--by", "pred"], "", "give -k K"),
        (&["--pareto", "pred:up"], "", "must be max or min"),
    ];
    for (args, input, reason) in cases {
        let output = run_tool("topk", args, input.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(reason), "{args:?}: expected '{reason}' in {stderr}");
    }
    let output = run_tool(
        "topk",
        &["-k", "5", "--by", "pred", "--skip-invalid"],
        b"{\"pred\": 1}\n{\"id\": \"a\", \"pred\": 2}\n",
    );
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 1);
}

#[test]
fn skip_invalid_skips_a_line_that_is_not_utf8() {
    let input = b"{\"id\":\"a\",\"p\":1}\n\xff\n{\"id\":\"b\",\"p\":2}\n";
    let output = run_tool("topk", &["-k", "1", "--by", "p", "--skip-invalid"], input);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout), "{\"id\":\"b\",\"p\":2}\n");
    assert_eq!(stderr, "topk: skipped 1 invalid line(s); first: line 2: line is not valid UTF-8\n");
    let output = run_tool("topk", &["-k", "1", "--by", "p"], input);
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "topk: line 2: line is not valid UTF-8\n");
}
