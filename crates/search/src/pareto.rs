//! Accuracy against cost: searching for the Pareto front instead of one best architecture.
//!
//! A deployed network must be accurate *and* cheap (fast, small). When the cost of every
//! architecture is known without training (latency and parameter counts are in the benchmark
//! tables, and cheap to measure in practice), only accuracy has to be paid for, and a search
//! can aim for the whole trade-off curve. This module holds:
//!
//! - [`front`] and [`hypervolume`]: the non-dominated set of (accuracy, cost) points and the
//!   area they dominate up to a reference point, computed exactly by sorting (two objectives).
//! - [`predictor_front_search`]: the Neural Predictor aimed at the front: N random members
//!   trained, the GCN fitted, every other member scored, then the predicted front of (score,
//!   cost) trained layer by layer (non-dominated sorting), the last layer thinned by crowding
//!   distance (NSGA-II, through `np-select`'s [`ParetoFront`]).
//! - [`run_pareto_experiment`]: seeded trials of that search and of random search with the same
//!   budget, each scored by the hypervolume of the front it trained against the table's true
//!   front.

use np_bench_tables::table::BenchTable;
use np_predictor::SpaceSignature;
use np_predictor::fit::FitSettings;
use np_select::{Direction, ParetoFront};
use np_spaces::SearchSpace;
use np_spaces::rng::{SpaceRng, uniform_below};
use rayon::prelude::*;

use crate::curves::mean_std;
use crate::evaluation::{Evaluator, SearchLog, TableEvaluator};
use crate::neural_predictor::{PredictorInputs, fit_on_random_members, universe_samples};
use crate::random_search::random_search;
use crate::trial_rng;
use crate::universe::Universe;

/// One architecture's place in the trade-off: accuracy in percent (larger is better) and cost
/// in the table's unit (smaller is better).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TradeOff {
    pub accuracy: f64,
    pub cost: f64,
}

/// Positions of the non-dominated points, cheapest first (so accuracy rises along the front).
/// A point is dominated when another is at least as accurate and at most as costly, and better
/// in one of the two; of several identical points only the first is kept. Points with a
/// non-finite value are ignored.
pub fn front(points: &[TradeOff]) -> Vec<usize> {
    let mut order: Vec<usize> =
        (0..points.len()).filter(|&i| points[i].accuracy.is_finite() && points[i].cost.is_finite()).collect();
    order.sort_by(|&a, &b| {
        points[a]
            .cost
            .total_cmp(&points[b].cost)
            .then(points[b].accuracy.total_cmp(&points[a].accuracy))
            .then(a.cmp(&b))
    });
    let mut kept = Vec::new();
    let mut best = f64::NEG_INFINITY;
    for i in order {
        // Cheaper points come first, so a point survives only by beating all of them.
        if points[i].accuracy > best {
            best = points[i].accuracy;
            kept.push(i);
        }
    }
    kept
}

/// The area of the (cost, accuracy) plane that `points` dominate and that dominates
/// `reference`: the union of the rectangles from each point to the reference (cost up to
/// `reference.cost`, accuracy down to `reference.accuracy`). Points that do not beat the
/// reference in both objectives add nothing. Exact: the front sorted by cost is swept once.
pub fn hypervolume(points: &[TradeOff], reference: TradeOff) -> f64 {
    let inside: Vec<TradeOff> =
        points.iter().copied().filter(|p| p.accuracy > reference.accuracy && p.cost < reference.cost).collect();
    let kept = front(&inside);
    let mut volume = 0.0;
    for (j, &i) in kept.iter().enumerate() {
        // Between this point's cost and the next one's, this point is the most accurate.
        let next_cost = kept.get(j + 1).map_or(reference.cost, |&k| inside[k].cost);
        volume += (next_cost - inside[i].cost) * (inside[i].accuracy - reference.accuracy);
    }
    volume
}

