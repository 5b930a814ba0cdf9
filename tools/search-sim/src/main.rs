//! `search-sim`: simulate many independent NAS runs on a benchmark table.

mod plots;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use np_io::{Output, Progress, ToolError, run_tool};
use np_predictor::SpaceSignature;
use np_predictor::fit::FitSettings;
use np_search::TableProtocolArgs;
use np_search::evolution::EvolutionSettings;
use np_search::experiment::{ExperimentSettings, run_experiment};
use np_search::predictor_args::PredictorArgs;
use np_search::rounds_args::RoundsArgs;
use np_spaces::declared::registry::resolve_space;
use np_spaces::{SearchSpace, SpaceVisitor, with_space};

const EXAMPLES: &str = "\
Examples:
  # NAS-Bench-Graph (Cora): 100 trials of every method, 1000 trained models each
  search-sim --space nbgraph --table cora.bench --trials 100 -o cora.csv --summary cora.json --plots docs/cora

  # a quick look: 10 trials, two predictor sizes
  search-sim --space nbgraph --table citeseer.bench --trials 10 --n 43,172 --budget 300

The CSV has one row per method and budget (number of trained models): mean and standard
deviation over trials of the validation accuracy of the architecture the search would deploy
(best validation so far) and of its test accuracy, and the mean training time spent. The
summary (stderr, and JSON with --summary) gives the oracle, each method's accuracy at budgets
50/100/200/500/1000, how many times fewer trained models the Neural Predictor needs to reach
regularized evolution's final validation and test accuracy, and the predictor's Kendall tau
over the whole table. Trials run in parallel; the output depends only on the arguments.";

/// Simulate NAS runs on a benchmark table: oracle, random search, regularized evolution and
/// the Neural Predictor.
#[derive(Parser, Debug)]
#[command(name = "search-sim", version, after_help = EXAMPLES)]
struct Args {
    /// The benchmark table: NAS-Bench-Graph .bench, NAS-Bench-101 .tfrecord, NAS-Bench-201 .csv
    /// (with --dataset and --search-epochs), or JSON lines.
    #[arg(long, value_name = "FILE")]
    table: PathBuf,

    /// Search space of the table.
    #[arg(long, default_value = "nbgraph")]
    space: String,

    #[command(flatten)]
    space_file: np_io::SpaceFileArg,

    #[command(flatten)]
    protocol: TableProtocolArgs,

    /// Independent trials per method (the paper used 600).
    #[arg(long, default_value_t = 100)]
    trials: usize,

    /// Trained architectures per search.
    #[arg(long, default_value_t = 1000)]
    budget: usize,

    /// Training-set sizes N of the Neural Predictor (K = budget − N); N ≥ budget is dropped.
    #[arg(long, value_delimiter = ',', default_value = "43,86,129,172,344,860")]
    n: Vec<usize>,

    /// Methods to run (the oracle is always reported): random, evolution, predictor (the
    /// paper's one-shot Neural Predictor, one run per --n), predictor-rounds (the predictor
    /// refitted each round on everything trained, --round-batch trained per round).
    #[arg(long, value_delimiter = ',', default_value = "random,evolution,predictor")]
    methods: Vec<String>,

    /// The N shown in the methods figure (the nearest run N).
    #[arg(long, default_value_t = 172)]
    figure_n: usize,

    /// Seed of the trials (each trial and method draws from its own stream).
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Seed of the training run drawn from a table's repeats.
    #[arg(long, default_value_t = 0)]
    bench_seed: u64,

    /// Regularized evolution: population size P.
    #[arg(long, default_value_t = 100)]
    population: usize,

    /// Regularized evolution: tournament size S.
    #[arg(long, default_value_t = 10)]
    sample_size: usize,

    #[command(flatten)]
    predictor: PredictorArgs,

    #[command(flatten)]
    rounds: RoundsArgs,

    /// Two-stage predictor with this threshold in percent (e.g. 91 on NAS-Bench-101).
    #[arg(long)]
    two_stage: Option<f64>,

    /// The CSV of mean curves (default stdout).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Write the summary as JSON here too.
    #[arg(long, value_name = "FILE")]
    summary: Option<PathBuf>,

