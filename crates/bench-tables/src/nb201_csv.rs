//! NAS-Bench-201's tables as CSV: `nb201.csv` (accuracies and parameters of the 15,625
//! cells) and `latency.csv` (the same cells timed on many devices), read under a protocol.
//!
//! NAS-Bench-201 (Dong & Yang, ICLR 2020) and its successor NATS-Bench trained every cell on
//! CIFAR-10, CIFAR-100 and ImageNet16-120 for 200 epochs, and NATS-Bench added a 12-epoch
//! schedule. The protocol NATS-Bench recommends for search is to give the search the 12-epoch
//! validation accuracy and to report the 200-epoch test accuracy. The table holds 200-epoch
//! validation accuracy for CIFAR-10 only, so a [`Nb201Protocol`] names a dataset and the
//! search schedule and refuses, before any file is read, what the table cannot answer, rather
//! than failing on a missing column.
//!
//! Both files have a header row, an `index` column (the benchmark's own index) and an `arch`
//! column (the official string). Rows are keyed by the cell the string names, through the
//! caller's `id_of` (so any form of a line that names the same cell finds the row, and this
//! crate need not know the space's rules). Accuracies are in percent as stored; `params_m` is
//! in millions and is answered as a parameter count (rounded), like the other tables.
//!
//! Cost: a release `bench-query` run on one line takes about 0.11 s with both files (8 MB,
//! 15,625 rows each) and 0.06 s with `nb201.csv` alone, on a 2-core Xeon whose cores were busy
//! with other work; parsing the `arch` strings through `id_of` is most of it.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::TableError;
use crate::columns::{CsvRows, arch_record, number_at};
use crate::table::{BenchTable, TableEntry, TableRun};

/// The datasets of NAS-Bench-201, named as the table's columns name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nb201Dataset {
    Cifar10,
    Cifar100,
    ImageNet16,
}

impl Nb201Dataset {
    /// The column prefix (`cifar10`, `cifar100`, `imagenet16`).
    pub fn name(self) -> &'static str {
        match self {
            Nb201Dataset::Cifar10 => "cifar10",
            Nb201Dataset::Cifar100 => "cifar100",
            Nb201Dataset::ImageNet16 => "imagenet16",
        }
    }
}

/// What the search sees and what is reported: `<dataset>_valid_<search_epochs>` and
/// `<dataset>_test_200`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nb201Protocol {
    dataset: Nb201Dataset,
    search_epochs: u32,
}

impl Nb201Protocol {
    /// The protocol, or why the tables cannot answer it: the schedules are 12 and 200 epochs,
    /// and 200-epoch validation exists only for CIFAR-10.
    pub fn new(dataset: Nb201Dataset, search_epochs: u32) -> Result<Self, TableError> {
        match (dataset, search_epochs) {
            (_, 12) | (Nb201Dataset::Cifar10, 200) => Ok(Nb201Protocol { dataset, search_epochs }),
            (_, 200) => Err(TableError(format!(
                "NAS-Bench-201 has 200-epoch validation only for cifar10, not {}; search on --search-epochs 12 (NATS-Bench's recommended protocol)",
                dataset.name()
            ))),
            (_, other) => Err(TableError(format!("NAS-Bench-201 trained for 12 or 200 epochs, not {other}"))),
        }
    }

    /// The column of the search signal.
    pub fn val_column(&self) -> String {
        format!("{}_valid_{}", self.dataset.name(), self.search_epochs)
    }

    /// The column of the reported accuracy.
    pub fn test_column(&self) -> String {
        format!("{}_test_200", self.dataset.name())
    }
}

/// Each row's cell id, from its `arch` column through `id_of`, refusing a cell listed twice
/// (a second row would silently shadow the first).
fn row_ids(rows: &CsvRows, id_of: &impl Fn(&Value) -> Result<String, String>) -> Result<Vec<String>, TableError> {
    let arch = rows.column("arch")?;
    let mut first_line: HashMap<String, usize> = HashMap::with_capacity(rows.rows.len());
    let mut ids = Vec::with_capacity(rows.rows.len());
    for (line, record) in &rows.rows {
        let text = record.get(arch).unwrap_or("");
        let id = id_of(&arch_record(Value::from(text))).map_err(|e| TableError(format!("line {line}: {e}")))?;
        if let Some(earlier) = first_line.insert(id.clone(), *line) {
            return Err(TableError(format!("line {line}: cell {id} repeats line {earlier}")));
        }
        ids.push(id);
    }
    Ok(ids)
}

