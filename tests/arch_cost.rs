//! `arch-cost` run as a real binary on real NAS-Bench-101 and NAS-Bench-201 data: the
//! datasets' parameter counts and NAS-Bench-Suite-Zero's FLOPs reproduced exactly, input
//! forms, pass-through, bad lines.

use std::collections::{BTreeMap, BTreeSet};

use neural_predictor::{data_file, json_lines, run_ok, run_tool};
use serde_json::{Value, json};

fn read(relative: &str) -> String {
    std::fs::read_to_string(data_file(relative)).unwrap()
}

/// A count given in millions (`params_m`, `flops_m`) as an integer: the source divided exact
/// integers by 10^6, so rounding back recovers them.
fn from_millions(value: &Value) -> u64 {
    (value.as_f64().unwrap() * 1e6).round() as u64
}

#[test]
fn official_trainable_parameters_of_all_30_records() {
    let input = read("nb101/records30.jsonl");
    let output = run_ok("arch-cost", &[], input.as_bytes());
    let (before, after) = (json_lines(&input), json_lines(&output));
    assert_eq!(after.len(), 30);
    for (original, costed) in before.iter().zip(&after) {
        assert_eq!(costed["params"], original["trainable_parameters"], "record {}", original["hash"]);
        assert!(costed["flops"].as_u64().unwrap() > 0);
    }
}

#[test]
fn params_and_flops_of_all_500_suite_zero_cells() {
    let input = read("nb101/zc500.jsonl");
    let output = run_ok("arch-cost", &[], input.as_bytes());
    let (before, after) = (json_lines(&input), json_lines(&output));
    assert_eq!(after.len(), 500);
    for (number, (original, costed)) in before.iter().zip(&after).enumerate() {
        let line = number + 1;
        assert_eq!(costed["params"].as_u64().unwrap(), from_millions(&original["params_m"]), "line {line}: params");
        assert_eq!(costed["flops"].as_u64().unwrap(), from_millions(&original["flops_m"]), "line {line}: flops");
    }
}

#[test]
fn isomorphic_spellings_differ_only_by_vertex_order() {
    // zc500 repeats cells under other vertex orders; their counts follow the order given (the
    // channel split's remainder goes to the first vertices feeding the output). Canonicalising
    // first gives every spelling of a cell the same counts.
    let input = read("nb101/zc500.jsonl");
    let as_given = json_lines(&run_ok("arch-cost", &[], input.as_bytes()));
    let canonical = run_ok("arch-encode", &["--format", "none"], input.as_bytes());
    let canonical = json_lines(&run_ok("arch-cost", &[], canonical.as_bytes()));
    let ids: Vec<&Value> = canonical.iter().map(|r| &r["id"]).collect();
    let mut given_by_id: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    let mut canonical_by_id: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for ((id, given), canon) in ids.iter().zip(&as_given).zip(&canonical) {
        let id = id.as_str().unwrap().to_string();
        given_by_id.entry(id.clone()).or_default().insert(given["params"].as_u64().unwrap());
        canonical_by_id.entry(id).or_default().insert(canon["params"].as_u64().unwrap());
    }
    assert!(given_by_id.values().any(|params| params.len() > 1), "the data has twins spelled differently");
    assert!(canonical_by_id.values().all(|params| params.len() == 1), "one count per cell once canonical");
    // The 30 official records are already in canonical order: same counts either way.
    let records = read("nb101/records30.jsonl");
    let direct = json_lines(&run_ok("arch-cost", &[], records.as_bytes()));
    let canonical = run_ok("arch-encode", &["--format", "none"], records.as_bytes());
    for (a, b) in direct.iter().zip(json_lines(&run_ok("arch-cost", &[], canonical.as_bytes()))) {
        assert_eq!((&a["params"], &a["flops"]), (&b["params"], &b["flops"]));
    }
}

#[test]
fn lines_pass_through_in_order_with_the_fields_appended() {
    let input = read("nb101/zc500.jsonl");
    let output = run_ok("arch-cost", &[], input.as_bytes());
    let lines: Vec<&str> = output.lines().collect();
    assert_eq!(lines.len(), 500);
    for (original, costed) in input.lines().zip(&lines) {
        let value: Value = serde_json::from_str(costed).unwrap();
        let appended = format!(",\"params\":{},\"flops\":{}}}", value["params"], value["flops"]);
        let kept = original.trim_end().strip_suffix('}').unwrap();
        assert_eq!(*costed, format!("{kept}{appended}"), "every byte of the input line is kept");
    }
}

#[test]
fn existing_fields_are_replaced_in_place() {
    let record = &json_lines(&read("nb101/records30.jsonl"))[0];
    let stale = json!({"params": 1, "adjacency": record["adjacency"], "ops": record["ops"], "flops": 2, "tag": "x"});
    let output = json_lines(&run_ok("arch-cost", &[], format!("{stale}\n").as_bytes()));
    let fields: Vec<&String> = output[0].as_object().unwrap().keys().collect();
    assert_eq!(fields, ["params", "adjacency", "ops", "flops", "tag"]);
    assert_eq!(output[0]["params"], record["trainable_parameters"]);
    let again = json_lines(&run_ok("arch-cost", &[], serde_json::to_string(&output[0]).unwrap().as_bytes()));
    assert_eq!(again, output, "a second pass changes nothing");
}

