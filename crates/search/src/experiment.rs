//! The paper's simulated experiment (Wen et al., Figures 4 and 7): many independent trials of
//! each search method on one benchmark table, averaged into best-so-far curves.

use np_bench_tables::table::BenchTable;
use np_predictor::SpaceSignature;
use np_predictor::fit::FitSettings;
use np_spaces::SearchSpace;
use np_spaces::rng::uniform_below;
use rayon::prelude::*;

use crate::curves::{MeanCurve, QueriesToReach, TrialCurve, mean_std};
use crate::evaluation::{Evaluation, SearchLog, TableEvaluator};
use crate::evolution::{Domain, EvolutionSettings, regularized_evolution};
use crate::neural_predictor::{PredictorInputs, neural_predictor_search, universe_samples};
use crate::random_search::random_search;
use crate::trial_rng;
use crate::universe::Universe;

/// Which methods run, with what budget and settings.
#[derive(Debug, Clone)]
pub struct ExperimentSettings {
    pub trials: usize,
    /// Trained architectures per search (the x axis runs 1..=budget).
    pub budget: usize,
    pub random: bool,
    pub evolution: Option<EvolutionSettings>,
    /// The N of each Neural Predictor variant (K = budget − N); empty for none.
    pub predictor_ns: Vec<usize>,
    pub fit: FitSettings,
    pub seed: u64,
    /// Seed of the run drawn from a table's repeats.
    pub bench_seed: u64,
}

/// One method's averaged curve.
#[derive(Debug, Clone)]
pub struct MethodResult {
    /// "random", "evolution" or "predictor".
    pub method: &'static str,
    pub n: Option<usize>,
    pub curve: MeanCurve,
    /// Predictor only: Kendall τ of its scores against the table over every member it did not
    /// train on, mean and standard deviation over trials.
    pub kendall_tau: Option<(f64, f64)>,
    /// Trained models each trial needed to reach the oracle's validation accuracy.
    pub queries_to_oracle: QueriesToReach,
}

impl MethodResult {
    pub fn label(&self) -> String {
        match (self.method, self.n) {
            ("predictor", Some(n)) => format!("Neural Predictor (N={n})"),
            ("evolution", _) => "Regularized evolution".into(),
            ("random", _) => "Random search".into(),
            (other, _) => other.into(),
        }
    }
}

pub struct ExperimentResult {
    pub architectures: usize,
    /// The best member of the table by validation accuracy.
    pub oracle: Evaluation,
    pub methods: Vec<MethodResult>,
}

/// One trial of every method: curves in the order random, evolution, predictor Ns; the τ of
/// each predictor.
struct TrialOutcome {
    curves: Vec<TrialCurve>,
    taus: Vec<f64>,
}

/// Runs the experiment; `progress(1)` is called after each (trial, method) search. Trials run
/// in parallel, each from its own seeds, so the result does not depend on the thread count.
pub fn run_experiment<S: SearchSpace>(
    space: &S,
    table: &BenchTable,
    settings: &ExperimentSettings,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ExperimentResult, String> {
    let (universe, _) = Universe::of_table(space, table)?;
    let budget = settings.budget.min(universe.len());
    let samples = if settings.predictor_ns.is_empty() { Vec::new() } else { universe_samples(space, &universe) };
    let signature = SpaceSignature::of(space);
    // One pass over the table gives both the oracle and the truth the predictors are judged by.
    let answers = universe.answers(&mut TableEvaluator { table, seed: settings.bench_seed })?;
    let oracle = crate::evaluation::best_of(&answers).expect("a universe is never empty").clone();
    let truth: Vec<f64> = answers.iter().map(|a| a.val_accuracy).collect();
    let run_trial = |trial: usize| -> Result<TrialOutcome, String> {
        let trial = trial as u64;
        let mut evaluator = TableEvaluator { table, seed: settings.bench_seed };
        let mut outcome = TrialOutcome { curves: Vec::new(), taus: Vec::new() };
        if settings.random {
            let mut log = SearchLog::new();
            random_search(&universe, &mut trial_rng(settings.seed, trial, "random"), budget, &mut evaluator, &mut log)?;
            outcome.curves.push(TrialCurve::of(&log));
            progress(1);
        }
        if let Some(evolution) = settings.evolution {
            let mut log = SearchLog::new();
            let mut rng = trial_rng(settings.seed, trial, "evolution");
            let domain = Domain::Table(&universe);
            regularized_evolution(space, &domain, evolution, &mut rng, budget, &mut evaluator, &mut log)?;
            outcome.curves.push(TrialCurve::of(&log));
            progress(1);
        }
        for &n in &settings.predictor_ns {
            let mut log = SearchLog::new();
            let mut fit = settings.fit.clone();
            fit.training.seed = uniform_below(&mut trial_rng(settings.seed, trial, &format!("gcn-{n}")), u64::MAX);
            let mut rng = trial_rng(settings.seed, trial, &format!("predictor-{n}"));
            let inputs =
                PredictorInputs { universe: &universe, samples: &samples, signature: &signature, settings: &fit };
            let scored = neural_predictor_search(&inputs, n, &mut rng, budget, &mut evaluator, &mut log)?;
            let truths: Vec<f64> = scored.scored.iter().map(|&i| truth[i]).collect();
            outcome.taus.push(np_metrics::kendall_tau_b(&scored.predictions, &truths).unwrap_or(f64::NAN));
            outcome.curves.push(TrialCurve::of(&log));
            progress(1);
        }
        Ok(outcome)
    };
    let outcomes: Vec<TrialOutcome> =
        (0..settings.trials).into_par_iter().map(run_trial).collect::<Result<Vec<_>, String>>()?;

    let mut names: Vec<(&'static str, Option<usize>)> = Vec::new();
    if settings.random {
        names.push(("random", None));
    }
    if settings.evolution.is_some() {
        names.push(("evolution", None));
    }
    names.extend(settings.predictor_ns.iter().map(|&n| ("predictor", Some(n))));
    let first_predictor = names.len() - settings.predictor_ns.len();
    let methods = names
        .into_iter()
        .enumerate()
        .map(|(m, (method, n))| {
            let curves: Vec<TrialCurve> = outcomes.iter().map(|o| o.curves[m].clone()).collect();
            let kendall_tau = (m >= first_predictor).then(|| {
                let taus: Vec<f64> = outcomes.iter().map(|o| o.taus[m - first_predictor]).collect();
                mean_std(&taus)
            });
            let reached: Vec<Option<usize>> = curves.iter().map(|c| c.models_to_reach(oracle.val_accuracy)).collect();
            let queries_to_oracle = QueriesToReach::of(&reached);
            MethodResult { method, n, curve: MeanCurve::of(&curves), kendall_tau, queries_to_oracle }
        })
        .collect();
    Ok(ExperimentResult { architectures: universe.len(), oracle, methods })
}
