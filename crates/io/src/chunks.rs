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
use crate::records::{LineChunk, RawLine, RecordReader, undecodable_line};

/// Lines per chunk: large enough to amortise the parallel fan-out, small enough that a few
/// chunks in flight stay a few megabytes.
pub const DEFAULT_CHUNK_LINES: usize = 4096;

/// Lines handed to one call of the mapper: enough for batched work (such as hashing many cells
/// at once) while still spreading a chunk over all threads.
pub const BATCH_LINES: usize = 256;

/// A chunk's lines and their results, waiting for the sink.
type MappedChunk<T> = (LineChunk, Vec<Result<T, ToolError>>);

/// Maps every line of `reader` with `map` (in parallel, [`BATCH_LINES`] lines per call; `map`
/// returns one result per line) and feeds the results to `sink` in input order. Stops at the
/// first error returned by `sink` (a `map` error is passed to the sink, which decides whether
/// it is fatal). The sink owns each line, so it can keep the text without copying it. A line
/// that is not UTF-8 reaches the sink in its place as an error (with an empty text), never the
/// mapper.
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
        let (sender, receiver) = mpsc::sync_channel::<Result<LineChunk, ToolError>>(2);
        let mut reader = reader;
        scope.spawn(move || {
            loop {
                let chunk = reader.next_chunk(chunk_lines);
                let done = matches!(&chunk, Ok(chunk) if chunk.is_empty()) || chunk.is_err();
                if sender.send(chunk).is_err() || done {
                    break;
                }
            }
        });
        // While the sink takes chunk k (on this thread), the pool maps chunk k + 1.
        let mut pending: Option<MappedChunk<T>> = None;
        let mut drain = |pending: Option<MappedChunk<T>>| -> Result<(), ToolError> {
            let Some((chunk, results)) = pending else { return Ok(()) };
            if chunk.undecodable.is_empty() {
                for (line, result) in chunk.lines.into_iter().zip(results) {
                    sink(line, result)?;
                }
                return Ok(());
            }
            let mut undecodable = chunk.undecodable.into_iter().peekable();
            for (index, (line, result)) in chunk.lines.into_iter().zip(results).enumerate() {
                while let Some((_, number)) = undecodable.next_if(|&(before, _)| before == index) {
                    sink(RawLine { number, text: String::new() }, Err(undecodable_line(number)))?;
                }
                sink(line, result)?;
            }
            for (_, number) in undecodable {
                sink(RawLine { number, text: String::new() }, Err(undecodable_line(number)))?;
            }
            Ok(())
        };
        for chunk in receiver {
            let chunk = chunk?;
            if chunk.is_empty() {
                break;
            }
            let mut mapped = Vec::new();
            rayon::in_place_scope(|scope| {
                scope.spawn(|_| {
                    let batches: Vec<Vec<Result<T, ToolError>>> =
                        chunk.lines.par_chunks(BATCH_LINES).map(&map).collect();
                    mapped = batches.into_iter().flatten().collect();
                });
                drain(pending.take())
            })?;
            pending = Some((chunk, mapped));
        }
        drain(pending)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn lines_that_are_not_utf8_reach_the_sink_in_their_place() {
        let input = b"\xff\na\n\n\xfe\nb\nc\n\xfd\n".to_vec();
        let reader = RecordReader::from_reader(io::Cursor::new(input), "t");
        let mut seen = Vec::new();
        map_lines_in_order(
            reader,
            3,
            |lines| lines.iter().map(|line| Ok(line.text.to_uppercase())).collect(),
            |line, result: Result<String, ToolError>| {
                seen.push(match result {
                    Ok(text) => format!("{} {text}", line.number),
                    Err(error) => error.to_string(),
                });
                Ok(())
            },
        )
        .unwrap();
        let bad = |n: u64| format!("line {n}: line is not valid UTF-8");
        assert_eq!(seen, [bad(1), "2 A".into(), bad(4), "5 B".into(), "6 C".into(), bad(7)]);
    }
}
