//! `topk`: keep the K best lines by a score, or the Pareto front over several objectives.

use std::collections::HashSet;
use std::process::ExitCode;

use clap::Parser;
use np_io::chunks::{DEFAULT_CHUNK_LINES, map_lines_in_order};
use np_io::records::RawLine;
use np_io::{Condition, InputOutputArgs, InvalidLinePolicy, NumericField, Output, RecordReader, ToolError, run_tool};
use np_select::{Direction, ParetoFront, TopK};
use np_spaces::line_object_with_fields;
use serde_json::Value;

const EXAMPLES: &str = "\
Examples:
  # the 100 cells with the best predicted accuracy, among those the classifier likes
  gcn-score -m model.onnx pool.jsonl | topk -k 100 --by pred --where 'p_good>=0.5'

  # per-shard selections merge exactly: topk of the shards' topk equals topk of everything
  ls part.* | xargs -P 4 -I{} sh -c 'gcn-score -m model.onnx {} | topk -k 100 --by pred > {}.top'
  cat part.*.top | topk -k 100 --by pred

  # the next 20 to train: the best predicted among those not trained yet
  topk -k 20 --by pred --exclude trained.jsonl scores.jsonl

  # accuracy against size: the non-dominated lines, thinned to 20 by crowding distance
  topk --pareto pred:max,params:min -k 20 scored.jsonl

Lines pass through unchanged, best first (ties by ascending id); each id is kept once (its best
line). Memory is O(K) (O(front) with --pareto).";

/// Keep the K best lines by a score, or the Pareto front over several objectives.
#[derive(Parser, Debug)]
#[command(name = "topk", version, after_help = EXAMPLES)]
struct Args {
    /// How many lines to keep (with --pareto: thin the front to this many).
    #[arg(short = 'k', long = "k")]
    k: Option<usize>,

    /// The numeric field to rank by (a name or dotted path).
    #[arg(long, required_unless_present = "pareto", conflicts_with = "pareto")]
    by: Option<String>,

    /// Smaller is better (e.g. latency).
    #[arg(long)]
    asc: bool,

    /// Keep only lines satisfying every condition: FIELD OP NUMBER, comma-separated
    /// (OP: >=, <=, >, <, ==, !=).
    #[arg(long = "where", value_name = "EXPR")]
    condition: Option<String>,

    /// Keep the Pareto front over FIELD[:max|min],... (default max).
    #[arg(long, value_name = "FIELDS")]
    pareto: Option<String>,

    /// Leave out the ids of the lines in FILE (e.g. the architectures already trained);
    /// repeat for several files.
    #[arg(long, value_name = "FILE")]
    exclude: Vec<std::path::PathBuf>,

    /// Keep only the ids of the lines in FILE (e.g. the neighbours of the best trained).
    #[arg(long, value_name = "FILE")]
    only: Option<std::path::PathBuf>,

    /// Count invalid lines on stderr and go on, instead of stopping at the first.
    #[arg(long)]
    skip_invalid: bool,

    #[command(flatten)]
    io: InputOutputArgs,
}

/// A line that passed the conditions; the sink adds its text (moved, not copied).
struct Candidate {
    scores: Vec<f64>,
    id: String,
}

fn parse_objectives(text: &str) -> Result<Vec<(NumericField, Direction)>, ToolError> {
    text.split(',')
        .map(str::trim)
        .filter(|part| !part.is_empty())
        .map(|part| {
            let (name, direction) = match part.rsplit_once(':') {
                Some((name, "max")) => (name, Direction::Max),
                Some((name, "min")) => (name, Direction::Min),
                Some((_, other)) => {
                    return Err(ToolError::usage(format!("--pareto direction '{other}' must be max or min")));
                }
                None => (part, Direction::Max),
            };
            Ok((NumericField::new(name), direction))
        })
        .collect()
}

