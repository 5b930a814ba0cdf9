//! `gcn-train`: train the Neural Predictor GCN and export it to ONNX.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;
use np_encoding::GraphEncoding;
use np_gcn::GcnConfig;
use np_gcn::train::{RegressionLoss, TrainConfig};
use np_io::chunks::{DEFAULT_CHUNK_LINES, map_lines_in_order};
use np_io::records::RawLine;
use np_io::{RecordReader, ToolError, run_tool, write_file};
use np_predictor::cv::{Grid, cross_validate, widened_hidden};
use np_predictor::fit::{FitSettings, LabelScale, TrainingData, fit_from};
use np_predictor::graph_inputs::{GraphFeatureRequest, GraphTransform};
use np_predictor::{Predictor, SpaceSignature, graph_sample_with_features};
use np_trees::{FeatureRequest, FeatureSet};
use serde::Deserialize;
use serde_json::Value;

const EXAMPLES: &str = "\
Examples:
  # the paper's pipeline: N random cells, their accuracies, a predictor
  arch-sample --count 172 --seed 1 | bench-query ... | arch-encode --format graph \\
    | gcn-train --label val_accuracy -o model.onnx

  # zero-cost proxies as graph-level inputs beside the graph
  arch-encode --format graph zc500.jsonl | gcn-train --graph-features 'proxies.*' -o model.onnx

  # two-stage predictor (classifier for accuracy > 91%, regressor above it)
  gcn-train --label val_accuracy --two-stage train.jsonl -o model.onnx

Input: lines from `arch-encode --format graph` carrying a numeric label field. Labels in [0, 1]
are taken as fractions (output range 0.1–1.0), others as percent (10–100). --graph-features
names numeric fields as gbt-train's --features does; each is transformed (signed log by default),
standardised with the training lines' mean and std (stored in the file) and joined to the GCN's
readout; gcn-score then needs those fields on every line.";

/// Train the Neural Predictor GCN on encoded architectures with labels and export it to ONNX.
#[derive(Parser, Debug)]
#[command(name = "gcn-train", version, after_help = EXAMPLES)]
struct Args {
    /// Input file of encoded lines (default: stdin).
    input: Option<PathBuf>,

    /// Where to write the ONNX predictor (written atomically).
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,

    /// The label field to learn.
    #[arg(long, default_value = "val_accuracy")]
    label: String,

    /// The spec file of the lines' space when it is one of your own (docs/SPACES.md); the
    /// predictor then carries the spec, so gcn-score needs no file.
    #[arg(long, value_name = "FILE")]
    space_file: Option<PathBuf>,

    /// Labels are `percent`, `fraction`, or `auto` (fraction when all are ≤ 1).
    #[arg(long, default_value = "auto", value_parser = ["auto", "percent", "fraction"])]
    label_scale: String,

    /// Regressor output range in percent (scaled for fraction labels).
    #[arg(long, value_name = "LOW,HIGH", default_value = "10,100")]
    label_range: String,

    /// Graph-level inputs, comma-separated: names, dotted paths, or PREFIX.* for all numeric
    /// members of an object (as gbt-train's --features), joined to the readout before the
    /// fully connected layer.
    #[arg(long, value_name = "FIELDS", value_delimiter = ',')]
    graph_features: Vec<String>,

    /// Transform of each graph-level input before standardisation.
    #[arg(long, default_value = "signed-log1p", value_parser = ["signed-log1p", "identity"])]
    graph_feature_transform: String,

    /// Train the two-stage predictor: a classifier for label > threshold, and a regressor on
    /// the lines above it.
    #[arg(long)]
    two_stage: bool,

    /// Two-stage threshold in percent (scaled for fraction labels).
    #[arg(long, default_value_t = 91.0)]
    threshold: f64,

