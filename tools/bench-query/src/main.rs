//! `bench-query`: answer "train and validate" from a tabular benchmark.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use np_bench_tables::table::BenchTable;
use np_io::chunks::{DEFAULT_CHUNK_LINES, map_lines_in_order};
use np_io::records::RawLine;
use np_io::{InputOutputArgs, InvalidLinePolicy, Output, RecordReader, ToolError, run_tool};
use np_search::TableProtocolArgs;
use np_spaces::declared::registry::resolve_space;
use np_spaces::rng::keyed_below;
use np_spaces::{SearchSpace, SpaceVisitor, with_space};
use serde_json::{Map, Value};

const EXAMPLES: &str = "\
Examples:
  # train & validate 172 random cells, answered by NAS-Bench-101
  arch-sample --count 172 --seed 1 | bench-query --table nasbench_only108.tfrecord --seed 1

  # the 500-cell zero-cost table (a closed mini-space), skipping cells it lacks
  arch-sample --count 1000 | bench-query --table zc500.jsonl --missing skip

  # NAS-Bench-Graph on Cora: 100 random graph architectures
  arch-sample --space nbgraph --count 100 | bench-query --space nbgraph --table cora.bench

  # NAS-Bench-201 under NATS-Bench's protocol (12-epoch validation, 200-epoch test), with latency
  arch-sample --space nb201 --count 100 | bench-query --space nb201 --table nb201.csv \
    --dataset cifar10 --search-epochs 12 --latency latency.csv --device 1080ti_1

  # a space of your own and its table, read by named columns (one row per training run)
  arch-sample --space-file my-space.toml --count 50 | bench-query --space-file my-space.toml \
    --table runs.csv --arch-column arch --val-column val_acc --test-column test_acc --cost-column latency_ms

Adds to each line: val_accuracy (percent, ONE run drawn with --seed from the repeats: the
search signal), test_accuracy (percent, mean over the repeats: the reported truth),
train_seconds (of the drawn run), params, bench_run/bench_runs, and what else the table has.
Tables: NAS-Bench-101's official .tfrecord (read natively, CRC-checked), NAS-Bench-Graph's
<dataset>.bench light tables (from the nas-bench-graph package, nas_bench_graph/light/; one run
each, no train_seconds, latency in seconds; proteins.bench goes with --space nbgraph-proteins),
NAS-Bench-201's nb201.csv (--space nb201; needs --dataset and --search-epochs: val_accuracy is
<dataset>_valid_<E>, test_accuracy <dataset>_test_200; 200-epoch validation exists only for
cifar10; adds the benchmark's index, params as a count; --latency latency.csv --device NAME adds
latency_ms), or JSON lines; any .csv or JSON-lines table by named columns with --val-column
(docs/SPACES.md, \"Tables\").";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Missing {
    /// Stop at an architecture the table lacks (exit 2, naming the line).
    Error,
    /// Drop such lines and count them on stderr.
    Skip,
}

/// Answer "train and validate" from a tabular benchmark.
#[derive(Parser, Debug)]
#[command(name = "bench-query", version, after_help = EXAMPLES)]
struct Args {
    /// The benchmark table: a .tfrecord (NAS-Bench-101), .bench (NAS-Bench-Graph), .csv
    /// (NAS-Bench-201) or .jsonl file.
    #[arg(long, value_name = "FILE")]
    table: PathBuf,

    /// Search space of the input lines and the table.
    #[arg(long, default_value = "nb101")]
    space: String,

    #[command(flatten)]
    space_file: np_io::SpaceFileArg,

    /// Seed of the run drawn for each architecture (the draw depends only on seed and id).
    #[arg(long, default_value_t = 0)]
    seed: u64,

    #[arg(long, value_enum, default_value_t = Missing::Error)]
    missing: Missing,

    #[command(flatten)]
    protocol: TableProtocolArgs,

    /// Count invalid lines on stderr and go on, instead of stopping at the first.
    #[arg(long)]
    skip_invalid: bool,

    #[command(flatten)]
    io: InputOutputArgs,
}

struct Query<'a>(&'a Args);

impl SpaceVisitor for Query<'_> {
    type Output = Result<(), ToolError>;

    fn visit<S: SearchSpace>(self, space: &S) -> Self::Output {
        let args = self.0;
        let table = args.protocol.load(space, &args.table)?;
        let reader = RecordReader::open(args.io.input.as_deref())?;
        let mut output = Output::create(args.io.output.as_deref())?;
        let mut invalid = InvalidLinePolicy::new(args.skip_invalid);
        let mut missing = 0u64;
        map_lines_in_order(
            reader,
            DEFAULT_CHUNK_LINES,
            |lines| lines.iter().map(|line| query_line(space, &table, args.seed, line)).collect(),
            |line, result| match result {
                Ok(Some(text)) => output.write_line(&text),
                Ok(None) if args.missing == Missing::Skip => {
                    missing += 1;
                    Ok(())
                }
                Ok(None) => {
                    Err(ToolError::bad_line(line.number, "architecture is not in the table (use --missing skip)"))
                }
                Err(error) => invalid.handle(error),
            },
        )?;
        output.finish()?;
        if missing > 0 {
            eprintln!("bench-query: skipped {missing} architecture(s) not in the table");
        }
        invalid.report("bench-query");
        Ok(())
    }
}

fn query_line<S: SearchSpace>(
    space: &S,
    table: &BenchTable,
    seed: u64,
    line: &RawLine,
) -> Result<Option<String>, ToolError> {
    let value = line.parse_value()?;
    let arch = space.parse(&value).map_err(|e| ToolError::bad_line(line.number, e.0))?;
    let id = space.id(&arch);
    let Some(answer) = table.query(&id, |runs| keyed_below(seed, &id, runs as u64) as usize) else {
        return Ok(None);
    };
    let mut fields = match value {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    fields.insert("id".into(), Value::from(id));
    answer.write_fields(&mut fields);
    Ok(Some(serde_json::to_string(&fields).expect("records serialise")))
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("bench-query", || {
        let space = resolve_space(&args.space, args.space_file.space_file.as_deref())?;
        with_space(&space, Query(&args)).map_err(|e| ToolError::usage(e.0))?
    })
}
