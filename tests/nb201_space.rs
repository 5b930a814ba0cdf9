//! The `nb201` space through the real binaries, checked against the benchmark's own data
//! (`nb201/nb201.csv`: all 15,625 official strings with their accuracies; `nb201/zc491.jsonl`:
//! NASLib's cells): the enumeration is exactly the table's set of strings; official strings,
//! NASLib tuples and op lists read as the same cells; the published count of classes;
//! sampling, sharding and threads; both encodings; and a GCN trained on the table's CIFAR-10
//! validation accuracies, scored by both backends and by Python's onnxruntime.
//!
//! The NASLib conversion here is written from NASLib's stated orders (edges (1,2), (1,3),
//! (1,4), (2,3), (2,4), (3,4) with 1-based nodes; ops skip_connect, none, nor_conv_3x3,
//! nor_conv_1x1, avg_pool_3x3), independently of the space's own code.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::process::Command;

use neural_predictor::{
    data_file, json_lines, run_ok, run_tool, scores_agree_on_every_backend, sharded_output, tool_path, train_gcn,
    write_lines,
};
use serde_json::{Value, json};

/// The published number of classes of cells computing different functions (NATS-Bench).
const PUBLISHED_CLASSES: usize = 6_466;

/// `(index, arch, cifar10_valid_200)` of every row of the table, in file order.
fn table_rows() -> Vec<(u64, String, f64)> {
    let text = std::fs::read_to_string(data_file("nb201/nb201.csv")).expect("nb201.csv readable");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    let column = |name: &str| header.iter().position(|c| *c == name).unwrap_or_else(|| panic!("column {name}"));
    let (index, arch, valid) = (column("index"), column("arch"), column("cifar10_valid_200"));
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            (cells[index].parse().unwrap(), cells[arch].to_string(), cells[valid].parse().unwrap())
        })
        .collect()
}

/// The six (op, source) pairs of an official string, in its order: node 1's input, node 2's
/// two, node 3's three.
fn string_edges(arch: &str) -> Vec<(String, usize, usize)> {
    let mut edges = Vec::new();
    for (group, target) in arch.split('+').zip(1..) {
        for item in group.trim_matches('|').split('|') {
            let (op, source) = item.split_once('~').expect("op~source");
            edges.push((op.to_string(), source.parse().unwrap(), target));
        }
    }
    assert_eq!(edges.len(), 6, "{arch}");
    edges
}

const NASLIB_OPS: [&str; 5] = ["skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3"];
const NASLIB_EDGES: [(usize, usize); 6] = [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)];

fn naslib_tuple(arch: &str) -> Vec<usize> {
    let edges = string_edges(arch);
    NASLIB_EDGES
        .iter()
        .map(|&(from, to)| {
            let (op, _, _) = edges.iter().find(|(_, s, t)| (s + 1, t + 1) == (from, to)).expect("every edge");
            NASLIB_OPS.iter().position(|name| name == op).expect("a NASLib op")
        })
        .collect()
}

fn naslib_string(tuple: &[usize]) -> String {
    let op_of = |from: usize, to: usize| {
        let position = NASLIB_EDGES.iter().position(|&edge| edge == (from + 1, to + 1)).unwrap();
        NASLIB_OPS[tuple[position]]
    };
    let groups: Vec<String> =
        (1..4).map(|to| (0..to).map(|from| format!("|{}~{from}", op_of(from, to))).collect::<String>() + "|").collect();
    groups.join("+")
}

/// One way of writing a cell on a line, given its official string.
type InputForm = fn(&str) -> Value;

fn lines_of(records: &[Value]) -> String {
    records.iter().map(|r| format!("{r}\n")).collect()
}

fn field<'a>(records: &'a [Value], name: &str) -> Vec<&'a str> {
    records.iter().map(|r| r[name].as_str().unwrap_or_else(|| panic!("string field {name} in {r}"))).collect()
}

fn encode(args: &[&str], lines: &str) -> Vec<Value> {
    let mut all = vec!["--space", "nb201"];
    all.extend_from_slice(args);
    json_lines(&run_ok("arch-encode", &all, lines.as_bytes()))
}

