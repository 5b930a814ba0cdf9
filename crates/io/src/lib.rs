//! The shared plumbing of every neural-predictor tool.
//!
//! Every tool reads and writes JSON lines, numbers its input lines for error messages, exits
//! with the same codes, stays quiet when a downstream `head` closes the pipe, and writes output
//! files atomically. That behaviour lives here once so that all tools behave alike (the
//! `uucore` idea). This crate knows nothing about search spaces or models.
//!
//! - [`error`]: [`ToolError`] and the exit codes (0 ok, 1 runtime failure, 2 bad usage/input).
//! - [`records`]: reading JSON-lines records with their line numbers.
//! - [`output`]: stdout or an atomically written file, with broken-pipe detection.
//! - [`args`]: argument groups shared by tools (`--seed`, `--shard`, input/output paths).
//! - [`chunks`]: order-preserving parallel processing of a record stream.
//! - [`fields`]: numeric fields of records by name or dotted path.
//! - [`progress`]: a progress bar on stderr for long runs.

pub mod args;
pub mod chunks;
pub mod error;
pub mod fields;
pub mod output;
pub mod progress;
pub mod records;

/// The allocator every tool installs (`#[global_allocator]`): JSON records are many small
/// allocations made from several threads at once, where mimalloc is markedly faster than the
/// system allocator (about 20% of `arch-encode`'s run time; see BENCHMARKS.md).
pub type ToolAllocator = mimalloc::MiMalloc;
/// The value to initialise the `#[global_allocator]` static with.
pub const TOOL_ALLOCATOR: ToolAllocator = mimalloc::MiMalloc;

pub use args::{InputOutputArgs, InvalidLinePolicy, Shard};
pub use error::{ToolError, run_tool};
pub use fields::{Condition, NumericField};
pub use output::Output;
pub use progress::Progress;
pub use records::{Record, RecordReader};
