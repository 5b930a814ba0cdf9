//! A benchmark table keyed by canonical architecture id, and the query protocol of the Neural
//! Predictor paper: the search sees the validation accuracy of ONE training run, drawn with a
//! seeded generator from the repeats; the reported truth is the mean test accuracy over the
//! repeats; the drawn run's training time counts against the budget.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::TableError;

/// One training run of an architecture (accuracies in percent, time in seconds).
#[derive(Debug, Clone, PartialEq)]
pub struct TableRun {
    pub val_accuracy: f64,
    pub test_accuracy: Option<f64>,
    pub train_seconds: Option<f64>,
}

/// Everything the table knows about one architecture.
#[derive(Debug, Clone, PartialEq)]
pub struct TableEntry {
    pub runs: Vec<TableRun>,
    pub params: Option<f64>,
    /// Further numeric fields the table has (e.g. `flops`, `latency`), copied to answers.
    pub extra: Map<String, Value>,
}

/// A benchmark table: architecture id → entry.
#[derive(Debug, Clone, Default)]
pub struct BenchTable {
    pub entries: HashMap<String, TableEntry>,
}

/// The benchmark's answer for one architecture.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// Validation accuracy of the drawn run: the search signal.
    pub val_accuracy: f64,
    /// Mean test accuracy over all runs that have one: the reported truth.
    pub test_accuracy: Option<f64>,
    /// Training time of the drawn run.
    pub train_seconds: Option<f64>,
    pub params: Option<f64>,
    pub extra: Map<String, Value>,
    /// Which run was drawn, and how many there are.
    pub run: usize,
    pub runs: usize,
}

impl Answer {
    /// Writes the answer into a record: `val_accuracy`, `test_accuracy`, `train_seconds`,
    /// `params` (an integer when whole), the table's other numbers, and which run was drawn
    /// (`bench_run` of `bench_runs`). Every tool that answers from a table writes these.
    pub fn write_fields(&self, fields: &mut Map<String, Value>) {
        fields.insert("val_accuracy".into(), Value::from(self.val_accuracy));
        if let Some(test) = self.test_accuracy {
            fields.insert("test_accuracy".into(), Value::from(test));
        }
        if let Some(seconds) = self.train_seconds {
            fields.insert("train_seconds".into(), Value::from(seconds));
        }
        if let Some(params) = self.params {
            fields.insert("params".into(), number_value(params));
        }
        for (key, value) in &self.extra {
            fields.insert(key.clone(), value.clone());
        }
        fields.insert("bench_run".into(), Value::from(self.run));
        fields.insert("bench_runs".into(), Value::from(self.runs));
    }
}

