//! The predictor-guided search in rounds: train N random architectures, then repeat: fit the
//! predictor on everything trained so far, score every untrained member, train the best B as
//! one batch.
//!
//! Why rounds: the paper's one-shot method fits the GCN once, on N random architectures, and
//! spends the rest of the budget down that single ranking. A predictor fitted on random cells
//! knows the bulk of the space and little about its best corner, which is exactly where the
//! ranking is used; every batch trained in a round adds labels there. The trainings of a batch
//! stay independent, so they run in parallel as the paper's K do: the wall-clock cost is the
//! number of rounds (sequential fits and batches), the training cost the number of models,
//! and both are reported.
//!
//! What each round picks (the acquisition): with one predictor, the B best predicted. With an
//! ensemble (several GCNs from different seeds on the same data), their spread is an
//! uncertainty, and the batch can be chosen by mean + κ·std (an upper confidence bound) or by
//! Thompson-style draws: each slot of the batch takes the best remaining member under one
//! ensemble member drawn at random, so a batch is not B near-copies of one guess. With a
//! two-stage predictor the members the classifier deems good (mean p_good ≥ 0.5) come first,
//! as in the one-shot method.

use np_gcn::GraphSample;
use np_predictor::cv::{Grid, cross_validate};
use np_predictor::fit::{FitSettings, TrainingData, fit_from};
use np_predictor::{Predictor, Scores, SpaceSignature};
use np_spaces::neighbours::{NEIGHBOUR_DRAWS, best_first, mutation_neighbours};
use np_spaces::rng::{SpaceRng, uniform_below};
use rayon::prelude::*;

use crate::evaluation::{Evaluator, SearchLog};
use crate::neural_predictor::PredictorInputs;

/// How a round chooses its batch from the predictors' scores.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Acquisition {
    /// The best by the ensemble's mean prediction.
    Mean,
    /// The best by mean + κ·std over the ensemble.
    UpperBound(f64),
    /// Each slot the best remaining member under one ensemble member drawn at random.
    Thompson,
}

impl Acquisition {
    /// Parses `mean`, `ucb:KAPPA` or `thompson`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            None if text == "mean" => Ok(Acquisition::Mean),
            None if text == "thompson" => Ok(Acquisition::Thompson),
            Some(("ucb", kappa)) => match kappa.parse::<f64>() {
                Ok(kappa) if kappa.is_finite() => Ok(Acquisition::UpperBound(kappa)),
                _ => Err(format!("ucb needs a finite κ, e.g. ucb:1, not '{kappa}'")),
            },
            _ => Err(format!("unknown acquisition '{text}' (known: mean, ucb:KAPPA, thompson)")),
        }
    }

    pub fn name(&self) -> String {
        match self {
            Acquisition::Mean => "mean".into(),
            Acquisition::UpperBound(kappa) => format!("ucb:{kappa}"),
            Acquisition::Thompson => "thompson".into(),
        }
    }
}

/// Which untrained members a round scores and chooses from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CandidateScope {
    /// Every untrained member of the space (the paper's pool: the whole space).
    All,
    /// The untrained members one mutation away from the `parents` best trained so far (by
    /// validation), as found by [`NEIGHBOUR_DRAWS`] mutation draws from each; the rest of a batch,
    /// when they are fewer, comes from the whole space. Why: where the predictor ranks the
    /// whole space poorly (NAS-Bench-Graph: τ 0.2–0.5), it can still tell which neighbours of
    /// the best architectures are better, and accuracy is local in these spaces; this is the
    /// mutation-based acquisition of BANANAS (White et al., AAAI 2021).
    Local { parents: usize },
}