/// `nb201.csv` as a [`BenchTable`] under `protocol`: one run per cell with `val_accuracy` and
/// `test_accuracy` from the protocol's columns (percent), no `train_seconds`, `params` =
/// `params_m` × 10⁶ rounded, and the benchmark's `index` as an extra field. Errors name the
/// line (the caller adds the file).
pub fn nb201_table_from_csv(
    text: &str,
    protocol: Nb201Protocol,
    id_of: impl Fn(&Value) -> Result<String, String>,
) -> Result<BenchTable, TableError> {
    let rows = CsvRows::read(text)?;
    let (val_name, test_name) = (protocol.val_column(), protocol.test_column());
    let (index, params, val, test) =
        (rows.column("index")?, rows.column("params_m")?, rows.column(&val_name)?, rows.column(&test_name)?);
    let ids = row_ids(&rows, &id_of)?;
    let mut table = BenchTable::default();
    table.entries.reserve(ids.len());
    for ((line, record), id) in rows.rows.iter().zip(ids) {
        let run = TableRun {
            val_accuracy: number_at(*line, record, val, &val_name)?,
            test_accuracy: Some(number_at(*line, record, test, &test_name)?),
            train_seconds: None,
        };
        let params_m = number_at(*line, record, params, "params_m")?;
        let benchmark_index = number_at(*line, record, index, "index")?;
        if benchmark_index.fract() != 0.0 || benchmark_index < 0.0 {
            return Err(TableError(format!("line {line}: column 'index' is {benchmark_index}, not a whole number")));
        }
        let mut extra = Map::new();
        extra.insert("index".to_string(), Value::from(benchmark_index as u64));
        table.entries.insert(id, TableEntry { runs: vec![run], params: Some((params_m * 1e6).round()), extra });
    }
    Ok(table)
}

/// The devices of `latency.csv`: its columns that end in `_ms`, without the suffix.
fn device_columns(rows: &CsvRows) -> Vec<(usize, &str)> {
    rows.header.iter().enumerate().filter_map(|(i, name)| Some((i, name.strip_suffix("_ms")?))).collect()
}

/// Milliseconds per cell id on `device` (a column of `latency.csv` without its `_ms`
/// suffix). An unknown device is an error listing the known ones.
pub fn nb201_latency_from_csv(
    text: &str,
    device: &str,
    id_of: impl Fn(&Value) -> Result<String, String>,
) -> Result<HashMap<String, f64>, TableError> {
    let rows = CsvRows::read(text)?;
    let devices = device_columns(&rows);
    let wanted = device.strip_suffix("_ms").unwrap_or(device);
    let Some(&(column, _)) = devices.iter().find(|(_, name)| *name == wanted) else {
        let known: Vec<&str> = devices.iter().map(|(_, name)| *name).collect();
        return Err(TableError(format!("no device '{device}'; the devices are: {}", known.join(", "))));
    };
    let name = format!("{wanted}_ms");
    let ids = row_ids(&rows, &id_of)?;
    let mut latency = HashMap::with_capacity(ids.len());
    for ((line, record), id) in rows.rows.iter().zip(ids) {
        latency.insert(id, number_at(*line, record, column, &name)?);
    }
    Ok(latency)
}

/// Adds `latency_ms` to every entry of `table`; a cell the latency table lacks is an error
/// (an answer without the figure asked for would pass unnoticed down a pipeline).
pub fn add_latency_ms(table: &mut BenchTable, latency: &HashMap<String, f64>) -> Result<(), TableError> {
    let mut ids: Vec<&String> = table.entries.keys().collect();
    ids.sort_unstable();
    if let Some(id) = ids.iter().find(|id| !latency.contains_key(id.as_str())) {
        return Err(TableError(format!("no latency for cell {id}")));
    }
    for (id, entry) in &mut table.entries {
        entry.extra.insert("latency_ms".to_string(), Value::from(latency[id]));
    }
    Ok(())
}