#[test]
fn enumeration_is_exactly_the_tables_set_of_strings() {
    let all = json_lines(&run_ok("arch-sample", &["--space", "nb201", "--all"], b""));
    assert_eq!(all.len(), 15_625);
    assert!(all.iter().all(|r| r["space"] == "nb201"));
    let strings: BTreeSet<&str> = field(&all, "arch").into_iter().collect();
    assert_eq!(strings.len(), 15_625, "distinct official strings");
    let rows = table_rows();
    let table: BTreeSet<&str> = rows.iter().map(|(_, arch, _)| arch.as_str()).collect();
    assert_eq!(rows.len(), 15_625);
    assert!(strings == table, "the enumeration is the table's set of strings");
    let ids = field(&all, "id");
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "distinct ids, in increasing order");

    // Each line's ops are its string's ops, edge by edge, and it reads back as itself.
    for record in &all {
        let ops: Vec<String> = string_edges(record["arch"].as_str().unwrap()).into_iter().map(|e| e.0).collect();
        assert_eq!(record["ops"], json!(ops));
    }
    let text = lines_of(&all);
    assert_eq!(run_ok("arch-encode", &["--space", "nb201", "--format", "none"], text.as_bytes()), text);
}

#[test]
fn classes_are_the_published_count_and_named_by_their_members() {
    let all = json_lines(&run_ok("arch-sample", &["--space", "nb201", "--all"], b""));
    let classes: HashSet<&str> = field(&all, "class_id").into_iter().collect();
    assert_eq!(classes.len(), PUBLISHED_CLASSES);
    let ids: HashSet<&str> = field(&all, "id").into_iter().collect();
    assert!(classes.iter().all(|class| ids.contains(class)), "a class is named by one of its cells");
    for record in &all {
        assert!(record["class_id"].as_str() <= record["id"].as_str(), "the smallest member names the class");
    }
    let size = run_ok("arch-sample", &["--space", "nb201", "--size"], b"");
    assert!(size.contains("architectures: 15625 ") && size.contains(": 6466 "), "{size}");

    // Sampling over classes: all of them once, each line its class's representative.
    let args = ["--space", "nb201", "--count", "6466", "--sampler", "classes", "--seed", "3"];
    let drawn = json_lines(&run_ok("arch-sample", &args, b""));
    assert!(drawn.iter().all(|r| r["class_id"] == r["id"]));
    assert_eq!(field(&drawn, "class_id").into_iter().collect::<HashSet<_>>(), classes);
}

#[test]
fn strings_naslib_tuples_and_op_lists_read_as_the_same_cells() {
    let all = json_lines(&run_ok("arch-sample", &["--space", "nb201", "--all"], b""));
    let by_arch: HashMap<&str, &Value> = all.iter().map(|r| (r["arch"].as_str().unwrap(), r)).collect();
    let rows = table_rows();
    let forms: [(&str, InputForm); 5] = [
        ("arch", |arch| json!({"arch": arch})),
        ("ops", |arch| json!({"ops": string_edges(arch).into_iter().map(|e| e.0).collect::<Vec<_>>()})),
        ("naslib", |arch| json!({"naslib": naslib_tuple(arch)})),
        ("bare tuple", |arch| json!(naslib_tuple(arch))),
        ("bare ops", |arch| json!(string_edges(arch).into_iter().map(|e| e.0).collect::<Vec<_>>())),
    ];
    for (name, form) in forms {
        let inputs: Vec<Value> = rows.iter().map(|(_, arch, _)| form(arch)).collect();
        let read = encode(&["--format", "none"], &lines_of(&inputs));
        assert_eq!(read.len(), rows.len(), "{name}");
        for ((_, arch, _), record) in rows.iter().zip(&read) {
            let expected = by_arch[arch.as_str()];
            for key in ["id", "arch", "ops", "class_id"] {
                assert_eq!(record[key], expected[key], "{name} form of {arch}: {key}");
            }
        }
    }

    // The other way round: every NASLib tuple gives the string this file's conversion gives,
    // and that string converts back to the tuple.
    let tuples: Vec<Vec<usize>> =
        (0..15_625).map(|i| (0..6).rev().map(|k| i / 5usize.pow(k) % 5).collect::<Vec<usize>>()).collect();
    let inputs: Vec<Value> = tuples.iter().map(|t| json!({"naslib": t})).collect();
    let read = encode(&["--format", "none"], &lines_of(&inputs));
    for (tuple, record) in tuples.iter().zip(&read) {
        let arch = record["arch"].as_str().unwrap();
        assert_eq!(arch, naslib_string(tuple));
        assert_eq!(&naslib_tuple(arch), tuple);
    }
}

