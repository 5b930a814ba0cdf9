//! The Neural Predictor search (Wen et al., ECCV 2020, Section 3): train N architectures drawn
//! at random, fit the GCN predictor on their validation accuracies, score every other member of
//! the table, then train the predicted best in order until the budget is spent; deploy the best
//! by validation accuracy among all N + K trained.

use np_gcn::GraphSample;
use np_predictor::fit::{FitSettings, TrainingData, fit};
use np_predictor::{Scores, SpaceSignature};
use np_spaces::rng::SpaceRng;

use crate::evaluation::{Evaluator, SearchLog};
use crate::universe::Universe;

/// What a Neural Predictor search learned besides its trained architectures.
#[derive(Debug, Clone)]
pub struct PredictorOutcome {
    /// Members of the universe that were not among the N training samples, and the
    /// predictor's score for each (the ranking used to pick the K).
    pub scored: Vec<usize>,
    pub predictions: Vec<f64>,
}

/// What a Neural Predictor search works on, the same in every trial: the members it may train,
/// their graph inputs (one per member, in the same order), the space's signature and how the
/// GCN is fitted (its seed included).
pub struct PredictorInputs<'a, A> {
    pub universe: &'a Universe<A>,
    pub samples: &'a [GraphSample<f32>],
    pub signature: &'a SpaceSignature,
    pub settings: &'a FitSettings,
}

/// The graph inputs of every member of `universe`, computed once and shared by all trials.
pub fn universe_samples<S: np_spaces::SearchSpace>(space: &S, universe: &Universe<S::Arch>) -> Vec<GraphSample<f32>> {
    use rayon::prelude::*;
    let shape = np_encoding::EncodingShape::of(space);
    universe
        .archs
        .par_iter()
        .map(|arch| np_predictor::graph_sample(&np_encoding::GraphEncoding::new(&space.graph(arch), &shape)))
        .collect()
}

/// The first phase of every Neural Predictor search: `n` members drawn uniformly without
/// replacement and trained, the predictor fitted on their validation accuracies, and every
/// member not trained yet scored. Returns those members (indices into `universe`) and their
/// scores, in the same order.
pub fn fit_on_random_members<A: Clone>(
    inputs: &PredictorInputs<'_, A>,
    n: usize,
    rng: &mut SpaceRng,
    budget: usize,
    evaluator: &mut impl Evaluator<A>,
    log: &mut SearchLog,
) -> Result<(Vec<usize>, Vec<Scores>), String> {
    let PredictorInputs { universe, samples, signature, settings } = *inputs;
    assert_eq!(samples.len(), universe.len(), "one graph sample per universe member");
    let n = n.min(budget).min(universe.len());
    let drawn = universe.shuffled_prefix(rng, n);
    let batch: Vec<(A, String)> = drawn.iter().map(|&i| universe.member(i)).collect();
    let answers = log.evaluate(evaluator, &batch, budget)?;
    let mut data = TrainingData { samples: Vec::new(), ids: Vec::new(), labels: Vec::new() };
    for (&i, answer) in drawn.iter().zip(answers) {
        let answer = answer.ok_or("the budget ended before the N training architectures")?;
        data.samples.push(samples[i].clone());
        data.ids.push(universe.ids[i].clone());
        data.labels.push(answer.val_accuracy);
    }
    let predictor = fit(signature, &data, settings, &|_, _, _| {})?;
    let scored: Vec<usize> = (0..universe.len()).filter(|&i| !log.contains(&universe.ids[i])).collect();
    let scored_samples: Vec<GraphSample<f32>> = scored.iter().map(|&i| samples[i].clone()).collect();
    let scores = predictor.score_native(&scored_samples);
    Ok((scored, scores))
}

/// Runs one Neural Predictor search with `n` random training architectures and a total budget
/// of `budget` trained architectures (so K = budget − n). `settings.training.seed` seeds the
/// GCN; `rng` draws the N. With a two-stage predictor, members the classifier deems good
/// (p_good ≥ 0.5) are ranked first, each group by predicted accuracy.
pub fn neural_predictor_search<A: Clone>(
    inputs: &PredictorInputs<'_, A>,
    n: usize,
    rng: &mut SpaceRng,
    budget: usize,
    evaluator: &mut impl Evaluator<A>,
    log: &mut SearchLog,
) -> Result<PredictorOutcome, String> {
    let (scored, scores) = fit_on_random_members(inputs, n, rng, budget, evaluator, log)?;
    let universe = inputs.universe;
    let mut order: Vec<usize> = (0..scored.len()).collect();
    let good = |j: usize| scores[j].p_good.is_none_or(|p| p >= 0.5);
    order.sort_by(|&a, &b| {
        good(b)
            .cmp(&good(a))
            .then(scores[b].pred.total_cmp(&scores[a].pred))
            .then_with(|| universe.ids[scored[a]].cmp(&universe.ids[scored[b]]))
    });
    let remaining = budget.saturating_sub(log.trained());
    let top: Vec<(A, String)> = order.iter().take(remaining).map(|&j| universe.member(scored[j])).collect();
    log.evaluate(evaluator, &top, budget)?;
    Ok(PredictorOutcome { scored, predictions: scores.iter().map(|s| s.pred).collect() })
}
