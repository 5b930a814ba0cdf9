//! Seeded mini-batch training (prediction: [`crate::shared_states`]).

use ndarray::Array1;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::adam::{Adam, AdamConfig, cosine_learning_rate};
use crate::batch::{Batch, DropoutMasks};
use crate::fork_join::ForkJoin;
use crate::graph::GraphSample;
use crate::model::{ForwardCache, GcnConfig, GcnParams, Head, RowGradients};
use crate::real;

/// Training settings. Defaults follow the public reproductions of the paper.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainConfig {
    pub epochs: usize,
    pub batch_size: usize,
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub dropout: f64,
    pub seed: u64,
}

impl TrainConfig {
    /// The epochs that make about `steps` gradient steps on `lines` training lines: at least
    /// one, at most `self.epochs`. Why steps and not epochs: a search in rounds refits on a
    /// training set that grows every round, and a fixed epoch count would make the fit on
    /// 1,000 architectures cost 25 times the one on 40, so the rounds of a long search would
    /// cost quadratically in its length.
    pub fn epochs_for_steps(&self, steps: usize, lines: usize) -> usize {
        let per_epoch = lines.div_ceil(self.batch_size.max(1)).max(1);
        steps.div_ceil(per_epoch).clamp(1, self.epochs.max(1))
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig { epochs: 300, batch_size: 10, learning_rate: 2e-4, weight_decay: 1e-3, dropout: 0.0, seed: 0 }
    }
}

/// What the regressor minimises besides the squared error.
///
/// `rank_weight` > 0 adds a pairwise ranking term (RankNet's logistic loss, Burges et al.,
/// ICML 2005, as GATES and the predictors after it use a pairwise ranking loss): for every pair
/// of a mini-batch whose labels differ, `softplus(−(z_better − z_worse))` on the output logits,
/// averaged over the pairs and weighted by `rank_weight` against the batch's mean squared
/// error. Why: a search only needs the order, and on spaces whose accuracies have a long low
/// tail (NAS-Bench-201: cells that cannot pass a signal train to 10%) the squared error spends
/// the model on how far below the rest those cells lie, while the good cells, a few tenths of a
/// percent apart, hardly move it. The logit is monotone in the prediction, so the term orders
/// the predictions without changing their units; the squared error keeps them in the label's
/// range. The classifier of the two-stage predictor ignores it. 0 (the default) trains exactly
/// as before.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RegressionLoss {
    pub rank_weight: f64,
}

/// The terms of a step's mean loss (one per sample; `targets` are the whole step's) and its
/// gradient with respect to the logits. Pair terms are booked to the better sample of the pair.
fn loss_and_gradient(
    head: Head,
    loss_kind: RegressionLoss,
    logits: &Array1<f32>,
    targets: &[f64],
) -> (Vec<f64>, Array1<f32>) {
    let n = logits.len() as f64;
    let mut loss = vec![0.0; logits.len()];
    let mut gradient = Array1::zeros(logits.len());
    for (i, (&logit, &target)) in logits.iter().zip(targets).enumerate() {
        let p = 1.0 / (1.0 + (-(logit as f64)).exp());
        match head {
            Head::Regression { low, high } => {
                let pred = low + (high - low) * p;
                loss[i] = (pred - target).powi(2) / n;
                gradient[i] = (2.0 * (pred - target) / n * (high - low) * p * (1.0 - p)) as f32;
            }
            Head::Classifier => {
                let p = p.clamp(1e-7, 1.0 - 1e-7);
                loss[i] = -(target * p.ln() + (1.0 - target) * (1.0 - p).ln()) / n;
                gradient[i] = ((p - target) / n) as f32;
            }
        }
    }
    if loss_kind.rank_weight > 0.0 && matches!(head, Head::Regression { .. }) {
        let pairs: Vec<(usize, usize)> = (0..targets.len())
            .flat_map(|i| (0..targets.len()).map(move |j| (i, j)))
            .filter(|&(i, j)| targets[i] > targets[j])
            .collect();
        let weight = loss_kind.rank_weight / pairs.len().max(1) as f64;
        for (better, worse) in pairs {
            let margin = logits[better] as f64 - logits[worse] as f64;
            // softplus(−m) = ln(1 + e^(−m)), written to stay finite for large |m|.
            loss[better] += weight * ((-margin).max(0.0) + (-margin.abs()).exp().ln_1p());
            let slope = (weight / (1.0 + margin.exp())) as f32;
            gradient[better] -= slope;
            gradient[worse] += slope;
        }
    }
    (loss, gradient)
}

