//! The `nbgraph` spaces through the real binaries, checked against the `nas-bench-graph`
//! package itself (tests/python/nbgraph_reference.py): the canonical code of every possible
//! input, the enumeration against `all_archs` and the keys of all nine tables, sampling,
//! mutation and the graph encoding.

use std::collections::{BTreeMap, HashSet};
use std::process::Command;
use std::sync::OnceLock;

use neural_predictor::{json_lines, python, run_ok, run_tool, sharded_output, workspace_root};
use np_spaces::nbgraph::NbGraph;
use np_spaces::rng::item_rng;
use np_spaces::{SearchSpace, SpaceVisitor, with_space};
use serde_json::{Value, json};

const FULL_TABLES: [&str; 8] = ["cora", "citeseer", "pubmed", "cs", "physics", "photo", "computers", "arxiv"];

/// Stdout of the reference script in `mode`.
fn reference(mode: &str) -> String {
    let output = Command::new(python())
        .arg(workspace_root().join("tests/python/nbgraph_reference.py"))
        .arg(mode)
        .output()
        .expect("start python (set NP_PYTHON, or run make setup for .venv)");
    assert!(output.status.success(), "nbgraph_reference.py {mode}: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout).expect("UTF-8")
}

struct PackageSpace {
    all_archs: Vec<u64>,
    tables: BTreeMap<String, Vec<u64>>,
}

/// The package's `all_archs` codes and its tables' keys (loaded once for all tests).
fn package_space() -> &'static PackageSpace {
    static SPACE: OnceLock<PackageSpace> = OnceLock::new();
    SPACE.get_or_init(|| {
        let answer: Value = serde_json::from_str(&reference("tables")).expect("one JSON object");
        let codes = |value: &Value| -> Vec<u64> {
            value.as_array().expect("array").iter().map(|code| code.as_u64().expect("integer code")).collect()
        };
        let tables =
            answer["tables"].as_object().expect("tables").iter().map(|(name, keys)| (name.clone(), codes(keys)));
        PackageSpace { all_archs: codes(&answer["all_archs"]), tables: tables.collect() }
    })
}

fn codes_of(records: &[Value]) -> Vec<u64> {
    records
        .iter()
        .map(|record| {
            let code = record["code"].as_u64().expect("integer code");
            assert_eq!(record["id"], code.to_string(), "the id is the code in decimal");
            code
        })
        .collect()
}

#[test]
fn every_input_gets_the_package_code() {
    let inputs = reference("inputs");
    let refused: Vec<&str> = inputs.lines().filter(|line| line.contains("package_error")).collect();
    assert!(
        refused.is_empty(),
        "the package fails on inputs the space accepts: {:?}",
        &refused[..refused.len().min(5)]
    );
    let encoded = json_lines(&run_ok("arch-encode", &["--space", "nbgraph", "--format", "none"], inputs.as_bytes()));
    assert_eq!(encoded.len(), 24 * (9usize.pow(4) - 1));
    let mut mismatches = Vec::new();
    for (record, code) in encoded.iter().zip(codes_of(&encoded)) {
        if Some(code) != record["package_code"].as_u64() {
            mismatches.push(record.to_string());
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} inputs differ from the package, e.g. {:?}",
        mismatches.len(),
        &mismatches[..3.min(mismatches.len())]
    );
}

#[test]
fn enumeration_is_the_package_space_and_every_table_key() {
    let package = package_space();
    let records = json_lines(&run_ok("arch-sample", &["--space", "nbgraph", "--all"], b""));
    let codes = codes_of(&records);
    assert_eq!(codes.len(), 26_206);
    assert!(codes.windows(2).all(|w| w[0] < w[1]), "distinct, in increasing code order");
    assert_eq!(codes, package.all_archs);
    for table in FULL_TABLES {
        assert_eq!(codes, package.tables[table], "keys of {table}");
    }
    // Every enumerated record reads back as itself, from its fields or from its code alone.
    let lines: String = records.iter().map(|r| format!("{r}\n")).collect();
    let again = run_ok("arch-encode", &["--space", "nbgraph", "--format", "none"], lines.as_bytes());
    assert_eq!(again, lines);
    let by_code: String = codes.iter().map(|code| format!("{{\"code\":\"{code}\"}}\n")).collect();
    let from_codes =
        json_lines(&run_ok("arch-encode", &["--space", "nbgraph", "--format", "none"], by_code.as_bytes()));
    assert_eq!(codes_of(&from_codes), codes);

    let proteins = json_lines(&run_ok("arch-sample", &["--space", "nbgraph-proteins", "--all"], b""));
    assert_eq!(codes_of(&proteins), package.tables["proteins"]);
    assert_eq!(proteins.len(), 2_021);
    assert!(proteins.iter().all(|r| r["space"] == "nbgraph-proteins"));
}

#[test]
fn size_reports_the_table_sizes() {
    let full = run_ok("arch-sample", &["--space", "nbgraph", "--size"], b"");
    assert!(full.contains("architectures: 26206 ") && full.contains("enumerable with --all: yes"), "{full}");
    let proteins = run_ok("arch-sample", &["--space", "nbgraph-proteins", "--size"], b"");
    assert!(proteins.contains("architectures: 2021 "), "{proteins}");
}

