//! The GCN predictor: parameters, forward pass and backward pass.
//!
//! For a graph with node inputs V₀ (one-hot op, then numeric features), adjacency A and node
//! mask m (Neural Predictor paper, Section 3.1):
//!
//! ```text
//! Â = rownorm(A + I)        Ã = rownorm(Aᵀ + I)
//! V_{l+1} = ½·ReLU(Â·V_l·W_l) + ½·ReLU(Ã·V_l·W'_l)            l = 0 .. layers-1
//! g = Σ_i m_i·V_L[i] / Σ_i m_i                                 mean over real nodes
//! z = ReLU([g, x]·W_fc + b_fc)                                 fully connected, 128 units
//! logit = z·w_out + b_out
//! regression:  pred = low + (high − low)·σ(logit)             e.g. percent in [10, 100]
//! classifier:  p_good = σ(logit)
//! ```
//!
//! `x` holds the optional graph-level inputs (`GcnConfig::graph_features` numbers per graph,
//! e.g. standardised zero-cost proxies): they join the readout as extra rows of W_fc. With
//! none, `[g, x]` is `g` and the model is the paper's.
//!
//! Each layer has separate weights for the two edge directions (W for messages along edges,
//! W' against them), as in the paper's bidirectional GCN: a cell's data flows one way, and
//! whether a conv feeds or is fed by a pooling matters. The layers have no bias, also as in the
//! paper; a padding node (zero input, only a self-loop) therefore stays exactly zero. Dropout
//! (off by default) follows each GCN layer and the fully connected layer during training.

use ndarray::{Array1, Array2, ArrayView2, ArrayViewMut2, Axis, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::Uniform;
use rand_chacha::ChaCha8Rng;

use crate::batch::{Batch, DropoutMasks};
use crate::fork_join::ForkJoin;
use crate::{Real, real};

/// The architecture of the predictor network.
#[derive(Debug, Clone, PartialEq)]
pub struct GcnConfig {
    /// Width of a node's input: op vocabulary size plus numeric node features.
    pub input_width: usize,
    /// GCN hidden size D (paper: 144).
    pub hidden: usize,
    /// Number of GCN layers (paper: 3).
    pub layers: usize,
    /// Width of the fully connected layer (paper: 128).
    pub fc_hidden: usize,
    /// Graph-level inputs concatenated to the readout before the fully connected layer
    /// (0: none, the paper's model).
    pub graph_features: usize,
}

impl GcnConfig {
    /// The paper's sizes for a given node input width.
    pub fn paper(input_width: usize) -> Self {
        GcnConfig { input_width, hidden: 144, layers: 3, fc_hidden: 128, graph_features: 0 }
    }

    /// Number of trainable parameters.
    pub fn parameter_count(&self) -> usize {
        let mut count = 0;
        let mut width = self.input_width;
        for _ in 0..self.layers {
            count += width * 2 * self.hidden;
            width = self.hidden;
        }
        count + (self.hidden + self.graph_features) * self.fc_hidden + self.fc_hidden + self.fc_hidden + 1
    }
}

/// What the network's single output means.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Head {
    /// Accuracy in `[low, high]` through a scaled sigmoid.
    Regression { low: f64, high: f64 },
    /// Probability that the architecture is "good" (above a threshold).
    Classifier,
}

impl Head {
    /// The head's output for a logit.
    pub fn apply(&self, logit: f64) -> f64 {
        let p = 1.0 / (1.0 + (-logit).exp());
        match *self {
            Head::Regression { low, high } => low + (high - low) * p,
            Head::Classifier => p,
        }
    }
}

/// All trainable tensors. `gcn[l]` is `input × 2·hidden`: columns `..hidden` are W_l (along
/// edges), columns `hidden..` are W'_l (against edges), so one matrix product serves both.
/// `fc_weight` is `(hidden + graph_features) × fc_hidden`: the readout's rows, then the
/// graph-level inputs' rows.
#[derive(Debug, Clone, PartialEq)]
pub struct GcnParams<F> {
    pub config: GcnConfig,
    pub gcn: Vec<Array2<F>>,
    pub fc_weight: Array2<F>,
    pub fc_bias: Array1<F>,
    pub out_weight: Array1<F>,
    pub out_bias: Array1<F>,
}