impl CandidateScope {
    /// Parses `all` or `local:M`.
    pub fn parse(text: &str) -> Result<Self, String> {
        match text.split_once(':') {
            None if text == "all" => Ok(CandidateScope::All),
            Some(("local", parents)) => match parents.parse::<usize>() {
                Ok(parents) if parents > 0 => Ok(CandidateScope::Local { parents }),
                _ => Err(format!("local needs a positive number of parents, e.g. local:10, not '{parents}'")),
            },
            _ => Err(format!("unknown candidate scope '{text}' (known: all, local:M)")),
        }
    }

    pub fn name(&self) -> String {
        match self {
            CandidateScope::All => "all".into(),
            CandidateScope::Local { parents } => format!("local:{parents}"),
        }
    }
}

/// One mutation of universe member `i`, as the universe member it lands on (`None`: outside
/// the table). Given by the caller, who knows the space.
pub type Mutation<'a> = &'a (dyn Fn(usize, &mut SpaceRng) -> Option<usize> + Sync);

/// The round structure of one search.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundsSettings {
    /// Random architectures trained before the first fit.
    pub initial: usize,
    /// Architectures trained per round after the first.
    pub batch: usize,
    /// Predictors fitted per round, each from its own seed (1: no ensemble).
    pub ensemble: usize,
    pub acquisition: Acquisition,
    /// Gradient steps per fit, whatever the number of trained architectures
    /// ([`np_gcn::train::TrainConfig::epochs_for_steps`]).
    pub steps: Option<usize>,
    /// Gradient steps of a refit that starts from the last round's networks (a warm start,
    /// [`np_predictor::fit::fit_from`]); `None`: every round fits from scratch. The first fit is
    /// always from scratch, with `steps`.
    pub warm_steps: Option<usize>,
    /// Which untrained members each round scores.
    pub scope: CandidateScope,
    /// Under a local scope, the slots of each batch that go to the best predicted over the
    /// whole space instead of the neighbours (0: none; at most all but one). Why: a search
    /// that only looks one mutation away from its best can settle in a basin whose best is not
    /// the space's; a few picks per round from the whole ranking let it find another basin,
    /// while the rest of the batch keeps refining the current one.
    pub global_picks: usize,
    /// Hyper-parameters chosen by cross-validation on what is trained so far, as the paper
    /// prescribes for its one fit; `None`: the fit settings as given.
    pub cv: Option<RoundCv>,
}

/// Cross-validation inside a search in rounds: at the first fit and every `every` rounds after
/// it, the learning rate and weight decay of the grid with the best held-out Kendall τ
/// (`folds`-fold, [`np_predictor::cv::cross_validate`]) replace the fit settings' for that round
/// and the next ones. Network shapes stay as given, so warm starts keep working. Each choice
/// costs `folds` × grid size fits, which is why it is not done every round by default.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundCv {
    pub every: usize,
    pub folds: usize,
    pub learning_rates: Vec<f64>,
    pub weight_decays: Vec<f64>,
}

/// What a search in rounds reports besides its trained architectures.
#[derive(Debug, Clone, PartialEq)]
pub struct RoundsOutcome {
    /// Sequential rounds: the random batch and every fitted round that trained something.
    pub rounds: usize,
    /// The first fitted round's scores of the members not trained before it (indices into the
    /// universe, and predictions in the same order): what a one-shot predictor fitted on the
    /// same N random architectures would have ranked, for its Kendall τ.
    pub first_scored: Vec<usize>,
    pub first_predictions: Vec<f64>,
}