#[test]
fn naslib_cells_agree_with_the_table_and_keep_their_fields() {
    let text = std::fs::read_to_string(data_file("nb201/zc491.jsonl")).expect("zc491.jsonl readable");
    let cells = json_lines(&text);
    assert_eq!(cells.len(), 3 * 491);
    // zc491's strings were converted from NASLib tuples with the orders above: each must be
    // the table's string at the same benchmark index.
    let table: HashMap<u64, String> = table_rows().into_iter().map(|(index, arch, _)| (index, arch)).collect();
    for cell in &cells {
        let index = cell["index"].as_u64().unwrap();
        assert_eq!(cell["arch"].as_str(), Some(table[&index].as_str()), "index {index}");
    }
    let read = encode(&["--format", "none"], &text);
    for (original, record) in cells.iter().zip(&read) {
        assert_eq!(record["arch"], original["arch"]);
        for key in ["dataset", "index", "val_accuracy", "params_m", "flops_m", "proxies"] {
            assert_eq!(record[key], original[key], "{key} passes through");
        }
    }
    // The same cells given only as NASLib tuples.
    let tuples: Vec<Value> =
        cells.iter().map(|c| json!({"naslib": naslib_tuple(c["arch"].as_str().unwrap())})).collect();
    let from_tuples = encode(&["--format", "none"], &lines_of(&tuples));
    assert_eq!(field(&from_tuples, "arch"), field(&cells, "arch"));
}

#[test]
fn samples_are_distinct_shard_exactly_and_ignore_the_thread_count() {
    let long = run_ok("arch-sample", &["--space", "nb201", "--count", "3000", "--seed", "5"], b"");
    let short = run_ok("arch-sample", &["--space", "nb201", "--count", "200", "--seed", "5"], b"");
    assert!(long.starts_with(&short), "a shorter draw is a prefix of a longer one");
    let drawn = json_lines(&long);
    assert_eq!(field(&drawn, "id").into_iter().collect::<HashSet<_>>().len(), 3000, "without replacement");
    for sampler in ["uniform", "classes", "with-replacement"] {
        let args = ["--space", "nb201", "--count", "2000", "--seed", "5", "--sampler", sampler];
        let whole = run_ok("arch-sample", &args, b"");
        assert!(sharded_output("arch-sample", &args, 3) == whole, "shards of {sampler}");
        for threads in ["1", "3"] {
            let output =
                Command::new(tool_path("arch-sample")).args(args).env("RAYON_NUM_THREADS", threads).output().unwrap();
            assert!(output.status.success() && output.stdout == whole.as_bytes(), "{sampler} on {threads} threads");
        }
    }
    let too_many = run_tool("arch-sample", &["--space", "nb201", "--count", "6467", "--sampler", "classes"], b"");
    assert_eq!(too_many.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&too_many.stderr).contains("6466 classes"));
}

#[test]
fn encodings_show_each_edge_as_a_node_between_input_and_output() {
    let sampled = run_ok("arch-sample", &["--space", "nb201", "--count", "300", "--seed", "2"], b"");
    let graphs = encode(&["--format", "graph"], &sampled);
    let vocabulary = ["input", "none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3", "output"];
    // Node k + 1 is edge k of the string (0→1, 0→2, 1→2, 0→3, 1→3, 2→3); an edge node feeds
    // the edge nodes leaving its target, those into node 3 feed the output.
    let mut expected_edges = BTreeSet::new();
    let cell_edges = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)];
    for (k, &(from, to)) in cell_edges.iter().enumerate() {
        if from == 0 {
            expected_edges.insert((0, k + 1));
        }
        if to == 3 {
            expected_edges.insert((k + 1, 7));
        }
        for (next, &(next_from, _)) in cell_edges.iter().enumerate() {
            if next_from == to {
                expected_edges.insert((k + 1, next + 1));
            }
        }
    }
    let mut shown_cells = Vec::new();
    for record in &graphs {
        let graph = &record["graph"];
        assert_eq!(graph["nodes"], 8);
        let mut edges = BTreeSet::new();
        for (i, row) in graph["adjacency"].as_array().unwrap().iter().enumerate() {
            for (j, bit) in row.as_array().unwrap().iter().enumerate() {
                if bit == 1 {
                    edges.insert((i, j));
                }
            }
        }
        assert_eq!(edges, expected_edges);
        let ops: Vec<&str> = graph["op_onehot"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| vocabulary[row.as_array().unwrap().iter().position(|bit| bit == 1).unwrap()])
            .collect();
        // The ops of the smallest cell computing the same function: at most the line's class
        // representative, and a cell that shows itself.
        assert_eq!((ops[0], ops[7]), ("input", "output"));
        let shown: String = ops[1..7]
            .iter()
            .map(|op| (b'0' + vocabulary[1..6].iter().position(|v| v == op).unwrap() as u8) as char)
            .collect();
        assert!(shown.as_str() <= record["class_id"].as_str().unwrap(), "{shown} vs {}", record["class_id"]);
        shown_cells.push(json!({"space": "nb201", "ops": &ops[1..7]}));
    }
    // The cell shown is shown as itself; one class, one graph.
    let shown = encode(&["--format", "graph"], &lines_of(&shown_cells));
    let mut graph_of_class = HashMap::new();
    for ((record, shown), original) in shown.iter().zip(&shown_cells).zip(&graphs) {
        assert_eq!(record["graph"], original["graph"], "{shown}");
        assert_eq!(
            graph_of_class.entry(original["class_id"].clone()).or_insert(&original["graph"]),
            &&original["graph"]
        );
    }
    assert!(graphs.iter().any(|record| record["class_id"] != record["id"]), "the sample holds non-representatives");
    // Flat: no adjacency (the topology is fixed), the 8 one-hot rows of 7.
    let flat = encode(&["--format", "flat"], &sampled);
    for (record, graph) in flat.iter().zip(&graphs) {
        let onehot: Vec<Value> = graph["graph"]["op_onehot"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|row| row.as_array().unwrap().clone())
            .collect();
        assert_eq!(record["flat"], Value::Array(onehot));
    }
}