/// Glorot-uniform matrix `rows × cols` (with `fan_out` for the bound).
fn glorot<F: Real>(rows: usize, cols: usize, fan_out: usize, rng: &mut ChaCha8Rng) -> Array2<F> {
    let bound = (6.0 / (rows + fan_out) as f64).sqrt();
    let uniform = Uniform::new(-bound, bound).expect("positive bound");
    Array2::<f64>::random_using((rows, cols), uniform, rng).mapv(real)
}

impl<F: Real> GcnParams<F> {
    /// Glorot-uniform weights, zero biases.
    pub fn init(config: &GcnConfig, rng: &mut ChaCha8Rng) -> Self {
        let mut gcn = Vec::with_capacity(config.layers);
        let mut width = config.input_width;
        for _ in 0..config.layers {
            gcn.push(glorot(width, 2 * config.hidden, config.hidden, rng));
            width = config.hidden;
        }
        GcnParams {
            config: config.clone(),
            gcn,
            fc_weight: glorot(config.hidden + config.graph_features, config.fc_hidden, config.fc_hidden, rng),
            fc_bias: Array1::zeros(config.fc_hidden),
            out_weight: glorot::<F>(config.fc_hidden, 1, 1, rng).remove_axis(Axis(1)),
            out_bias: Array1::zeros(1),
        }
    }

    /// Zeros of the same shapes (gradient accumulators, optimiser moments).
    pub fn zeros_like(&self) -> Self {
        GcnParams {
            config: self.config.clone(),
            gcn: self.gcn.iter().map(|w| Array2::zeros(w.raw_dim())).collect(),
            fc_weight: Array2::zeros(self.fc_weight.raw_dim()),
            fc_bias: Array1::zeros(self.fc_bias.len()),
            out_weight: Array1::zeros(self.out_weight.len()),
            out_bias: Array1::zeros(1),
        }
    }

    /// Every tensor as a flat slice, in a fixed order.
    pub fn tensors(&self) -> Vec<&[F]> {
        let mut all: Vec<&[F]> = self.gcn.iter().map(|w| w.as_slice().expect("standard layout")).collect();
        all.push(self.fc_weight.as_slice().expect("standard layout"));
        all.push(self.fc_bias.as_slice().expect("standard layout"));
        all.push(self.out_weight.as_slice().expect("standard layout"));
        all.push(self.out_bias.as_slice().expect("standard layout"));
        all
    }

    /// Every tensor as a flat mutable slice, in the order of [`GcnParams::tensors`].
    pub fn tensors_mut(&mut self) -> Vec<&mut [F]> {
        let mut all: Vec<&mut [F]> = self.gcn.iter_mut().map(|w| w.as_slice_mut().expect("standard layout")).collect();
        all.push(self.fc_weight.as_slice_mut().expect("standard layout"));
        all.push(self.fc_bias.as_slice_mut().expect("standard layout"));
        all.push(self.out_weight.as_slice_mut().expect("standard layout"));
        all.push(self.out_bias.as_slice_mut().expect("standard layout"));
        all
    }

    pub fn cast<G: Real>(&self) -> GcnParams<G> {
        let c = |x: &F| G::from_f64(x.to_f64().expect("finite")).expect("finite");
        GcnParams {
            config: self.config.clone(),
            gcn: self.gcn.iter().map(|w| w.map(c)).collect(),
            fc_weight: self.fc_weight.map(c),
            fc_bias: self.fc_bias.map(c),
            out_weight: self.out_weight.map(c),
            out_bias: self.out_bias.map(c),
        }
    }
}

struct LayerCache<F> {
    input: Array2<F>,
    pre_forward: Array2<F>,
    pre_backward: Array2<F>,
    dropout: Option<Array2<F>>,
}

/// What the backward pass needs from the forward pass.
pub struct ForwardCache<F> {
    layers: Vec<LayerCache<F>>,
    /// `[readout, graph inputs]`, the fully connected layer's input.
    fc_in: Array2<F>,
    fc_pre: Array2<F>,
    fc_out: Array2<F>,
    fc_dropout: Option<Array2<F>>,
}

fn relu_value<F: Real>(v: F) -> F {
    if v > F::zero() { v } else { F::zero() }
}

