//! The flags that say how to read a benchmark table, one definition for every tool that reads
//! one (`bench-query`, `search-sim`, `pareto-sim`, `arch-evolve`).
//!
//! Most tables answer one way: NAS-Bench-101's `.tfrecord`, NAS-Bench-Graph's `.bench` and
//! JSON lines each hold one validation signal and one reported accuracy. NAS-Bench-201's
//! `nb201.csv` holds several, so it is read under a protocol: the dataset and the training
//! schedule of the search signal (`<dataset>_valid_<E>` searched, `<dataset>_test_200`
//! reported), and optionally a device whose latency becomes the `latency_ms` cost. The tables
//! of declared search spaces (any `.csv`, or JSON lines with names of their own) are read by
//! the columns `--val-column` and its siblings name, with no protocol. Keeping the flags and
//! their checks here means every tool accepts exactly the same tables and words its refusals
//! alike.

use std::path::Path;

use clap::ValueEnum;
use np_bench_tables::table::BenchTable;
use np_bench_tables::{Nb201Dataset, Nb201Protocol, TableColumns, TableFormat};
use np_io::ToolError;
use np_spaces::SearchSpace;

use crate::tables::{load_columns_space_table, load_nb201_space_table, load_space_table};

/// NAS-Bench-201's datasets as flag values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DatasetArg {
    Cifar10,
    Cifar100,
    Imagenet16,
}

impl From<DatasetArg> for Nb201Dataset {
    fn from(dataset: DatasetArg) -> Self {
        match dataset {
            DatasetArg::Cifar10 => Nb201Dataset::Cifar10,
            DatasetArg::Cifar100 => Nb201Dataset::Cifar100,
            DatasetArg::Imagenet16 => Nb201Dataset::ImageNet16,
        }
    }
}

/// How to read a table: the protocol flags of a NAS-Bench-201 `.csv` table, or the columns of a
/// table with named columns; flattened into a tool's arguments next to its `--table`.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct TableProtocolArgs {
    /// NAS-Bench-201 (.csv table): the dataset whose columns answer.
    #[arg(long, value_enum)]
    pub dataset: Option<DatasetArg>,

    /// NAS-Bench-201 (.csv table): the training schedule of the search signal, 12 or 200
    /// epochs (200-epoch validation exists only for cifar10).
    #[arg(long, value_name = "EPOCHS")]
    pub search_epochs: Option<u32>,

    /// NAS-Bench-201: latency.csv, whose --device column is added as latency_ms.
    #[arg(long, value_name = "FILE", requires = "device")]
    pub latency: Option<std::path::PathBuf>,

    /// NAS-Bench-201: the device of --latency (a column of latency.csv without "_ms").
    #[arg(long, value_name = "NAME", requires = "latency")]
    pub device: Option<String>,

    /// Read a .csv or JSON-lines table by named columns, this one the validation accuracy (the
    /// search signal; fractions if all are ≤ 1, answered in percent). Rows of one architecture
    /// are its repeated runs.
    #[arg(long, value_name = "NAME")]
    pub val_column: Option<String>,

    /// With --val-column: the column of the architecture [default: arch]. A CSV cell reaches
    /// the space as {"arch": TEXT}; a JSON line whole when this is "arch", else as
    /// {"arch": VALUE}.
    #[arg(long, value_name = "NAME")]
    pub arch_column: Option<String>,

    /// With --val-column: the test accuracy (the reported truth, mean over the runs).
    #[arg(long, value_name = "NAME")]
    pub test_column: Option<String>,

    /// With --val-column: the trainable-parameter count, answered as params.
    #[arg(long, value_name = "NAME")]
    pub params_column: Option<String>,

    /// With --val-column: a numeric column kept in answers under its own name, usable as a
    /// cost (pareto-sim --cost NAME); repeatable.
    #[arg(long = "cost-column", value_name = "NAME")]
    pub cost_columns: Vec<String>,
}

/// Whether `table` is a CSV file, which is NAS-Bench-201's (read under a protocol) unless its
/// columns are named.
pub fn is_nb201_csv(table: &Path) -> bool {
    TableFormat::of(table) == TableFormat::Csv
}

