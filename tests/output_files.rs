//! What every tool promises about where its output goes: a failed or interrupted run leaves
//! no file (neither the target nor its temporary), a target that is a directory is refused,
//! and output that cannot be written (stdout closed or full) is an error, not a silent loss.

use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use neural_predictor::{run_tool, tool_path, workspace_root};

fn fixture(name: &str) -> String {
    workspace_root().join("fixtures").join(name).display().to_string()
}

fn first_line(fixture_name: &str) -> String {
    let text = std::fs::read_to_string(fixture(fixture_name)).unwrap();
    format!("{}\n", text.lines().next().unwrap())
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Whether `dir` holds a temporary of `target` with data in it.
fn has_started_writing(dir: &Path, target: &str) -> bool {
    std::fs::read_dir(dir).unwrap().any(|entry| {
        let entry = entry.unwrap();
        entry.file_name().to_string_lossy().starts_with(&format!(".{target}.tmp."))
            && entry.metadata().is_ok_and(|m| m.len() > 0)
    })
}

#[test]
fn an_interrupted_run_leaves_no_file() {
    for (signal, number) in [("TERM", 15), ("INT", 2), ("HUP", 1)] {
        // A signal this process ignores (SIGINT under `make test &`, SIGHUP under nohup) is
        // ignored by the tool too, as it should be: nothing to test then.
        if ignored_here(number) {
            eprintln!("SIG{signal} is ignored here; not tested");
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("x");
        // Far more lines than can be written before the signal comes.
        let mut child = Command::new(tool_path("arch-sample"))
            .args(["--space", "proxyless", "--count", "1000000000", "-o", target.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while !has_started_writing(dir.path(), "x") && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let started = has_started_writing(dir.path(), "x");
        Command::new("kill").arg(format!("-{signal}")).arg(child.id().to_string()).status().unwrap();
        let deadline = Instant::now() + Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill();
        let status = child.wait().unwrap();
        assert!(started, "SIG{signal}: arch-sample never started writing");
        assert_eq!(
            status.signal(),
            Some(number as i32),
            "SIG{signal}: not reported as killed by the signal: {status:?}"
        );
        assert_eq!(names_in(dir.path()), Vec::<String>::new(), "SIG{signal}: left behind");
    }
}

/// Whether this process ignores signal `number` (which its children then inherit).
fn ignored_here(number: u32) -> bool {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let mask = status.lines().find_map(|line| line.strip_prefix("SigIgn:")).map(str::trim).unwrap_or("0");
    u64::from_str_radix(mask, 16).is_ok_and(|mask| mask >> (number - 1) & 1 == 1)
}

#[test]
fn a_directory_as_output_is_refused_and_nothing_is_left() {
    let graph_line = first_line("nb101-cells.graph.jsonl");
    let cell_line = first_line("nb101-cells.jsonl");
    let labelled: String = std::fs::read_to_string(fixture("nb101-cells.graph.jsonl"))
        .unwrap()
        .lines()
        .take(2)
        .enumerate()
        .map(|(i, line)| format!("{},\"val_accuracy\":{}}}\n", &line[..line.len() - 1], 90 + i))
        .collect();
    let model = fixture("gcn-two-stage.onnx");
    let runs: [(&str, Vec<&str>, &str); 7] = [
        ("arch-sample", vec!["--space", "nb101", "--count", "3"], ""),
        ("arch-encode", vec![], &cell_line),
        ("arch-cost", vec![], &cell_line),
        ("topk", vec!["-k", "1", "--by", "params"], &cell_line),
        ("pred-eval", vec!["--pred", "params", "--truth", "flops"], &cell_line),
        ("gcn-score", vec!["-m", &model], &graph_line),
        ("gcn-train", vec!["--epochs", "1", "-q"], &labelled),
    ];
    for (tool, mut args, input) in runs {
        let dir = tempfile::tempdir().unwrap();
        let taken: PathBuf = dir.path().join("taken");
        std::fs::create_dir(&taken).unwrap();
        args.extend(["-o", taken.to_str().unwrap()]);
        let output = run_tool(tool, &args, input.as_bytes());
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{tool}: {stderr}");
        assert_eq!(stderr, format!("{tool}: cannot write {}: it is a directory\n", taken.display()));
        assert_eq!(names_in(dir.path()), ["taken"], "{tool}");
        assert_eq!(names_in(&taken), Vec::<String>::new(), "{tool}");
    }
}

/// Runs `tool args` through `sh` with `redirection` (such as `>&-`) applied to it.
fn run_redirected(tool: &str, args: &[&str], redirection: &str) -> std::process::Output {
    Command::new("sh")
        .arg("-c")
        .arg(format!("exec \"$0\" \"$@\" {redirection}"))
        .arg(tool_path(tool))
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn closed_or_full_standard_streams_are_errors() {
    let dir = tempfile::tempdir().unwrap();
    let cells = dir.path().join("cells.jsonl");
    std::fs::write(&cells, first_line("nb101-cells.jsonl")).unwrap();
    let graphs = dir.path().join("graphs.jsonl");
    std::fs::write(&graphs, first_line("nb101-cells.graph.jsonl")).unwrap();
    let (cells, graphs, model) = (cells.to_str().unwrap(), graphs.to_str().unwrap(), fixture("gcn-two-stage.onnx"));
    let runs: [(&str, Vec<&str>); 5] = [
        ("topk", vec!["-k", "5", "--by", "params", cells]),
        ("arch-encode", vec![cells]),
        ("gcn-score", vec!["-m", &model, graphs]),
        ("arch-sample", vec!["--count", "3"]),
        ("arch-sample", vec!["--space", "proxyless", "--size"]),
    ];
    for (tool, args) in &runs {
        let output = run_redirected(tool, args, ">&-");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{tool}: {stderr}");
        assert_eq!(stderr, format!("{tool}: cannot write to standard output: it is closed\n"));

        let output = run_redirected(tool, args, ">/dev/full");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{tool}: {stderr}");
        assert!(stderr.starts_with(&format!("{tool}: cannot write to standard output: No space left")), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let output = run_redirected("topk", &["-k", "5", "--by", "params"], "<&-");
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "topk: cannot read standard input: it is closed\n");
    // With the streams open (stdout to /dev/null, which is no error), the same runs succeed.
    let output = run_redirected("topk", &["-k", "5", "--by", "params", cells], ">/dev/null");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
}
