//! Loading a benchmark table for a search space, the one way every tool does it.

use std::path::Path;

use np_bench_tables::table::BenchTable;
use np_bench_tables::{Nb201Protocol, TableError};
use np_spaces::SearchSpace;

/// Why a table could not be loaded: the file could not be opened (a runtime failure: exit 1),
/// or it is not a valid table (bad input: exit 2).
#[derive(Debug)]
pub enum TableLoadError {
    Unreadable(String),
    Invalid(TableError),
}

/// Loads the table at `path` (NAS-Bench-101 `.tfrecord`, NAS-Bench-Graph `.bench`, or JSON
/// lines whose architectures are parsed and identified by `space`).
pub fn load_space_table<S: SearchSpace>(space: &S, path: &Path) -> Result<BenchTable, TableLoadError> {
    std::fs::File::open(path)
        .map_err(|e| TableLoadError::Unreadable(format!("cannot open {}: {e}", path.display())))?;
    np_bench_tables::load_table(path, |record| space.parse(record).map(|arch| space.id(&arch)).map_err(|e| e.0))
        .map_err(TableLoadError::Invalid)
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
        std::fs::File::open(file)
            .map_err(|e| TableLoadError::Unreadable(format!("cannot open {}: {e}", file.display())))?;
    }
    np_bench_tables::load_nb201_table(path, protocol, latency, |record| {
        space.parse(record).map(|arch| space.id(&arch)).map_err(|e| e.0)
    })
    .map_err(TableLoadError::Invalid)
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
