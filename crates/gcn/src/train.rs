//! Seeded mini-batch training (prediction: [`crate::shared_states`]).

use ndarray::Array1;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::adam::{Adam, AdamConfig, cosine_learning_rate};
use crate::graph::GraphSample;
use crate::model::{Batch, Dropout, GcnConfig, GcnParams, Head};
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

/// The loss of one batch and its gradient with respect to the logits.
fn loss_and_gradient(head: Head, logits: &Array1<f32>, targets: &[f64]) -> (f64, Array1<f32>) {
    let n = targets.len() as f64;
    let mut loss = 0.0;
    let mut gradient = Array1::zeros(logits.len());
    for (i, (&logit, &target)) in logits.iter().zip(targets).enumerate() {
        let p = 1.0 / (1.0 + (-(logit as f64)).exp());
        match head {
            Head::Regression { low, high } => {
                let pred = low + (high - low) * p;
                loss += (pred - target).powi(2) / n;
                gradient[i] = (2.0 * (pred - target) / n * (high - low) * p * (1.0 - p)) as f32;
            }
            Head::Classifier => {
                let p = p.clamp(1e-7, 1.0 - 1e-7);
                loss -= (target * p.ln() + (1.0 - target) * (1.0 - p).ln()) / n;
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
pub fn train(
    samples: &[GraphSample<f32>],
    targets: &[f64],
    config: &GcnConfig,
    head: Head,
    settings: &TrainConfig,
    mut on_epoch: impl FnMut(usize, f64),
) -> GcnParams<f32> {
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
            let batch_targets: Vec<f64> = chunk.iter().map(|&i| targets[i]).collect();
            let batch = Batch::new(&chunk.iter().map(|&i| &samples[i]).collect::<Vec<_>>());
            let (logits, cache) = params.forward(&batch, Some(Dropout { rate: settings.dropout, rng: &mut rng }));
            let (loss, d_logits) = loss_and_gradient(head, &logits, &batch_targets);
            let grads = params.backward(&batch, &cache, &d_logits);
            adam.step(&mut params, &grads, cosine_learning_rate(settings.learning_rate, step, total_steps));
            epoch_loss += loss * chunk.len() as f64;
            step += 1;
        }
        on_epoch(epoch, epoch_loss / samples.len() as f64);
    }
    params
}
