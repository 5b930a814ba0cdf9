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

use ndarray::{Array1, Array2, Array3, ArrayView2, ArrayViewMut2, Axis, s};
use ndarray_rand::RandomExt;
use ndarray_rand::rand_distr::Uniform;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::graph::GraphSample;
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

    /// The same parameters in another float type.
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

/// A mini-batch of graphs stacked for matrix products: the node rows of all graphs one under
/// the other, adjacencies per graph.
///
/// Trailing padding nodes (zero input, no edge) are left out: their state is zero at every
/// layer and the readout ignores them, so computing them would only cost time. That is 41% of
/// the rows on the paper's NAS-Bench-101 training cells (4.1 of 7 nodes on average).
pub struct Batch<F> {
    pub size: usize,
    pub max_nodes: usize,
    /// Graph `b`'s rows are `starts[b]..starts[b + 1]`.
    starts: Vec<usize>,
    inputs: Array2<F>,
    forward_adjacency: Array3<F>,
    backward_adjacency: Array3<F>,
    /// `1 / nodes_b` for the real nodes of each graph, 0 for the padding nodes kept: the readout
    /// weights.
    readout_weights: Array2<F>,
    /// Graph-level inputs, `size × graph_features`.
    graph_inputs: Array2<F>,
}

impl<F: Real> Batch<F> {
    pub fn new(samples: &[&GraphSample<F>]) -> Self {
        let size = samples.len();
        let max_nodes = samples.first().map_or(0, |s| s.max_nodes());
        let width = samples.first().map_or(0, |s| s.inputs.ncols());
        let mut starts = Vec::with_capacity(size + 1);
        starts.push(0);
        for sample in samples {
            assert_eq!(sample.max_nodes(), max_nodes, "a batch shares one padded size");
            starts.push(starts.last().copied().unwrap_or(0) + sample.active_nodes());
        }
        let mut inputs = Array2::zeros((starts[size], width));
        let mut forward_adjacency = Array3::zeros((size, max_nodes, max_nodes));
        let mut backward_adjacency = Array3::zeros((size, max_nodes, max_nodes));
        let mut readout_weights = Array2::zeros((size, max_nodes));
        let graph_width = samples.first().map_or(0, |s| s.graph_features.len());
        let mut graph_inputs = Array2::zeros((size, graph_width));
        for (b, sample) in samples.iter().enumerate() {
            assert_eq!(sample.graph_features.len(), graph_width, "a batch shares one graph-input width");
            graph_inputs.row_mut(b).assign(&sample.graph_features);
            let active = starts[b + 1] - starts[b];
            inputs.slice_mut(s![starts[b]..starts[b + 1], ..]).assign(&sample.inputs.slice(s![..active, ..]));
            forward_adjacency.index_axis_mut(Axis(0), b).assign(&sample.forward_adjacency);
            backward_adjacency.index_axis_mut(Axis(0), b).assign(&sample.backward_adjacency);
            let weight = F::one() / real(sample.nodes.max(1) as f64);
            readout_weights.slice_mut(s![b, ..sample.nodes]).fill(weight);
        }
        Batch { size, max_nodes, starts, inputs, forward_adjacency, backward_adjacency, readout_weights, graph_inputs }
    }

    /// Rows of graph `b`.
    fn rows(&self, b: usize) -> std::ops::Range<usize> {
        self.starts[b]..self.starts[b + 1]
    }

    /// Graph `b`'s (Â, Ã) on its rows.
    fn adjacencies(&self, b: usize) -> (ArrayView2<'_, F>, ArrayView2<'_, F>) {
        let n = self.starts[b + 1] - self.starts[b];
        (self.forward_adjacency.slice(s![b, ..n, ..n]), self.backward_adjacency.slice(s![b, ..n, ..n]))
    }

    /// Total node rows.
    fn total_rows(&self) -> usize {
        self.starts[self.size]
    }
}

/// Dropout during training: each unit is kept with probability `1 − rate` and scaled by
/// `1 / (1 − rate)`.
pub struct Dropout<'a> {
    pub rate: f64,
    pub rng: &'a mut ChaCha8Rng,
}