    #[arg(long, default_value_t = 300)]
    epochs: usize,
    /// Train about this many gradient steps instead: the epochs follow from the number of
    /// lines (at least 1, at most --epochs), so a fit costs the same whatever the training set's
    /// size (a search in rounds, docs/SEARCH.md).
    #[arg(long, value_parser = np_io::positive_count)]
    steps: Option<usize>,
    /// Start from this predictor's weights (a warm start) instead of random ones: a search in
    /// rounds refits on a training set that grew by one batch, and a short run from the last
    /// round's model does what a long one from scratch would. It must have the same network
    /// shapes and stages as the flags ask for.
    #[arg(long, value_name = "MODEL", conflicts_with = "cv")]
    warm_start: Option<PathBuf>,
    #[arg(long, default_value_t = 10)]
    batch: usize,
    #[arg(long, default_value_t = 2e-4)]
    lr: f64,
    #[arg(long, default_value_t = 1e-3)]
    weight_decay: f64,
    #[arg(long, default_value_t = 0.0)]
    dropout: f64,
    /// Weight of a pairwise ranking term in the regressor's loss, against its mean squared error
    /// (0: squared error only, the paper's loss). It orders the predictions where the squared
    /// error is spent on a long low tail of labels (docs/PREDICTOR.md).
    #[arg(long, default_value_t = 0.0)]
    rank_weight: f64,
    /// GCN hidden size.
    #[arg(long, default_value_t = 144, value_parser = np_io::positive_count)]
    hidden: usize,
    /// Number of GCN layers.
    #[arg(long, default_value_t = 3, value_parser = np_io::positive_count)]
    layers: usize,
    /// Width of the fully connected layer.
    #[arg(long, default_value_t = 128, value_parser = np_io::positive_count)]
    fc_hidden: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Choose learning rate, weight decay, hidden size, epochs and layers by cross-validation
    /// on the training lines (the table goes to stderr), then train on all lines.
    #[arg(long)]
    cv: bool,

    /// Cross-validation folds (3: each fold holds out a third, as in the paper).
    #[arg(long, default_value_t = 3)]
    cv_folds: usize,

    /// Learning rates tried by --cv.
    #[arg(long, value_delimiter = ',', default_value = "1e-4,4e-4")]
    cv_lr: Vec<f64>,

    /// Weight decays tried by --cv.
    #[arg(long, value_delimiter = ',', default_value = "1e-4,1e-3")]
    cv_weight_decay: Vec<f64>,

    /// Hidden sizes tried by --cv.
    #[arg(long, value_delimiter = ',', default_value = "72,144", value_parser = np_io::positive_count)]
    cv_hidden: Vec<usize>,

    /// Epoch counts tried by --cv.
    #[arg(long, value_delimiter = ',', default_value = "150,300")]
    cv_epochs: Vec<usize>,

    /// Layer counts tried by --cv.
    #[arg(long, value_delimiter = ',', default_value = "3", value_parser = np_io::positive_count)]
    cv_layers: Vec<usize>,

    /// After --cv, widen the hidden size so the final network has about this many times the
    /// parameters (the paper's heuristic for training on all N instead of two thirds; 1.0 = off).
    #[arg(long, default_value_t = 1.5)]
    widen: f64,

    /// No progress lines on stderr.
    #[arg(long, short)]
    quiet: bool,
}

#[derive(Deserialize)]
struct TrainingLine {
    #[serde(default)]
    space: Option<String>,
    #[serde(default)]
    id: Option<String>,
    graph: Option<GraphEncoding>,
}

struct Parsed {
    /// The whole line, for the graph-level inputs.
    record: Value,
    space: Option<String>,
    id: String,
    label: f64,
    graph: GraphEncoding,
}