fn relu<F: Real>(x: &Array2<F>) -> Array2<F> {
    x.mapv(relu_value)
}

/// `scale·grad` where the pre-activation was positive, 0 elsewhere (one fused pass).
fn relu_grad<F: Real>(grad: &Array2<F>, pre: &Array2<F>, scale: F) -> Array2<F> {
    let grad = grad.as_standard_layout();
    let pre = pre.as_standard_layout();
    let (g, p) = (grad.as_slice().expect("standard layout"), pre.as_slice().expect("standard layout"));
    let mut out = vec![F::zero(); g.len()];
    // A select over zipped slices, without a branch, so the loop vectorises.
    for ((out, &g), &p) in out.iter_mut().zip(g).zip(p) {
        let positive = if p > F::zero() { F::one() } else { F::zero() };
        *out = positive * scale * g;
    }
    Array2::from_shape_vec(grad.raw_dim(), out).expect("same shape")
}

impl<F: Real> GcnParams<F> {
    /// Output logits of a batch, without dropout (subnormals flushed, as in training).
    pub fn logits(&self, batch: &Batch<F>) -> Array1<F> {
        let _flush = np_subnormal::FlushToZero::enable();
        self.forward(batch, None).0
    }

    /// Forward pass; with dropout `masks` (drawn for this batch) it is the training pass.
    pub fn forward(&self, batch: &Batch<F>, masks: Option<&DropoutMasks<F>>) -> (Array1<F>, ForwardCache<F>) {
        let hidden = self.config.hidden;
        let half: F = real(0.5);
        let mut layers = Vec::with_capacity(self.gcn.len());
        let mut h = batch.inputs.clone();
        for (l, w) in self.gcn.iter().enumerate() {
            let projected = F::product(h.view(), w.view());
            let rows_total = projected.nrows();
            let mut pre_forward = Array2::zeros((rows_total, hidden));
            let mut pre_backward = Array2::zeros((rows_total, hidden));
            for b in 0..batch.size {
                let rows = batch.rows(b);
                let (a_hat, a_tilde) = batch.adjacencies(b);
                let block = projected.slice(s![rows.clone(), ..]);
                aggregate(a_hat, block.slice(s![.., ..hidden]), pre_forward.slice_mut(s![rows.clone(), ..]), false);
                aggregate(a_tilde, block.slice(s![.., hidden..]), pre_backward.slice_mut(s![rows, ..]), false);
            }
            let mut out = ndarray::Zip::from(&pre_forward)
                .and(&pre_backward)
                .map_collect(|&along, &against| (relu_value(along) + relu_value(against)) * half);
            let mask = masks.map(|m| m.layers[l].clone());
            if let Some(mask) = &mask {
                out *= mask;
            }
            layers.push(LayerCache { input: h, pre_forward, pre_backward, dropout: mask });
            h = out;
        }
        let readout = self.readout(batch, &h);
        assert_eq!(
            batch.graph_inputs.ncols(),
            self.config.graph_features,
            "graph-level inputs of the configured width"
        );
        let fc_in = if self.config.graph_features == 0 {
            readout
        } else {
            ndarray::concatenate(Axis(1), &[readout.view(), batch.graph_inputs.view()]).expect("same batch size")
        };
        let fc_pre = F::product(fc_in.view(), self.fc_weight.view()) + &self.fc_bias;
        let mut fc_out = relu(&fc_pre);
        let fc_dropout = masks.map(|m| m.fc.clone());
        if let Some(mask) = &fc_dropout {
            fc_out *= mask;
        }
        let logits = fc_out.dot(&self.out_weight) + self.out_bias[0];
        (logits, ForwardCache { layers, fc_in, fc_pre, fc_out, fc_dropout })
    }

    /// Masked mean of the node states of each graph: `batch × hidden`.
    fn readout(&self, batch: &Batch<F>, h: &Array2<F>) -> Array2<F> {
        let mut readout = Array2::zeros((batch.size, self.config.hidden));
        for b in 0..batch.size {
            let rows = batch.rows(b);
            let weights = batch.readout_weights.slice(s![b, ..rows.len()]);
            readout.row_mut(b).assign(&weights.dot(&h.slice(s![rows, ..])));
        }
        readout
    }

