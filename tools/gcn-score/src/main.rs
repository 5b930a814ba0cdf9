//! `gcn-score`: add predicted accuracy (`pred`, and `p_good` for two-stage predictors) to
//! architecture lines, with any predictor file the project writes: a GCN (`gcn-train`) or
//! gradient-boosted trees on line features (`gbt-train`).

use std::borrow::Cow;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use np_encoding::{EncodingShape, GraphBits, GraphEncoding};
use np_gcn::GraphSample;
use np_io::chunks::{DEFAULT_CHUNK_LINES, map_lines_in_order};
use np_io::records::RawLine;
use np_io::{InputOutputArgs, InvalidLinePolicy, Output, RecordReader, ToolError, run_tool};
use np_ort::{Device, OrtFeaturePredictor, OrtPredictor};
use np_predictor::graph_inputs::GraphFeatures;
use np_predictor::{
    NativeScorer, Predictor, SpaceSignature, encode_architecture_fields, graph_sample_from_bits,
    graph_sample_with_features,
};
use np_spaces::{RawFields, line_object_with_fields};
use np_trees::{FeatureSet, TreePredictor};
use serde_json::Value;

const EXAMPLES: &str = "\
Examples:
  # score every NAS-Bench-101 cell and keep the 100 best predictions
  arch-sample --all | arch-encode | gcn-score -m model.onnx | topk -k 100 --by pred

  # 4 shards in parallel; the concatenation equals the unsharded output
  split -n l/4 -d pool.jsonl part. && ls part.* | xargs -P 4 -I{} gcn-score -m model.onnx {} -o {}.scored

  # on an NVIDIA GPU (build with --features cuda, onnxruntime-gpu's library in ORT_DYLIB_PATH)
  gcn-score -m model.onnx --device cuda pool.jsonl

  # a GCN trained with graph-level inputs (gcn-train --graph-features 'proxies.*'):
  # each line needs those fields too
  gcn-score -m model.onnx zc500.graph.jsonl

  # a tree predictor from gbt-train: the lines need the features it was trained on
  arch-encode --format flat zc500.jsonl | gcn-score -m trees.onnx

For a GCN file, input lines are encoded architectures (arch-encode --format graph) or plain
architecture lines (arch-sample output), which are encoded on the fly; a GCN trained with
graph-level inputs also reads the numeric fields its metadata lists. For a tree file, each
line must carry the numeric fields the file lists (and `flat` if it was trained with --flat);
a missing or non-numeric one stops the tool with the line's number. Each line is written back unchanged with
\"pred\" (and \"p_good\") appended, in input order. The ONNX Runtime library is found through ORT_DYLIB_PATH or the project's .venv
(installed by `make setup`).";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Backend {
    /// ONNX Runtime, through the `ort` crate.
    Ort,
    /// The same weights (or trees) run by this project's Rust code.
    Native,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DeviceArg {
    Cpu,
    Cuda,
}

/// Score encoded architectures with an exported predictor.
#[derive(Parser, Debug)]
#[command(name = "gcn-score", version, after_help = EXAMPLES)]
struct Args {
    /// The predictor file written by gcn-train or gbt-train.
    #[arg(short = 'm', long = "model", value_name = "FILE")]
    model: PathBuf,

    #[arg(long, value_enum, default_value_t = Backend::Ort)]
    backend: Backend,

    /// The spec file of a space of your own (docs/SPACES.md). Rarely needed: a predictor
    /// trained on a declared space carries its spec; a different spec of the same name is
    /// refused.
    #[arg(long, value_name = "FILE")]
    space_file: Option<PathBuf>,

    /// Execution device for the ort backend; cuda fails loudly when unavailable.
    #[arg(long, value_enum, default_value_t = DeviceArg::Cpu)]
    device: DeviceArg,

    /// Lines per inference call (default 1024 on CPU, 16384 on CUDA).
    #[arg(long)]
    batch: Option<usize>,

    /// Count invalid lines on stderr and go on, instead of stopping at the first.
    #[arg(long)]
    skip_invalid: bool,

    #[command(flatten)]
    io: InputOutputArgs,
}

/// What the predictor file holds, told apart by its `format` metadata.
enum Model {
    /// `graph_features`: the line fields of the predictor's graph-level inputs, if it has any.
    Gcn {
        predictor: Box<Predictor>,
        shape: EncodingShape,
        graph_features: Option<FeatureSet>,
    },
    Trees(Box<TreePredictor>),
}

/// A line's model input.
enum ModelInput {
    /// The graph and the raw graph-level inputs (empty when the predictor has none), for ONNX
    /// Runtime.
    Graph(GraphEncoding, Vec<f64>),
    /// The same as the native forward pass's input, built while parsing (on the thread pool,
    /// not in the sequential scorer).
    Sample(GraphSample<f32>),
    Features(Vec<f64>),
}