/// The logit whose head output is the mean target: starting the output bias there spares the
/// first epochs the walk from the sigmoid's midpoint to typical accuracies.
fn initial_logit(head: Head, targets: &[f64]) -> f64 {
    let mean = targets.iter().sum::<f64>() / targets.len().max(1) as f64;
    let p = match head {
        Head::Regression { low, high } => (mean - low) / (high - low),
        Head::Classifier => mean,
    };
    let p = p.clamp(0.01, 0.99);
    (p / (1.0 - p)).ln()
}

/// Trains a network on `samples` with `targets` (accuracies for regression, 0/1 for the
/// classifier). `on_epoch(epoch, mean_loss)` reports progress.
///
/// Each step runs the forward pass and the graph-by-graph part of the backward pass on the two
/// halves of its batch, then the gradient sums and the update split by tensor: on two threads
/// when called outside a parallel section on a machine with more than one (rayon's thread
/// count), otherwise on one. Every number is computed in the same order either way, so the
/// trained weights have the same bits whatever the thread count.
///
/// Both threads flush subnormals to zero (`np_subnormal`): weight decay drives the weights of
/// ops the samples never show towards zero until they underflow, and on Intel cores every
/// product with a subnormal weight took the slow path (training 4–5× slower). The returned
/// weights hold no subnormal value.
pub fn train(
    samples: &[GraphSample<f32>],
    targets: &[f64],
    config: &GcnConfig,
    head: Head,
    settings: &TrainConfig,
    on_epoch: impl FnMut(usize, f64),
) -> GcnParams<f32> {
    train_from(None, samples, targets, config, head, settings, RegressionLoss::default(), on_epoch)
}

