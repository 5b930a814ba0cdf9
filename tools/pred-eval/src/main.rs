//! `pred-eval`: judge an accuracy predictor by comparing its scores with the true accuracies.

use std::collections::BTreeMap;
use std::process::ExitCode;

use clap::Parser;
use np_io::chunks::{DEFAULT_CHUNK_LINES, map_lines_in_order};
use np_io::records::RawLine;
use np_io::{InputOutputArgs, InvalidLinePolicy, NumericField, Output, RecordReader, ToolError, run_tool};
use np_spaces::line_object_with_fields;
use serde::Serialize;

const EXAMPLES: &str = "\
Examples:
  # how well a trained predictor ranks held-out architectures
  gcn-score -m model.onnx test.jsonl | pred-eval --pred pred --truth val_accuracy

  # a nested truth field, precision@10 and @50, the summary written to a file
  pred-eval --pred pred --truth runs.2.validation_accuracy --top-k 10,50 scored.jsonl -o eval.json

Input lines: JSON objects holding both fields as numbers. A field name with dots is a path
through nested objects and arrays (\"runs.0.validation_accuracy\"), unless the line has a
top-level field of exactly that name.

Output: one JSON object
  {\"count\", \"mse\", \"mae\", \"kendall_tau\", \"spearman_rho\", \"precision_at_k\": {\"10\": ..},
   \"top_k_found\": {\"10\": ..}, \"monotonicity\", \"violations\", \"pairs\"}
with null for a metric the input leaves undefined (fewer than 2 lines, a constant field, K
above the line count). kendall_tau is tau-b (ties corrected); spearman_rho ranks ties by their
mean rank; top-K ties go to the earlier line; monotonicity is NAAP-440's 1 - violations/pairs
over all n(n-1)/2 pairs, where a pair tied in the truth is never a violation and a pair the
truth orders but the prediction ties always is.";

/// Judge an accuracy predictor by comparing its scores with the true accuracies.
#[derive(Parser, Debug)]
#[command(name = "pred-eval", version, after_help = EXAMPLES)]
struct Args {
    /// Field holding the predicted accuracy.
    #[arg(long, value_name = "FIELD")]
    pred: String,

    /// Field holding the true accuracy.
    #[arg(long, value_name = "FIELD")]
    truth: String,

    /// Sizes of the top-K sets to compare, comma-separated.
    #[arg(
        long = "top-k",
        value_name = "K,...",
        value_delimiter = ',',
        default_value = "10",
        value_parser = parse_k
    )]
    top_k: Vec<u64>,

    /// Count invalid lines on stderr and go on, instead of stopping at the first.
    #[arg(long)]
    skip_invalid: bool,

    #[command(flatten)]
    io: InputOutputArgs,
}

fn parse_k(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("K must be at least 1".into()),
        Ok(k) => Ok(k),
        Err(_) => Err(format!("'{text}' is not a whole number")),
    }
}

/// The (prediction, truth) pair of one line.
fn parse_line(line: &RawLine, pred: &NumericField, truth: &NumericField) -> Result<(f64, f64), ToolError> {
    // Only the two fields are parsed (a scored line is mostly its architecture and encoding).
    let record = line_object_with_fields(line, |key| pred.reads_key(key) || truth.reads_key(key))?;
    Ok((pred.number(&record, line.number)?, truth.number(&record, line.number)?))
}

/// The output object; `None` is written as null.
#[derive(Serialize)]
struct Summary {
    count: usize,
    mse: Option<f64>,
    mae: Option<f64>,
    kendall_tau: Option<f64>,
    spearman_rho: Option<f64>,
    /// Keyed by K, written as strings in ascending numeric order.
    precision_at_k: BTreeMap<u64, Option<f64>>,
    top_k_found: BTreeMap<u64, Option<usize>>,
    monotonicity: Option<f64>,
    violations: u64,
    pairs: u64,
}

impl Summary {
    fn of(predictions: &[f64], truths: &[f64], top_k_sizes: &[u64]) -> Self {
        let monotonicity = np_metrics::monotonicity(predictions, truths);
        let mut precision_at_k = BTreeMap::new();
        let mut top_k_found = BTreeMap::new();
        for &k in top_k_sizes {
            let top = usize::try_from(k).ok().and_then(|k| np_metrics::top_k(predictions, truths, k));
            precision_at_k.insert(k, top.map(|t| t.precision));
            top_k_found.insert(k, top.map(|t| t.found));
        }
        Summary {
            count: np_metrics::count(predictions, truths),
            mse: np_metrics::mse(predictions, truths),
            mae: np_metrics::mae(predictions, truths),
            kendall_tau: np_metrics::kendall_tau_b(predictions, truths),
            spearman_rho: np_metrics::spearman_rho(predictions, truths),
            precision_at_k,
            top_k_found,
            monotonicity: monotonicity.score(),
            violations: monotonicity.violations,
            pairs: monotonicity.pairs,
        }
    }
}

fn evaluate(args: &Args) -> Result<(), ToolError> {
    let (pred, truth) = (NumericField::new(&args.pred), NumericField::new(&args.truth));
    let reader = RecordReader::open(args.io.input.as_deref())?;
    let mut output = Output::create(args.io.output.as_deref())?;
    let mut invalid = InvalidLinePolicy::new(args.skip_invalid);
    let (mut predictions, mut truths) = (Vec::new(), Vec::new());
    map_lines_in_order(
        reader,
        DEFAULT_CHUNK_LINES,
        |lines| lines.iter().map(|line| parse_line(line, &pred, &truth)).collect(),
        |_, parsed| match parsed {
            Ok((p, t)) => {
                predictions.push(p);
                truths.push(t);
                Ok(())
            }
            Err(error) => invalid.handle(error),
        },
    )?;
    let summary = Summary::of(&predictions, &truths, &args.top_k);
    output.write_line(&serde_json::to_string(&summary).expect("the summary serialises"))?;
    output.finish()?;
    invalid.report("pred-eval");
    Ok(())
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("pred-eval", || evaluate(&args))
}
