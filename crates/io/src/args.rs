//! Argument groups and values that several tools share, so that they spell and check them
//! the same way everywhere.

use std::fmt;
use std::ops::Range;
use std::path::PathBuf;
use std::str::FromStr;

use clap::Args;

use crate::ToolError;

/// `[INPUT] [-o OUTPUT]`: read from a file or stdin, write to a file or stdout.
#[derive(Debug, Clone, Args)]
pub struct InputOutputArgs {
    /// Input file of JSON lines (default: stdin; `-` also means stdin).
    #[arg(value_name = "INPUT")]
    pub input: Option<PathBuf>,

    /// Output file (default: stdout). Written to a temporary file and renamed when complete.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// `--space-file FILE`: a search space declared in a spec file (TOML or JSON; docs/SPACES.md)
/// instead of a built-in `--space`. Tools flatten this next to their `--space` (an argument of that id must exist), and pass it to
/// `np_spaces::declared::registry::resolve_space`, which declares the space and names it.
#[derive(Debug, Clone, Default, Args)]
pub struct SpaceFileArg {
    /// A search space of your own, declared in a spec file (TOML or JSON; docs/SPACES.md);
    /// replaces --space, whose name is the spec's.
    #[arg(long = "space-file", value_name = "FILE", conflicts_with = "space")]
    pub space_file: Option<PathBuf>,
}

/// `--shard I/N`: the I-th of N contiguous, disjoint parts of a deterministic stream
/// (0-based). Concatenating the outputs of shards 0..N in order reproduces the unsharded
/// output byte for byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// The whole stream.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// The item positions of this shard in a stream of `total` items. Shard sizes differ by
    /// at most one.
    pub fn range(&self, total: u64) -> Range<u64> {
        let start = (total as u128 * self.index as u128 / self.count as u128) as u64;
        let end = (total as u128 * (self.index + 1) as u128 / self.count as u128) as u64;
        start..end
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let (index, count) = text.split_once('/').ok_or_else(|| format!("expected I/N (e.g. 0/8), got '{text}'"))?;
        let index: u64 = index.trim().parse().map_err(|_| format!("shard index '{index}' is not a number"))?;
        let count: u64 = count.trim().parse().map_err(|_| format!("shard count '{count}' is not a number"))?;
        if count == 0 {
            return Err("shard count must be at least 1".into());
        }
        if index >= count {
            return Err(format!("shard index {index} must be below the shard count {count} (shards are 0-based)"));
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A count that must be at least 1 (layers, hidden units, ...), for clap's `value_parser`:
/// a zero would build a network with nothing in it, which no later step can use.
pub fn positive_count(text: &str) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(0) => Err("must be at least 1".into()),
        Ok(count) => Ok(count),
        Err(_) => Err(format!("'{text}' is not a whole number")),
    }
}

/// What to do with an invalid input line: stop with its error (default), or count it and go on
/// (`--skip-invalid`), reporting the count on stderr at the end.
#[derive(Debug, Default)]
pub struct InvalidLinePolicy {
    skip: bool,
    skipped: u64,
    first_reason: Option<String>,
}

impl InvalidLinePolicy {
    pub fn new(skip: bool) -> Self {
        InvalidLinePolicy { skip, ..Default::default() }
    }

    /// Passes runtime errors and (unless skipping) bad input through; swallows skipped lines.
    pub fn handle(&mut self, error: ToolError) -> Result<(), ToolError> {
        match error {
            ToolError::BadInput { .. } if self.skip => {
                self.skipped += 1;
                self.first_reason.get_or_insert_with(|| error.to_string());
                Ok(())
            }
            other => Err(other),
        }
    }

    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Prints the count of skipped lines (if any) on stderr, on one line.
    pub fn report(&self, tool: &str) {
        if let Some(summary) = self.summary() {
            eprintln!("{tool}: {summary}");
        }
    }

    /// The text [`InvalidLinePolicy::report`] prints, control characters escaped.
    fn summary(&self) -> Option<String> {
        let first = self.first_reason.as_deref()?;
        Some(format!("skipped {} invalid line(s); first: {}", self.skipped, crate::error::escape_control(first)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_partition_the_stream() {
        for total in [0u64, 1, 7, 423_624] {
            for count in [1u64, 2, 3, 8] {
                let mut next = 0;
                for index in 0..count {
                    let range = Shard { index, count }.range(total);
                    assert_eq!(range.start, next);
                    next = range.end;
                }
                assert_eq!(next, total);
            }
        }
    }

    #[test]
    fn skipped_lines_are_summed_up_on_one_line() {
        let mut policy = InvalidLinePolicy::new(true);
        assert_eq!(policy.summary(), None);
        policy.handle(ToolError::bad_line(3, "unknown op 'a\nb'")).unwrap();
        policy.handle(ToolError::bad_line(5, "other")).unwrap();
        assert_eq!(policy.summary().unwrap(), "skipped 2 invalid line(s); first: line 3: unknown op 'a\\nb'");
        assert!(InvalidLinePolicy::new(false).handle(ToolError::bad_line(1, "x")).is_err());
    }

    #[test]
    fn counts_must_be_positive_whole_numbers() {
        assert_eq!(positive_count("3"), Ok(3));
        assert!(positive_count("0").is_err());
        assert!(positive_count("-1").is_err());
        assert!(positive_count("2.5").is_err());
    }

    #[test]
    fn shard_parsing_rejects_nonsense() {
        assert_eq!("3/8".parse::<Shard>().unwrap(), Shard { index: 3, count: 8 });
        assert!("8/8".parse::<Shard>().is_err());
        assert!("1/0".parse::<Shard>().is_err());
        assert!("x/2".parse::<Shard>().is_err());
        assert!("3".parse::<Shard>().is_err());
    }
}
