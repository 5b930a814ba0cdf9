//! The seeds are worth mutating only while they get past the first checks: these tests hold
//! each kind of seed to reaching its parser's success path (or, for NAAP-440's files, which
//! need all 440 models, the last check).

use std::io::Cursor;
use std::path::{Path, PathBuf};

use np_bench_tables::nbgraph_table_from_bench;
use np_bench_tables::read_nb101_tfrecord;
use np_fuzz_targets::architectures::encode_lines;
use np_fuzz_targets::built_in_seeds;
use np_fuzz_targets::declared;
use np_spaces::SearchSpace;
use np_spaces::declared::SpaceSpec;
use np_spaces::naap::Naap;
use np_spaces::naap::json::scheme_from_json;
use np_spaces::nb101::Nb101;
use np_spaces::nb201::Nb201;
use np_spaces::nbgraph::NbGraph;
use np_spaces::proxyless::Proxyless;

fn seed_files(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds").join(target);
    let mut files: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|_| panic!("{} is missing", dir.display()))
        .map(|entry| entry.unwrap().path())
        .map(|path| {
            let bytes = std::fs::read(&path).unwrap();
            (path, bytes)
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seed files for {target}");
    files
}

#[test]
fn every_architecture_seed_file_has_lines_arch_encode_writes() {
    fn check(target: &str, written: impl Fn(&[u8]) -> usize) {
        for (path, bytes) in seed_files(target) {
            assert!(written(&bytes) > 0, "{}: no line is written", path.display());
        }
    }
    check("arch_nb101", |bytes| encode_lines(&Nb101::new(), bytes));
    check("arch_nbgraph", |bytes| encode_lines(&NbGraph::new(), bytes) + encode_lines(&NbGraph::proteins(), bytes));
    check("arch_proxyless", |bytes| encode_lines(&Proxyless::new(), bytes));
    check("arch_naap", |bytes| encode_lines(&Naap::new(), bytes));
    check("arch_nb201", |bytes| encode_lines(&Nb201::new(), bytes));
    check("arch_declared", |bytes| {
        encode_lines(&*declared::NB201_DECLARED, bytes)
            + encode_lines(&*declared::PROXYLESS_DECLARED, bytes)
            + encode_lines(&*declared::NB101_DECLARED, bytes)
            + encode_lines(&*declared::TINY_NODE_DECLARED, bytes)
    });
}

#[test]
fn the_spec_seeds_are_valid_specs_of_every_family() {
    let mut families = Vec::new();
    for (path, bytes) in seed_files("space_spec") {
        let text = String::from_utf8(bytes).unwrap();
        let spec = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => SpaceSpec::from_toml(&text),
            _ => SpaceSpec::from_json(&text),
        };
        let spec = spec.unwrap_or_else(|e| panic!("{}: {}", path.display(), e.0));
        families.push(spec.family);
    }
    for family in ["node-cell", "edge-cell", "chain"] {
        assert!(families.iter().any(|f| f == family), "no {family} seed");
    }
}

#[test]
fn the_columns_seeds_load_as_tables() {
    use np_bench_tables::columns::{columns_table_from_csv, columns_table_from_jsonl};
    let space = &*declared::NB201_DECLARED;
    let id_of = |record: &serde_json::Value| space.parse(record).map(|arch| space.id(&arch)).map_err(|e| e.0);
    for (path, bytes) in seed_files("columns_table") {
        let text = String::from_utf8(bytes).unwrap();
        let csv = path.extension().is_some_and(|e| e == "csv");
        let sizes: Vec<usize> = np_fuzz_targets::tables::table_columns()
            .iter()
            .filter_map(|columns| match csv {
                true => columns_table_from_csv(&text, columns, id_of).ok(),
                false => columns_table_from_jsonl(&text, columns, id_of).ok(),
            })
            .map(|table| table.len())
            .collect();
        assert!(sizes.iter().any(|&len| len >= 2), "{}: tables of {sizes:?} architectures", path.display());
    }
}