/// Runs one search in rounds until `budget` architectures are trained or the universe is
/// exhausted. `fit_seed` seeds the predictors (each round and ensemble member its own stream);
/// `rng` draws the random N and the Thompson draws.
///
/// `until`: stop as soon as a trained architecture reaches this validation accuracy. For
/// simulations only, with the table's best as the target: once a search has trained it, what
/// it would deploy (the best validation so far) can no longer change, so every best-so-far
/// curve and the models-to-the-oracle count are exactly those of the full run; only the rest
/// of the budget's training time is left unspent.
#[allow(clippy::too_many_arguments)]
pub fn predictor_rounds_search<A: Clone>(
    inputs: &PredictorInputs<'_, A>,
    rounds: &RoundsSettings,
    fit_seed: u64,
    rng: &mut SpaceRng,
    budget: usize,
    until: Option<f64>,
    mutation: Option<Mutation<'_>>,
    evaluator: &mut impl Evaluator<A>,
    log: &mut SearchLog,
) -> Result<RoundsOutcome, String> {
    let PredictorInputs { universe, samples, signature, settings } = *inputs;
    assert_eq!(samples.len(), universe.len(), "one graph sample per universe member");
    if rounds.initial == 0 || rounds.batch == 0 || rounds.ensemble == 0 {
        return Err("a search in rounds needs N, B and the ensemble size all positive".into());
    }
    let reached = |log: &SearchLog| until.is_some_and(|target| log.best().is_some_and(|b| b.val_accuracy >= target));
    let drawn = universe.shuffled_prefix(rng, rounds.initial.min(budget));
    let batch: Vec<(A, String)> = drawn.iter().map(|&i| universe.member(i)).collect();
    log.evaluate(evaluator, &batch, budget)?;
    let mut outcome = RoundsOutcome { rounds: 1, first_scored: Vec::new(), first_predictions: Vec::new() };
    let mut trained: Vec<usize> = drawn;
    let mut previous: Vec<Option<Predictor>> = vec![None; rounds.ensemble];
    let mut tuned = settings.clone();
    while log.trained() < budget && trained.len() < universe.len() && !reached(log) {
        let data = TrainingData {
            samples: trained.iter().map(|&i| samples[i].clone()).collect(),
            ids: trained.iter().map(|&i| universe.ids[i].clone()).collect(),
            labels: trained
                .iter()
                .map(|&i| log.evaluation(&universe.ids[i]).map(|e| e.val_accuracy))
                .collect::<Option<Vec<f64>>>()
                .ok_or("a trained architecture has no answer")?,
        };
        let untrained = |i: &usize| !log.contains(&universe.ids[*i]);
        let local = match (rounds.scope, mutation) {
            (CandidateScope::Local { parents }, Some(mutation)) => {
                Some(neighbours(&trained, parents, mutation, rng, |i| log.evaluation(&universe.ids[i])))
            }
            (CandidateScope::Local { .. }, None) => {
                return Err("a local candidate scope needs the space's mutation".into());
            }
            (CandidateScope::All, _) => None,
        };
        let near: Vec<usize> = local.unwrap_or_default().into_iter().filter(untrained).collect();
        let size = rounds.batch.min(budget - log.trained());
        let global = if rounds.scope == CandidateScope::All { 0 } else { rounds.global_picks.min(size - 1) };
        // Enough neighbours: they come first, then (with global picks) every other untrained
        // member, each part ascending; too few: the whole space, as one part.
        let (candidates, near_count) = if near.len() >= rounds.batch {
            let count = near.len();
            let mut candidates = near;
            if global > 0 {
                let mut is_near = vec![false; universe.len()];
                candidates.iter().for_each(|&i| is_near[i] = true);
                candidates.extend((0..universe.len()).filter(|i| !is_near[*i] && untrained(i)));
            }
            (candidates, count)
        } else {
            let all: Vec<usize> = (0..universe.len()).filter(untrained).collect();
            let count = all.len();
            (all, count)
        };
        let candidate_samples: Vec<&GraphSample<f32>> = candidates.iter().map(|&i| &samples[i]).collect();
        let round_seed = uniform_below(&mut np_spaces::rng::item_rng(fit_seed, outcome.rounds as u64), u64::MAX);
        if let Some(cv) = &rounds.cv
            && (outcome.rounds - 1).is_multiple_of(cv.every.max(1))
        {
            tuned = cross_validated(signature, &tuned, rounds, cv, &data, round_seed);
        }
        let fitted = ensemble_fit(signature, &tuned, rounds, &data, &previous, round_seed)?;
        let scores: Vec<Vec<Scores>> =
            fitted.par_iter().map(|predictor| predictor.native_scorer().score(&candidate_samples)).collect();
        if rounds.warm_steps.is_some() {
            previous = fitted.into_iter().map(Some).collect();
        }
        if outcome.rounds == 1 {
            outcome.first_scored = candidates.clone();
            outcome.first_predictions = mean_of(&scores, |s| s.pred);
        }
        let picked = choose_mixed_batch(&scores, rounds.acquisition, size, global, near_count, rng, |j| {
            &universe.ids[candidates[j]]
        });
        let batch: Vec<(A, String)> = picked.iter().map(|&j| universe.member(candidates[j])).collect();
        let before = log.trained();
        log.evaluate(evaluator, &batch, budget)?;
        if log.trained() == before {
            break;
        }
        trained.extend(picked.iter().map(|&j| candidates[j]));
        outcome.rounds += 1;
    }
    Ok(outcome)
}