/// The reference point of a table's hypervolumes: its worst accuracy and its highest cost, so
/// that every member but the worst contributes and the true front's volume is the whole area
/// a search can reach.
pub fn reference_point(points: &[TradeOff]) -> TradeOff {
    TradeOff {
        accuracy: points.iter().map(|p| p.accuracy).fold(f64::INFINITY, f64::min),
        cost: points.iter().map(|p| p.cost).fold(f64::NEG_INFINITY, f64::max),
    }
}

/// The cost of every member of `universe`, from the table: `params` (the parameter count), or
/// any numeric field the table keeps (`latency` in seconds for NAS-Bench-Graph, `flops_m` for
/// zc500).
pub fn member_costs<A>(universe: &Universe<A>, table: &BenchTable, field: &str) -> Result<Vec<f64>, String> {
    universe
        .ids
        .iter()
        .map(|id| {
            let entry = table.entries.get(id).ok_or_else(|| format!("architecture {id} is not in the table"))?;
            let cost = if field == "params" {
                entry.params
            } else {
                entry.extra.get(field).and_then(serde_json::Value::as_f64)
            };
            cost.filter(|c| c.is_finite())
                .ok_or_else(|| format!("architecture {id} has no numeric '{field}' in the table"))
        })
        .collect()
}

/// The trade-offs of the members a search trained (validation accuracy, cost), in training
/// order.
pub fn trained_trade_offs<A: Clone>(universe: &Universe<A>, costs: &[f64], log: &SearchLog) -> Vec<TradeOff> {
    log.evaluations()
        .iter()
        .map(|e| {
            let i = universe.position(&e.id).expect("a search trains members of its universe");
            TradeOff { accuracy: e.val_accuracy, cost: costs[i] }
        })
        .collect()
}

/// The points of `points` on their front, cheapest first.
pub fn front_points(points: &[TradeOff]) -> Vec<TradeOff> {
    front(points).into_iter().map(|i| points[i]).collect()
}

/// Runs the Neural Predictor for the accuracy–cost front: `n` members drawn at random and
/// trained, the GCN fitted on their validation accuracies, every other member scored; then,
/// until `budget` members are trained, the untrained members whose (score, cost) no other
/// untrained member dominates are trained together, the next front after them, and so on; the
/// layer that would overrun the budget keeps the members with the largest crowding distance
/// (its two ends first). Returns the predicted trade-offs of the scored members (index into
/// `universe`, predicted accuracy).
pub fn predictor_front_search<A: Clone>(
    inputs: &PredictorInputs<'_, A>,
    costs: &[f64],
    n: usize,
    rng: &mut SpaceRng,
    budget: usize,
    evaluator: &mut impl Evaluator<A>,
    log: &mut SearchLog,
) -> Result<Vec<(usize, f64)>, String> {
    let universe = inputs.universe;
    assert_eq!(costs.len(), universe.len(), "one cost per universe member");
    let (scored, scores) = fit_on_random_members(inputs, n, rng, budget, evaluator, log)?;
    let predictions: Vec<(usize, f64)> = scored.into_iter().zip(scores).map(|(i, s)| (i, s.pred)).collect();

    let mut candidates: Vec<(usize, f64)> = predictions.clone();
    while log.trained() < budget && !candidates.is_empty() {
        let mut layer = ParetoFront::new(vec![Direction::Max, Direction::Min]);
        for &(i, pred) in &candidates {
            layer.offer(&[pred, costs[i]], &universe.ids[i], i);
        }
        let chosen = layer.into_sorted(Some(budget - log.trained()));
        let batch: Vec<(A, String)> = chosen.iter().map(|&i| universe.member(i)).collect();
        log.evaluate(evaluator, &batch, budget)?;
        candidates.retain(|(i, _)| !chosen.contains(i));
    }
    Ok(predictions)
}

/// Trials, budget and predictor settings of the Pareto experiment.
#[derive(Debug, Clone)]
pub struct ParetoSettings {
    pub trials: usize,
    /// Trained architectures per search, N + K.
    pub budget: usize,
    /// Random training architectures of the predictor.
    pub n: usize,
    /// The table field that is the cost (see [`member_costs`]).
    pub cost_field: String,
    pub fit: FitSettings,
    pub seed: u64,
    /// Seed of the run drawn from a table's repeats.
    pub bench_seed: u64,
}