#[test]
fn every_input_form_gives_the_same_cost() {
    let record = &json_lines(&read("nb101/records30.jsonl"))[0];
    let matrix = record["adjacency"].as_array().unwrap();
    let naslib_id = |op: &Value| match op.as_str().unwrap() {
        "input" => 0,
        "output" => 1,
        "maxpool3x3" => 2,
        "conv1x1-bn-relu" => 3,
        _ => 4,
    };
    let mut tuple: Vec<i64> =
        matrix.iter().flat_map(|row| row.as_array().unwrap().iter().map(|v| v.as_i64().unwrap())).collect();
    tuple.extend(record["ops"].as_array().unwrap().iter().map(naslib_id));
    let input = format!(
        "{}\n{}\n{}\n{}\n",
        json!({"space": "nb101", "adjacency": record["adjacency"], "ops": record["ops"]}),
        json!({"module_adjacency": record["adjacency"], "module_operations": record["ops"]}),
        json!({"naslib": tuple}),
        serde_json::to_string(&tuple).unwrap(),
    );
    let output = json_lines(&run_ok("arch-cost", &["--space", "nb101"], input.as_bytes()));
    assert_eq!(output.len(), 4);
    for costed in &output {
        assert_eq!(costed["params"], record["trainable_parameters"]);
        assert_eq!(costed["flops"], output[0]["flops"]);
    }
    assert_eq!(output[3]["naslib"], json!(tuple), "a bare tuple is kept under \"naslib\"");
}

#[test]
fn a_bad_line_stops_with_exit_2_naming_it() {
    let good = r#"{"adjacency":[[0,1],[0,0]],"ops":["input","output"]}"#;
    let cases = [
        ("not json", "not valid JSON"),
        (r#"{"adjacency":[[0,0],[0,0]],"ops":["input","output"]}"#, "input is not connected to output"),
        (r#"{"space":"nbgraph","link":[0,0,0,0],"ops":["gcn","gcn","gcn","gcn"]}"#, "nb101 only"),
        (r#"{"ops":["input","output"]}"#, "missing field 'adjacency'"),
        ("42", "expected a JSON object"),
    ];
    for (bad, reason) in cases {
        let output = run_tool("arch-cost", &[], format!("{good}\n\n{bad}\n{good}\n").as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{bad}: {stderr}");
        assert!(stderr.starts_with("arch-cost: line 3: "), "{stderr}");
        assert!(stderr.contains(reason), "expected '{reason}' in: {stderr}");
    }
    let all = cases.iter().map(|(bad, _)| format!("{good}\n{bad}\n")).collect::<String>();
    let output = run_tool("arch-cost", &["--skip-invalid"], all.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), cases.len());
    assert!(stderr.contains(&format!("skipped {} invalid line(s); first: line 2: ", cases.len())), "{stderr}");
}

#[test]
fn other_spaces_are_a_usage_error_and_help_shows_a_pipeline() {
    let output = run_tool("arch-cost", &["--space", "proxyless"], b"");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no cost model for space 'proxyless'"));
    let help = run_ok("arch-cost", &["--help"], b"");
    assert!(help.contains("| arch-cost | topk --pareto"), "{help}");
}

#[test]
fn nb201_params_equal_the_table_for_every_cell_whose_figure_is_a_network_count() {
    let text = std::fs::read_to_string(data_file("nb201/nb201.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|c| *c == name).unwrap();
    let (arch, params_m) = (column("arch"), column("params_m"));
    let table: BTreeMap<String, u64> = lines
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields[arch].to_string(), (fields[params_m].parse::<f64>().unwrap() * 1e6).round() as u64)
        })
        .collect();
    let cells = run_ok("arch-sample", &["--space", "nb201", "--all"], b"");
    let costed = json_lines(&run_ok("arch-cost", &["--space", "nb201"], cells.as_bytes()));
    assert_eq!(costed.len(), 15_625);
    let ours: BTreeMap<String, u64> = costed
        .iter()
        .map(|line| (line["arch"].as_str().unwrap().to_string(), line["params"].as_u64().unwrap()))
        .collect();
    // Every count some cell's network has.
    let possible: BTreeSet<u64> = ours.values().copied().collect();
    let mut disagree = 0;
    for (cell, params) in &ours {
        if table[cell] != *params {
            // The export the table came from holds a few figures no cell's network has (such
            // as averages of three cells' counts): the model cannot be wrong about those alone.
            assert!(!possible.contains(&table[cell]), "{cell}: ours {params}, table {}", table[cell]);
            disagree += 1;
        }
    }
    assert_eq!(disagree, 204, "rows whose params_m is no network's count");
    // The other forms of a line give the same count (NASLib's tuple in its own edge and op
    // orders).
    let best = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|";
    let forms = "[2,2,0,2,2,3]\n[\"nor_conv_3x3\",\"nor_conv_3x3\",\"nor_conv_3x3\",\"skip_connect\",\"nor_conv_3x3\",\"nor_conv_1x1\"]\n";
    for line in json_lines(&run_ok("arch-cost", &["--space", "nb201"], forms.as_bytes())) {
        assert_eq!(line["params"].as_u64(), Some(table[best]), "{line}");
    }
}