/// The members one mutation away from the `parents` best of `trained` (by validation, ties by
/// position), in ascending universe order, each parent drawn [`NEIGHBOUR_DRAWS`] times; trained
/// members are left for the caller to drop.
fn neighbours<'e>(
    trained: &[usize],
    parents: usize,
    mutation: Mutation<'_>,
    rng: &mut SpaceRng,
    evaluation: impl Fn(usize) -> Option<&'e crate::Evaluation>,
) -> Vec<usize> {
    let values: Vec<f64> =
        trained.iter().map(|&i| evaluation(i).map_or(f64::NEG_INFINITY, |e| e.val_accuracy)).collect();
    let best: Vec<usize> = best_first(&values).into_iter().take(parents).map(|j| trained[j]).collect();
    mutation_neighbours(&best, NEIGHBOUR_DRAWS, rng, |&parent, rng| mutation(parent, rng))
}

/// `settings` with the learning rate and weight decay that cross-validate best on `data`
/// ([`RoundCv`]); each fold's fit takes the steps of a first fit.
fn cross_validated(
    signature: &SpaceSignature,
    settings: &FitSettings,
    rounds: &RoundsSettings,
    cv: &RoundCv,
    data: &TrainingData,
    round_seed: u64,
) -> FitSettings {
    let mut base = settings.clone();
    let fold_lines = data.labels.len() - data.labels.len() / cv.folds.max(2);
    if let Some(steps) = rounds.steps {
        base.training.epochs = settings.training.epochs_for_steps(steps, fold_lines);
    }
    base.training.seed = round_seed;
    let grid = Grid {
        learning_rates: cv.learning_rates.clone(),
        weight_decays: cv.weight_decays.clone(),
        hidden_sizes: vec![settings.config.hidden],
        epochs: vec![base.training.epochs],
        layers: vec![settings.config.layers],
    };
    let mut chosen = settings.clone();
    if let Some(best) = cross_validate(signature, data, &base, &grid, cv.folds).first() {
        chosen.training.learning_rate = best.learning_rate;
        chosen.training.weight_decay = best.weight_decay;
    }
    chosen
}

/// Every ensemble member fitted on `data`, in parallel, each from its own seed drawn from
/// `round_seed` (so the result does not depend on the thread count) and, with warm starts,
/// from its own last network.
fn ensemble_fit(
    signature: &SpaceSignature,
    settings: &FitSettings,
    rounds: &RoundsSettings,
    data: &TrainingData,
    previous: &[Option<Predictor>],
    round_seed: u64,
) -> Result<Vec<Predictor>, String> {
    let epochs_for = |steps: Option<usize>| match steps {
        Some(steps) => settings.training.epochs_for_steps(steps, data.samples.len()),
        None => settings.training.epochs,
    };
    (0..rounds.ensemble)
        .into_par_iter()
        .map(|member| {
            let mut settings = settings.clone();
            let start = previous[member].as_ref();
            settings.training.epochs = epochs_for(if start.is_some() { rounds.warm_steps } else { rounds.steps });
            settings.training.seed = uniform_below(&mut np_spaces::rng::item_rng(round_seed, member as u64), u64::MAX);
            fit_from(signature, data, &settings, start, &|_, _, _| {})
        })
        .collect()
}

