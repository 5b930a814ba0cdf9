//! `arch-cost`: add trainable parameters and FLOPs to architecture lines.

use std::process::ExitCode;

use clap::Parser;
use np_io::chunks::{DEFAULT_CHUNK_LINES, map_lines_in_order};
use np_io::records::{RawLine, json_kind};
use np_io::{InputOutputArgs, InvalidLinePolicy, Output, RecordReader, ToolError, run_tool};
use np_spaces::SearchSpace;
use np_spaces::nb101::cost::{NetworkCost, network_cost};
use np_spaces::nb101::json::spec_from_record;
use np_spaces::nb201::Nb201;
use np_spaces::nb201::cost::{Dataset, FlopsConvention, flops, trainable_parameters};
use serde_json::Value;

const EXAMPLES: &str = "\
Examples:
  # accuracy against size: score every cell, add its cost, keep the non-dominated 20
  arch-sample --all | gcn-score -m model.onnx | arch-cost | topk --pareto pred:max,params:min -k 20

  # the cheapest of 1000 random cells by FLOPs
  arch-sample --count 1000 --seed 1 | arch-cost | topk -k 10 --by flops --asc

  # the dataset's count for any spelling of a cell: canonicalise first
  arch-encode --format none cells.jsonl | arch-cost

  # NAS-Bench-201 cells on ImageNet16-120, FLOPs as NAS-Bench-Suite-Zero counts them
  arch-sample --space nb201 --count 100 --seed 1 | arch-cost --space nb201 --dataset imagenet16 --flops torchstat

