//! Mini-batches for the plain forward and backward passes: the node rows of several graphs
//! stacked for matrix products, and the dropout masks drawn for them.

use ndarray::{Array2, Array3, ArrayView2, Axis, s};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::graph::GraphSample;
use crate::model::GcnConfig;
use crate::{Real, real};

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
    pub(crate) inputs: Array2<F>,
    forward_adjacency: Array3<F>,
    backward_adjacency: Array3<F>,
    /// `1 / nodes_b` for the real nodes of each graph, 0 for the padding nodes kept: the readout
    /// weights.
    pub(crate) readout_weights: Array2<F>,
    /// Graph-level inputs, `size × graph_features`.
    pub(crate) graph_inputs: Array2<F>,
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
    pub(crate) fn rows(&self, b: usize) -> std::ops::Range<usize> {
        self.starts[b]..self.starts[b + 1]
    }

    /// Graph `b`'s (Â, Ã) on its rows.
    pub(crate) fn adjacencies(&self, b: usize) -> (ArrayView2<'_, F>, ArrayView2<'_, F>) {
        let n = self.starts[b + 1] - self.starts[b];
        (self.forward_adjacency.slice(s![b, ..n, ..n]), self.backward_adjacency.slice(s![b, ..n, ..n]))
    }

    /// Total node rows.
    pub fn total_rows(&self) -> usize {
        self.starts[self.size]
    }
}

/// Dropout masks for one training step: each unit is kept with probability `1 − rate` and
/// scaled by `1 / (1 − rate)`.
///
/// They are drawn for the whole batch before the forward pass (one mask per GCN layer over all
/// node rows, then one over the fully connected layer), so the random stream does not depend on
/// how the batch is then split between threads.
#[derive(Debug, Clone)]
pub struct DropoutMasks<F> {
    /// Per GCN layer, `node rows × hidden`.
    pub(crate) layers: Vec<Array2<F>>,
    /// `graphs × fc_hidden`.
    pub(crate) fc: Array2<F>,
}

impl<F: Real> DropoutMasks<F> {
    /// Masks for a batch of `graphs` graphs with `node_rows` rows in all; `None` when `rate` is 0.
    pub fn draw(rate: f64, rng: &mut ChaCha8Rng, config: &GcnConfig, node_rows: usize, graphs: usize) -> Option<Self> {
        if rate <= 0.0 {
            return None;
        }
        let keep = 1.0 - rate;
        let scale: F = real(1.0 / keep);
        let mut mask = |shape: (usize, usize)| {
            Array2::from_shape_simple_fn(shape, || if rng.random::<f64>() < keep { scale } else { F::zero() })
        };
        let layers = (0..config.layers).map(|_| mask((node_rows, config.hidden))).collect();
        Some(DropoutMasks { layers, fc: mask((graphs, config.fc_hidden)) })
    }

    /// The masks of the first `node_rows` rows and `graphs` graphs, and those of the rest.
    pub fn split_at(&self, node_rows: usize, graphs: usize) -> (Self, Self) {
        // Through the flat data: a view split off at the last row is empty, and copying such a
        // view trips a debug assertion in ndarray.
        let split = |m: &Array2<F>, at: usize| {
            let width = m.ncols();
            let (head, tail) = m.as_slice().expect("standard layout").split_at(at * width);
            let rows = |count: usize, data: &[F]| Array2::from_shape_vec((count, width), data.to_vec());
            (rows(at, head).expect("whole rows"), rows(m.nrows() - at, tail).expect("whole rows"))
        };
        let (head_layers, tail_layers) = self.layers.iter().map(|m| split(m, node_rows)).unzip();
        let (head_fc, tail_fc) = split(&self.fc, graphs);
        (DropoutMasks { layers: head_layers, fc: head_fc }, DropoutMasks { layers: tail_layers, fc: tail_fc })
    }
}
