//! `gbt-train`: fit gradient-boosted trees on cheap numeric features of architecture lines
//! and export them to ONNX.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use np_io::chunks::{DEFAULT_CHUNK_LINES, map_lines_in_order};
use np_io::{NumericField, RecordReader, ToolError, run_tool, write_file};
use np_trees::{FeatureRequest, TrainingRows, TreePredictor, TreeSettings};
use serde_json::Value;

const EXAMPLES: &str = "\
Examples:
  # trees on the nine zero-cost proxies of zc500, then scored like any predictor
  arch-encode zc500.jsonl | gbt-train --features 'proxies.*' -o trees.onnx
  gcn-score -m trees.onnx pool.jsonl | topk -k 10 --by pred

  # proxies, cost and the flat encoding of the cell
  arch-encode --format flat zc500.jsonl \\
    | gbt-train --features 'proxies.*,params_m,flops_m' --flat -o trees.onnx

Features are numeric fields by name or dotted path (proxies.snip); PREFIX.* stands for every
numeric member of the object PREFIX, sorted by name, as found on the first line; --flat appends
the `flat` vector of arch-encode --format flat. Every line must have every feature: a missing
or non-numeric one stops training with the line's number. Predictions are in the label's units.";

/// Fit gradient-boosted trees on cheap numeric features of architecture lines and export them to ONNX.
#[derive(Parser, Debug)]
#[command(name = "gbt-train", version, after_help = EXAMPLES)]
struct Args {
    /// Input file of training lines (default: stdin).
    input: Option<PathBuf>,

    /// Where to write the ONNX predictor (written atomically).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,

    /// Feature fields, comma-separated: names, dotted paths, or PREFIX.* for all numeric
    /// members of an object.
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    features: Vec<String>,

    /// Append the `flat` encoding (arch-encode --format flat) to the features.
    #[arg(long)]
    flat: bool,

    /// The label field to learn.
    #[arg(long, default_value = "val_accuracy")]
    label: String,

    /// Number of trees (boosting rounds).
    #[arg(long, default_value_t = 300)]
    trees: usize,

    /// Learning rate (shrinkage of every tree).
    #[arg(long, visible_alias = "lr", default_value_t = 0.05)]
    learning_rate: f32,

    /// Maximum tree depth.
    #[arg(long, default_value_t = 4)]
    max_depth: usize,

    /// Fraction of the lines each tree sees (drawn from --seed when below 1).
    #[arg(long, default_value_t = 1.0)]
    subsample: f32,

    /// Fraction of the features each tree may use (drawn from --seed when below 1).
    #[arg(long, default_value_t = 1.0)]
    colsample: f64,

    /// L2 penalty on leaf weights.
    #[arg(long, default_value_t = 1.0)]
    l2: f32,

    /// Least number of lines (hessian sum) in a leaf.
    #[arg(long, default_value_t = 1.0)]
    min_leaf_weight: f32,

    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// No summary line on stderr.
    #[arg(long, short)]
    quiet: bool,
}

fn train_tool(args: &Args) -> Result<(), ToolError> {
    let reader = RecordReader::open(args.input.as_deref())?;
    let mut lines: Vec<(u64, Value)> = Vec::new();
    map_lines_in_order(
        reader,
        DEFAULT_CHUNK_LINES,
        |batch| batch.iter().map(|line| line.parse_object().map(|record| Value::Object(record.fields))).collect(),
        |line, parsed| {
            lines.push((line.number, parsed?));
            Ok(())
        },
    )?;
    let Some((first_number, first)) = lines.first() else {
        return Err(ToolError::bad_input("no training lines"));
    };
    let request = FeatureRequest { patterns: args.features.clone(), flat: args.flat };
    let features = request.resolve(first, *first_number)?;
    let label = NumericField::new(&args.label);
    let mut rows = TrainingRows::default();
    for (number, record) in &lines {
        rows.labels.push(label.number(record, *number)?);
        rows.features.push(features.values(record, *number)?);
        rows.ids.push(record.get("id").and_then(Value::as_str).unwrap_or_default().to_string());
    }
    let settings = TreeSettings {
        trees: args.trees,
        learning_rate: args.learning_rate,
        max_depth: args.max_depth,
        subsample: args.subsample,
        colsample: args.colsample,
        l2: args.l2,
        min_leaf_weight: args.min_leaf_weight,
        seed: args.seed,
    };
    let predictor = TreePredictor::fit(features, &rows, &args.label, &settings).map_err(ToolError::usage)?;
    if !args.quiet {
        let meta = &predictor.meta;
        let flat = meta.features.flat_length.map(|n| format!(" + flat[{n}]")).unwrap_or_default();
        eprintln!(
            "gbt-train: {} lines, {} features ({}{flat}), {} trees, label {} in {}",
            rows.labels.len(),
            meta.features.len(),
            meta.features.names().join(","),
            predictor.ensemble.trees.len(),
            meta.label_field,
            meta.label_scale
        );
    }
    write_file(&args.output, &predictor.to_onnx())
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("gbt-train", || train_tool(&args))
}