/// The ensemble's mean of `value` for each candidate.
fn mean_of(scores: &[Vec<Scores>], value: fn(&Scores) -> f64) -> Vec<f64> {
    let members = scores.len() as f64;
    (0..scores[0].len()).map(|j| scores.iter().map(|s| value(&s[j])).sum::<f64>() / members).collect()
}

/// Candidates in the order a batch takes them under one score vector: members the classifier
/// deems good first (when there is one), then by score, ties by id.
fn ranked<'a>(good: &[bool], score: &[f64], id: impl Fn(usize) -> &'a String) -> Vec<usize> {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| good[b].cmp(&good[a]).then(score[b].total_cmp(&score[a])).then_with(|| id(a).cmp(id(b))));
    order
}

/// The `size` candidates a round trains: `size - global` from the first `near_count`
/// candidates (the neighbours), then `global` from all the others not taken, each part by the
/// acquisition. With no other candidates (`near_count` is all of them) the neighbours fill the
/// batch.
fn choose_mixed_batch<'a>(
    scores: &[Vec<Scores>],
    acquisition: Acquisition,
    size: usize,
    global: usize,
    near_count: usize,
    rng: &mut SpaceRng,
    id: impl Fn(usize) -> &'a String + Copy,
) -> Vec<usize> {
    let count = scores[0].len();
    if near_count >= count {
        return choose_batch(scores, acquisition, size, rng, id);
    }
    let part = |range: std::ops::Range<usize>| -> Vec<Vec<Scores>> {
        scores.iter().map(|member| member[range.clone()].to_vec()).collect()
    };
    let mut batch = choose_batch(&part(0..near_count), acquisition, size - global.min(size), rng, id);
    let others = choose_batch(&part(near_count..count), acquisition, size - batch.len(), rng, |j| id(near_count + j));
    batch.extend(others.into_iter().map(|j| near_count + j));
    batch
}