impl Dropout<'_> {
    fn mask<F: Real>(&mut self, shape: (usize, usize)) -> Option<Array2<F>> {
        if self.rate <= 0.0 {
            return None;
        }
        let keep = 1.0 - self.rate;
        let scale: F = real(1.0 / keep);
        Some(Array2::from_shape_simple_fn(shape, || if self.rng.random::<f64>() < keep { scale } else { F::zero() }))
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

fn relu<F: Real>(x: &Array2<F>) -> Array2<F> {
    x.mapv(|v| if v > F::zero() { v } else { F::zero() })
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
    /// Output logits of a batch, without dropout.
    pub fn logits(&self, batch: &Batch<F>) -> Array1<F> {
        self.forward(batch, None).0
    }

    /// Forward pass; with `dropout` it is the training pass.
    pub fn forward(&self, batch: &Batch<F>, mut dropout: Option<Dropout<'_>>) -> (Array1<F>, ForwardCache<F>) {
        let hidden = self.config.hidden;
        let half: F = real(0.5);
        let mut layers = Vec::with_capacity(self.gcn.len());
        let mut h = batch.inputs.clone();
        for w in &self.gcn {
            let projected = h.dot(w);
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
            let mut out = (relu(&pre_forward) + relu(&pre_backward)) * half;
            let mask = dropout.as_mut().and_then(|d| d.mask::<F>(out.dim()));
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
        let fc_pre = fc_in.dot(&self.fc_weight) + &self.fc_bias;
        let mut fc_out = relu(&fc_pre);
        let fc_dropout = dropout.as_mut().and_then(|d| d.mask::<F>(fc_out.dim()));
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

    /// Gradients of `Σ_b d_logits[b]·logit_b` with respect to every parameter (assigned into
    /// standard-layout arrays: a product with a transposed operand may come out column-major).
    pub fn backward(&self, batch: &Batch<F>, cache: &ForwardCache<F>, d_logits: &Array1<F>) -> GcnParams<F> {
        let mut grads = self.zeros_like();
        let hidden = self.config.hidden;
        let half: F = real(0.5);

        grads.out_weight.assign(&cache.fc_out.t().dot(d_logits));
        grads.out_bias[0] = d_logits.sum();
        let mut d_fc_out = outer(d_logits, &self.out_weight);
        if let Some(mask) = &cache.fc_dropout {
            d_fc_out *= mask;
        }
        let d_fc_pre = relu_grad(&d_fc_out, &cache.fc_pre, F::one());
        grads.fc_weight.assign(&cache.fc_in.t().dot(&d_fc_pre));
        grads.fc_bias.assign(&d_fc_pre.sum_axis(Axis(0)));
        // Only the readout's rows lead back into the GCN; the graph inputs are data.
        let d_readout = d_fc_pre.dot(&self.fc_weight.slice(s![..hidden, ..]).t());

        let mut d_h = Array2::zeros((batch.total_rows(), hidden));
        for b in 0..batch.size {
            let weights = batch.readout_weights.row(b);
            let mut block = d_h.slice_mut(s![batch.rows(b), ..]);
            for (i, mut row) in block.axis_iter_mut(Axis(0)).enumerate() {
                row.assign(&(&d_readout.row(b) * weights[i]));
            }
        }

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
            grads.gcn[l].assign(&cached.input.t().dot(&d_projected));
            if l > 0 {
                d_h = d_projected.dot(&layer.t());
            }
        }
        grads
    }
}

/// `out = a·x` (or `aᵀ·x` when `transposed`) for one graph's small adjacency: a row-by-row
/// sum of scaled rows, which skips the zero entries and avoids the packing overhead of a
/// general matrix product on 7×7 operands.
fn aggregate<F: Real>(a: ArrayView2<F>, x: ArrayView2<F>, mut out: ArrayViewMut2<F>, transposed: bool) {
    out.fill(F::zero());
    let n = a.nrows();
    for i in 0..n {
        for j in 0..n {
            let weight = if transposed { a[[j, i]] } else { a[[i, j]] };
            if weight != F::zero() {
                out.row_mut(i).scaled_add(weight, &x.row(j));
            }
        }
    }
}

fn outer<F: Real>(column: &Array1<F>, row: &Array1<F>) -> Array2<F> {
    let c: ArrayView2<F> = column.view().insert_axis(Axis(1));
    let r: ArrayView2<F> = row.view().insert_axis(Axis(0));
    c.dot(&r)
}
