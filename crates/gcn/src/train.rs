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

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig { epochs: 300, batch_size: 10, learning_rate: 2e-4, weight_decay: 1e-3, dropout: 0.0, seed: 0 }
    }
}

/// The terms of a batch's mean loss (one per sample; the batch has `n` samples in all) and its
/// gradient with respect to the logits.
fn loss_and_gradient(head: Head, logits: &Array1<f32>, targets: &[f64], n: usize) -> (Vec<f64>, Array1<f32>) {
    let n = n as f64;
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
    let mut params = GcnParams::<f32>::init(config, &mut rng);
    params.out_bias[0] = real(initial_logit(head, targets));
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
            let run = |(batch, batch_targets): &(Batch<f32>, Vec<f64>), masks| {
                half_step(&params, head, batch, batch_targets, chunk.len(), masks)
            };
            let done = if tail_graphs.is_empty() {
                vec![run(&halves[0], head_masks)]
            } else {
                let (first, second) = fork_join.join(|| run(&halves[0], head_masks), || run(&halves[1], tail_masks));
                vec![first, second]
            };
            let parts: Vec<(&ForwardCache<f32>, &RowGradients<f32>)> =
                done.iter().map(|h| (&h.cache, &h.rows)).collect();
            let grads = params.parameter_gradients(&parts, &fork_join);
            let learning_rate = cosine_learning_rate(settings.learning_rate, step, total_steps);
            adam.step(&mut params, &grads, learning_rate, &fork_join);
            let loss = done.iter().flat_map(|h| &h.loss).fold(0.0, |sum, term| sum + term);
            epoch_loss += loss * chunk.len() as f64;
            step += 1;
        }
        on_epoch(epoch, epoch_loss / samples.len() as f64);
    }
    // Where the CPU has no flush-to-zero mode, subnormal weights may still have formed.
    params.flush_subnormals();
    params
}

/// One half of a training step's batch after the forward pass and the row part of the backward
/// pass.
struct HalfStep {
    loss: Vec<f64>,
    cache: ForwardCache<f32>,
    rows: RowGradients<f32>,
}

fn half_step(
    params: &GcnParams<f32>,
    head: Head,
    batch: &Batch<f32>,
    targets: &[f64],
    step_size: usize,
    masks: Option<&DropoutMasks<f32>>,
) -> HalfStep {
    let (logits, cache) = params.forward(batch, masks);
    let (loss, d_logits) = loss_and_gradient(head, &logits, targets, step_size);
    let rows = params.backward_rows(batch, &cache, &d_logits);
    HalfStep { loss, cache, rows }
}