#[test]
fn a_gcn_trained_on_the_table_scores_alike_natively_in_onnx_runtime_and_in_python() {
    let dir = tempfile::tempdir().unwrap();
    let accuracy: HashMap<String, f64> = table_rows().into_iter().map(|(_, arch, valid)| (arch, valid)).collect();
    let sampled = run_ok("arch-sample", &["--space", "nb201", "--count", "500", "--seed", "9"], b"");
    let labelled: Vec<Value> = json_lines(&sampled)
        .into_iter()
        .map(|mut record| {
            record["val_accuracy"] = json!(accuracy[record["arch"].as_str().unwrap()]);
            record
        })
        .collect();
    let encoded = encode(&["--format", "graph"], &lines_of(&labelled));
    let (train_cells, test_cells) = encoded.split_at(300);
    let test_path = write_lines(&dir.path().join("test.jsonl"), test_cells);
    for extra in [&[][..], &["--two-stage", "--threshold", "88"]] {
        let model = train_gcn(dir.path(), train_cells, 30, extra);
        let outputs: &[&str] = if extra.is_empty() { &["pred"] } else { &["pred", "p_good"] };
        let (_, ort) = scores_agree_on_every_backend(&model, &test_path, outputs);
        assert_eq!(ort.len(), 200);
        assert_eq!(field(&ort, "id"), field(test_cells, "id"), "lines keep their order and fields");
        let summary = run_ok("pred-eval", &["--pred", "pred", "--truth", "val_accuracy"], lines_of(&ort).as_bytes());
        let tau = serde_json::from_str::<Value>(&summary).unwrap()["kendall_tau"].as_f64().unwrap();
        assert!(tau > 0.3, "a trained predictor ranks held-out cells (tau {tau})");
    }
}

#[test]
fn bad_lines_stop_with_their_number_and_reason() {
    let good = r#"{"arch":"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"}"#;
    let cases = [
        (r#"{"arch":"|none~0|+|none~0|none~1|"}"#, "field 'arch' must have 3 node groups"),
        (r#"{"ops":["none","none","none","none","none","conv"]}"#, "unknown op 'conv' at ops[5]"),
        (r#"{"naslib":[0,0,0,0,0,7]}"#, "NASLib op index 7 at position 5"),
        (
            r#"{"arch":"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|","naslib":[0,0,0,0,0,0]}"#,
            "name different cells",
        ),
        (r#"{"arch":"|none~0|+|none~0|none~1|+|none~0|none~1|none~2|","class_id":"1"}"#, "field 'class_id' is \"1\""),
        (r#"{"id":"000000"}"#, "missing field 'arch'"),
    ];
    for (bad, reason) in cases {
        let output = run_tool("arch-encode", &["--space", "nb201"], format!("{good}\n{bad}\n").as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{bad}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.starts_with("arch-encode: line 2: ") && stderr.contains(reason), "{reason}: {stderr}");
    }
}
