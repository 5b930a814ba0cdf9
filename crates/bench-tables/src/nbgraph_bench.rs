//! NAS-Bench-Graph's light tables, `<dataset>.bench`, read without Python.
//!
//! NAS-Bench-Graph (Qin et al., NeurIPS 2022) trained 26,206 graph neural network
//! architectures on nine datasets. Its PyPI package `nas-bench-graph` (Apache-2.0) ships one
//! "light" table per dataset, `nas_bench_graph/light/<dataset>.bench` (cora, citeseer,
//! pubmed, cs, physics, photo, computers, arxiv, proteins), read there by
//! `readbench.light_read` with `pickle.load`. Each file is a pickle of one dict
//!
//! ```text
//! {code: {'valid_perf': float, 'perf': float, 'latency': float, 'para': float}, ...}
//! ```
//!
//! keyed by the integer architecture code of `architecture.Arch.valid_hash` (the `nbgraph`
//! search space's id is this code in decimal). `valid_perf` and `perf` are the validation and
//! test performance as fractions, `latency` is in seconds and `para` the parameter count in
//! millions. Some values are numpy `float64` scalars rather than Python floats; the
//! [pickle reader](crate::pickle) decodes them without numpy. The tables of eight datasets
//! hold all 26,206 architectures, proteins' 2,021.
//!
//! The metric is whatever the package stores: accuracy for the eight node-classification
//! datasets; for proteins (ogbn-proteins, whose official OGB metric is ROC-AUC) the figures
//! are passed through as stored, not re-derived. The light tables have no training time (the
//! full per-epoch tables are a separate download that this module does not read), so runs
//! carry no `train_seconds`, and one figure per architecture, so each entry has one run.
//!
//! Cost: a 2 MB table (26,206 entries) becomes a [`BenchTable`] in about 50 ms in a release
//! build, half of it in the pickle reader; Python's `pickle.load` (in C) takes about 40 ms for
//! the same file on the same machine. The 245 KB proteins table takes about 4 ms.

use crate::TableError;
use crate::pickle::{PickleValue, read_pickle};
use crate::table::{BenchTable, TableEntry, TableRun};

/// One architecture of a light table, its figures exactly as stored.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NbGraphEntry {
    /// The architecture code (`Arch.valid_hash`).
    pub code: i64,
    /// Validation performance, a fraction.
    pub valid_perf: f64,
    /// Test performance, a fraction.
    pub perf: f64,
    /// Seconds.
    pub latency: f64,
    /// Parameters, in millions.
    pub para: f64,
}

/// Reads a `.bench` light table: its entries in file order. A code that appears twice keeps
/// its last figures at its first position, as a Python dict does.
pub fn read_nbgraph_bench(bytes: &[u8]) -> Result<Vec<NbGraphEntry>, TableError> {
    let PickleValue::Dict(items) = read_pickle(bytes)? else {
        return Err(TableError("NAS-Bench-Graph table: the pickle does not hold a dict".to_string()));
    };
    let mut entries: Vec<NbGraphEntry> = Vec::with_capacity(items.len());
    let mut position = std::collections::HashMap::with_capacity(items.len());
    for (key, value) in &items {
        let PickleValue::Int(code) = *key else {
            return Err(TableError(format!("NAS-Bench-Graph table: key {key:?} is not an architecture code")));
        };
        let field = |name: &str| {
            value
                .get(name)
                .and_then(PickleValue::as_f64)
                .ok_or_else(|| TableError(format!("NAS-Bench-Graph table: architecture {code} has no number '{name}'")))
        };
        let entry = NbGraphEntry {
            code,
            valid_perf: field("valid_perf")?,
            perf: field("perf")?,
            latency: field("latency")?,
            para: field("para")?,
        };
        match position.entry(code) {
            std::collections::hash_map::Entry::Occupied(at) => entries[*at.get()] = entry,
            std::collections::hash_map::Entry::Vacant(slot) => {
                slot.insert(entries.len());
                entries.push(entry);
            }
        }
    }
    Ok(entries)
}

/// A light table as a [`BenchTable`] keyed by the decimal code: one run per architecture with
/// `val_accuracy` = `valid_perf` × 100 and `test_accuracy` = `perf` × 100 (percent, like the
/// other tables), no `train_seconds`, `params` = `para` × 10⁶ rounded, and `latency` (seconds)
/// as an extra field.
pub fn nbgraph_table_from_bench(bytes: &[u8]) -> Result<BenchTable, TableError> {
    let mut table = BenchTable::default();
    for entry in read_nbgraph_bench(bytes)? {
        let mut extra = serde_json::Map::new();
        extra.insert("latency".to_string(), serde_json::Value::from(entry.latency));
        let run = TableRun {
            val_accuracy: entry.valid_perf * 100.0,
            test_accuracy: Some(entry.perf * 100.0),
            train_seconds: None,
        };
        table.entries.insert(
            entry.code.to_string(),
            TableEntry { runs: vec![run], params: Some((entry.para * 1e6).round()), extra },
        );
    }
    Ok(table)
}
