//! The flags that say how to read a benchmark table, one definition for every tool that reads
//! one (`bench-query`, `search-sim`, `pareto-sim`, `arch-evolve`).
//!
//! Most tables answer one way: NAS-Bench-101's `.tfrecord`, NAS-Bench-Graph's `.bench` and
//! JSON lines each hold one validation signal and one reported accuracy. NAS-Bench-201's
//! `nb201.csv` holds several, so it is read under a protocol: the dataset and the training
//! schedule of the search signal (`<dataset>_valid_<E>` searched, `<dataset>_test_200`
//! reported), and optionally a device whose latency becomes the `latency_ms` cost. Keeping the
//! flags and their checks here means every tool accepts exactly the same protocols and words
//! its refusals alike.

use std::path::Path;

use clap::ValueEnum;
use np_bench_tables::table::BenchTable;
use np_bench_tables::{Nb201Dataset, Nb201Protocol};
use np_io::ToolError;
use np_spaces::SearchSpace;

use crate::tables::{load_nb201_space_table, load_space_table};

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

/// The protocol flags of a NAS-Bench-201 `.csv` table, flattened into a tool's arguments next
/// to its `--table`.
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
}

/// Whether `table` is NAS-Bench-201's CSV, which is read under a protocol.
pub fn is_nb201_csv(table: &Path) -> bool {
    table.extension().and_then(|e| e.to_str()) == Some("csv")
}

impl TableProtocolArgs {
    /// The protocol the flags name for `table` read as `space`, or None for a table that
    /// needs none. The flags belong to a `.csv` table, and a `.csv` table to `--space nb201`;
    /// anything else is a usage error (exit 2) before any file is read.
    pub fn protocol(&self, space: &str, table: &Path) -> Result<Option<Nb201Protocol>, ToolError> {
        if !is_nb201_csv(table) {
            return self.check_unused().map(|()| None);
        }
        if space != "nb201" {
            return Err(ToolError::usage(format!("a .csv table is NAS-Bench-201's: use --space nb201 (not {space})")));
        }
        let (Some(dataset), Some(epochs)) = (self.dataset, self.search_epochs) else {
            return Err(ToolError::usage("a NAS-Bench-201 .csv table needs --dataset and --search-epochs"));
        };
        Nb201Protocol::new(dataset.into(), epochs).map(Some).map_err(|e| ToolError::usage(e.0))
    }

    /// Checks that no protocol flag was given, for a tool run without a table.
    pub fn check_unused(&self) -> Result<(), ToolError> {
        match self.dataset.is_some() || self.search_epochs.is_some() || self.latency.is_some() {
            true => {
                Err(ToolError::usage("--dataset, --search-epochs and --latency go with a NAS-Bench-201 .csv table"))
            }
            false => Ok(()),
        }
    }

    /// Loads `table` for `space` under these flags: the one way every tool reads a table.
    pub fn load<S: SearchSpace>(&self, space: &S, table: &Path) -> Result<BenchTable, ToolError> {
        Ok(match self.protocol(space.name(), table)? {
            Some(protocol) => {
                let latency = self.latency.as_deref().zip(self.device.as_deref());
                load_nb201_space_table(space, table, protocol, latency)?
            }
            None => load_space_table(space, table)?,
        })
    }
}
