//! The Neural Predictor's graph convolutional network (Wen et al., ECCV 2020, Section 3).
//!
//! A GCN reads an architecture's graph (adjacency and one-hot ops per node, padded to the
//! space's max nodes with a node mask) and predicts its accuracy. It is small (three layers of
//! 144 units), trained on only N ≈ 100–200 examples, so forward and backward passes are written
//! by hand on `ndarray` (no autodiff framework) and checked against finite differences.
//!
//! - [`model`]: the parameters and the math (forward, backward) — read this file for the model.
//! - [`graph`]: turning an encoded graph into the model's input tensors.
//! - [`adam`]: Adam with L2 weight decay and cosine learning-rate decay.
//! - [`train`]: seeded mini-batch training.
//! - [`matmul`]: the `f32` matrix products of training.
//! - [`fork_join`]: the helper thread that shares a training step.
//! - [`batch`]: mini-batches and their dropout masks.
//! - [`shared_states`]: inference that computes each distinct node state once (scoring whole
//!   search spaces).
//!
//! This crate does not read or write files; the tools and the ONNX exporter do.

pub mod adam;
pub mod batch;
pub mod fork_join;
pub mod graph;
mod key_index;
pub mod matmul;
pub mod model;
pub mod shared_states;
pub mod train;

use ndarray::{Array2, ArrayView2};

pub use graph::GraphSample;
pub use model::{GcnConfig, GcnParams, Head};

/// Floating-point types the model runs in: `f32` for training and export, `f64` for gradient
/// checks.
pub trait Real:
    ndarray::LinalgScalar
    + ndarray::ScalarOperand
    + num_traits::Float
    + num_traits::FromPrimitive
    + std::fmt::Debug
    + std::iter::Sum
    + std::ops::AddAssign
    + std::ops::MulAssign
    + Send
    + Sync
{
    /// `a·b`.
    fn product(a: ArrayView2<Self>, b: ArrayView2<Self>) -> Array2<Self> {
        a.dot(&b)
    }

    /// `a·bᵀ`.
    fn product_transposed(a: ArrayView2<Self>, b: ArrayView2<Self>) -> Array2<Self> {
        a.dot(&b.t())
    }
}

/// Training runs in `f32`, with products that read the weights in place ([`matmul`]).
impl Real for f32 {
    fn product(a: ArrayView2<Self>, b: ArrayView2<Self>) -> Array2<Self> {
        matmul::product(a, b)
    }

    fn product_transposed(a: ArrayView2<Self>, b: ArrayView2<Self>) -> Array2<Self> {
        matmul::product_transposed(a, b)
    }
}

impl Real for f64 {}

/// Converts an `f64` constant into `F`.
pub(crate) fn real<F: Real>(x: f64) -> F {
    F::from_f64(x).expect("finite constant")
}