    /// Gradients of `Σ_b d_logits[b]·logit_b` with respect to every parameter.
    pub fn backward(&self, batch: &Batch<F>, cache: &ForwardCache<F>, d_logits: &Array1<F>) -> GcnParams<F> {
        let rows = self.backward_rows(batch, cache, d_logits);
        self.parameter_gradients(&[(cache, &rows)], &ForkJoin::serial())
    }

    /// The part of the backward pass that runs graph by graph: the gradients with respect to
    /// each layer's products, which [`GcnParams::parameter_gradients`] then sums over the batch.
    /// Separate so that the two halves of a batch can run it on two threads.
    pub fn backward_rows(&self, batch: &Batch<F>, cache: &ForwardCache<F>, d_logits: &Array1<F>) -> RowGradients<F> {
        let hidden = self.config.hidden;
        let half: F = real(0.5);

        let mut d_fc_out = outer(d_logits, &self.out_weight);
        if let Some(mask) = &cache.fc_dropout {
            d_fc_out *= mask;
        }
        let d_fc_pre = relu_grad(&d_fc_out, &cache.fc_pre, F::one());
        // Only the readout's rows lead back into the GCN; the graph inputs are data.
        let d_readout = F::product_transposed(d_fc_pre.view(), self.fc_weight.slice(s![..hidden, ..]));

        let mut d_h = Array2::zeros((batch.total_rows(), hidden));
        for b in 0..batch.size {
            let weights = batch.readout_weights.row(b);
            let mut block = d_h.slice_mut(s![batch.rows(b), ..]);
            for (i, mut row) in block.axis_iter_mut(Axis(0)).enumerate() {
                row.assign(&(&d_readout.row(b) * weights[i]));
            }
        }

        let mut d_projected_by_layer = Vec::with_capacity(self.gcn.len());
        for (l, layer) in self.gcn.iter().enumerate().rev() {
            let cached = &cache.layers[l];
            if let Some(mask) = &cached.dropout {
                d_h *= mask;
            }
            let d_pre_forward = relu_grad(&d_h, &cached.pre_forward, half);
            let d_pre_backward = relu_grad(&d_h, &cached.pre_backward, half);
            let mut d_projected = Array2::zeros((d_h.nrows(), 2 * hidden));
            for b in 0..batch.size {
                let rows = batch.rows(b);
                let (a_hat, a_tilde) = batch.adjacencies(b);
                let (along, against) = d_projected.slice_mut(s![rows.clone(), ..]).split_at(Axis(1), hidden);
                aggregate(a_hat, d_pre_forward.slice(s![rows.clone(), ..]), along, true);
                aggregate(a_tilde, d_pre_backward.slice(s![rows, ..]), against, true);
            }
            if l > 0 {
                d_h = F::product_transposed(d_projected.view(), layer.view());
            }
            d_projected_by_layer.push(d_projected);
        }
        d_projected_by_layer.reverse();
        RowGradients { d_logits: d_logits.clone(), d_fc_pre, d_projected: d_projected_by_layer }
    }