Input lines hold a cell in any form arch-encode accepts (\"adjacency\" + \"ops\",
\"module_adjacency\" + \"module_operations\", a 56-integer NASLib tuple as \"naslib\" or as the
whole line). Each line is written back unchanged with \"params\" (trainable parameters) and
\"flops\" (one 32x32x3 image; multiply-adds of convolutions and the dense layer, plus batch
norm, ReLU and max-pool operations, as NAS-Bench-Suite-Zero counts them) appended, or replaced
where the line has them; a bare tuple becomes {\"naslib\": TUPLE, \"params\": .., \"flops\": ..}.
The cell is pruned but kept in its own vertex order: isomorphic spellings can differ by the
channels the cell's channel split hands to its first vertices (see docs/COST.md).
With --space nb201, lines hold a NAS-Bench-201 cell in any form the space reads; \"params\"
and \"flops\" are those of the benchmark's network around the cell for --dataset (cifar10 and
cifar100 on 32x32 images, imagenet16 on 16x16; the head has 10, 100 or 120 classes; cifar10's
params is the table's params_m in units). --flops api (default) counts as the benchmark's API
does (multiply-adds of convolutions and the linear layer, with its bias); --flops torchstat as
NAS-Bench-Suite-Zero does (plus batch norm, ReLU and pooling). A bare array becomes
{\"naslib\"|\"ops\": ARRAY, \"params\": .., \"flops\": ..}.";

/// Add trainable parameters and FLOPs to architecture lines.
#[derive(Parser, Debug)]
#[command(name = "arch-cost", version, after_help = EXAMPLES)]
struct Args {
    /// Search space of the input lines: nb101 or nb201.
    #[arg(long, default_value = "nb101")]
    space: String,

    /// nb201 only: the dataset whose network is costed (cifar10, cifar100, imagenet16).
    #[arg(long)]
    dataset: Option<String>,

    /// nb201 only: how FLOPs are counted, api (the benchmark's API) or torchstat
    /// (NAS-Bench-Suite-Zero's counts). nb101 FLOPs are always torchstat's.
    #[arg(long)]
    flops: Option<String>,

    /// Count invalid lines on stderr and go on, instead of stopping at the first.
    #[arg(long)]
    skip_invalid: bool,

    #[command(flatten)]
    io: InputOutputArgs,
}

/// The cost of one line's cell, or why the line has none.
fn line_cost(line: &RawLine) -> Result<(Value, NetworkCost), ToolError> {
    let value = line.parse_value()?;
    let bad = |message: String| ToolError::bad_line(line.number, message);
    match &value {
        Value::Object(fields) => match fields.get("space") {
            Some(space) if space.as_str() != Some("nb101") => {
                return Err(bad(format!("record is from space {space} but arch-cost models nb101 only")));
            }
            _ => {}
        },
        Value::Array(_) => {}
        other => return Err(bad(format!("expected a JSON object (or an array tuple), got {}", json_kind(other)))),
    }
    let cell = spec_from_record(&value).and_then(|spec| spec.prune_and_validate()).map_err(|e| bad(e.0))?;
    Ok((value, network_cost(&cell)))
}

/// `value` (the line's JSON) with `numbers` added: appended to the text when none is there
/// yet, so every other byte stays; a bare array becomes `{bare_key: ARRAY, numbers..}`.
fn with_numbers(line: &RawLine, value: Value, numbers: &[(&str, u64)], bare_key: &str) -> String {
    let appended: String = numbers.iter().map(|(key, number)| format!(",\"{key}\":{number}")).collect();
    match value {
        Value::Object(mut fields) if numbers.iter().any(|(key, _)| fields.contains_key(*key)) => {
            for (key, number) in numbers {
                fields.insert(key.to_string(), Value::from(*number));
            }
            serde_json::to_string(&fields).expect("records serialise")
        }
        Value::Object(_) => {
            let body = line.text.trim_end();
            let open = body.strip_suffix('}').expect("a JSON object ends with '}'");
            format!("{open}{appended}}}")
        }
        _ => format!("{{\"{bare_key}\":{}{appended}}}", line.text.trim()),
    }
}

/// An nb101 line with `params` and `flops`.
fn costed_line(line: &RawLine) -> Result<String, ToolError> {
    let (value, cost) = line_cost(line)?;
    Ok(with_numbers(line, value, &[("params", cost.trainable_parameters), ("flops", cost.flops)], "naslib"))
}

/// How an nb201 network is costed: for which dataset, FLOPs in which convention.
struct Nb201Costing {
    dataset: Dataset,
    convention: FlopsConvention,
}

impl Nb201Costing {
    /// The costing the flags name (cifar10 and the API's convention by default).
    fn from_args(args: &Args) -> Result<Self, ToolError> {
        let dataset = match args.dataset.as_deref() {
            None => Dataset::Cifar10,
            Some(name) => Dataset::from_name(name).ok_or_else(|| {
                ToolError::usage(format!("unknown --dataset '{name}' (known: cifar10, cifar100, imagenet16)"))
            })?,
        };
        let convention = match args.flops.as_deref() {
            None => FlopsConvention::Api,
            Some(name) => FlopsConvention::from_name(name)
                .ok_or_else(|| ToolError::usage(format!("unknown --flops '{name}' (known: api, torchstat)")))?,
        };
        Ok(Nb201Costing { dataset, convention })
    }
}

/// An nb201 line with `params` and `flops` of the costing's network.
fn nb201_costed_line(space: &Nb201, costing: &Nb201Costing, line: &RawLine) -> Result<String, ToolError> {
    let value = line.parse_value()?;
    let bad = |message: String| ToolError::bad_line(line.number, message);
    if let Some(other) = value.get("space").filter(|s| s.as_str() != Some("nb201")) {
        return Err(bad(format!("record is from space {other}, not nb201")));
    }
    let cell = space.parse(&value).map_err(|e| bad(e.0))?;
    let params = trainable_parameters(&cell, costing.dataset);
    let flops = flops(&cell, costing.dataset, costing.convention);
    let bare_key =
        if value.as_array().is_some_and(|items| items.iter().all(Value::is_number)) { "naslib" } else { "ops" };
    Ok(with_numbers(line, value, &[("params", params), ("flops", flops)], bare_key))
}

fn cost_tool(args: &Args) -> Result<(), ToolError> {
    if !["nb101", "nb201"].contains(&args.space.as_str()) {
        return Err(ToolError::usage(format!("no cost model for space '{}' (known: nb101, nb201)", args.space)));
    }
    if args.space == "nb101" && (args.dataset.is_some() || args.flops.is_some()) {
        return Err(ToolError::usage("--dataset and --flops apply to --space nb201 only".to_string()));
    }
    let nb201 = Nb201::new();
    let costing = Nb201Costing::from_args(args)?;
    let costed = |line: &RawLine| match args.space.as_str() {
        "nb201" => nb201_costed_line(&nb201, &costing, line),
        _ => costed_line(line),
    };
    let reader = RecordReader::open(args.io.input.as_deref())?;
    let mut output = Output::create(args.io.output.as_deref())?;
    let mut invalid = InvalidLinePolicy::new(args.skip_invalid);
    map_lines_in_order(
        reader,
        DEFAULT_CHUNK_LINES,
        |lines| lines.iter().map(costed).collect(),
        |_, costed| match costed {
            Ok(text) => output.write_line(&text),
            Err(error) => invalid.handle(error),
        },
    )?;
    output.finish()?;
    invalid.report("arch-cost");
    Ok(())
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("arch-cost", || cost_tool(&args))
}
