//! Tabular NAS benchmarks, read natively.
//!
//! A tabular benchmark is a published table of trained architectures and their measured
//! accuracies and costs. This crate reads such tables straight from the files their authors
//! publish, with no TensorFlow or Python in the loop, and hands back plain Rust values that
//! the rest of the workspace (encodings, predictors, tools) can use. [`load_table`] picks the
//! reader by file extension, so every tool accepts the same tables.
//!
//! - [`tfrecord`]: the TFRecord container (length-prefixed, CRC32C-checked records), usable
//!   alone for any TFRecord file.
//! - [`nb101_tfrecord`]: NAS-Bench-101's `nasbench_only108.tfrecord`, one entry per cell with
//!   its repeated training runs.
//! - [`pickle`]: a Python pickle reader that records what a pickle says and never executes
//!   anything (numpy scalars decoded, other objects left opaque).
//! - [`nbgraph_bench`]: NAS-Bench-Graph's light tables, `<dataset>.bench` pickles.
//! - [`nb201_csv`]: NAS-Bench-201's accuracy and latency tables as CSV, read under a
//!   protocol (dataset, search schedule) that says which columns answer.
//! - [`table`]: the common [`BenchTable`](table::BenchTable), the query protocol and
//!   JSON-lines tables.
//! - [`columns`]: CSV and JSON-lines tables read by column names the caller gives (the
//!   tables of declared search spaces, whose users name their own columns).
//!
//! What it deliberately does not do: it does not validate, prune or re-hash cells (that is
//! `np-spaces`' job; the hash stored in the file is passed through as is), it does not write
//! benchmark files, it does not cache or index a table, and it does not download anything.
//! It does not decode `tf.train.Example` payloads either: NAS-Bench-101 stores JSON text in
//! its records, not `Example` protos.

use std::fmt;
use std::path::Path;

pub mod columns;
pub mod nb101_tfrecord;
pub mod nb201_csv;
pub mod nbgraph_bench;
pub mod pickle;
pub mod tfrecord;

pub use columns::TableColumns;
pub use nb101_tfrecord::{Nb101Entry, Nb101Run, read_nb101_tfrecord};
pub use nb201_csv::{Nb201Dataset, Nb201Protocol};
pub use nbgraph_bench::{NbGraphEntry, nbgraph_table_from_bench, read_nbgraph_bench};
pub use tfrecord::{RecordPosition, TfRecordReader};

/// A benchmark file that cannot be read: damaged framing, a checksum mismatch, a truncated
/// file or contents that do not parse. The message says where: the record (0-based index)
/// and its byte offset in a TFRecord file, the opcode and its byte offset in a pickle, the
/// line in a JSON-lines table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableError(pub String);

impl fmt::Display for TableError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TableError {}

pub mod table;

/// NAS-Bench-101's official file as a [`table::BenchTable`] keyed by module hash: one run per
/// repeat (final validation and test accuracy in percent, final training time in seconds) and
/// the trainable-parameter count.
pub fn nb101_table_from_tfrecord(reader: impl std::io::Read) -> Result<table::BenchTable, TableError> {
    let mut bench = table::BenchTable::default();
    for entry in read_nb101_tfrecord(reader)? {
        for run in &entry.runs {
            let table_run = table::TableRun {
                val_accuracy: run.final_validation_accuracy * 100.0,
                test_accuracy: Some(run.final_test_accuracy * 100.0),
                train_seconds: Some(run.final_training_time),
            };
            bench.add_run(&entry.hash, table_run, Some(entry.trainable_parameters as f64), serde_json::Map::new());
        }
    }
    Ok(bench)
}

/// The table formats [`load_table`] reads, told apart by file extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableFormat {
    /// `.tfrecord`: NAS-Bench-101's official file.
    Nb101TfRecord,
    /// `.bench`: a NAS-Bench-Graph light table.
    NbGraphBench,
    /// `.csv`: NAS-Bench-201's table under a protocol, or any table read by named columns.
    Csv,
    /// Anything else: JSON lines.
    JsonLines,
}

impl TableFormat {
    /// The format of the table at `path`, by its extension.
    pub fn of(path: &Path) -> Self {
        match path.extension().and_then(|e| e.to_str()) {
            Some("tfrecord") => TableFormat::Nb101TfRecord,
            Some("bench") => TableFormat::NbGraphBench,
            Some("csv") => TableFormat::Csv,
            _ => TableFormat::JsonLines,
        }
    }