    /// Write each trial's figures here as CSV: method, n, trial, models_to_oracle (empty:
    /// never), rounds, kendall_tau, final_val, final_test.
    #[arg(long, value_name = "FILE")]
    per_trial: Option<PathBuf>,

    /// Write figures PREFIX-methods.{svg,png} and PREFIX-n-vs-k.{svg,png}.
    #[arg(long, value_name = "PREFIX")]
    plots: Option<String>,

    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

/// The methods `--methods` names.
const METHODS: [&str; 4] = ["random", "evolution", "predictor", "predictor-rounds"];

struct Simulate<'a>(&'a Args);

impl SpaceVisitor for Simulate<'_> {
    type Output = Result<(), ToolError>;

    fn visit<S: SearchSpace>(self, space: &S) -> Self::Output {
        let args = self.0;
        for method in &args.methods {
            if !METHODS.contains(&method.as_str()) {
                return Err(ToolError::usage(format!("unknown method '{method}' (known: {})", METHODS.join(", "))));
            }
        }
        let table = args.protocol.load(space, &args.table)?;
        let signature = SpaceSignature::of(space);
        let wants = |m: &str| args.methods.iter().any(|x| x == m);
        let budget = args.budget.min(table.len());
        let mut ns: Vec<usize> = if wants("predictor") {
            args.n.iter().copied().filter(|&n| n > 0 && n < budget).collect()
        } else {
            Vec::new()
        };
        ns.sort_unstable();
        ns.dedup();
        let dropped: Vec<String> = args.n.iter().filter(|n| !ns.contains(n)).map(|n| n.to_string()).collect();
        if wants("predictor") && !dropped.is_empty() && !args.quiet {
            eprintln!("search-sim: N = {} not below the budget of {budget}, left out", dropped.join(", "));
        }
        let settings = ExperimentSettings {
            trials: args.trials,
            budget,
            random: wants("random"),
            evolution: wants("evolution").then_some(EvolutionSettings {
                population: args.population,
                sample_size: args.sample_size,
                batch: 1,
            }),
            predictor_ns: ns,
            rounds: if wants("predictor-rounds") {
                Some(args.rounds.settings().map_err(ToolError::usage)?)
            } else {
                None
            },
            fit: FitSettings { threshold: args.two_stage, ..args.predictor.fit_settings(&signature) },
            seed: args.seed,
            bench_seed: args.bench_seed,
        };
        let methods_per_trial = settings.random as u64
            + settings.evolution.is_some() as u64
            + settings.predictor_ns.len() as u64
            + settings.rounds.is_some() as u64;
        let progress = Progress::new("search-sim", "searches", args.trials as u64 * methods_per_trial, !args.quiet);
        let started = std::time::Instant::now();
        let result =
            run_experiment(space, &table, &settings, &|units| progress.advance(units)).map_err(ToolError::bad_input)?;
        progress.finish();
        let seconds = started.elapsed().as_secs_f64();

        let mut csv = Output::create(args.output.as_deref())?;
        csv.write_bytes(report::curves_csv(&result).as_bytes())?;
        csv.finish()?;
        if let Some(path) = &args.per_trial {
            let mut out = Output::create(Some(path))?;
            out.write_bytes(report::trials_csv(&result).as_bytes())?;
            out.finish()?;
        }
        let summary = report::summary(&result, &settings, args.table.display().to_string(), space.name(), seconds);
        eprint!("{}", report::summary_text(&summary));
        if let Some(path) = &args.summary {
            let mut out = Output::create(Some(path))?;
            out.write_line(&serde_json::to_string_pretty(&summary).expect("summary serialises"))?;
            out.finish()?;
        }
        if let Some(prefix) = &args.plots {
            let mut name = args.table.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            if let Some(signal) = args.protocol.search_signal(space.name(), &args.table)? {
                name = format!("{name} {signal}");
            }
            plots::write_plots(&result, prefix, args.figure_n, &name)?;
        }
        Ok(())
    }
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("search-sim", || {
        let space = resolve_space(&args.space, args.space_file.space_file.as_deref())?;
        with_space(&space, Simulate(&args)).map_err(|e| ToolError::usage(e.0))?
    })
}