    /// Sums the row gradients of one batch, given in parts (consecutive slices of the batch,
    /// each with its forward cache), into parameter gradients. The parts' rows are stacked
    /// first, so every sum runs over the whole batch in one order: the gradients have the same
    /// bits however the batch was split. Whole tensors go to the two sides of `fork_join`.
    pub fn parameter_gradients(
        &self,
        parts: &[(&ForwardCache<F>, &RowGradients<F>)],
        fork_join: &ForkJoin,
    ) -> GcnParams<F> {
        // Assigned into standard-layout arrays: a product with a transposed operand may come out
        // column-major.
        let layer_gradient = |l: usize| {
            let input = stacked(parts, |(cache, _)| cache.layers[l].input.view());
            let d_projected = stacked(parts, |(_, rows)| rows.d_projected[l].view());
            F::product(input.t(), d_projected.view()).as_standard_layout().into_owned()
        };
        let head_gradients = || {
            let d_logits: Array1<F> =
                ndarray::concatenate(Axis(0), &parts.iter().map(|(_, rows)| rows.d_logits.view()).collect::<Vec<_>>())
                    .expect("one dimension");
            let fc_out = stacked(parts, |(cache, _)| cache.fc_out.view());
            let fc_in = stacked(parts, |(cache, _)| cache.fc_in.view());
            let d_fc_pre = stacked(parts, |(_, rows)| rows.d_fc_pre.view());
            (
                F::product(fc_in.t(), d_fc_pre.view()).as_standard_layout().into_owned(),
                d_fc_pre.sum_axis(Axis(0)),
                fc_out.t().dot(&d_logits),
                Array1::from_elem(1, d_logits.sum()),
            )
        };
        // The layers alternate between the two sides from the last (widest) down; the head's
        // small sums go to the side with fewer layers.
        let layers = self.gcn.len();
        let (here, there): (Vec<usize>, Vec<usize>) =
            (0..layers).rev().partition(|l| (layers - 1 - l).is_multiple_of(2));
        let (here_gradients, (there_gradients, (fc_weight, fc_bias, out_weight, out_bias))) = fork_join.join(
            || here.iter().map(|&l| (l, layer_gradient(l))).collect::<Vec<_>>(),
            || (there.iter().map(|&l| (l, layer_gradient(l))).collect::<Vec<_>>(), head_gradients()),
        );
        let mut gcn: Vec<(usize, Array2<F>)> = here_gradients.into_iter().chain(there_gradients).collect();
        gcn.sort_by_key(|(l, _)| *l);
        GcnParams {
            config: self.config.clone(),
            gcn: gcn.into_iter().map(|(_, gradient)| gradient).collect(),
            fc_weight,
            fc_bias,
            out_weight,
            out_bias,
        }
    }
}

/// One matrix from each part, stacked row-wise.
fn stacked<'a, F: Real, T>(parts: &'a [T], pick: impl Fn(&'a T) -> ArrayView2<'a, F>) -> Array2<F> {
    let views: Vec<ArrayView2<F>> = parts.iter().map(pick).collect();
    ndarray::concatenate(Axis(0), &views).expect("parts share their widths")
}

/// Gradients with respect to the products of one batch's rows (see
/// [`GcnParams::backward_rows`]).
pub struct RowGradients<F> {
    d_logits: Array1<F>,
    /// With respect to the fully connected layer's pre-activation, `graphs × fc_hidden`.
    d_fc_pre: Array2<F>,
    /// Per layer, with respect to `input·[W | W']`, `node rows × 2·hidden`.
    d_projected: Vec<Array2<F>>,
}

/// `out += a·x` (or `aᵀ·x` when `transposed`) for one graph's small adjacency, into zeros: a
/// row-by-row sum of scaled rows, which skips the zero entries and avoids the packing overhead
/// of a general matrix product on 7×7 operands.
fn aggregate<F: Real>(a: ArrayView2<F>, x: ArrayView2<F>, mut out: ArrayViewMut2<F>, transposed: bool) {
    let n = a.nrows();
    for i in 0..n {
        let mut out_row = out.row_mut(i);
        for j in 0..n {
            let weight = if transposed { a[[j, i]] } else { a[[i, j]] };
            if weight == F::zero() {
                continue;
            }
            let x_row = x.row(j);
            match (out_row.as_slice_mut(), x_row.as_slice()) {
                // Rows of 144 numbers: a plain loop over slices (the same sum as `scaled_add`)
                // spares ndarray's per-call shape checks, which cost more than the arithmetic.
                (Some(out_values), Some(x_values)) => {
                    for (o, &x) in out_values.iter_mut().zip(x_values) {
                        *o += weight * x;
                    }
                }
                _ => out_row.scaled_add(weight, &x_row),
            }
        }
    }
}

fn outer<F: Real>(column: &Array1<F>, row: &Array1<F>) -> Array2<F> {
    let c: ArrayView2<F> = column.view().insert_axis(Axis(1));
    let r: ArrayView2<F> = row.view().insert_axis(Axis(0));
    c.dot(&r)
}

impl GcnParams<f32> {
    /// Replaces subnormal weights by zero (see `np_subnormal`); returns how many there were.
    /// Trained weights have none; a file from an older version or another tool may.
    pub fn flush_subnormals(&mut self) -> usize {
        self.tensors_mut().into_iter().map(np_subnormal::flush_slice).sum()
    }

    /// How many weights are subnormal.
    pub fn subnormal_count(&self) -> usize {
        self.tensors().into_iter().map(np_subnormal::count_subnormal).sum()
    }
}