fn parse_line(line: &RawLine, label_field: &str) -> Result<Parsed, ToolError> {
    let bad = |message: String| ToolError::bad_line(line.number, message);
    let value = line.parse_value()?;
    let label = match value.get(label_field) {
        None => return Err(bad(format!("missing label field '{label_field}'"))),
        Some(Value::Number(n)) => n.as_f64().filter(|x| x.is_finite()),
        Some(_) => None,
    }
    .ok_or_else(|| bad(format!("label '{label_field}' is not a finite number")))?;
    let parsed = TrainingLine::deserialize(&value).map_err(|e| bad(format!("bad encoded line: {e}")))?;
    let graph =
        parsed.graph.ok_or_else(|| bad("missing field 'graph' (encode with arch-encode --format graph)".into()))?;
    Ok(Parsed { space: parsed.space, id: parsed.id.unwrap_or_default(), label, graph, record: value })
}

fn parse_range(text: &str) -> Result<(f64, f64), ToolError> {
    let parts: Vec<f64> = text
        .split(',')
        .map(|p| p.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| ToolError::usage(format!("--label-range must be LOW,HIGH, got '{text}'")))?;
    match parts.as_slice() {
        &[low, high] if low < high => Ok((low, high)),
        _ => Err(ToolError::usage(format!("--label-range must be LOW,HIGH with LOW < HIGH, got '{text}'"))),
    }
}

