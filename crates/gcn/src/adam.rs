//! Adam (Kingma & Ba) with L2 weight decay added to the gradient, as PyTorch's `Adam(...,
//! weight_decay=...)` does, which the public reproductions of the Neural Predictor use; and the
//! cosine learning-rate decay they pair it with.

use crate::fork_join::ForkJoin;
use crate::model::GcnParams;
use crate::{Real, real};

/// Optimiser settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdamConfig {
    pub learning_rate: f64,
    pub weight_decay: f64,
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
}

impl AdamConfig {
    pub fn new(learning_rate: f64, weight_decay: f64) -> Self {
        AdamConfig { learning_rate, weight_decay, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 }
    }
}

/// Adam's running moments.
pub struct Adam<F> {
    config: AdamConfig,
    first_moment: GcnParams<F>,
    second_moment: GcnParams<F>,
    steps: i32,
}

impl<F: Real> Adam<F> {
    pub fn new(config: AdamConfig, params: &GcnParams<F>) -> Self {
        Adam { config, first_moment: params.zeros_like(), second_moment: params.zeros_like(), steps: 0 }
    }

    /// One update with learning rate `learning_rate` (the schedule's value for this step).
    pub fn step(&mut self, params: &mut GcnParams<F>, grads: &GcnParams<F>, learning_rate: f64, fork_join: &ForkJoin) {
        self.steps += 1;
        let c = self.config;
        let bias1 = 1.0 - c.beta1.powi(self.steps);
        let bias2 = 1.0 - c.beta2.powi(self.steps);
        let constants = Constants {
            beta1: real(c.beta1),
            beta2: real(c.beta2),
            one_minus_beta1: real(1.0 - c.beta1),
            one_minus_beta2: real(1.0 - c.beta2),
            step_size: real(learning_rate * bias2.sqrt() / bias1),
            epsilon: real(c.epsilon * bias2.sqrt()),
            decay: real(c.weight_decay),
        };
        let tensors = params.tensors_mut().into_iter().zip(grads.tensors());
        let moments = self.first_moment.tensors_mut().into_iter().zip(self.second_moment.tensors_mut());
        // The update is elementwise: the two sides of `fork_join` take pieces with about as
        // many elements each (the tensors differ in size by a factor of 300), with the same bits.
        let mut pieces = Vec::new();
        for ((theta, grad), (m, v)) in tensors.zip(moments) {
            let chunks = theta.chunks_mut(UPDATE_PIECE).zip(grad.chunks(UPDATE_PIECE));
            let moment_chunks = m.chunks_mut(UPDATE_PIECE).zip(v.chunks_mut(UPDATE_PIECE));
            pieces.extend(chunks.zip(moment_chunks));
        }
        let total: usize = pieces.iter().map(|((theta, _), _)| theta.len()).sum();
        let mut first_elements = 0;
        let first_count = pieces
            .iter()
            .take_while(|((theta, _), _)| {
                first_elements += theta.len();
                first_elements <= total.div_ceil(2)
            })
            .count();
        let there = pieces.split_off(first_count);
        let update_all = |pieces: Vec<Piece<'_, F>>| {
            for ((theta, grad), (m, v)) in pieces {
                update(theta, grad, m, v, &constants);
            }
        };
        fork_join.join(|| update_all(pieces), || update_all(there));
    }
}

/// Slices of one tensor's parameters, gradient, and first and second moments.
type Piece<'a, F> = ((&'a mut [F], &'a [F]), (&'a mut [F], &'a mut [F]));

/// Elements per piece of an update: the unit in which the two sides of a fork-join share it.
const UPDATE_PIECE: usize = 4096;

/// One step's scalars.
struct Constants<F> {
    beta1: F,
    beta2: F,
    one_minus_beta1: F,
    one_minus_beta2: F,
    step_size: F,
    epsilon: F,
    decay: F,
}

/// Updates one tensor. On x86-64 with AVX2 the same loop is compiled for 8-lane vectors (the
/// portable build only assumes 4-lane SSE2); without fused multiply-adds and with IEEE square
/// roots and divisions, both give the same bits.
fn update<F: Real>(theta: &mut [F], grad: &[F], m: &mut [F], v: &mut [F], k: &Constants<F>) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has AVX2, checked just above.
        unsafe { update_avx2(theta, grad, m, v, k) };
        return;
    }
    update_loop(theta, grad, m, v, k);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn update_avx2<F: Real>(theta: &mut [F], grad: &[F], m: &mut [F], v: &mut [F], k: &Constants<F>) {
    update_loop(theta, grad, m, v, k);
}

#[inline(always)]
fn update_loop<F: Real>(theta: &mut [F], grad: &[F], m: &mut [F], v: &mut [F], k: &Constants<F>) {
    // Zipped iterators (no indexing) so the loop vectorises.
    for (((theta, &grad), m), v) in theta.iter_mut().zip(grad).zip(m.iter_mut()).zip(v.iter_mut()) {
        let g = grad + k.decay * *theta;
        *m = k.beta1 * *m + k.one_minus_beta1 * g;
        *v = k.beta2 * *v + k.one_minus_beta2 * g * g;
        *theta = *theta - k.step_size * *m / (v.sqrt() + k.epsilon);
    }
}

/// Cosine decay from `base` to 0 over `total` steps: `base · ½(1 + cos(π·step/total))`.
pub fn cosine_learning_rate(base: f64, step: usize, total: usize) -> f64 {
    if total == 0 {
        return base;
    }
    base * 0.5 * (1.0 + (std::f64::consts::PI * step as f64 / total as f64).cos())
}
