//! `arch-sample`: sample or enumerate architectures of a search space as JSON lines.

use std::process::ExitCode;

use clap::Parser;
use np_io::{Output, Shard, ToolError, run_tool};
use np_spaces::{SearchSpace, SpaceVisitor, bare_architecture_line, with_space};
use rayon::prelude::*;

const EXAMPLES: &str = "\
Examples:
  # 172 random NAS-Bench-101 cells (uniform over the 423,624 unique cells)
  arch-sample --space nb101 --count 172 --seed 1 > train.jsonl

  # every unique cell, in 8 parallel shards whose concatenation is the unsharded output
  seq 0 7 | xargs -P 8 -I{} arch-sample --all --shard {}/8 -o cells.{}.jsonl

  # how large the ProxylessNAS mobile space is
  arch-sample --space proxyless --size

  # 100 NAS-Bench-201 cells that all compute different functions (one per class)
  arch-sample --space nb201 --count 100 --sampler classes --seed 1

Each line: {\"space\": ..., \"id\": ..., \"adjacency\": [[...]], \"ops\": [...]}, in canonical form.
Same arguments and seed give the same bytes, whatever the thread count.";

/// Sample or enumerate architectures of a search space as JSON lines.
#[derive(Parser, Debug)]
#[command(name = "arch-sample", version, after_help = EXAMPLES)]
struct Args {
    /// Search space: nb101, nb201, nbgraph, nbgraph-proteins, proxyless or naap.
    #[arg(long, default_value = "nb101")]
    space: String,

    /// Number of architectures to sample.
    #[arg(long, conflicts_with_all = ["all", "size"], required_unless_present_any = ["all", "size"])]
    count: Option<u64>,

    /// Enumerate every architecture of the space, each once (finite spaces only).
    #[arg(long, conflicts_with = "size")]
    all: bool,

    /// Print the size of the space and exit.
    #[arg(long)]
    size: bool,

    /// Random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Sampling method (nb101: uniform [default], nasbench; nb201: uniform [default], classes,
    /// with-replacement; nbgraph: uniform [default], package; naap: uniform [default],
    /// with-replacement; proxyless: uniform).
    #[arg(long)]
    sampler: Option<String>,

    /// Write only part I of N (0-based) of the output; the parts concatenate to the whole.
    #[arg(long, value_name = "I/N", default_value = "0/1")]
    shard: Shard,

    /// Output file (default: stdout). Written to a temporary file and renamed when complete.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<std::path::PathBuf>,
}

/// Architectures are produced and rendered in blocks so memory stays bounded for any count.
const BLOCK: u64 = 1 << 16;

struct Sample<'a>(&'a Args);

impl SpaceVisitor for Sample<'_> {
    type Output = Result<(), ToolError>;

    fn visit<S: SearchSpace>(self, space: &S) -> Self::Output {
        let args = self.0;
        if args.size {
            return print_size(space);
        }
        let method = args.sampler.as_deref().unwrap_or(space.sampling_methods()[0].name);
        if args.all && args.sampler.is_some() {
            return Err(ToolError::usage("--sampler only applies to --count"));
        }
        let mut output = Output::create(args.output.as_deref())?;
        if args.all {
            let Some(all) = space.enumerate() else {
                let size = space.size().published_count;
                return Err(ToolError::usage(format!(
                    "{} has {size} architectures: too many for --all; use --count",
                    space.name()
                )));
            };
            let range = args.shard.range(all.len() as u64);
            for block in all[range.start as usize..range.end as usize].chunks(BLOCK as usize) {
                write_block(space, block, &mut output)?;
            }
        } else {
            let count = args.count.expect("clap requires --count without --all/--size");
            let range = args.shard.range(count);
            let mut start = range.start;
            while start < range.end {
                let end = (start + BLOCK).min(range.end);
                let block =
                    space.sample_range(method, args.seed, count, start..end).map_err(|e| ToolError::usage(e.0))?;
                write_block(space, &block, &mut output)?;
                start = end;
            }
        }
        output.finish()
    }
}

fn write_block<S: SearchSpace>(space: &S, block: &[S::Arch], output: &mut Output) -> Result<(), ToolError> {
    let batches: Vec<String> = block
        .par_chunks(256)
        .map(|batch| {
            let mut text = String::with_capacity(batch.len() * 384);
            for (arch, id) in batch.iter().zip(space.ids(batch)) {
                text.push_str(&bare_architecture_line(space, arch, &id).finish());
                text.push('\n');
            }
            text
        })
        .collect();
    for text in &batches {
        output.write_bytes(text.as_bytes())?;
    }
    Ok(())
}

/// The space's size on stdout (through [`Output`], so that a closed stdout is an error like
/// any tool's).
fn print_size<S: SearchSpace>(space: &S) -> Result<(), ToolError> {
    let size = space.size();
    let mut output = Output::create(None)?;
    output.write_line(&format!("space: {}", space.name()))?;
    output.write_line(&format!("architectures: {} ({:.3e})", size.published_count, size.published_count as f64))?;
    if size.unique_count != size.published_count {
        let unique = size.unique_count;
        output.write_line(&format!("distinct networks after canonicalisation: {unique} ({:.3e})", unique as f64))?;
    }
    output.write_line(&format!("enumerable with --all: {}", if size.enumerable { "yes" } else { "no" }))?;
    output.finish()
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("arch-sample", || with_space(&args.space, Sample(&args)).map_err(|e| ToolError::usage(e.0))?)
}
