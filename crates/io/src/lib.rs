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
mod pipes;
pub mod progress;
pub mod records;
mod standard_streams;
mod temporary_files;

/// The allocator every tool installs (`#[global_allocator]`): JSON records are many small
/// allocations made from several threads at once, where mimalloc is markedly faster than the
/// system allocator (about 20% of `arch-encode`'s run time; see BENCHMARKS.md). It is built
/// without transparent huge pages (the workspace enables `libmimalloc-sys`'s `no_thp`): a 2 MB
/// page is zeroed whole when first touched, which cost `gcn-score` about 0.6 CPU-second on
/// the NAS-Bench-101 space for memory it mostly never used.
pub type ToolAllocator = mimalloc::MiMalloc;
/// The value to initialise the `#[global_allocator]` static with.
pub const TOOL_ALLOCATOR: ToolAllocator = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc.h (v2 and v3); the crate names only some options.
const MIMALLOC_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Tells the allocator to keep memory it has freed instead of returning it to the system 10 ms
/// later (its default). A streaming tool frees and reuses about the same memory for every
/// chunk of lines, so returned pages were faulted back in at once, each 2 MB huge page zeroed
/// again: 17,000 faults and about 1 CPU-second in `gcn-score` on the NAS-Bench-101 space
/// (300 with this). Peak memory is unchanged. `run_tool` calls it.
pub fn keep_freed_memory() {
    // SAFETY: setting an option is allowed at any time; -1 means "never purge".
    unsafe { libmimalloc_sys::mi_option_set(MIMALLOC_PURGE_DELAY, -1) };
}

pub use args::{InputOutputArgs, InvalidLinePolicy, Shard, SpaceFileArg, positive_count};
pub use error::{ToolError, escape_control, quoted, run_tool};
pub use fields::{Condition, NumericField};
pub use output::{Output, write_file};
pub use progress::Progress;
pub use records::{Record, RecordReader};