/// What parsing a line finds (on the pool); the sink adds the line's text.
struct ParsedLine {
    input: ModelInput,
    /// The line already has `pred`/`p_good`: rewrite it instead of appending.
    rescored: bool,
}

/// A line ready to score.
struct PendingLine {
    text: String,
    input: ModelInput,
    /// The line already has `pred`/`p_good`: rewrite it instead of appending.
    rescored: bool,
}

enum Scorer<'m> {
    /// Keeps the node states it computed between batches.
    Native(Box<NativeScorer<'m>>),
    /// With the standardisation of the graph-level inputs, applied before the model.
    Ort(OrtPredictor, Option<GraphFeatures>),
    TreesNative(Box<TreePredictor>),
    TreesOrt(OrtFeaturePredictor),
}

fn load_model(path: &std::path::Path, bytes: &[u8]) -> Result<Model, ToolError> {
    let bad = |e: String| ToolError::usage(format!("{}: {e}", path.display()));
    let format = np_trees::file_format(bytes).map_err(bad)?;
    if format == np_trees::FORMAT {
        return Ok(Model::Trees(Box::new(TreePredictor::from_onnx(bytes).map_err(bad)?)));
    }
    if format != np_predictor::meta::FORMAT {
        return Err(bad(format!(
            "unknown predictor format '{format}' (this version reads '{}' and '{}')",
            np_predictor::meta::FORMAT,
            np_trees::FORMAT
        )));
    }
    let predictor = Predictor::from_onnx(bytes).map_err(bad)?;
    let shape = EncodingShape {
        max_nodes: predictor.meta.max_nodes,
        op_count: predictor.meta.op_vocabulary.len(),
        feature_count: predictor.meta.node_features.len(),
        fixed_topology: false,
        // The edge limit of the predictor's space, which every line is read in (a space this
        // version does not know has none).
        max_edges: SpaceSignature::named(&predictor.meta.space).ok().and_then(|space| space.shape.max_edges),
    };
    // The same feature code as gbt-train: a line means the same numbers to both.
    let graph_features =
        predictor.meta.graph_features.as_ref().map(|features| FeatureSet::new(features.names.clone(), None, None));
    Ok(Model::Gcn { predictor: Box::new(predictor), shape, graph_features })
}

fn parse_line(line: &RawLine, model: &Model, backend: Backend) -> Result<ParsedLine, ToolError> {
    let parsed = parse_model_input(line, model, backend)?;
    if parsed.rescored {
        // Its scores are replaced in a value of the whole line when it is written: a field
        // serde_json cannot hold (a number beyond f64, a lone surrogate) is found now, as a bad
        // line, not then.
        line.parse_object()?;
    }
    Ok(parsed)
}

fn parse_model_input(line: &RawLine, model: &Model, backend: Backend) -> Result<ParsedLine, ToolError> {
    match model {
        Model::Gcn { predictor, shape, graph_features } => {
            let mut pending = parse_graph_line(line, predictor, shape, graph_features.as_ref(), backend)?;
            if backend == Backend::Native
                && let ModelInput::Graph(graph, values) = &pending.input
            {
                pending.input = ModelInput::Sample(graph_sample_with_features(graph, values));
            }
            Ok(pending)
        }
        Model::Trees(predictor) => {
            // Only the fields the trees read, and the scores a rescored line already has.
            let set = &predictor.meta.features;
            let record = line_object_with_fields(line, |key| set.reads_key(key) || key == "pred" || key == "p_good")?;
            let features = set.values(&record, line.number)?;
            let rescored = record.get("pred").is_some() || record.get("p_good").is_some();
            Ok(ParsedLine { input: ModelInput::Features(features), rescored })
        }
    }
}