/// What one trial of each method reached.
#[derive(Debug, Clone)]
pub struct ParetoTrial {
    /// The front of the members the predictor search trained, cheapest first.
    pub predictor_front: Vec<TradeOff>,
    pub random_front: Vec<TradeOff>,
    /// The front the predictor believed in: (predicted accuracy, cost) of the scored members.
    pub predicted_front: Vec<TradeOff>,
    /// Hypervolumes divided by the true front's.
    pub predictor_ratio: f64,
    pub random_ratio: f64,
}

#[derive(Debug, Clone)]
pub struct ParetoResult {
    pub architectures: usize,
    /// The front of the whole table (validation accuracy of the same drawn runs), cheapest
    /// first, and its hypervolume.
    pub true_front: Vec<TradeOff>,
    pub true_hypervolume: f64,
    pub reference: TradeOff,
    pub trials: Vec<ParetoTrial>,
}

impl ParetoResult {
    /// Mean and sample standard deviation of the predictor's and random search's ratios.
    pub fn ratios(&self) -> ((f64, f64), (f64, f64)) {
        let predictor: Vec<f64> = self.trials.iter().map(|t| t.predictor_ratio).collect();
        let random: Vec<f64> = self.trials.iter().map(|t| t.random_ratio).collect();
        (mean_std(&predictor), mean_std(&random))
    }
}