fn line_id(record: &Value) -> Option<String> {
    match record.get("id") {
        Some(Value::String(id)) => Some(id.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// The ids of the lines of `path`, for --exclude and --only.
fn ids_in(path: &std::path::Path) -> Result<HashSet<String>, ToolError> {
    let mut reader = RecordReader::open(Some(path))?;
    let mut ids = HashSet::new();
    while let Some(line) = reader.next_line()? {
        let record = line.parse_value().map_err(|e| ToolError::bad_input(format!("{}: {e}", path.display())))?;
        let id = line_id(&record).ok_or_else(|| {
            ToolError::bad_input(format!("{} line {}: missing field 'id'", path.display(), line.number))
        })?;
        ids.insert(id);
    }
    Ok(ids)
}

fn parse_line(
    line: &RawLine,
    fields: &[NumericField],
    conditions: &[Condition],
    excluded: &HashSet<String>,
    only: Option<&HashSet<String>>,
) -> Result<Option<Candidate>, ToolError> {
    // Only the fields read here are parsed (an encoded line is mostly matrices).
    let wanted = |key: &str| {
        key == "id" || fields.iter().any(|f| f.reads_key(key)) || conditions.iter().any(|c| c.field.reads_key(key))
    };
    let record = line_object_with_fields(line, wanted)?;
    for condition in conditions {
        if !condition.holds(&record, line.number)? {
            return Ok(None);
        }
    }
    let id = line_id(&record).ok_or_else(|| {
        ToolError::bad_line(line.number, "missing field 'id' (ties and duplicates are resolved by id)")
    })?;
    if excluded.contains(&id) || only.is_some_and(|only| !only.contains(&id)) {
        return Ok(None);
    }
    let scores = fields.iter().map(|f| f.number(&record, line.number)).collect::<Result<Vec<_>, _>>()?;
    Ok(Some(Candidate { scores, id }))
}

fn select(args: &Args) -> Result<(), ToolError> {
    let conditions = match &args.condition {
        Some(text) => Condition::parse_all(text).map_err(ToolError::usage)?,
        None => Vec::new(),
    };
    let objectives = match (&args.pareto, &args.by) {
        (Some(text), _) => parse_objectives(text)?,
        (None, Some(by)) => vec![(NumericField::new(by), if args.asc { Direction::Min } else { Direction::Max })],
        (None, None) => return Err(ToolError::usage("give --by FIELD (or --pareto FIELDS)")),
    };
    if objectives.is_empty() {
        return Err(ToolError::usage("--pareto needs at least one field"));
    }
    let k = match (args.k, &args.pareto) {
        (Some(k), _) => Some(k),
        (None, Some(_)) => None,
        (None, None) => return Err(ToolError::usage("give -k K")),
    };
    let fields: Vec<NumericField> = objectives.iter().map(|(f, _)| f.clone()).collect();
    let directions: Vec<Direction> = objectives.iter().map(|(_, d)| *d).collect();
    let mut top = TopK::new(k.unwrap_or(0), args.asc);
    let mut front = ParetoFront::new(directions);
    let pareto = args.pareto.is_some();
    let mut invalid = InvalidLinePolicy::new(args.skip_invalid);
    let mut excluded = HashSet::new();
    for path in &args.exclude {
        excluded.extend(ids_in(path)?);
    }
    let only = args.only.as_deref().map(ids_in).transpose()?;
    let reader = RecordReader::open(args.io.input.as_deref())?;
    map_lines_in_order(
        reader,
        DEFAULT_CHUNK_LINES,
        |lines| lines.iter().map(|line| parse_line(line, &fields, &conditions, &excluded, only.as_ref())).collect(),
        |line, parsed| match parsed {
            Ok(Some(candidate)) => {
                if pareto {
                    front.offer(&candidate.scores, &candidate.id, line.text);
                } else {
                    top.offer(candidate.scores[0], &candidate.id, line.text);
                }
                Ok(())
            }
            Ok(None) => Ok(()),
            Err(error) => invalid.handle(error),
        },
    )?;
    let lines = if pareto { front.into_sorted(k) } else { top.into_sorted() };
    let mut output = Output::create(args.io.output.as_deref())?;
    for line in &lines {
        output.write_line(line)?;
    }
    output.finish()?;
    invalid.report("topk");
    Ok(())
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("topk", || select(&args))
}