#[test]
fn samples_are_table_members_and_uniform_draws_shard_and_extend() {
    let keys: HashSet<u64> = package_space().tables["cora"].iter().copied().collect();
    let long = run_ok("arch-sample", &["--space", "nbgraph", "--count", "2000", "--seed", "7"], b"");
    let short = run_ok("arch-sample", &["--space", "nbgraph", "--count", "300", "--seed", "7"], b"");
    assert!(long.starts_with(&short), "a shorter draw is a prefix of a longer one");
    let codes = codes_of(&json_lines(&long));
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 2000, "without replacement");
    assert!(codes.iter().all(|code| keys.contains(code)));
    for args in [
        ["--count", "2000", "--seed", "7", "--sampler", "uniform"],
        ["--count", "900", "--seed", "7", "--sampler", "package"],
    ] {
        let mut whole_args = vec!["--space", "nbgraph"];
        whole_args.extend(args);
        let whole = run_ok("arch-sample", &whole_args, b"");
        assert_eq!(sharded_output("arch-sample", &whole_args, 3), whole, "{args:?}");
        assert!(codes_of(&json_lines(&whole)).iter().all(|code| keys.contains(code)));
    }
    let proteins_keys: HashSet<u64> = package_space().tables["proteins"].iter().copied().collect();
    let drawn = run_ok("arch-sample", &["--space", "nbgraph-proteins", "--count", "500", "--sampler", "package"], b"");
    assert!(codes_of(&json_lines(&drawn)).iter().all(|code| proteins_keys.contains(code)));
    let too_many = run_tool("arch-sample", &["--space", "nbgraph", "--count", "26207"], b"");
    assert_eq!(too_many.status.code(), Some(2));
}

/// Mutates `count` uniformly drawn parents of the named space; returns (parent, child) codes.
struct Mutations(u64);

impl SpaceVisitor for Mutations {
    type Output = Vec<(u64, u64)>;

    fn visit<S: SearchSpace>(self, space: &S) -> Self::Output {
        let parents = space.sample_range("uniform", 11, self.0, 0..self.0).unwrap();
        let code = |arch: &S::Arch| space.id(arch).parse::<u64>().unwrap();
        parents
            .iter()
            .enumerate()
            .map(|(i, parent)| (code(parent), code(&space.mutate(parent, &mut item_rng(12, i as u64)))))
            .collect()
    }
}

#[test]
fn mutation_children_are_table_members_and_differ_from_their_parent() {
    for (space, table, count) in [("nbgraph", "cora", 5000), ("nbgraph-proteins", "proteins", 2021)] {
        let keys: HashSet<u64> = package_space().tables[table].iter().copied().collect();
        let pairs = with_space(space, Mutations(count)).unwrap();
        for (parent, child) in pairs {
            assert_ne!(parent, child);
            assert!(keys.contains(&child), "{space}: child {child} of {parent} is not a key of {table}");
        }
    }
    // The library's type, directly: one mutation is one edit of the canonical parent.
    let space = NbGraph::new();
    let parent = space.parse(&json!({"code": 88111})).unwrap();
    let child = space.mutate(&parent, &mut item_rng(1, 0));
    let differing = (0..4).filter(|&i| parent.link[i] != child.link[i] || parent.ops[i] != child.ops[i]).count();
    assert!(differing >= 1);
}

#[test]
fn graph_encoding_has_input_four_nodes_and_output() {
    // gcn reads the input, gin and cheb read gcn, fc reads gin; cheb and fc feed the output.
    let line = r#"{"link":[0,1,2,1],"ops":["gcn","gin","fc","cheb"],"label":0.5}"#;
    let out = json_lines(&run_ok("arch-encode", &["--space", "nbgraph", "--format", "graph"], line.as_bytes()));
    let record = &out[0];
    assert_eq!(record["space"], "nbgraph");
    assert_eq!(record["id"], "61237");
    assert_eq!(record["link"], json!([0, 1, 1, 2]));
    assert_eq!(record["ops"], json!(["gcn", "gin", "cheb", "fc"]));
    assert_eq!(record["label"], 0.5);
    let graph = &record["graph"];
    assert_eq!(graph["nodes"], 6);
    assert_eq!(
        graph["adjacency"],
        json!([
            [0, 1, 0, 0, 0, 0],
            [0, 0, 1, 1, 0, 0],
            [0, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 1],
            [0, 0, 0, 0, 0, 0]
        ])
    );
    let hot: Vec<usize> = graph["op_onehot"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| {
            let row = row.as_array().unwrap();
            assert_eq!(row.len(), 11);
            row.iter().position(|v| v == 1).unwrap()
        })
        .collect();
    assert_eq!(hot, vec![0, 2, 3, 4, 8, 10], "input, gcn, gin, cheb, fc, output");
    let flat = json_lines(&run_ok("arch-encode", &["--space", "nbgraph", "--format", "flat"], line.as_bytes()));
    assert_eq!(flat[0]["flat"].as_array().unwrap().len(), 15 + 6 * 11);
}

#[test]
fn bad_lines_stop_with_their_reason() {
    let cases = [
        (r#"{"link":[0,0,3,0],"ops":["gcn","gcn","gcn","gcn"]}"#, "link[2] = 3"),
        (r#"{"link":[0,0,0,0],"ops":["gcn","gcn","gcn","mlp"]}"#, "unknown op 'mlp'"),
        (r#"{"link":[0,0,0,0],"ops":["skip","skip","skip","skip"]}"#, "all four ops are 'skip'"),
        (r#"{"code":1121}"#, "code 1121 is not canonical"),
        (r#"{"code":95555}"#, "not a NAS-Bench-Graph code"),
        (r#"{"adjacency":[[0,1],[0,0]],"ops":["input","output"]}"#, "needs a 'link'"),
    ];
    for (line, reason) in cases {
        let input = format!("{{\"code\":1111}}\n{line}\n");
        let output = run_tool("arch-encode", &["--space", "nbgraph"], input.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{line}: {stderr}");
        assert!(stderr.contains("line 2: ") && stderr.contains(reason), "{line}: {stderr}");
    }
    let output = run_tool("arch-encode", &["--space", "nbgraph-proteins"], br#"{"code":1}"#);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("op 'gat' at ops[0] is not in this space"));
}
