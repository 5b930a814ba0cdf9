//! Loading a benchmark table for a search space, the one way every tool does it.

use std::path::Path;

use np_bench_tables::table::BenchTable;
use np_bench_tables::{Nb201Protocol, TableColumns, TableError};
use np_spaces::SearchSpace;
use serde_json::Value;

/// Why a table could not be loaded: the file could not be opened (a runtime failure: exit 1),
/// or it is not a valid table (bad input: exit 2).
#[derive(Debug)]
pub enum TableLoadError {
    Unreadable(String),
    Invalid(TableError),
}

/// The id of the architecture a table's record names, as `space` reads it.
fn id_in<S: SearchSpace>(space: &S) -> impl Fn(&Value) -> Result<String, String> + '_ {
    |record| space.parse(record).map(|arch| space.id(&arch)).map_err(|e| e.0)
}

/// Fails with [`TableLoadError::Unreadable`] when `path` cannot be opened.
fn openable(path: &Path) -> Result<(), TableLoadError> {
    match std::fs::File::open(path) {
        Ok(_) => Ok(()),
        Err(e) => Err(TableLoadError::Unreadable(format!("cannot open {}: {e}", path.display()))),
    }
}

/// Loads the table at `path` (NAS-Bench-101 `.tfrecord`, NAS-Bench-Graph `.bench`, or JSON
/// lines whose architectures are parsed and identified by `space`).
pub fn load_space_table<S: SearchSpace>(space: &S, path: &Path) -> Result<BenchTable, TableLoadError> {
    openable(path)?;
    np_bench_tables::load_table(path, id_in(space)).map_err(TableLoadError::Invalid)
}

/// Loads the `.csv` or JSON-lines table at `path` by `columns`, its architectures identified by
/// `space` (a CSV cell as the record `{"arch": <text>}`; see `np_bench_tables::columns`).
pub fn load_columns_space_table<S: SearchSpace>(
    space: &S,
    path: &Path,
    columns: &TableColumns,
) -> Result<BenchTable, TableLoadError> {
    openable(path)?;
    np_bench_tables::load_table_with(path, Some(columns), id_in(space)).map_err(TableLoadError::Invalid)
}

/// Loads NAS-Bench-201's `nb201.csv` at `path` under `protocol` (and `latency.csv` for one
/// device when given), keyed by the cells `space` reads from the rows' `arch` strings.
pub fn load_nb201_space_table<S: SearchSpace>(
    space: &S,
    path: &Path,
    protocol: Nb201Protocol,
    latency: Option<(&Path, &str)>,
) -> Result<BenchTable, TableLoadError> {
    for file in std::iter::once(path).chain(latency.map(|(file, _)| file)) {
        openable(file)?;
    }
    np_bench_tables::load_nb201_table(path, protocol, latency, id_in(space)).map_err(TableLoadError::Invalid)
}

/// A tool's exit code follows who must fix it: an unreadable file is a runtime failure, a
/// damaged table bad input.
impl From<TableLoadError> for np_io::ToolError {
    fn from(error: TableLoadError) -> Self {
        match error {
            TableLoadError::Unreadable(message) => np_io::ToolError::Runtime(anyhow::Error::msg(message)),
            TableLoadError::Invalid(error) => np_io::ToolError::bad_input(error.0),
        }
    }
}
