//! NAS-Bench-Graph's nine light tables read natively, checked entry by entry against Python's
//! `pickle.load` (tests/python/nbgraph_tables.py), damaged copies of a real table, and
//! `bench-query` answering from a `.bench` table.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use neural_predictor::{json_lines, nbgraph_table, python, run_ok, workspace_root};
use np_bench_tables::{NbGraphEntry, load_table, read_nbgraph_bench};

const DATASETS: [&str; 9] = ["cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv", "proteins"];

fn read_entries(dataset: &str) -> Vec<NbGraphEntry> {
    let path = nbgraph_table(dataset);
    read_nbgraph_bench(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Python's view of the tables at `paths`: per table, its entries in dict order.
fn read_with_python(paths: &[PathBuf]) -> Vec<Vec<NbGraphEntry>> {
    let output = Command::new(python())
        .arg(workspace_root().join("tests/python/nbgraph_tables.py"))
        .args(paths)
        .output()
        .expect("start python (set NP_PYTHON, or run make setup for .venv)");
    assert!(output.status.success(), "nbgraph_tables.py: {}", String::from_utf8_lossy(&output.stderr));
    // Per table: u64 count, then (i64 code, 4 × f64) per entry, little endian.
    let mut words = output.stdout.chunks_exact(8).map(|word| <[u8; 8]>::try_from(word).unwrap());
    let mut next = || words.next().expect("complete output");
    let tables = paths
        .iter()
        .map(|_| {
            let count = u64::from_le_bytes(next());
            (0..count)
                .map(|_| NbGraphEntry {
                    code: i64::from_le_bytes(next()),
                    valid_perf: f64::from_le_bytes(next()),
                    perf: f64::from_le_bytes(next()),
                    latency: f64::from_le_bytes(next()),
                    para: f64::from_le_bytes(next()),
                })
                .collect()
        })
        .collect();
    assert!(words.next().is_none() && output.stdout.chunks_exact(8).remainder().is_empty(), "trailing output");
    tables
}

#[test]
fn every_table_reads_exactly_as_python_reads_it() {
    let paths: Vec<PathBuf> = DATASETS.iter().map(|dataset| nbgraph_table(dataset)).collect();
    let from_python = read_with_python(&paths);
    for (i, dataset) in DATASETS.iter().enumerate() {
        let entries = read_entries(dataset);
        let expected = if *dataset == "proteins" { 2021 } else { 26206 };
        assert_eq!((entries.len(), from_python[i].len()), (expected, expected), "{dataset}");
        // Same order (the dict's), same codes, the same 64 bits in every figure.
        for (ours, theirs) in entries.iter().zip(&from_python[i]) {
            let bits = |e: &NbGraphEntry| (e.code, [e.valid_perf, e.perf, e.latency, e.para].map(f64::to_bits));
            assert_eq!(bits(ours), bits(theirs), "{dataset}");
        }

        // The common loader gives the same table in percent, keyed by the decimal code.
        let table = load_table(&paths[i], |_| unreachable!("a .bench table stores its ids")).unwrap();
        assert_eq!(table.len(), expected);
        for entry in &entries {
            let answer = table.query(&entry.code.to_string(), |_| 0).unwrap();
            assert_eq!(answer.val_accuracy, entry.valid_perf * 100.0);
            assert_eq!(answer.test_accuracy, Some(entry.perf * 100.0));
            assert_eq!(answer.params, Some((entry.para * 1e6).round()));
            assert_eq!(answer.extra["latency"].as_f64(), Some(entry.latency));
            assert_eq!((answer.train_seconds, answer.runs), (None, 1));
        }
    }
}

#[test]
fn damaged_real_tables_give_errors_never_panics() {
    let bytes = std::fs::read(nbgraph_table("proteins")).unwrap();
    // Truncated anywhere: always an error (a pickle ends only at its STOP).
    for end in (0..bytes.len()).step_by(1999).chain([bytes.len() - 1]) {
        assert!(read_nbgraph_bench(&bytes[..end]).is_err(), "truncated at {end}");
    }
    // Flipped bytes: an error, or a table with a changed figure or code; never a panic.
    let mut damaged = bytes.clone();
    let mut errors = 0;
    let mut flips = 0;
    for at in (0..bytes.len()).step_by(1999) {
        for mask in [0x01, 0x40, 0xff] {
            damaged[at] ^= mask;
            errors += read_nbgraph_bench(&damaged).is_err() as usize;
            flips += 1;
            damaged[at] ^= mask;
        }
    }
    assert!(errors > 0 && errors < flips, "{errors} of {flips} flips rejected");
}

#[test]
fn bench_query_answers_from_a_bench_table() {
    let table = nbgraph_table("cora");
    let cells = run_ok("arch-sample", &["--space", "nbgraph", "--count", "100", "--seed", "1"], b"");
    let answers = json_lines(&run_ok(
        "bench-query",
        &["--space", "nbgraph", "--table", table.to_str().unwrap(), "--seed", "3"],
        cells.as_bytes(),
    ));
    assert_eq!(answers.len(), 100);
    let entries: HashMap<String, NbGraphEntry> =
        read_entries("cora").into_iter().map(|entry| (entry.code.to_string(), entry)).collect();
    for answer in &answers {
        let entry = &entries[answer["id"].as_str().unwrap()];
        assert_eq!(answer["val_accuracy"].as_f64().unwrap(), entry.valid_perf * 100.0);
        assert_eq!(answer["test_accuracy"].as_f64().unwrap(), entry.perf * 100.0);
        assert_eq!(answer["params"].as_f64().unwrap(), (entry.para * 1e6).round());
        assert_eq!(answer["latency"].as_f64().unwrap(), entry.latency);
        assert_eq!((answer["bench_run"].as_u64(), answer["bench_runs"].as_u64()), (Some(0), Some(1)));
        assert!(answer.get("train_seconds").is_none(), "the light tables have no training time");
    }
}
