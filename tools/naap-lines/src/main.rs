//! `naap-lines`: turn NAAP-440's published files into architecture lines with labels.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use np_io::{Output, ToolError, run_tool};
use np_naap440::{EPOCHS, NaapError, NaapModel};
use np_spaces::naap::Naap;
use np_spaces::{SearchSpace, architecture_record};

const EXAMPLES: &str = "\
Examples:
  # the 400 training models, scheme only, encoded for the GCN predictor
  naap-lines --csv naap440.csv --schemes generated_schemes.json --split train \\
    | arch-encode --space naap --format graph > train.jsonl

  # NAAP-440 as a closed space searched by its accuracy (a table for search-sim)
  naap-lines --csv naap440.csv --schemes generated_schemes.json --accuracy-field val_accuracy > naap440.table.jsonl

  # how well the accuracy after 9 epochs ranks the 40 test models (NAAP-440's monotonicity)
  naap-lines --csv naap440.csv --schemes generated_schemes.json --epochs 9 --split test \\
    | pred-eval --pred e9_accuracy --truth accuracy

Each line: {\"space\": \"naap\", \"id\", \"model_id\", \"is_test\" (0/1), \"scheme\", \"accuracy\"
(MaxAccuracy: the best CIFAR-10 test accuracy over 90 epochs, a fraction), \"num_params\",
\"num_macs\", \"num_layers\", \"num_stages\", \"first_layer_width\", \"last_layer_width\"}, then
with --epochs E: e1_accuracy..eE_accuracy, e1_loss_mean..eE_loss_mean,
e1_loss_median..eE_loss_median. Lines are in ModelId order. Both files are checked against
each other; an unexpected row stops the tool naming the file and line.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Split {
    /// The 400 models with IsTest = 0.
    Train,
    /// The 40 models with IsTest = 1.
    Test,
    /// All 440 models.
    All,
}

/// Turn NAAP-440's published files into architecture lines with labels.
#[derive(Parser, Debug)]
#[command(name = "naap-lines", version, after_help = EXAMPLES)]
struct Args {
    /// The dataset table, naap440.csv.
    #[arg(long, value_name = "FILE")]
    csv: PathBuf,

    /// The scheme list, generated_schemes.json.
    #[arg(long, value_name = "FILE")]
    schemes: PathBuf,

    /// Add the results of the first E epochs as features (0: the scheme only).
    #[arg(long, value_name = "E", default_value_t = 0, value_parser = clap::value_parser!(u8).range(0..=EPOCHS as i64))]
    epochs: u8,

    /// Which models to write.
    #[arg(long, value_enum, default_value_t = Split::All)]
    split: Split,

    /// The field MaxAccuracy is written as: `val_accuracy` makes the lines a benchmark table
    /// that bench-query, search-sim and arch-evolve read (NAAP-440 as a closed space of 440;
    /// it has no separate validation, so the search signal is this accuracy).
    #[arg(long, value_name = "NAME", default_value = "accuracy")]
    accuracy_field: String,

    /// Output file (default: stdout). Written to a temporary file and renamed when complete.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: Option<PathBuf>,
}

fn keep(model: &NaapModel, split: Split) -> bool {
    match split {
        Split::Train => !model.row.is_test,
        Split::Test => model.row.is_test,
        Split::All => true,
    }
}

fn write_lines(args: &Args) -> Result<(), ToolError> {
    let models = np_naap440::load(&args.csv, &args.schemes).map_err(|error| match error {
        NaapError::Unreadable(message) => ToolError::Runtime(anyhow::Error::msg(message)),
        NaapError::Invalid(message) => ToolError::bad_input(message),
    })?;
    let space = Naap::new();
    let taken = |name: &str| {
        ["space", "id"].contains(&name)
            || models.first().is_some_and(|m| m.fields(args.epochs.into()).contains_key(name))
    };
    if args.accuracy_field != "accuracy" && taken(&args.accuracy_field) {
        return Err(ToolError::usage(format!(
            "--accuracy-field {}: the lines already have a field of that name",
            args.accuracy_field
        )));
    }
    let mut output = Output::create(args.output.as_deref())?;
    for model in models.iter().filter(|model| keep(model, args.split)) {
        let mut fields = model.fields(args.epochs.into());
        if args.accuracy_field != "accuracy" {
            let accuracy = fields.remove("accuracy").expect("every model has its accuracy");
            fields.insert(args.accuracy_field.clone(), accuracy);
        }
        let record = architecture_record(&space, &model.scheme, space.id(&model.scheme), fields);
        output.write_line(&serde_json::to_string(&record).expect("records serialise"))?;
    }
    output.finish()
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("naap-lines", || write_lines(&args))
}