impl TableProtocolArgs {
    /// The protocol the flags name for `table` read as `space`, or None for a table that
    /// needs none (a table read by named columns among them). The flags belong to a `.csv` table, and a `.csv` table to `--space nb201`;
    /// anything else is a usage error (exit 2) before any file is read.
    pub fn protocol(&self, space: &str, table: &Path) -> Result<Option<Nb201Protocol>, ToolError> {
        if self.columns(table)?.is_some() {
            return Ok(None);
        }
        if !is_nb201_csv(table) {
            return self.check_unused().map(|()| None);
        }
        if space != "nb201" {
            return Err(ToolError::usage(format!(
                "a .csv table is NAS-Bench-201's: use --space nb201 (not {space}), or name its columns (--val-column)"
            )));
        }
        let (Some(dataset), Some(epochs)) = (self.dataset, self.search_epochs) else {
            return Err(ToolError::usage(
                "a NAS-Bench-201 .csv table needs --dataset and --search-epochs (another .csv table, --val-column)",
            ));
        };
        Nb201Protocol::new(dataset.into(), epochs).map(Some).map_err(|e| ToolError::usage(e.0))
    }

    /// The columns the flags name for `table`, or None without `--val-column`. The column
    /// flags go with `--val-column`, `--val-column` with a `.csv` or JSON-lines table and not
    /// with NAS-Bench-201's protocol; anything else is a usage error (exit 2).
    pub fn columns(&self, table: &Path) -> Result<Option<TableColumns>, ToolError> {
        let Some(val) = &self.val_column else {
            self.check_no_columns()?;
            return Ok(None);
        };
        if self.dataset.is_some() || self.search_epochs.is_some() || self.latency.is_some() {
            return Err(ToolError::usage(
                "--val-column reads a table by its columns; --dataset, --search-epochs and --latency read \
                 NAS-Bench-201's by its protocol: give one or the other",
            ));
        }
        if !TableFormat::of(table).has_named_columns() {
            return Err(ToolError::usage(format!(
                "--val-column goes with a .csv or JSON-lines table, not {}",
                table.display()
            )));
        }
        let columns = TableColumns {
            arch: self.arch_column.clone().unwrap_or_else(|| "arch".to_string()),
            val: val.clone(),
            test: self.test_column.clone(),
            params: self.params_column.clone(),
            costs: self.cost_columns.clone(),
        };
        if columns.costs.iter().any(|name| name == "params") {
            return Err(ToolError::usage(
                "--cost-column params: give the parameter count as --params-column params (pareto-sim --cost params \
                 reads it)",
            ));
        }
        columns.check().map_err(|e| ToolError::usage(format!("--cost-column: {}", e.0)))?;
        Ok(Some(columns))
    }

    /// The name of the search signal's column, for titles: NAS-Bench-201's protocol column or
    /// `--val-column`; None for tables with one fixed signal.
    pub fn search_signal(&self, space: &str, table: &Path) -> Result<Option<String>, ToolError> {
        Ok(match self.columns(table)? {
            Some(columns) => Some(columns.val),
            None => self.protocol(space, table)?.map(|protocol| protocol.val_column()),
        })
    }

    /// Checks that no column flag but `--val-column` was given alone.
    fn check_no_columns(&self) -> Result<(), ToolError> {
        let columns = self.arch_column.is_some()
            || self.test_column.is_some()
            || self.params_column.is_some()
            || !self.cost_columns.is_empty();
        match columns {
            true => Err(ToolError::usage(
                "--arch-column, --test-column, --params-column and --cost-column go with --val-column",
            )),
            false => Ok(()),
        }
    }

    /// Checks that no protocol or column flag was given, for a tool run without a table.
    pub fn check_unused(&self) -> Result<(), ToolError> {
        if self.val_column.is_some() {
            return Err(ToolError::usage("--val-column and the other column flags go with a --table"));
        }
        self.check_no_columns()?;
        match self.dataset.is_some() || self.search_epochs.is_some() || self.latency.is_some() {
            true => {
                Err(ToolError::usage("--dataset, --search-epochs and --latency go with a NAS-Bench-201 .csv table"))
            }
            false => Ok(()),
        }
    }

    /// Loads `table` for `space` under these flags: the one way every tool reads a table.
    pub fn load<S: SearchSpace>(&self, space: &S, table: &Path) -> Result<BenchTable, ToolError> {
        if let Some(columns) = self.columns(table)? {
            return Ok(load_columns_space_table(space, table, &columns)?);
        }
        Ok(match self.protocol(space.name(), table)? {
            Some(protocol) => {
                let latency = self.latency.as_deref().zip(self.device.as_deref());
                load_nb201_space_table(space, table, protocol, latency)?
            }
            None => load_space_table(space, table)?,
        })
    }
}
