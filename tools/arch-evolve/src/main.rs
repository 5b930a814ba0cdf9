//! `arch-evolve`: regularized evolution, trained by a benchmark table or by any command.

mod command;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use command::CommandTrainer;
use np_bench_tables::table::BenchTable;
use np_io::{Output, ToolError, run_tool};
use np_search::evaluation::drawn_run;
use np_search::evolution::{Domain, EvolutionSettings, regularized_evolution};
use np_search::{Evaluation, Evaluator, SearchLog, TableProtocolArgs, Universe};
use np_spaces::declared::registry::resolve_space;
use np_spaces::rng::stream_rng;
use np_spaces::{SearchSpace, SpaceVisitor, architecture_record, with_space};
use serde_json::{Map, Value};

const EXAMPLES: &str = "\
Examples:
  # 1000 trained architectures on NAS-Bench-Graph (Cora), answered in process
  arch-evolve --space nbgraph --table cora.bench --budget 1000 --seed 1 > history.jsonl
  topk -k 1 --by val_accuracy history.jsonl

  # a real trainer: any command that reads architecture lines and writes each back with
  # val_accuracy added (here the benchmark oracle stands in for it), 8 children per round
  arch-evolve --space nb101 --budget 200 --batch 8 \\
      --eval-cmd 'bench-query --table nasbench_only108.tfrecord --seed 1'

Writes every trained architecture, in training order, with `trained` (1, 2, ...) and its
answer (val_accuracy, test_accuracy, ...). An architecture is trained at most once per run.
Algorithm: P random architectures, then rounds of: S-member tournament, mutate the winner,
train the child, drop the oldest (Real et al. 2019; NAS-Bench-101's notebook).";

/// Regularized evolution over a search space.
#[derive(Parser, Debug)]
#[command(name = "arch-evolve", version, after_help = EXAMPLES)]
struct Args {
    /// Search space: nb101, nbgraph, nbgraph-proteins, proxyless, ...
    #[arg(long, default_value = "nb101")]
    space: String,

    #[command(flatten)]
    space_file: np_io::SpaceFileArg,

    /// Answer from this benchmark table in process (.bench, .tfrecord, NAS-Bench-201 .csv with
    /// --dataset and --search-epochs, or JSON lines); the search then stays inside the table.
    #[arg(long, value_name = "FILE", conflicts_with = "eval_cmd", required_unless_present = "eval_cmd")]
    table: Option<PathBuf>,

    #[command(flatten)]
    protocol: TableProtocolArgs,

    /// Train with this shell command instead: it reads architecture lines on stdin and writes
    /// each back, in order, with the --label field added.
    #[arg(long, value_name = "COMMAND")]
    eval_cmd: Option<String>,

    /// The validation-accuracy field of the command's answers.
    #[arg(long, default_value = "val_accuracy")]
    label: String,

    /// Architectures to train.
    #[arg(long, default_value_t = 1000)]
    budget: usize,

    /// Population size P.
    #[arg(long, default_value_t = 100)]
    population: usize,

    /// Tournament size S.
    #[arg(long, default_value_t = 10)]
    sample_size: usize,

    /// Children trained together per round (1 = the published algorithm).
    #[arg(long, default_value_t = 1)]
    batch: usize,

    /// Seed of the evolution: initial population, tournaments and mutations.
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Seed of the run drawn from a table's repeats (as bench-query --seed).
    #[arg(long, default_value_t = 0)]
    bench_seed: u64,

    /// Output file (default stdout), written atomically.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

enum Teacher<'t> {
    Table { table: &'t BenchTable, seed: u64 },
    Command(CommandTrainer),
}

/// Trains through the table or the command, writing each answer as it comes.
struct Trainer<'a, S> {
    space: &'a S,
    teacher: Teacher<'a>,
    output: Output,
    trained: usize,
    /// An output failure (e.g. a closed pipe), reported instead of the search's error.
    output_error: Option<ToolError>,
}

impl<S: SearchSpace> Trainer<'_, S> {
    fn write(&mut self, mut fields: Map<String, Value>) -> Result<(), String> {
        self.trained += 1;
        fields.insert("trained".into(), Value::from(self.trained));
        let line = serde_json::to_string(&fields).expect("records serialise");
        self.output.write_line(&line).map_err(|e| {
            self.output_error = Some(e);
            "cannot write the output".to_string()
        })
    }
}