fn parse_graph_line(
    line: &RawLine,
    predictor: &Predictor,
    shape: &EncodingShape,
    graph_features: Option<&FeatureSet>,
    backend: Backend,
) -> Result<ParsedLine, ToolError> {
    let bad = |message: String| ToolError::bad_line(line.number, message);
    if !line.text.trim_end().ends_with('}') {
        return Err(bad("expected a JSON object".into()));
    }
    let fields = RawFields::parse(&line.text).map_err(|e| bad(format!("not an encoded architecture line: {e}")))?;
    match fields.read::<Option<Cow<str>>>("space") {
        Some(Ok(Some(space))) if space != predictor.meta.space => {
            return Err(bad(format!("space '{space}' but the predictor was trained on '{}'", predictor.meta.space)));
        }
        Some(Err(_)) => return Err(bad("field 'space' must be a string".into())),
        _ => {}
    }
    let rescored = fields.get("pred").is_some() || fields.get("p_good").is_some();
    let graph_text = fields.get("graph").filter(|&text| text != "null");
    let feature_values = || match graph_features {
        Some(set) => {
            // Only the fields the graph-level inputs read, not the whole line (its graph above all).
            let record =
                fields.to_value_where(|key| set.reads_key(key)).map_err(|e| bad(format!("not valid JSON: {e}")))?;
            set.values(&record, line.number)
        }
        None => Ok(Vec::new()),
    };
    // The native backend's input straight from the usual compact text (the general reader
    // below builds a vector per matrix row first); any other text goes the general way.
    if backend == Backend::Native
        && let Some(bits) = graph_text.and_then(|text| GraphBits::from_compact_json(text, shape))
    {
        let input = ModelInput::Sample(graph_sample_from_bits(&bits, &feature_values()?));
        return Ok(ParsedLine { input, rescored });
    }
    let graph = match graph_text {
        Some(text) => GraphEncoding::from_json(text).map_err(|e| bad(format!("invalid 'graph' field: {e}")))?,
        // A plain architecture line: encode it here.
        None => encode_architecture_fields(&predictor.meta.space, &fields).map_err(|e| {
            bad(format!("no 'graph' field, and not a valid {} architecture: {e}", predictor.meta.space))
        })?,
    };
    graph.check_shape(shape).map_err(|e| bad(format!("{e} (the predictor's space is {})", predictor.meta.space)))?;
    Ok(ParsedLine { input: ModelInput::Graph(graph, feature_values()?), rescored })
}

fn graph(line: &PendingLine) -> (&GraphEncoding, &[f64]) {
    match &line.input {
        ModelInput::Graph(graph, values) => (graph, values),
        _ => unreachable!("a GCN file's lines are parsed into graphs for ONNX Runtime"),
    }
}

fn sample(line: &PendingLine) -> &GraphSample<f32> {
    match &line.input {
        ModelInput::Sample(sample) => sample,
        _ => unreachable!("a GCN file's lines are parsed into samples for the native backend"),
    }
}

fn features(line: &PendingLine) -> &[f64] {
    match &line.input {
        ModelInput::Features(features) => features,
        _ => unreachable!("a tree file's lines are parsed into feature vectors"),
    }
}

fn ort_error(error: np_ort::RuntimeError) -> ToolError {
    ToolError::Runtime(anyhow::anyhow!("ONNX Runtime: {error}"))
}

fn score_batch(
    scorer: &mut Scorer<'_>,
    shape: &EncodingShape,
    lines: &[PendingLine],
) -> Result<Vec<(f32, Option<f32>)>, ToolError> {
    match scorer {
        Scorer::TreesNative(predictor) => {
            Ok(lines.iter().map(|line| (predictor.ensemble.predict(features(line)), None)).collect())
        }
        Scorer::TreesOrt(session) => {
            let values: Vec<f32> = lines.iter().flat_map(|line| features(line).iter().map(|&x| x as f32)).collect();
            let pred = session.run(lines.len(), &values).map_err(ort_error)?;
            Ok(pred.into_iter().map(|p| (p, None)).collect())
        }
        Scorer::Native(predictor) => {
            let samples: Vec<&GraphSample<f32>> = lines.iter().map(sample).collect();
            let scores = predictor.score(&samples);
            Ok(scores.iter().map(|s| (s.pred as f32, s.p_good.map(|p| p as f32))).collect())
        }
        Scorer::Ort(session, scaling) => {
            let n = shape.max_nodes;
            let batch = lines.len();
            let mut adjacency = Vec::with_capacity(batch * n * n);
            let mut onehot = Vec::with_capacity(batch * n * shape.op_count);
            let mut features = Vec::with_capacity(batch * n * shape.feature_count);
            let mut mask = Vec::with_capacity(batch * n);
            let mut graph_features = Vec::new();
            for line in lines {
                let (g, values) = graph(line);
                if let Some(scaling) = scaling {
                    // The same f32 raw values and f64 standardisation as the native backend.
                    let raw = values.iter().map(|&x| x as f32).collect();
                    graph_features.extend(scaling.scale(&raw));
                }
                adjacency.extend(g.adjacency.iter().flatten().map(|&b| b as f32));
                onehot.extend(g.op_onehot.iter().flatten().map(|&b| b as f32));
                features.extend(g.node_features.iter().flatten().map(|&x| x as f32));
                mask.extend((0..n).map(|i| if i < g.nodes { 1.0f32 } else { 0.0 }));
            }
            let features = (shape.feature_count > 0).then_some(features.as_slice());
            let graph_features = scaling.is_some().then_some(graph_features.as_slice());
            let (pred, p_good) = session
                .run_with_graph_features(batch, n, &adjacency, &onehot, features, &mask, graph_features)
                .map_err(ort_error)?;
            Ok((0..batch).map(|i| (pred[i], p_good.as_ref().map(|p| p[i]))).collect())
        }
    }
}

