//! `pareto-sim`: simulate searches for the accuracy–cost Pareto front on a benchmark table.

mod plots;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use np_io::{Output, Progress, ToolError, run_tool};
use np_predictor::SpaceSignature;
use np_search::TableProtocolArgs;
use np_search::pareto::{ParetoResult, ParetoSettings, TradeOff, run_pareto_experiment};
use np_search::predictor_args::PredictorArgs;
use np_spaces::declared::registry::resolve_space;
use np_spaces::{SearchSpace, SpaceVisitor, with_space};
use serde_json::{Value, json};

const EXAMPLES: &str = "\
Examples:
  # NAS-Bench-Graph (Cora): accuracy against latency, 10 trials of 300 trained models
  pareto-sim --space nbgraph --table cora.bench --cost latency --n 172 --budget 300 --trials 10 \\
    --lr 1e-3 --weight-decay 0 -o cora-latency.json --plots docs/figures/pareto-cora-latency

  # the 292 zc500 cells of NAS-Bench-101: accuracy against parameters
  pareto-sim --space nb101 --table zc500.jsonl --cost params --n 40 --budget 80 --trials 10

Each trial runs the Neural Predictor aimed at the front (N random members trained, the GCN
fitted, then the predicted front of (score, cost) trained layer by layer, the last layer
thinned by crowding distance) and random search with the same budget. Cost is read from the
table for free; only accuracy is paid for. The JSON (stdout or -o) gives the table's true
front (validation accuracy of the drawn runs), the reference point (worst accuracy, highest
cost), and each method's hypervolume divided by the true front's, per trial and as mean and
standard deviation. The output depends only on the arguments.";

/// Simulate searches for the accuracy–cost Pareto front: the Neural Predictor against random
/// search, by hypervolume.
#[derive(Parser, Debug)]
#[command(name = "pareto-sim", version, after_help = EXAMPLES)]
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

    /// The cost to minimise: `params`, or a numeric field of the table (`latency`, `flops_m`).
    #[arg(long, default_value = "latency")]
    cost: String,

    /// Independent trials per method.
    #[arg(long, default_value_t = 10)]
    trials: usize,

    /// Trained architectures per search (N + K).
    #[arg(long, default_value_t = 300)]
    budget: usize,

    /// Random training architectures of the predictor.
    #[arg(long, default_value_t = 172)]
    n: usize,

    /// Seed of the trials (each trial and method draws from its own stream).
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Seed of the training run drawn from a table's repeats.
    #[arg(long, default_value_t = 0)]
    bench_seed: u64,

    #[command(flatten)]
    predictor: PredictorArgs,

    /// The JSON summary (default stdout).
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Write the figure PREFIX.{svg,png}: the true front and trial 1's fronts.
    #[arg(long, value_name = "PREFIX")]
    plots: Option<String>,

    /// No progress bar.
    #[arg(short, long)]
    quiet: bool,
}

struct Simulate<'a>(&'a Args);

fn points_json(points: &[TradeOff]) -> Value {
    Value::Array(points.iter().map(|p| json!({"accuracy": p.accuracy, "cost": p.cost})).collect())
}

fn summary(args: &Args, space: &str, result: &ParetoResult, settings: &ParetoSettings) -> Value {
    let ((predictor_mean, predictor_std), (random_mean, random_std)) = result.ratios();
    json!({
        "table": args.table.file_name().map(|n| n.to_string_lossy().into_owned()),
        "space": space,
        "cost": settings.cost_field,
        "architectures": result.architectures,
        "trials": settings.trials,
        "budget": settings.budget.min(result.architectures),
        "n": settings.n,
        "seed": settings.seed,
        "reference": {"accuracy": result.reference.accuracy, "cost": result.reference.cost},
        "true_hypervolume": result.true_hypervolume,
        "true_front": points_json(&result.true_front),
        "predictor": {
            "ratio_mean": predictor_mean,
            "ratio_std": predictor_std,
            "ratios": result.trials.iter().map(|t| t.predictor_ratio).collect::<Vec<_>>(),
            "front_sizes": result.trials.iter().map(|t| t.predictor_front.len()).collect::<Vec<_>>(),
        },
        "random": {
            "ratio_mean": random_mean,
            "ratio_std": random_std,
            "ratios": result.trials.iter().map(|t| t.random_ratio).collect::<Vec<_>>(),
            "front_sizes": result.trials.iter().map(|t| t.random_front.len()).collect::<Vec<_>>(),
        },
    })
}

impl SpaceVisitor for Simulate<'_> {
    type Output = Result<(), ToolError>;

    fn visit<S: SearchSpace>(self, space: &S) -> Self::Output {
        let args = self.0;
        if args.trials == 0 || args.budget == 0 || args.n == 0 || args.n >= args.budget {
            return Err(ToolError::usage("need --trials ≥ 1 and 0 < --n < --budget"));
        }
        let table = args.protocol.load(space, &args.table)?;
        let signature = SpaceSignature::of(space);
        let settings = ParetoSettings {
            trials: args.trials,
            budget: args.budget,
            n: args.n,
            cost_field: args.cost.clone(),
            fit: args.predictor.fit_settings(&signature),
            seed: args.seed,
            bench_seed: args.bench_seed,
        };
        let progress = Progress::new("pareto-sim", "trials", args.trials as u64, !args.quiet);
        let started = std::time::Instant::now();
        let result = run_pareto_experiment(space, &table, &settings, &|units| progress.advance(units))
            .map_err(ToolError::bad_input)?;
        progress.finish();
        let ((pm, ps), (rm, rs)) = result.ratios();
        let name = args.table.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        eprintln!(
            "pareto-sim: {name}, accuracy against {}: {} architectures, true front of {}; {} trials of {} trained \
             (N = {}): hypervolume reached / true: Neural Predictor {pm:.4} ± {ps:.4}, random search {rm:.4} ± \
             {rs:.4} ({:.0} s)",
            args.cost,
            result.architectures,
            result.true_front.len(),
            args.trials,
            args.budget.min(result.architectures),
            args.n,
            started.elapsed().as_secs_f64()
        );
        let mut out = Output::create(args.output.as_deref())?;
        let text = serde_json::to_string_pretty(&summary(args, space.name(), &result, &settings)).expect("serialises");
        out.write_line(&text)?;
        out.finish()?;
        if let Some(prefix) = &args.plots {
            plots::write_fronts(&result, prefix, &name, &args.cost, args.budget.min(result.architectures))?;
        }
        Ok(())
    }
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("pareto-sim", || {
        let space = resolve_space(&args.space, args.space_file.space_file.as_deref())?;
        with_space(&space, Simulate(&args)).map_err(|e| ToolError::usage(e.0))?
    })
}