impl<S: SearchSpace> Evaluator<S::Arch> for Trainer<'_, S> {
    fn evaluate(&mut self, batch: &[(S::Arch, String)]) -> Result<Vec<Evaluation>, String> {
        let records: Vec<Map<String, Value>> =
            batch.iter().map(|(arch, id)| architecture_record(self.space, arch, id.clone(), Map::new())).collect();
        let mut evaluations = Vec::with_capacity(batch.len());
        match &self.teacher {
            Teacher::Table { table, seed } => {
                let (table, seed) = (*table, *seed);
                for (mut record, (_, id)) in records.into_iter().zip(batch) {
                    let answer = table
                        .query(id, |runs| drawn_run(seed, id, runs))
                        .ok_or_else(|| format!("architecture {id} is not in the table"))?;
                    answer.write_fields(&mut record);
                    evaluations.push(Evaluation {
                        id: id.clone(),
                        val_accuracy: answer.val_accuracy,
                        test_accuracy: answer.test_accuracy,
                        train_seconds: answer.train_seconds,
                    });
                    self.write(record)?;
                }
            }
            Teacher::Command(trainer) => {
                let lines: Vec<String> =
                    records.iter().map(|r| serde_json::to_string(r).expect("records serialise")).collect();
                for ((line, mut evaluation), (_, id)) in trainer.train(&lines)?.into_iter().zip(batch) {
                    evaluation.id = id.clone();
                    let fields = match serde_json::from_str::<Value>(&line) {
                        Ok(Value::Object(fields)) => fields,
                        _ => return Err(format!("the training command's answer for {id} is not a JSON object")),
                    };
                    self.write(fields)?;
                    evaluations.push(evaluation);
                }
            }
        }
        Ok(evaluations)
    }
}

struct Evolve<'a>(&'a Args);

impl SpaceVisitor for Evolve<'_> {
    type Output = Result<(), ToolError>;

    fn visit<S: SearchSpace>(self, space: &S) -> Self::Output {
        let args = self.0;
        let settings =
            EvolutionSettings { population: args.population, sample_size: args.sample_size, batch: args.batch };
        if settings.population == 0 || settings.sample_size == 0 || settings.batch == 0 {
            return Err(ToolError::usage("--population, --sample-size and --batch must be positive"));
        }
        let table = match &args.table {
            Some(path) => Some(args.protocol.load(space, path)?),
            None => {
                args.protocol.check_unused()?;
                None
            }
        };
        let universe = match &table {
            Some(table) => Some(Universe::of_table(space, table).map_err(ToolError::bad_input)?.0),
            None => None,
        };
        let (domain, teacher) = match (&table, &universe, &args.eval_cmd) {
            (Some(table), Some(universe), _) => {
                (Domain::Table(universe), Teacher::Table { table, seed: args.bench_seed })
            }
            (_, _, Some(command)) => (
                Domain::Space,
                Teacher::Command(CommandTrainer { command: command.clone(), label: args.label.clone() }),
            ),
            _ => return Err(ToolError::usage("give --table or --eval-cmd")),
        };
        let mut trainer =
            Trainer { space, teacher, output: Output::create(args.output.as_deref())?, trained: 0, output_error: None };
        let mut log = SearchLog::new();
        let mut rng = stream_rng(args.seed);
        let outcome = regularized_evolution(space, &domain, settings, &mut rng, args.budget, &mut trainer, &mut log);
        if let Some(error) = trainer.output_error.take() {
            return Err(error);
        }
        outcome.map_err(|e| ToolError::Runtime(anyhow::anyhow!(e)))?;
        trainer.output.finish()?;
        if let Some(best) = log.best() {
            eprintln!(
                "arch-evolve: trained {} architectures; best by validation: {} (val {:.3}{})",
                log.trained(),
                best.id,
                best.val_accuracy,
                best.test_accuracy.map(|t| format!(", test {t:.3}")).unwrap_or_default()
            );
        }
        Ok(())
    }
}

#[global_allocator]
static ALLOCATOR: np_io::ToolAllocator = np_io::TOOL_ALLOCATOR;

fn main() -> ExitCode {
    let args = Args::parse();
    run_tool("arch-evolve", || {
        let space = resolve_space(&args.space, args.space_file.space_file.as_deref())?;
        with_space(&space, Evolve(&args)).map_err(|e| ToolError::usage(e.0))?
    })
}