impl BenchTable {
    /// Adds a run (and the entry's static facts) under `id`.
    pub fn add_run(&mut self, id: &str, run: TableRun, params: Option<f64>, extra: Map<String, Value>) {
        let entry =
            self.entries.entry(id.to_string()).or_insert_with(|| TableEntry { runs: Vec::new(), params, extra });
        entry.runs.push(run);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Every id, sorted byte-wise (so `"10"` comes before `"9"`): a fixed order, whatever
    /// the hash map's, for samplers that draw from the table's closed set of architectures.
    pub fn ids_sorted(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self.entries.keys().map(String::as_str).collect();
        ids.sort_unstable();
        ids
    }

    /// The answer for `id`, drawing the run with `draw(run_count)`, or `None` when the table
    /// does not hold the architecture.
    pub fn query(&self, id: &str, draw: impl FnOnce(usize) -> usize) -> Option<Answer> {
        let entry = self.entries.get(id)?;
        let run = draw(entry.runs.len()).min(entry.runs.len() - 1);
        let tests: Vec<f64> = entry.runs.iter().filter_map(|r| r.test_accuracy).collect();
        Some(Answer {
            val_accuracy: entry.runs[run].val_accuracy,
            test_accuracy: (!tests.is_empty()).then(|| tests.iter().sum::<f64>() / tests.len() as f64),
            train_seconds: entry.runs[run].train_seconds,
            params: entry.params,
            extra: entry.extra.clone(),
            run,
            runs: entry.runs.len(),
        })
    }
}

/// `x` as JSON: an integer when whole (a count reads `1234`, not `1234.0`), else a float.
pub(crate) fn number_value(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 { Value::from(x as i64) } else { Value::from(x) }
}

/// Whether a table's accuracies are fractions rather than percent: they are when every
/// validation accuracy is ≤ 1 (no architecture worth a table reaches only 1 %).
pub(crate) fn are_fractions(validation_accuracies: impl IntoIterator<Item = f64>) -> bool {
    validation_accuracies.into_iter().all(|x| x <= 1.0)
}

/// Percent from a fraction or percent value: tables mix both; answers are always percent.
pub(crate) fn percent(x: f64, fractions: bool) -> f64 {
    if fractions { x * 100.0 } else { x }
}

/// Reads a JSON-lines table. Each line holds an architecture (whatever `id_of` accepts) and
/// either `runs` (NAS-Bench-101 style: `final_validation_accuracy`, `final_test_accuracy`,
/// `final_training_time` per run) or one run as `val_accuracy` [`test_accuracy`,
/// `train_seconds`]. `params` (or `trainable_parameters`, or `params_m` in millions) and other
/// numeric fields such as `flops_m` or `latency` are kept. Lines with the same id are repeats.
/// Accuracies all ≤ 1 are taken as fractions and answered in percent.
pub fn read_jsonl_table(
    text: &str,
    id_of: impl Fn(&Value) -> Result<String, String>,
) -> Result<BenchTable, TableError> {
    let mut records = Vec::new();
    for (number, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let value: Value =
            serde_json::from_str(line).map_err(|e| TableError(format!("table line {}: {e}", number + 1)))?;
        let id = id_of(&value).map_err(|e| TableError(format!("table line {}: {e}", number + 1)))?;
        records.push((number + 1, id, value));
    }
    let accuracy_values = records.iter().flat_map(|(_, _, v)| {
        let mut found = Vec::new();
        if let Some(runs) = v.get("runs").and_then(Value::as_array) {
            found.extend(runs.iter().filter_map(|r| r.get("final_validation_accuracy").and_then(Value::as_f64)));
        }
        found.extend(v.get("val_accuracy").and_then(Value::as_f64));
        found
    });
    let fractions = are_fractions(accuracy_values);
    let mut table = BenchTable::default();
    for (number, id, value) in records {
        let number_of = |key: &str| value.get(key).and_then(Value::as_f64);
        let params = number_of("params")
            .or(number_of("trainable_parameters"))
            .or(number_of("params_m").map(|m| (m * 1e6).round()));
        let mut extra = Map::new();
        for key in ["flops_m", "latency", "flops"] {
            if let Some(x) = value.get(key).filter(|v| v.is_number()) {
                extra.insert(key.to_string(), x.clone());
            }
        }
        let missing = || TableError(format!("table line {number}: no 'runs' and no 'val_accuracy'"));
        if let Some(runs) = value.get("runs").and_then(Value::as_array) {
            for run in runs {
                let field = |key: &str| run.get(key).and_then(Value::as_f64);
                let val = field("final_validation_accuracy").ok_or_else(missing)?;
                let table_run = TableRun {
                    val_accuracy: percent(val, fractions),
                    test_accuracy: field("final_test_accuracy").map(|x| percent(x, fractions)),
                    train_seconds: field("final_training_time"),
                };
                table.add_run(&id, table_run, params, extra.clone());
            }
        } else {
            let val = number_of("val_accuracy").ok_or_else(missing)?;
            let run = TableRun {
                val_accuracy: percent(val, fractions),
                test_accuracy: number_of("test_accuracy").map(|x| percent(x, fractions)),
                train_seconds: number_of("train_seconds"),
            };
            table.add_run(&id, run, params, extra);
        }
    }
    Ok(table)
}
