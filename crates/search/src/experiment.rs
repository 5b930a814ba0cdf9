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
use crate::predictor_rounds::{RoundsSettings, predictor_rounds_search};
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
    /// The predictor-guided search in rounds, when it runs.
    pub rounds: Option<RoundsSettings>,
    pub fit: FitSettings,
    pub seed: u64,
    /// Seed of the run drawn from a table's repeats.
    pub bench_seed: u64,
}

/// One method's averaged curve.
#[derive(Debug, Clone)]
pub struct MethodResult {
    /// "random", "evolution", "predictor" or "predictor-rounds".
    pub method: &'static str,
    pub n: Option<usize>,
    pub curve: MeanCurve,
    /// Predictor only: Kendall τ of its scores against the table over every member it did not
    /// train on, mean and standard deviation over trials.
    pub kendall_tau: Option<(f64, f64)>,
    /// Trained models each trial needed to reach the oracle's validation accuracy.
    pub queries_to_oracle: QueriesToReach,
    /// Rounds only: the sequential rounds each trial ran (until it trained the oracle, or to
    /// the end of the budget), as the same statistics.
    pub rounds: Option<QueriesToReach>,
    /// Each trial's own figures, in trial order, for statistics the summary does not give (a
    /// mean curve is decided by its slowest trials; these show which).
    pub per_trial: Vec<TrialResult>,
}

/// One trial of one method.
#[derive(Debug, Clone, PartialEq)]
pub struct TrialResult {
    /// Trained models until the oracle's validation accuracy was trained (`None`: never).
    pub models_to_oracle: Option<usize>,
    pub rounds: Option<usize>,
    pub kendall_tau: Option<f64>,
    /// Validation and test accuracy of what the trial deploys at the end of its budget.
    pub final_val: f64,
    pub final_test: f64,
}

impl MethodResult {
    pub fn label(&self) -> String {
        match (self.method, self.n) {
            ("predictor", Some(n)) => format!("Neural Predictor (N={n})"),
            ("predictor-rounds", Some(n)) => format!("Predictor in rounds (N={n})"),
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

/// One trial of every method, in the order random, evolution, predictor Ns, rounds: its curve,
/// the τ of a predictor's (first) ranking, the rounds of a search in rounds.
struct TrialOutcome {
    curves: Vec<TrialCurve>,
    taus: Vec<Option<f64>>,
    rounds: Vec<Option<usize>>,
}

impl TrialOutcome {
    fn push(&mut self, curve: TrialCurve, tau: Option<f64>, rounds: Option<usize>) {
        self.curves.push(curve);
        self.taus.push(tau);
        self.rounds.push(rounds);
    }
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
    let predicts = !settings.predictor_ns.is_empty() || settings.rounds.is_some();
    let samples = if predicts { universe_samples(space, &universe) } else { Vec::new() };
    let signature = SpaceSignature::of(space);
    // One pass over the table gives both the oracle and the truth the predictors are judged by.
    let answers = universe.answers(&mut TableEvaluator { table, seed: settings.bench_seed })?;
    let oracle = crate::evaluation::best_of(&answers).expect("a universe is never empty").clone();
    let truth: Vec<f64> = answers.iter().map(|a| a.val_accuracy).collect();
    let run_trial = |trial: usize| -> Result<TrialOutcome, String> {
        let trial = trial as u64;
        let mut evaluator = TableEvaluator { table, seed: settings.bench_seed };
        let mut outcome = TrialOutcome { curves: Vec::new(), taus: Vec::new(), rounds: Vec::new() };
        let tau_of = |scored: &[usize], predictions: &[f64]| {
            let truths: Vec<f64> = scored.iter().map(|&i| truth[i]).collect();
            np_metrics::kendall_tau_b(predictions, &truths).unwrap_or(f64::NAN)
        };
        if settings.random {
            let mut log = SearchLog::new();
            random_search(&universe, &mut trial_rng(settings.seed, trial, "random"), budget, &mut evaluator, &mut log)?;
            outcome.push(TrialCurve::of(&log), None, None);
            progress(1);
        }
        if let Some(evolution) = settings.evolution {
            let mut log = SearchLog::new();
            let mut rng = trial_rng(settings.seed, trial, "evolution");
            let domain = Domain::Table(&universe);
            regularized_evolution(space, &domain, evolution, &mut rng, budget, &mut evaluator, &mut log)?;
            outcome.push(TrialCurve::of(&log), None, None);
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
            outcome.push(TrialCurve::of(&log), Some(tau_of(&scored.scored, &scored.predictions)), None);
            progress(1);
        }
        if let Some(rounds) = &settings.rounds {
            let mut log = SearchLog::new();
            let fit_seed = uniform_below(&mut trial_rng(settings.seed, trial, "gcn-rounds"), u64::MAX);
            let mut rng = trial_rng(settings.seed, trial, "predictor-rounds");
            let inputs = PredictorInputs {
                universe: &universe,
                samples: &samples,
                signature: &signature,
                settings: &settings.fit,
            };
            let until = Some(oracle.val_accuracy);
            let mutation = |i: usize, rng: &mut np_spaces::rng::SpaceRng| {
                universe.position(&space.id(&space.mutate(&universe.archs[i], rng)))
            };
            let run = predictor_rounds_search(
                &inputs,
                rounds,
                fit_seed,
                &mut rng,
                budget,
                until,
                Some(&mutation),
                &mut evaluator,
                &mut log,
            )?;
            let tau = (!run.first_scored.is_empty()).then(|| tau_of(&run.first_scored, &run.first_predictions));
            // Stopped at the oracle: the rest of the budget could not change the curve.
            outcome.push(TrialCurve::of(&log).extended_to(budget), tau, Some(run.rounds));
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
    if let Some(rounds) = &settings.rounds {
        names.push(("predictor-rounds", Some(rounds.initial)));
    }
    let methods = names
        .into_iter()
        .enumerate()
        .map(|(m, (method, n))| {
            let curves: Vec<TrialCurve> = outcomes.iter().map(|o| o.curves[m].clone()).collect();
            let taus: Option<Vec<f64>> = outcomes.iter().map(|o| o.taus[m]).collect();
            let kendall_tau = taus.map(|taus| mean_std(&taus));
            let rounds: Option<Vec<Option<usize>>> = outcomes.iter().map(|o| o.rounds[m].map(Some)).collect();
            let rounds = rounds.map(|rounds| QueriesToReach::of(&rounds));
            let reached: Vec<Option<usize>> = curves.iter().map(|c| c.models_to_reach(oracle.val_accuracy)).collect();
            let queries_to_oracle = QueriesToReach::of(&reached);
            let per_trial = outcomes
                .iter()
                .zip(&reached)
                .map(|(o, &models_to_oracle)| TrialResult {
                    models_to_oracle,
                    rounds: o.rounds[m],
                    kendall_tau: o.taus[m],
                    final_val: o.curves[m].val.last().copied().unwrap_or(f64::NAN),
                    final_test: o.curves[m].test.last().copied().unwrap_or(f64::NAN),
                })
                .collect();
            MethodResult { method, n, curve: MeanCurve::of(&curves), kendall_tau, queries_to_oracle, rounds, per_trial }
        })
        .collect();
    Ok(ExperimentResult { architectures: universe.len(), oracle, methods })
}
