//! `arch-sample`: sample or enumerate architectures of a search space as JSON lines.

use std::process::ExitCode;

use clap::Parser;
use std::collections::HashSet;

use np_io::{Output, RecordReader, Shard, ToolError, run_tool};
use np_spaces::declared::registry::resolve_space;
use np_spaces::neighbours::{NEIGHBOUR_DRAWS, best_first, mutation_neighbours};
use np_spaces::rng::stream_rng;
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

  # 50 architectures of a space of your own, declared in a spec file (docs/SPACES.md)
  arch-sample --space-file my-space.toml --count 50 --seed 1

  # the untrained neighbours (one mutation away) of the 10 best trained cells, by validation
  arch-sample --space nb201 --neighbours-of trained.jsonl --parents 10 --seed 1

Each line: {\"space\": ..., \"id\": ..., \"adjacency\": [[...]], \"ops\": [...]}, in canonical form.
Same arguments and seed give the same bytes, whatever the thread count.";

/// Sample or enumerate architectures of a search space as JSON lines.
#[derive(Parser, Debug)]
#[command(name = "arch-sample", version, after_help = EXAMPLES)]
struct Args {
    /// Search space: nb101, nb201, nbgraph, nbgraph-proteins, proxyless or naap (or your own:
    /// --space-file).
    #[arg(long, default_value = "nb101")]
    space: String,

    #[command(flatten)]
    space_file: np_io::SpaceFileArg,

    /// Number of architectures to sample.
    #[arg(
        long,
        conflicts_with_all = ["all", "size", "neighbours_of"],
        required_unless_present_any = ["all", "size", "neighbours_of"]
    )]
    count: Option<u64>,

    /// Enumerate every architecture of the space, each once (finite spaces only).
    #[arg(long, conflicts_with_all = ["size", "neighbours_of"])]
    all: bool,

    /// Write the architectures one mutation away from the --parents best lines of FILE (by
    /// --by), each drawn 64 times, that FILE does not hold, in id order: the candidates a
    /// search in rounds scores near its best (docs/SEARCH.md).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["size", "sampler", "shard"])]
    neighbours_of: Option<std::path::PathBuf>,

    /// With --neighbours-of: how many of the best lines are parents [default: 10].
    #[arg(long, value_parser = np_io::positive_count)]
    parents: Option<usize>,

    /// With --neighbours-of: the numeric field that ranks the parents, larger is better
    /// [default: val_accuracy].
    #[arg(long)]
    by: Option<String>,

    /// Print the size of the space and exit.
    #[arg(long)]
    size: bool,

    /// Random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Sampling method (nb101: uniform [default], nasbench; nb201: uniform [default], classes,
    /// with-replacement; nbgraph: uniform [default], package; naap: uniform [default],
    /// with-replacement; proxyless: uniform; declared node cells: uniform [default], random-matrix;
    /// declared edge cells: uniform [default], classes, with-replacement; declared chains:
    /// uniform).
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
        if args.neighbours_of.is_none() && (args.parents.is_some() || args.by.is_some()) {
            return Err(ToolError::usage("--parents and --by only apply to --neighbours-of"));
        }
        if args.size {
            return print_size(space);
        }
        let method = args.sampler.as_deref().unwrap_or(space.sampling_methods()[0].name);
        if args.all && args.sampler.is_some() {
            return Err(ToolError::usage("--sampler only applies to --count"));
        }
        if let Some(path) = &args.neighbours_of {
            return write_neighbours(space, path, args);
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

/// `--neighbours-of`: reads every line of `path` (an architecture of the space with a numeric
/// `--by`), mutates the best `--parents` and writes the new neighbours in id order.
fn write_neighbours<S: SearchSpace>(space: &S, path: &std::path::Path, args: &Args) -> Result<(), ToolError> {
    let by = args.by.as_deref().unwrap_or("val_accuracy");
    let mut reader = RecordReader::open(Some(path))?;
    let (mut archs, mut values, mut ids) = (Vec::new(), Vec::new(), HashSet::new());
    while let Some(line) = reader.next_line()? {
        let bad = |message: String| ToolError::bad_input(format!("{} line {}: {message}", path.display(), line.number));
        let record = line.parse_value().map_err(|e| bad(e.to_string()))?;
        let arch = space.parse(&record).map_err(|e| bad(e.0))?;
        let value = record
            .get(by)
            .and_then(serde_json::Value::as_f64)
            .filter(|v| v.is_finite())
            .ok_or_else(|| bad(format!("'{by}' is missing or not a finite number")))?;
        ids.insert(space.id(&arch));
        archs.push(arch);
        values.push(value);
    }
    let parents: Vec<&S::Arch> =
        best_first(&values).into_iter().take(args.parents.unwrap_or(10)).map(|i| &archs[i]).collect();
    let mut rng = stream_rng(args.seed);
    let found = mutation_neighbours(&parents, NEIGHBOUR_DRAWS, &mut rng, |parent, rng| {
        let child = space.mutate(parent, rng);
        let id = space.id(&child);
        (!ids.contains(&id)).then_some(NeighbourById(id, child))
    });
    let mut output = Output::create(args.output.as_deref())?;
    for NeighbourById(id, arch) in &found {
        output.write_line(&bare_architecture_line(space, arch, id).finish())?;
    }
    output.finish()
}

/// A neighbour ordered and deduplicated by its id alone.
struct NeighbourById<A>(String, A);

impl<A> PartialEq for NeighbourById<A> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl<A> Eq for NeighbourById<A> {}
impl<A> PartialOrd for NeighbourById<A> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl<A> Ord for NeighbourById<A> {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.0.cmp(&other.0)
    }
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
    run_tool("arch-sample", || {
        let space = resolve_space(&args.space, args.space_file.space_file.as_deref())?;
        with_space(&space, Sample(&args)).map_err(|e| ToolError::usage(e.0))?
    })
}