/// The `size` candidates (indices into each score vector) a round trains, in order.
fn choose_batch<'a>(
    scores: &[Vec<Scores>],
    acquisition: Acquisition,
    size: usize,
    rng: &mut SpaceRng,
    id: impl Fn(usize) -> &'a String + Copy,
) -> Vec<usize> {
    let count = scores[0].len();
    let p_good = mean_of(scores, |s| s.p_good.unwrap_or(1.0));
    let good: Vec<bool> = p_good.iter().map(|&p| p >= 0.5).collect();
    let mean = mean_of(scores, |s| s.pred);
    match acquisition {
        Acquisition::Mean => ranked(&good, &mean, id).into_iter().take(size).collect(),
        Acquisition::UpperBound(kappa) => {
            let bound: Vec<f64> = (0..count)
                .map(|j| {
                    let variance =
                        scores.iter().map(|s| (s[j].pred - mean[j]).powi(2)).sum::<f64>() / scores.len() as f64;
                    mean[j] + kappa * variance.sqrt()
                })
                .collect();
            ranked(&good, &bound, id).into_iter().take(size).collect()
        }
        Acquisition::Thompson => {
            // Each member's own order, computed once; a slot walks its drawn member's order
            // past what the batch already holds.
            let orders: Vec<Vec<usize>> = scores
                .iter()
                .map(|member| {
                    let member_good: Vec<bool> = member.iter().map(|s| s.p_good.is_none_or(|p| p >= 0.5)).collect();
                    let pred: Vec<f64> = member.iter().map(|s| s.pred).collect();
                    ranked(&member_good, &pred, id)
                })
                .collect();
            let mut next = vec![0usize; orders.len()];
            let mut taken = vec![false; count];
            let mut batch = Vec::with_capacity(size.min(count));
            while batch.len() < size.min(count) {
                let member = uniform_below(rng, orders.len() as u64) as usize;
                while taken[orders[member][next[member]]] {
                    next[member] += 1;
                }
                let pick = orders[member][next[member]];
                taken[pick] = true;
                batch.push(pick);
            }
            batch
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scores(preds: &[&[f64]]) -> Vec<Vec<Scores>> {
        preds.iter().map(|member| member.iter().map(|&pred| Scores { pred, p_good: None }).collect()).collect()
    }

    #[test]
    fn acquisitions_parse_and_name_themselves() {
        for text in ["mean", "ucb:1.5", "thompson"] {
            assert_eq!(Acquisition::parse(text).unwrap().name(), text);
        }
        assert!(Acquisition::parse("ucb:x").unwrap_err().contains("finite"));
        assert!(Acquisition::parse("greedy").unwrap_err().contains("known: mean"));
    }

    #[test]
    fn batches_follow_the_acquisition() {
        let ids: Vec<String> = (0..4).map(|i| format!("{i}")).collect();
        let id = |j: usize| &ids[j];
        // Candidate 1 has the best mean; candidate 3 the widest spread.
        let s = scores(&[&[1.0, 5.0, 2.0, 0.0], &[1.0, 5.0, 2.0, 8.0]]);
        let mut rng = np_spaces::rng::stream_rng(1);
        assert_eq!(choose_batch(&s, Acquisition::Mean, 2, &mut rng, id), [1, 3]);
        assert_eq!(choose_batch(&s, Acquisition::UpperBound(2.0), 1, &mut rng, id), [3]);
        // Thompson: every pick is distinct, each the best remaining of some member.
        let batch = choose_batch(&s, Acquisition::Thompson, 4, &mut rng, id);
        let mut sorted = batch.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, [0, 1, 2, 3]);
        assert!(batch[0] == 1 || batch[0] == 3, "{batch:?}");
    }

    #[test]
    fn scopes_parse_and_name_themselves() {
        for text in ["all", "local:10"] {
            assert_eq!(CandidateScope::parse(text).unwrap().name(), text);
        }
        assert!(CandidateScope::parse("local:0").unwrap_err().contains("positive"));
        assert!(CandidateScope::parse("near").unwrap_err().contains("known: all"));
    }

    #[test]
    fn neighbours_come_from_the_best_parents_only() {
        // Members 0..20 on a ring; a mutation steps one to either side.
        let mutation =
            |i: usize, rng: &mut SpaceRng| Some(if uniform_below(rng, 2) == 0 { (i + 1) % 20 } else { (i + 19) % 20 });
        let evaluations: Vec<crate::Evaluation> = (0..20)
            .map(|i| crate::Evaluation {
                id: i.to_string(),
                val_accuracy: [3.0, 9.0, 5.0][i % 3],
                test_accuracy: None,
                train_seconds: None,
            })
            .collect();
        let trained = [0, 4, 10, 15];
        let mut rng = np_spaces::rng::stream_rng(7);
        // The two best trained: 4 and 10 (val 9), not 0 (3) or 15 (3).
        let found = neighbours(&trained, 2, &mutation, &mut rng, |i| Some(&evaluations[i]));
        assert_eq!(found, [3, 5, 9, 11]);
    }

    #[test]
    fn the_classifier_puts_good_members_first() {
        let ids: Vec<String> = (0..3).map(|i| format!("{i}")).collect();
        let s = vec![vec![
            Scores { pred: 9.0, p_good: Some(0.2) },
            Scores { pred: 3.0, p_good: Some(0.9) },
            Scores { pred: 4.0, p_good: Some(0.6) },
        ]];
        let mut rng = np_spaces::rng::stream_rng(1);
        assert_eq!(choose_batch(&s, Acquisition::Mean, 3, &mut rng, |j| &ids[j]), [2, 1, 0]);
    }
}
