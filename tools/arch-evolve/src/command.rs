//! Training through an external command: the trainer is any program that reads architecture
//! lines on stdin and writes each one back, in order, with its validation accuracy added (the
//! contract of `bench-query`, so a real trainer and the benchmark oracle are interchangeable).

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

use np_search::Evaluation;
use serde_json::Value;

/// Runs `command` with `sh -c` once per batch.
pub struct CommandTrainer {
    pub command: String,
    /// The field holding the validation accuracy in the command's output.
    pub label: String,
}

impl CommandTrainer {
    /// Sends `lines` (one JSON record each) and returns the command's answer lines with their
    /// evaluations, in order.
    pub fn train(&self, lines: &[String]) -> Result<Vec<(String, Evaluation)>, String> {
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(&self.command)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start the training command '{}': {e}", self.command))?;
        let mut stdin = child.stdin.take().expect("piped stdin");
        let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
        // Write from a thread: a command that answers while reading must not block on its stdout.
        let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
        let stdout = child.stdout.take().expect("piped stdout");
        let answers: Vec<String> = BufReader::new(stdout)
            .lines()
            .collect::<Result<_, _>>()
            .map_err(|e| format!("reading the training command: {e}"))?;
        let status = child.wait().map_err(|e| format!("waiting for the training command: {e}"))?;
        let _ = writer.join();
        if !status.success() {
            return Err(format!("the training command '{}' failed ({status})", self.command));
        }
        let answers: Vec<String> = answers.into_iter().filter(|l| !l.trim().is_empty()).collect();
        if answers.len() != lines.len() {
            return Err(format!(
                "the training command answered {} lines for {} architectures (it must write each line back, in order)",
                answers.len(),
                lines.len()
            ));
        }
        answers
            .into_iter()
            .enumerate()
            .map(|(i, line)| {
                let value: Value = serde_json::from_str(&line)
                    .map_err(|e| format!("training command output line {}: not JSON ({e})", i + 1))?;
                let number = |key: &str| value.get(key).and_then(Value::as_f64);
                let val = number(&self.label)
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| format!("training command output line {}: no numeric '{}'", i + 1, self.label))?;
                let evaluation = Evaluation {
                    id: String::new(),
                    val_accuracy: val,
                    test_accuracy: number("test_accuracy"),
                    train_seconds: number("train_seconds"),
                };
                Ok((line, evaluation))
            })
            .collect()
    }
}