/// Runs `settings.trials` trials of the predictor's front search and of random search with the
/// same budget on `table`, in parallel (each from its own seeds, so the result does not depend
/// on the thread count); `progress(1)` after each trial.
pub fn run_pareto_experiment<S: SearchSpace>(
    space: &S,
    table: &BenchTable,
    settings: &ParetoSettings,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<ParetoResult, String> {
    let (universe, _) = Universe::of_table(space, table)?;
    let costs = member_costs(&universe, table, &settings.cost_field)?;
    let budget = settings.budget.min(universe.len());
    let samples = universe_samples(space, &universe);
    let signature = SpaceSignature::of(space);
    let all: Vec<TradeOff> = {
        let members: Vec<_> = (0..universe.len()).map(|i| universe.member(i)).collect();
        let answers = TableEvaluator { table, seed: settings.bench_seed }.evaluate(&members)?;
        answers.iter().zip(&costs).map(|(a, &cost)| TradeOff { accuracy: a.val_accuracy, cost }).collect()
    };
    let reference = reference_point(&all);
    let true_hypervolume = hypervolume(&all, reference);
    if true_hypervolume <= 0.0 {
        return Err("the table's front has no volume (one accuracy or one cost for all)".into());
    }
    let run_trial = |trial: usize| -> Result<ParetoTrial, String> {
        let trial = trial as u64;
        let mut evaluator = TableEvaluator { table, seed: settings.bench_seed };
        let mut log = SearchLog::new();
        let mut fit = settings.fit.clone();
        fit.training.seed = uniform_below(&mut trial_rng(settings.seed, trial, "pareto-gcn"), u64::MAX);
        let mut rng = trial_rng(settings.seed, trial, "pareto-predictor");
        let inputs = PredictorInputs { universe: &universe, samples: &samples, signature: &signature, settings: &fit };
        let predictions =
            predictor_front_search(&inputs, &costs, settings.n, &mut rng, budget, &mut evaluator, &mut log)?;
        let predictor_points = trained_trade_offs(&universe, &costs, &log);
        let mut random_log = SearchLog::new();
        let mut rng = trial_rng(settings.seed, trial, "pareto-random");
        random_search(&universe, &mut rng, budget, &mut evaluator, &mut random_log)?;
        let random_points = trained_trade_offs(&universe, &costs, &random_log);
        let predicted: Vec<TradeOff> =
            predictions.iter().map(|&(i, pred)| TradeOff { accuracy: pred, cost: costs[i] }).collect();
        progress(1);
        Ok(ParetoTrial {
            predictor_ratio: hypervolume(&predictor_points, reference) / true_hypervolume,
            random_ratio: hypervolume(&random_points, reference) / true_hypervolume,
            predictor_front: front_points(&predictor_points),
            random_front: front_points(&random_points),
            predicted_front: front_points(&predicted),
        })
    };
    let trials = (0..settings.trials).into_par_iter().map(run_trial).collect::<Result<Vec<_>, String>>()?;
    Ok(ParetoResult {
        architectures: universe.len(),
        true_front: front_points(&all),
        true_hypervolume,
        reference,
        trials,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(pairs: &[(f64, f64)]) -> Vec<TradeOff> {
        pairs.iter().map(|&(accuracy, cost)| TradeOff { accuracy, cost }).collect()
    }

    #[test]
    fn the_front_keeps_the_non_dominated_cheapest_first() {
        // (accuracy, cost): b is dominated by a (less accurate, dearer), d by c (equal accuracy,
        // dearer), the second e is a duplicate.
        let p = points(&[(90.0, 2.0), (89.0, 3.0), (95.0, 5.0), (95.0, 6.0), (80.0, 1.0), (80.0, 1.0), (97.0, 9.0)]);
        assert_eq!(front(&p), [4, 0, 2, 6]);
        assert!(front(&[]).is_empty());
        assert_eq!(front(&points(&[(f64::NAN, 1.0), (50.0, 2.0)])), [1]);
    }

    #[test]
    fn hypervolume_of_hand_computed_fronts() {
        let reference = TradeOff { accuracy: 0.0, cost: 10.0 };
        // One point: a rectangle of 6 × 4.
        assert_eq!(hypervolume(&points(&[(4.0, 4.0)]), reference), 24.0);
        // A staircase swept by cost: [1,3) × 1 + [3,6) × 5 + [6,10) × 8 = 2 + 15 + 32.
        let stairs = points(&[(1.0, 1.0), (5.0, 3.0), (8.0, 6.0)]);
        assert_eq!(hypervolume(&stairs, reference), 49.0);
        // Dominated points, duplicates and points outside the reference add nothing.
        let noisy = points(&[(1.0, 1.0), (5.0, 3.0), (8.0, 6.0), (4.0, 4.0), (5.0, 3.0), (9.0, 12.0), (-1.0, 0.5)]);
        assert_eq!(hypervolume(&noisy, reference), 49.0);
        assert_eq!(hypervolume(&[], reference), 0.0);
        // Order does not matter.
        let reversed: Vec<TradeOff> = stairs.iter().rev().copied().collect();
        assert_eq!(hypervolume(&reversed, reference), 49.0);
    }

    #[test]
    fn hypervolume_matches_a_grid_count() {
        // Integer points on a 20 × 20 grid: count the unit cells dominated by some point.
        let mut state = 12345u64;
        let mut next = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((state >> 33) % 20) as f64
        };
        for _ in 0..50 {
            let p: Vec<TradeOff> = (0..8).map(|_| TradeOff { accuracy: next(), cost: next() }).collect();
            let reference = TradeOff { accuracy: 0.0, cost: 20.0 };
            let mut cells = 0.0;
            for x in 0..20 {
                for y in 0..20 {
                    // Cell [x, x+1) × [y, y+1) is dominated when some point is at cost ≤ x and
                    // accuracy ≥ y + 1.
                    if p.iter().any(|q| q.cost <= x as f64 && q.accuracy >= (y + 1) as f64) {
                        cells += 1.0;
                    }
                }
            }
            assert_eq!(hypervolume(&p, reference), cells, "{p:?}");
        }
    }

    #[test]
    fn the_reference_is_the_worst_corner_and_the_true_front_reaches_one() {
        let p = points(&[(70.0, 3.0), (90.0, 8.0), (60.0, 1.0), (85.0, 5.0)]);
        let reference = reference_point(&p);
        assert_eq!(reference, TradeOff { accuracy: 60.0, cost: 8.0 });
        let all = hypervolume(&p, reference);
        assert!(all > 0.0);
        assert_eq!(hypervolume(&front_points(&p), reference), all, "the front holds all the volume");
        assert!(hypervolume(&p[..2], reference) <= all);
    }
}