/// [`train`] with a regression loss other than the squared error alone ([`RegressionLoss`]),
/// starting from `initial`'s weights when given (a warm start) instead of a fresh Glorot draw.
/// Why the warm start: a search in rounds refits on a training set that grew by one
/// batch; the last round's network already fits all but that batch, so a short run from its
/// weights reaches what a long run from scratch does, at a fraction of the steps. Adam's
/// moments start at zero and the cosine schedule runs again over `settings.epochs` (a warm
/// restart, Loshchilov & Hutter 2017). `initial` must have `config`'s shapes.
#[allow(clippy::too_many_arguments)]
pub fn train_from(
    initial: Option<&GcnParams<f32>>,
    samples: &[GraphSample<f32>],
    targets: &[f64],
    config: &GcnConfig,
    head: Head,
    settings: &TrainConfig,
    loss_kind: RegressionLoss,
    mut on_epoch: impl FnMut(usize, f64),
) -> GcnParams<f32> {
    // Before the helper starts, which takes this thread's mode.
    let _flush = np_subnormal::FlushToZero::enable();
    // Inside a rayon task (cross-validation folds, the two stages) other trainings already
    // occupy the threads.
    let fork_join = if rayon::current_thread_index().is_none() && rayon::current_num_threads() > 1 {
        ForkJoin::with_helper()
    } else {
        ForkJoin::serial()
    };
    assert_eq!(samples.len(), targets.len());
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let mut params = match initial {
        Some(initial) => {
            assert_eq!(&initial.config, config, "a warm start needs the network's own shapes");
            initial.clone()
        }
        None => {
            let mut params = GcnParams::<f32>::init(config, &mut rng);
            params.out_bias[0] = real(initial_logit(head, targets));
            params
        }
    };
    if samples.is_empty() {
        return params;
    }
    let mut adam = Adam::new(AdamConfig::new(settings.learning_rate, settings.weight_decay), &params);
    let batch_size = settings.batch_size.max(1);
    let steps_per_epoch = samples.len().div_ceil(batch_size);
    let total_steps = settings.epochs * steps_per_epoch;
    let mut order: Vec<usize> = (0..samples.len()).collect();
    let mut step = 0;
    for epoch in 0..settings.epochs {
        order.shuffle(&mut rng);
        let mut epoch_loss = 0.0;
        for chunk in order.chunks(batch_size) {
            let (head_graphs, tail_graphs) = chunk.split_at(chunk.len().div_ceil(2));
            let half_batch = |graphs: &[usize]| {
                let members: Vec<&GraphSample<f32>> = graphs.iter().map(|&i| &samples[i]).collect();
                (Batch::new(&members), graphs.iter().map(|&i| targets[i]).collect::<Vec<f64>>())
            };
            let halves = [half_batch(head_graphs), half_batch(tail_graphs)];
            let rows = halves[0].0.total_rows() + halves[1].0.total_rows();
            let masks = DropoutMasks::draw(settings.dropout, &mut rng, config, rows, chunk.len())
                .map(|m| m.split_at(halves[0].0.total_rows(), head_graphs.len()));
            let (head_masks, tail_masks) = masks.as_ref().map_or((None, None), |(h, t)| (Some(h), Some(t)));
            // Forward passes, then the loss of the whole step (a ranking term pairs samples of
            // both halves), then the row part of the backward passes.
            let forward = |(batch, _): &(Batch<f32>, Vec<f64>), masks| params.forward(batch, masks);
            let forwards = if tail_graphs.is_empty() {
                vec![forward(&halves[0], head_masks)]
            } else {
                let (first, second) =
                    fork_join.join(|| forward(&halves[0], head_masks), || forward(&halves[1], tail_masks));
                vec![first, second]
            };
            let logits: Array1<f32> = forwards.iter().flat_map(|(l, _)| l.iter().copied()).collect();
            let step_targets: Vec<f64> = halves.iter().flat_map(|(_, t)| t.iter().copied()).collect();
            let (losses, d_logits) = loss_and_gradient(head, loss_kind, &logits, &step_targets);
            let split = forwards[0].0.len();
            let d_halves =
                [d_logits.slice(ndarray::s![..split]).to_owned(), d_logits.slice(ndarray::s![split..]).to_owned()];
            let backward = |h: usize| params.backward_rows(&halves[h].0, &forwards[h].1, &d_halves[h]);
            let rows = if tail_graphs.is_empty() {
                vec![backward(0)]
            } else {
                let (first, second) = fork_join.join(|| backward(0), || backward(1));
                vec![first, second]
            };
            let parts: Vec<(&ForwardCache<f32>, &RowGradients<f32>)> =
                forwards.iter().zip(&rows).map(|((_, cache), rows)| (cache, rows)).collect();
            let grads = params.parameter_gradients(&parts, &fork_join);
            let learning_rate = cosine_learning_rate(settings.learning_rate, step, total_steps);
            adam.step(&mut params, &grads, learning_rate, &fork_join);
            let loss = losses.iter().fold(0.0, |sum, term| sum + term);
            epoch_loss += loss * chunk.len() as f64;
            step += 1;
        }
        on_epoch(epoch, epoch_loss / samples.len() as f64);
    }
    // Where the CPU has no flush-to-zero mode, subnormal weights may still have formed.
    params.flush_subnormals();
    params
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(head: Head, loss_kind: RegressionLoss, logits: &[f32], targets: &[f64]) -> f64 {
        loss_and_gradient(head, loss_kind, &Array1::from(logits.to_vec()), targets).0.iter().sum()
    }

    #[test]
    fn the_ranking_gradient_matches_finite_differences() {
        let head = Head::Regression { low: 10.0, high: 100.0 };
        let loss_kind = RegressionLoss { rank_weight: 3.0 };
        let logits = [0.3f32, -1.2, 2.0, 0.5, 0.5];
        let targets = [85.0, 90.0, 60.0, 85.0, 10.0];
        let (_, gradient) = loss_and_gradient(head, loss_kind, &Array1::from(logits.to_vec()), &targets);
        for i in 0..logits.len() {
            let eps = 1e-2f32;
            let (mut up, mut down) = (logits, logits);
            up[i] += eps;
            down[i] -= eps;
            let numeric =
                (total(head, loss_kind, &up, &targets) - total(head, loss_kind, &down, &targets)) / (2.0 * eps as f64);
            assert!(
                (numeric - gradient[i] as f64).abs() < 1e-3 * numeric.abs().max(1.0),
                "logit {i}: {numeric} vs {}",
                gradient[i]
            );
        }
    }

    #[test]
    fn the_ranking_term_charges_reversed_pairs_only_and_spares_the_classifier() {
        let head = Head::Regression { low: 0.0, high: 100.0 };
        let targets = [90.0, 80.0];
        let mse = |logits: &[f32]| total(head, RegressionLoss::default(), logits, &targets);
        let ranked = |logits: &[f32]| total(head, RegressionLoss { rank_weight: 1.0 }, logits, &targets);
        // Ordered by a wide margin: next to nothing; reversed by 20: about 20.
        assert!(ranked(&[10.0, -10.0]) - mse(&[10.0, -10.0]) < 1e-8);
        assert!((ranked(&[-10.0, 10.0]) - mse(&[-10.0, 10.0]) - 20.0).abs() < 1e-6);
        // Equal labels form no pair.
        let tied = [80.0, 80.0];
        let weighted =
            loss_and_gradient(head, RegressionLoss { rank_weight: 1.0 }, &Array1::from(vec![1.0, -1.0]), &tied);
        assert_eq!(weighted, loss_and_gradient(head, RegressionLoss::default(), &Array1::from(vec![1.0, -1.0]), &tied));
        let classes = [1.0, 0.0];
        let logits = Array1::from(vec![-1.0f32, 1.0]);
        assert_eq!(
            loss_and_gradient(Head::Classifier, RegressionLoss { rank_weight: 5.0 }, &logits, &classes),
            loss_and_gradient(Head::Classifier, RegressionLoss::default(), &logits, &classes)
        );
    }
}
