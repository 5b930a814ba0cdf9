//! `arch-encode`: validate, canonicalise and encode architecture lines for predictors.

use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use np_encoding::{EncodingShape, FlatVector, GraphEncoding, flat_encoding};
use np_io::chunks::{DEFAULT_CHUNK_LINES, map_lines_in_order};
use np_io::records::RawLine;
use np_io::{InputOutputArgs, InvalidLinePolicy, Output, RecordReader, ToolError, run_tool};
use np_spaces::declared::registry::resolve_space;
use np_spaces::{RawFields, SearchSpace, SpaceVisitor, architecture_line, with_space};
use serde_json::Value;

const EXAMPLES: &str = "\
Examples:
  # encode sampled cells for the GCN predictor
  arch-sample --space nb101 --count 172 --seed 1 | arch-encode --format graph > train.enc.jsonl

  # canonicalise real NAS-Bench-101 records, keeping their other fields (labels flow through)
  arch-encode --space nb101 --format flat records.jsonl -o records.flat.jsonl

Input lines hold an architecture (nb101: \"adjacency\" + \"ops\", \"module_adjacency\" +
\"module_operations\", or a 56-integer NASLib tuple as \"naslib\" or as the whole line;
nb201: the official \"arch\" string, six edge \"ops\", or NASLib's six-integer \"naslib\").
Output lines: \"space\" and \"id\" first, every other input field unchanged, \"adjacency\" and
\"ops\" in canonical form, plus \"graph\" {nodes, adjacency, op_onehot[, node_features]} or
\"flat\" [numbers].";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Padded adjacency and one-hot ops (the GCN predictor's input), under "graph".
    Graph,
    /// One numeric vector (upper triangle + one-hot ops [+ node features]), under "flat".
    Flat,
    /// Only validate and canonicalise.
    None,
}

/// Validate, canonicalise and encode architecture lines for predictors.
#[derive(Parser, Debug)]
#[command(name = "arch-encode", version, after_help = EXAMPLES)]
struct Args {
    /// Search space of the input lines (a line's own "space" field must agree).
    #[arg(long, default_value = "nb101")]
    space: String,

    #[command(flatten)]
    space_file: np_io::SpaceFileArg,

    /// Encoding to add to each line.
    #[arg(long, value_enum, default_value_t = Format::Graph)]
    format: Format,

    /// Count invalid lines on stderr and go on, instead of stopping at the first.
    #[arg(long)]
    skip_invalid: bool,

    #[command(flatten)]
    io: InputOutputArgs,
}

struct Encode<'a>(&'a Args);

impl SpaceVisitor for Encode<'_> {
    type Output = Result<(), ToolError>;

    fn visit<S: SearchSpace>(self, space: &S) -> Self::Output {
        let args = self.0;
        let shape = EncodingShape::of(space);
        let reader = RecordReader::open(args.io.input.as_deref())?;
        let mut output = Output::create(args.io.output.as_deref())?;
        let mut invalid = InvalidLinePolicy::new(args.skip_invalid);
        map_lines_in_order(
            reader,
            DEFAULT_CHUNK_LINES,
            |lines| encode_lines(space, &shape, args.format, lines),
            |_, encoded| match encoded {
                Ok(text) => output.write_line(&text),
                Err(error) => invalid.handle(error),
            },
        )?;
        output.finish()?;
        invalid.report("arch-encode");
        Ok(())
    }
}

/// A line's architecture and its other fields, once validated.
struct ParsedLine<'a, A> {
    arch: A,
    fields: RawFields<'a>,
}

/// Reads a line's architecture, keeping its fields as raw text (only the space's own fields are
/// parsed). Lines that are not objects (a bare NASLib tuple) and broken lines take the slow path
/// through a JSON value, which also words the errors.
fn parse_line<'a, S: SearchSpace>(space: &S, line: &'a RawLine) -> Result<ParsedLine<'a, S::Arch>, ToolError> {
    let bad = |message: String| ToolError::bad_line(line.number, message);
    let Ok(fields) = RawFields::parse(&line.text) else {
        return parse_value_line(space, line);
    };
    if let Some(declared) = fields.read::<Value>("space") {
        let declared = declared.map_err(|e| bad(format!("not valid JSON: {e}")))?;
        if declared.as_str() != Some(space.name()) {
            return Err(bad(format!("record is from space {declared} but --space is '{}'", space.name())));
        }
    }
    let arch = space.parse_fields(&fields).map_err(|e| bad(e.0))?;
    Ok(ParsedLine { arch, fields })
}

fn parse_value_line<'a, S: SearchSpace>(space: &S, line: &'a RawLine) -> Result<ParsedLine<'a, S::Arch>, ToolError> {
    let value = line.parse_value()?;
    let bad = |message: String| ToolError::bad_line(line.number, message);
    if !matches!(value, Value::Array(_)) {
        return Err(bad("expected a JSON object (or an array tuple)".into()));
    }
    let arch = space.parse(&value).map_err(|e| bad(e.0))?;
    Ok(ParsedLine { arch, fields: RawFields::default() })
}

/// Encodes a batch of lines; ids are computed for the whole batch at once.
fn encode_lines<S: SearchSpace>(
    space: &S,
    shape: &EncodingShape,
    format: Format,
    lines: &[RawLine],
) -> Vec<Result<String, ToolError>> {
    let parsed: Vec<Result<ParsedLine<S::Arch>, ToolError>> =
        lines.iter().map(|line| parse_line(space, line)).collect();
    let archs: Vec<S::Arch> = parsed.iter().filter_map(|p| p.as_ref().ok()).map(|p| p.arch.clone()).collect();
    let mut ids = space.ids(&archs).into_iter();
    parsed
        .into_iter()
        .zip(lines)
        .map(|(result, raw_line)| {
            let ParsedLine { arch, fields } = result?;
            let id = ids.next().expect("one id per valid line");
            // An encoding from an earlier pass is replaced, not duplicated.
            let mut line = architecture_line(space, &arch, &id, &fields, &["graph", "flat"])
                .map_err(|e| ToolError::bad_line(raw_line.number, e.to_string()))?;
            match format {
                Format::Graph => line.push_json("graph", &GraphEncoding::json_of(&space.graph(&arch), shape)),
                Format::Flat => line.push("flat", &FlatVector(flat_encoding(&space.graph(&arch), shape))),
                Format::None => {}
            }
            Ok(line.finish())
        })
        .collect()
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("arch-encode", || {
        let space = resolve_space(&args.space, args.space_file.space_file.as_deref())?;
        with_space(&space, Encode(&args)).map_err(|e| ToolError::usage(e.0))?
    })
}