#[test]
fn the_built_in_table_seeds_are_whole_tables() {
    let file = &built_in_seeds::tfrecord()[0];
    let entries = read_nb101_tfrecord(Cursor::new(file)).unwrap();
    let runs: Vec<usize> = entries.iter().map(|entry| entry.runs.len()).collect();
    assert_eq!(runs, [2, 1], "two repeats of one cell, then another cell");

    let tables = built_in_seeds::nbgraph_bench();
    let plain = nbgraph_table_from_bench(&tables[0]).unwrap();
    let with_numpy = nbgraph_table_from_bench(&tables[1]).unwrap();
    assert_eq!(plain.ids_sorted(), ["27238", "5", "71277"]);
    assert_eq!(plain.entries, with_numpy.entries, "numpy scalars read as the same figures");
    assert!(nbgraph_table_from_bench(&tables[2]).unwrap().is_empty());
}

#[test]
fn the_predictor_seeds_load() {
    for (path, bytes) in seed_files("onnx_model") {
        let format = np_trees::file_format(&bytes).unwrap();
        let loaded = if format == np_trees::FORMAT {
            np_trees::TreePredictor::from_onnx(&bytes).map(|_| ())
        } else {
            np_predictor::Predictor::from_onnx(&bytes).map(|_| ())
        };
        loaded.unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn the_naap_seeds_are_read_to_the_model_count() {
    for (path, bytes) in seed_files("naap_csv") {
        let error = np_naap440::table::read_table(&bytes[..], "t.csv").unwrap_err().to_string();
        assert!(error.contains("NAAP-440 has 440"), "{}: {error}", path.display());
    }
    for (path, bytes) in seed_files("naap_schemes") {
        let schemes: Vec<serde_json::Value> = serde_json::from_slice(&bytes).unwrap();
        let valid = schemes.iter().filter(|scheme| scheme_from_json(scheme).is_ok()).count();
        assert!(valid >= 3, "{}: {valid} valid schemes", path.display());
    }
}

#[test]
fn the_table_seeds_hold_both_spaces() {
    for (path, bytes) in seed_files("jsonl_table") {
        let text = String::from_utf8(bytes).unwrap();
        let nb101 = Nb101::new();
        let ids = |record: &serde_json::Value| nb101.parse(record).map(|cell| nb101.id(&cell)).map_err(|e| e.0);
        // The nbgraph lines are refused by the nb101 reader, and the other way round.
        let nb101_lines: String =
            text.lines().filter(|line| line.contains("adjacency")).map(|line| format!("{line}\n")).collect();
        let table = np_bench_tables::table::read_jsonl_table(&nb101_lines, ids).unwrap();
        assert_eq!(table.len(), 2, "{}", path.display());
        let runs = table.entries.values().map(|entry| entry.runs.len()).max();
        assert_eq!(runs, Some(2), "{}: the first cell has two runs", path.display());
    }
}

#[test]
fn the_nb201_csv_seeds_load_as_a_table_and_as_latencies() {
    use np_bench_tables::nb201_csv::{nb201_latency_from_csv, nb201_table_from_csv};
    use np_bench_tables::{Nb201Dataset, Nb201Protocol};
    let space = Nb201::new();
    let id_of = |record: &serde_json::Value| space.parse(record).map(|arch| space.id(&arch)).map_err(|e| e.0);
    let files = seed_files("nb201_csv");
    let text = |name: &str| {
        let (_, bytes) = files.iter().find(|(path, _)| path.ends_with(name)).unwrap_or_else(|| panic!("no {name}"));
        String::from_utf8(bytes.clone()).unwrap()
    };
    let protocol = Nb201Protocol::new(Nb201Dataset::Cifar10, 200).unwrap();
    let table = nb201_table_from_csv(&text("table.csv"), protocol, id_of).unwrap();
    assert_eq!(table.ids_sorted().len(), 3);
    assert_eq!(nb201_latency_from_csv(&text("latency.csv"), "edgegpu", id_of).unwrap().len(), 3);
}
