//! Every message a tool prints is one line, whatever the input it quotes holds: op names and
//! field names with line breaks or other control characters are shown escaped, in every
//! space's messages and in `--skip-invalid`'s summary.

use neural_predictor::{run_ok, run_tool};
use serde_json::{Value, json};

/// Runs `tool` and checks it fails with exit 2 and exactly `expected` as its one stderr line.
fn assert_one_line(tool: &str, args: &[&str], input: &str, expected: &str) {
    let output = run_tool(tool, args, input.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{tool} {args:?}: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "{tool} {args:?}: {stderr}");
    assert!(stderr.starts_with(&format!("{tool}: {expected}")), "{tool} {args:?}: expected '{expected}' in {stderr}");
}

#[test]
fn op_and_field_names_from_the_input_are_escaped() {
    let nbgraph = json!({"link": [0, 0, 1, 3], "ops": ["arma", "gr\naph", "gcn", "gcn"]}).to_string();
    assert_one_line("arch-encode", &["--space", "nbgraph"], &nbgraph, "line 1: unknown op 'gr\\naph' at ops[1]");

    let sampled = run_ok("arch-sample", &["--space", "proxyless", "--count", "1", "--seed", "1"], b"");
    let mut proxyless: Value = serde_json::from_str(&sampled).unwrap();
    proxyless["ops"][3] = Value::from("mb\rconv\u{1b}[31m");
    let expected = "line 1: unknown op 'mb\\rconv\\u{1b}[31m' at layer 3";
    assert_one_line("arch-encode", &["--space", "proxyless"], &proxyless.to_string(), expected);

    let naap = json!({"scheme": [{"kernel_size": 3, "width": 12, "stride": 2, "residual": false, "ke\nrnel": 1}]});
    let expected = "line 1: scheme[0]: unknown field 'ke\\nrnel'";
    assert_one_line("arch-encode", &["--space", "naap"], &naap.to_string(), expected);

    let nb101 = json!({"adjacency": [[0, 1], [0, 0]], "ops": ["in\nput", "output"]}).to_string();
    assert_one_line("arch-encode", &[], &nb101, "line 1: first op must be 'input', got 'in\\nput'");

    // Names from the command line too, through any tool's message.
    assert_one_line("topk", &["-k", "1", "--by", "pr\ned"], "{\"id\": \"a\"}\n", "line 1: field 'pr\\ned' is missing");
}

#[test]
fn the_summary_of_skipped_lines_is_one_line() {
    let input = format!("{}\n{}\n", json!({"link": [0, 0, 1, 3], "ops": ["a\nb", "gcn", "gcn", "gcn"]}), "{}");
    let output = run_tool("arch-encode", &["--space", "nbgraph", "--skip-invalid"], input.as_bytes());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with("arch-encode: skipped 2 invalid line(s); first: line 1: unknown op 'a\\nb'"),
        "{stderr}"
    );
}