fn write_scored(output: &mut Output, line: &PendingLine, pred: f32, p_good: Option<f32>) -> Result<(), ToolError> {
    let number = |x: f32| serde_json::to_string(&x).expect("finite scores serialise");
    if line.rescored {
        let mut value: Value = serde_json::from_str(&line.text).expect("parsed before");
        let fields = value.as_object_mut().expect("an object");
        fields.insert("pred".into(), serde_json::from_str(&number(pred)).expect("number"));
        if let Some(p) = p_good {
            fields.insert("p_good".into(), serde_json::from_str(&number(p)).expect("number"));
        }
        return output.write_line(&serde_json::to_string(&value).expect("serialisable"));
    }
    // The line up to its closing brace, then the scores: written as two pieces, not copied
    // into a new line first.
    let body = line.text.trim_end();
    let mut scores = String::with_capacity(48);
    scores.push_str(",\"pred\":");
    scores.push_str(&number(pred));
    if let Some(p) = p_good {
        scores.push_str(",\"p_good\":");
        scores.push_str(&number(p));
    }
    scores.push_str("}\n");
    output.write_bytes(&body.as_bytes()[..body.len() - 1])?;
    output.write_bytes(scores.as_bytes())
}

fn score_tool(args: &Args) -> Result<(), ToolError> {
    if let Some(path) = &args.space_file {
        np_spaces::declared::declare_file(path)?;
    }
    let bytes = std::fs::read(&args.model).with_context(|| format!("cannot read model {}", args.model.display()))?;
    let model = load_model(&args.model, &bytes)?;
    // Only the GCN reads it; a tree file's lines carry their feature vectors.
    let shape = match &model {
        Model::Gcn { shape, .. } => *shape,
        Model::Trees(_) => {
            EncodingShape { max_nodes: 0, op_count: 0, feature_count: 0, fixed_topology: false, max_edges: None }
        }
    };
    let default_batch = if args.device == DeviceArg::Cuda { 16384 } else { 1024 };
    let batch = args.batch.unwrap_or(default_batch).max(1);
    let mut scorer = match (args.backend, args.device) {
        (Backend::Native, DeviceArg::Cuda) => return Err(ToolError::usage("--device cuda needs --backend ort")),
        (Backend::Native, DeviceArg::Cpu) => match &model {
            Model::Gcn { predictor, .. } => Scorer::Native(Box::new(predictor.native_scorer())),
            Model::Trees(predictor) => Scorer::TreesNative(predictor.clone()),
        },
        (Backend::Ort, device) => {
            let runtime = |e: np_ort::RuntimeError| ToolError::Runtime(anyhow::anyhow!("{e}"));
            np_ort::init_runtime().map_err(runtime)?;
            let device = if device == DeviceArg::Cuda { Device::Cuda { device_id: 0 } } else { Device::Cpu };
            match &model {
                Model::Gcn { predictor, .. } => Scorer::Ort(
                    OrtPredictor::load(&bytes, device, None).map_err(runtime)?,
                    predictor.meta.graph_features.clone(),
                ),
                Model::Trees(_) => Scorer::TreesOrt(OrtFeaturePredictor::load(&bytes, device, None).map_err(runtime)?),
            }
        }
    };
    let reader = RecordReader::open(args.io.input.as_deref())?;
    let mut output = Output::create(args.io.output.as_deref())?;
    let mut invalid = InvalidLinePolicy::new(args.skip_invalid);
    let mut pending: Vec<PendingLine> = Vec::with_capacity(batch);
    let mut flush = |pending: &mut Vec<PendingLine>, output: &mut Output| -> Result<(), ToolError> {
        if pending.is_empty() {
            return Ok(());
        }
        let scores = score_batch(&mut scorer, &shape, pending)?;
        for (line, (pred, p_good)) in pending.iter().zip(scores) {
            write_scored(output, line, pred, p_good)?;
        }
        pending.clear();
        Ok(())
    };
    map_lines_in_order(
        reader,
        DEFAULT_CHUNK_LINES.max(batch),
        |lines| lines.iter().map(|line| parse_line(line, &model, args.backend)).collect(),
        |line, parsed| {
            match parsed {
                // The text moves from the reader's line, uncopied.
                Ok(ParsedLine { input, rescored }) => pending.push(PendingLine { text: line.text, input, rescored }),
                Err(error) => invalid.handle(error)?,
            }
            if pending.len() >= batch { flush(&mut pending, &mut output) } else { Ok(()) }
        },
    )?;
    flush(&mut pending, &mut output)?;
    output.finish()?;
    invalid.report("gcn-score");
    Ok(())
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("gcn-score", || score_tool(&args))
}