fn train_tool(args: &Args) -> Result<(), ToolError> {
    let range_percent = parse_range(&args.label_range)?;
    if !(args.rank_weight.is_finite() && args.rank_weight >= 0.0) {
        return Err(ToolError::usage(format!("--rank-weight must be a number ≥ 0, got {}", args.rank_weight)));
    }
    if let Some(path) = &args.space_file {
        np_spaces::declared::declare_file(path)?;
    }
    let reader = RecordReader::open(args.input.as_deref())?;
    let mut lines: Vec<(u64, Parsed)> = Vec::new();
    map_lines_in_order(
        reader,
        DEFAULT_CHUNK_LINES,
        |batch| batch.iter().map(|line| parse_line(line, &args.label)).collect(),
        |line, parsed| {
            lines.push((line.number, parsed?));
            Ok(())
        },
    )?;
    if lines.is_empty() {
        return Err(ToolError::bad_input("no training lines"));
    }
    let space_name = lines[0].1.space.clone().unwrap_or_else(|| "nb101".to_string());
    let space = SpaceSignature::named(&space_name).map_err(|e| ToolError::bad_line(lines[0].0, e))?;
    for (number, parsed) in &lines {
        if let Some(other) = &parsed.space
            && *other != space_name
        {
            return Err(ToolError::bad_line(
                *number,
                format!("space '{other}' differs from the first line's '{space_name}'"),
            ));
        }
        parsed.graph.check_shape(&space.shape).map_err(|e| ToolError::bad_line(*number, e))?;
    }
    let labels: Vec<f64> = lines.iter().map(|(_, p)| p.label).collect();
    let scale = match args.label_scale.as_str() {
        "percent" => LabelScale::Percent,
        "fraction" => LabelScale::Fraction,
        _ => LabelScale::detect(&labels),
    };
    let graph_features = if args.graph_features.is_empty() {
        None
    } else {
        let request = FeatureRequest { patterns: args.graph_features.clone(), flat: false };
        Some(request.resolve(&lines[0].1.record, lines[0].0)?)
    };
    let mut samples = Vec::with_capacity(lines.len());
    for (number, parsed) in &lines {
        let values = match &graph_features {
            Some(set) => set.values(&parsed.record, *number)?,
            None => Vec::new(),
        };
        samples.push(graph_sample_with_features(&parsed.graph, &values));
    }
    let transform = match args.graph_feature_transform.as_str() {
        "identity" => GraphTransform::Identity,
        _ => GraphTransform::SignedLog1p,
    };
    let data = TrainingData { samples, ids: lines.iter().map(|(_, p)| p.id.clone()).collect(), labels };
    let settings = FitSettings {
        config: GcnConfig {
            input_width: space.shape.op_count + space.shape.feature_count,
            hidden: args.hidden,
            layers: args.layers,
            fc_hidden: args.fc_hidden,
            graph_features: graph_features.as_ref().map_or(0, FeatureSet::len),
        },
        training: TrainConfig {
            epochs: args.epochs,
            batch_size: args.batch,
            learning_rate: args.lr,
            weight_decay: args.weight_decay,
            dropout: args.dropout,
            seed: args.seed,
        },
        label_field: args.label.clone(),
        label_scale: scale,
        label_range: (scale.from_percent(range_percent.0), scale.from_percent(range_percent.1)),
        threshold: args.two_stage.then(|| scale.from_percent(args.threshold)),
        graph_features: graph_features.as_ref().map(|set| GraphFeatureRequest { names: set.names(), transform }),
        loss: RegressionLoss { rank_weight: args.rank_weight },
    };
    if !args.quiet {
        eprintln!(
            "gcn-train: {} lines of space {}, labels in {} ({}), {} parameters per network",
            data.labels.len(),
            space.name,
            scale.name(),
            if args.two_stage { "two stages" } else { "one stage" },
            settings.config.parameter_count()
        );
    }
    let mut settings = settings;
    if args.cv {
        let grid = Grid {
            learning_rates: args.cv_lr.clone(),
            weight_decays: args.cv_weight_decay.clone(),
            hidden_sizes: args.cv_hidden.clone(),
            epochs: args.cv_epochs.clone(),
            layers: args.cv_layers.clone(),
        };
        let results = cross_validate(&space, &data, &settings, &grid, args.cv_folds);
        eprintln!("gcn-train: {}-fold cross-validation, best first", args.cv_folds);
        eprintln!(
            "gcn-train: {:>8} {:>8} {:>6} {:>6} {:>6} {:>8} {:>8}",
            "lr", "wd", "hidden", "epochs", "layers", "tau", "mse"
        );
        for r in &results {
            eprintln!(
                "gcn-train: {:>8.0e} {:>8.0e} {:>6} {:>6} {:>6} {:>8.4} {:>8.4}",
                r.learning_rate, r.weight_decay, r.hidden, r.epochs, r.layers, r.kendall_tau, r.mse
            );
        }
        let best = results.first().ok_or_else(|| ToolError::usage("--cv needs at least one value per grid list"))?;
        settings.training.learning_rate = best.learning_rate;
        settings.training.weight_decay = best.weight_decay;
        settings.training.epochs = best.epochs;
        settings.config.layers = best.layers;
        settings.config.hidden = best.hidden;
        settings.config.hidden = widened_hidden(&settings.config, args.widen);
        eprintln!(
            "gcn-train: training on all {} lines with lr {:e}, weight decay {:e}, {} epochs, {} layers, hidden {} (widened from {})",
            data.labels.len(),
            best.learning_rate,
            best.weight_decay,
            best.epochs,
            best.layers,
            settings.config.hidden,
            best.hidden
        );
    }
    if let Some(steps) = args.steps {
        settings.training.epochs = settings.training.epochs_for_steps(steps, data.labels.len());
    }
    let previous = match &args.warm_start {
        Some(path) => {
            let bytes = std::fs::read(path).with_context(|| format!("cannot read model {}", path.display()))?;
            let previous = Predictor::from_onnx(&bytes)
                .map_err(|e| ToolError::bad_input(format!("--warm-start {}: {e}", path.display())))?;
            Some(previous)
        }
        None => None,
    };
    let epochs = settings.training.epochs;
    let quiet = args.quiet;
    let report = move |stage: &str, epoch: usize, loss: f64| {
        if !quiet && ((epoch + 1).is_multiple_of(50) || epoch + 1 == epochs) {
            eprintln!("gcn-train: {stage} epoch {}/{epochs} loss {loss:.4}", epoch + 1);
        }
    };
    let predictor = fit_from(&space, &data, &settings, previous.as_ref(), &report).map_err(ToolError::bad_input)?;
    write_file(&args.output, &predictor.to_onnx())
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("gcn-train", || train_tool(&args))
}
