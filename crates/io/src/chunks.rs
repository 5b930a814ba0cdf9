//! Order-preserving parallel processing of a line stream.
//!
//! Lines are read in chunks on a reader thread, each chunk is mapped in parallel (rayon) while
//! the sink takes the previous chunk's results, and results are handed to the sink strictly in
//! input order. Output therefore never depends on
//! the thread count, and memory stays bounded by a few chunks whatever the input size.

use std::sync::mpsc;
use std::thread;

use rayon::prelude::*;

use crate::ToolError;
use crate::records::{RawLine, RecordReader};

/// Lines per chunk: large enough to amortise the parallel fan-out, small enough that a few
/// chunks in flight stay a few megabytes.
pub const DEFAULT_CHUNK_LINES: usize = 4096;

/// Lines handed to one call of the mapper: enough for batched work (such as hashing many cells
/// at once) while still spreading a chunk over all threads.
pub const BATCH_LINES: usize = 256;

/// A chunk's lines and their results, waiting for the sink.
type MappedChunk<T> = (Vec<RawLine>, Vec<Result<T, ToolError>>);

/// Maps every line of `reader` with `map` (in parallel, [`BATCH_LINES`] lines per call; `map`
/// returns one result per line) and feeds the results to `sink` in input order. Stops at the
/// first error returned by `sink` (a `map` error is passed to the sink, which decides whether
/// it is fatal). The sink owns each line, so it can keep the text without copying it.
pub fn map_lines_in_order<T, M, S>(
    reader: RecordReader,
    chunk_lines: usize,
    map: M,
    mut sink: S,
) -> Result<(), ToolError>
where
    T: Send,
    M: Fn(&[RawLine]) -> Vec<Result<T, ToolError>> + Sync,
    S: FnMut(RawLine, Result<T, ToolError>) -> Result<(), ToolError>,
{
    thread::scope(|scope| {
        let (sender, receiver) = mpsc::sync_channel::<Result<Vec<RawLine>, ToolError>>(2);
        let mut reader = reader;
        scope.spawn(move || {
            loop {
                let chunk = reader.next_chunk(chunk_lines);
                let done = matches!(&chunk, Ok(lines) if lines.is_empty()) || chunk.is_err();
                if sender.send(chunk).is_err() || done {
                    break;
                }
            }
        });
        // While the sink takes chunk k (on this thread), the pool maps chunk k + 1.
        let mut pending: Option<MappedChunk<T>> = None;
        let mut drain = |pending: Option<MappedChunk<T>>| -> Result<(), ToolError> {
            if let Some((lines, results)) = pending {
                for (line, result) in lines.into_iter().zip(results) {
                    sink(line, result)?;
                }
            }
            Ok(())
        };
        for chunk in receiver {
            let lines = chunk?;
            if lines.is_empty() {
                break;
            }
            let mut mapped = Vec::new();
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| {
                    let batches: Vec<Vec<Result<T, ToolError>>> = lines.par_chunks(BATCH_LINES).map(&map).collect();
                    mapped = batches.into_iter().flatten().collect();
                });
                drain(pending.take())
            })?;
            pending = Some((lines, mapped));
        }
        drain(pending)?;
        Ok(())
    })
}