    /// Whether tables of this format can be read by named columns ([`columns`]): the binary
    /// formats store fixed fields.
    pub fn has_named_columns(self) -> bool {
        matches!(self, TableFormat::Csv | TableFormat::JsonLines)
    }
}

/// Loads a benchmark table by its file extension: `.tfrecord` is NAS-Bench-101's official
/// file (keyed by module hash), `.bench` a NAS-Bench-Graph light table (keyed by the decimal
/// architecture code), anything else a JSON-lines table whose lines `id_of` turns into ids
/// (see [`table::read_jsonl_table`]; the binary formats store their ids and ignore `id_of`).
/// A `.csv` table is NAS-Bench-201's, which needs a protocol: [`load_nb201_table`] reads it
/// (and [`load_table_with`] any `.csv` table by named columns). Errors name the file; a file
/// that cannot be read at all says "cannot read".
pub fn load_table(
    path: &Path,
    id_of: impl Fn(&serde_json::Value) -> Result<String, String>,
) -> Result<table::BenchTable, TableError> {
    load_table_with(path, None, id_of)
}

/// [`load_table`], and with `columns` a `.csv` or JSON-lines table read by those columns
/// ([`columns`]) instead of by the fixed fields of [`table::read_jsonl_table`].
pub fn load_table_with(
    path: &Path,
    columns: Option<&TableColumns>,
    id_of: impl Fn(&serde_json::Value) -> Result<String, String>,
) -> Result<table::BenchTable, TableError> {
    let in_file = |e: TableError| TableError(format!("{}: {e}", path.display()));
    let cannot_read = |e: std::io::Error| TableError(format!("cannot read {}: {e}", path.display()));
    let text = || std::fs::read_to_string(path).map_err(cannot_read);
    let format = TableFormat::of(path);
    if let Some(columns) = columns {
        columns.check()?;
        return match format {
            TableFormat::Csv => columns::columns_table_from_csv(&text()?, columns, id_of).map_err(in_file),
            TableFormat::JsonLines => columns::columns_table_from_jsonl(&text()?, columns, id_of).map_err(in_file),
            TableFormat::Nb101TfRecord | TableFormat::NbGraphBench => {
                Err(in_file(TableError("a .tfrecord or .bench table has fixed fields, not named columns".to_string())))
            }
        };
    }
    match format {
        TableFormat::Nb101TfRecord => {
            let file = std::fs::File::open(path).map_err(cannot_read)?;
            nb101_table_from_tfrecord(file).map_err(in_file)
        }
        TableFormat::NbGraphBench => {
            nbgraph_table_from_bench(&std::fs::read(path).map_err(cannot_read)?).map_err(in_file)
        }
        TableFormat::Csv => Err(in_file(TableError(
            "a NAS-Bench-201 .csv table needs a protocol: bench-query --space nb201 --dataset D --search-epochs E reads it; \
             another .csv table needs its columns named (--val-column)"
                .to_string(),
        ))),
        TableFormat::JsonLines => table::read_jsonl_table(&text()?, id_of).map_err(in_file),
    }
}

/// Loads NAS-Bench-201's `nb201.csv` under `protocol`, and with `latency` = (`latency.csv`,
/// device) adds each cell's `latency_ms` on that device. Rows are keyed by `id_of` applied to
/// `{"arch": <the row's string>}`. Errors name the file (and line).
pub fn load_nb201_table(
    path: &Path,
    protocol: Nb201Protocol,
    latency: Option<(&Path, &str)>,
    id_of: impl Fn(&serde_json::Value) -> Result<String, String>,
) -> Result<table::BenchTable, TableError> {
    let read = |path: &Path| {
        std::fs::read_to_string(path).map_err(|e| TableError(format!("cannot read {}: {e}", path.display())))
    };
    let mut table = nb201_csv::nb201_table_from_csv(&read(path)?, protocol, &id_of).map_err(|e| in_file(path, e))?;
    if let Some((latency_path, device)) = latency {
        let milliseconds = nb201_csv::nb201_latency_from_csv(&read(latency_path)?, device, &id_of)
            .map_err(|e| in_file(latency_path, e))?;
        nb201_csv::add_latency_ms(&mut table, &milliseconds).map_err(|e| in_file(latency_path, e))?;
    }
    Ok(table)
}

/// `error` prefixed with the file it is about.
fn in_file(path: &Path, error: TableError) -> TableError {
    TableError(format!("{}: {error}", path.display()))
}
