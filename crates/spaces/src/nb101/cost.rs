//! Trainable parameters and FLOPs of the network a cell builds, computed analytically.
//!
//! NAS-Bench-101 fixes the network around the cell (Ying et al., 2019, §2.1 and Figure 1; the
//! `nasbench` library's `model_builder.py`); only the cell varies. The rules, as implemented:
//!
//! - **Skeleton.** A 3×3 conv-bn-relu stem with 128 output channels on the 32×32×3 CIFAR-10
//!   image; three stacks of three cells; before the second and third stack a 2×2 stride-2
//!   max-pool halves the side and the stack's cell output channels double (128, 256, 512); then
//!   global average pooling and a dense layer to 10 classes, with bias.
//! - **Cell channels** (`compute_vertex_channels`). The cell's output channels are divided
//!   among the interior vertices that feed the output; when the division is not even, the
//!   remainder goes one channel each to the *lowest-numbered* of them. Every other interior
//!   vertex takes the largest channel count among the vertices it feeds. Where a wider vertex
//!   feeds a narrower one, the extra channel is sliced off (no weights, no arithmetic).
//! - **Cell ops** (`build_module`, `projection`). Each interior vertex the input feeds gets its
//!   own 1×1 conv-bn-relu projection from the cell's input channels to the vertex's count;
//!   inputs of a vertex are summed; a conv vertex is a k×k conv-bn-relu with equal input and
//!   output channels, a max-pool vertex (3×3, stride 1) has no weights. The output concatenates
//!   the vertices that feed it and, when the input feeds the output, adds a 1×1 conv-bn-relu
//!   projection of the input to the full output channels (a cell of input and output alone is
//!   just that projection).
//! - **Weights.** Convolutions have no bias; each batch norm has two trainable vectors (scale
//!   γ and shift β, one value per channel; the moving mean and variance are not trainable).
//!   This reproduces the dataset's `trainable_parameters` exactly.
//!
//! The cell must be pruned (the dataset builds the pruned cell), and **its vertex order
//! matters**: which vertices receive the remainder channels depends on their numbering, so
//! two isomorphic spellings of a cell can differ by a few hundred parameters. The dataset's
//! number is that of the spelling it trained, which is the canonical form
//! ([`super::canonical`]).

use super::cell::{Cell, MAX_VERTICES, Op};

/// Output channels of the stem convolution, and of the cells of the first stack.
pub const STEM_CHANNELS: u64 = 128;
/// Stacks of cells; each stack after the first starts by halving the side and doubling channels.
pub const STACKS: usize = 3;
/// Cells in each stack.
pub const CELLS_PER_STACK: usize = 3;
/// Side of the square input image (CIFAR-10).
pub const IMAGE_SIDE: u64 = 32;
/// Channels of the input image (RGB).
pub const IMAGE_CHANNELS: u64 = 3;
/// Outputs of the final dense layer (CIFAR-10 classes).
pub const CLASSES: u64 = 10;

/// The cost of the whole network for one 32×32×3 image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NetworkCost {
    /// Trainable parameters: conv weights, batch-norm scale and shift, dense weights and bias.
    pub trainable_parameters: u64,
    /// FLOPs in the convention of [`flops`].
    pub flops: u64,
    /// Multiply-adds of the convolutions and the dense layer only (one per multiply-add).
    pub multiply_adds: u64,
}

impl NetworkCost {
    /// A k×k convolution (no bias, "same" padding, stride 1), batch norm and ReLU on a
    /// `side`×`side` feature map.
    fn conv_bn_relu(&mut self, kernel: u64, in_channels: u64, out_channels: u64, side: u64) {
        let weights = kernel * kernel * in_channels * out_channels;
        let outputs = out_channels * side * side;
        self.trainable_parameters += weights + 2 * out_channels;
        self.multiply_adds += weights * side * side;
        // Batch norm: a scale and a shift per element; ReLU: one comparison per element.
        self.flops += weights * side * side + 2 * outputs + outputs;
    }

    /// A k×k max-pool with an `out_side`×`out_side` output: k² comparisons per output element.
    fn max_pool(&mut self, kernel: u64, channels: u64, out_side: u64) {
        self.flops += kernel * kernel * channels * out_side * out_side;
    }

    /// A dense layer with bias; the bias additions are not counted as FLOPs.
    fn dense(&mut self, inputs: u64, outputs: u64) {
        self.trainable_parameters += inputs * outputs + outputs;
        self.multiply_adds += inputs * outputs;
        self.flops += inputs * outputs;
    }
}

/// Output channels of every vertex of a pruned cell (`nasbench`'s `compute_vertex_channels`):
/// the input keeps `input_channels`, the output has `output_channels`, split among the vertices
/// feeding it (lowest-numbered first for the remainder); other interior vertices take the
/// largest count among their successors. Entries past the cell's vertex count are 0.
pub fn vertex_channels(cell: &Cell, input_channels: u64, output_channels: u64) -> [u64; MAX_VERTICES] {
    let n = cell.vertex_count();
    let output = n - 1;
    let mut channels = [0; MAX_VERTICES];
    channels[0] = input_channels;
    channels[output] = output_channels;
    let feeding: Vec<usize> = (1..output).filter(|&v| cell.has_edge(v, output)).collect();
    if feeding.is_empty() {
        // Only input and output: nothing to split.
        return channels;
    }
    let share = output_channels / feeding.len() as u64;
    let mut remainder = output_channels % feeding.len() as u64;
    for &v in &feeding {
        channels[v] = share + u64::from(remainder > 0);
        remainder = remainder.saturating_sub(1);
    }
    // Vertices are in topological order, so every successor of v is set before v.
    for v in (1..output).rev().filter(|&v| !cell.has_edge(v, output)) {
        channels[v] = (v + 1..output)
            .filter(|&to| cell.has_edge(v, to))
            .map(|to| channels[to])
            .max()
            .expect("an interior vertex of a pruned cell has a successor");
    }
    channels
}

/// Adds one cell with `in_channels` in and `out_channels` out on a `side`×`side` map.
fn add_cell(cost: &mut NetworkCost, cell: &Cell, in_channels: u64, out_channels: u64, side: u64) {
    let output = cell.vertex_count() - 1;
    let channels = vertex_channels(cell, in_channels, out_channels);
    for (v, (&op, &width)) in cell.ops().iter().zip(&channels).enumerate().take(output).skip(1) {
        if cell.has_edge(0, v) {
            cost.conv_bn_relu(1, in_channels, width, side);
        }
        match op {
            Op::Conv3x3 => cost.conv_bn_relu(3, width, width, side),
            Op::Conv1x1 => cost.conv_bn_relu(1, width, width, side),
            Op::MaxPool3x3 => cost.max_pool(3, width, side),
            Op::Input | Op::Output => unreachable!("interior vertices hold cell ops"),
        }
    }
    if cell.has_edge(0, output) {
        cost.conv_bn_relu(1, in_channels, out_channels, side);
    }
}

/// Parameters, FLOPs and multiply-adds of the network built from a pruned `cell` in its own
/// vertex order.
pub fn network_cost(cell: &Cell) -> NetworkCost {
    let mut cost = NetworkCost::default();
    cost.conv_bn_relu(3, IMAGE_CHANNELS, STEM_CHANNELS, IMAGE_SIDE);
    let (mut channels, mut side) = (STEM_CHANNELS, IMAGE_SIDE);
    let mut in_channels = channels;
    for stack in 0..STACKS {
        if stack > 0 {
            side /= 2;
            cost.max_pool(2, in_channels, side);
            channels *= 2;
        }
        for _ in 0..CELLS_PER_STACK {
            add_cell(&mut cost, cell, in_channels, channels, side);
            in_channels = channels;
        }
    }
    // Global average pooling is not counted (as in the FLOPs convention of `flops`).
    cost.dense(channels, CLASSES);
    cost
}

/// Trainable parameters of the network built from a pruned `cell` in its own vertex order:
/// what NAS-Bench-101 reports as `trainable_parameters` for that spelling of the cell.
pub fn trainable_parameters(cell: &Cell) -> u64 {
    network_cost(cell).trainable_parameters
}

/// FLOPs of one forward pass of a 32×32×3 CIFAR-10 image (batch 1) through the network built
/// from a pruned `cell` in its own vertex order.
///
/// Convention: that of torchstat (bundled in tensorwatch), which NAS-Bench-Suite-Zero used for
/// the `flops` of its NAS-Bench-101 cells, and which this reproduces exactly. Counted per layer:
/// - convolution: k²·C_in·C_out·H·W, one per **multiply-add** (not 2×), no bias;
/// - batch norm: 2 per output element (scale and shift);
/// - ReLU: 1 per element;
/// - max-pool: k² per output element (3×3 in cells, 2×2 for down-sampling);
/// - dense layer: C·10 multiply-adds, bias not counted.
///
/// Not counted: the sums of a vertex's inputs, the output's concatenation and the added input
/// projection, channel slicing, global average pooling. [`NetworkCost::multiply_adds`] counts
/// the convolutions and the dense layer alone.
pub fn flops(cell: &Cell) -> u64 {
    network_cost(cell).flops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nb101::canonical::canonicalise;

    const IN: Op = Op::Input;
    const OUT: Op = Op::Output;

    /// A cell from edges (from, to) and ops, in the given vertex order.
    fn cell(edges: &[(usize, usize)], ops: &[Op]) -> Cell {
        let mut out_edges = [0u8; MAX_VERTICES];
        for &(from, to) in edges {
            out_edges[from] |= 1 << to;
        }
        Cell::from_parts(ops.len(), &out_edges, ops)
    }

    /// Conv-bn-relu parameters: k²·in·out weights and two batch-norm vectors.
    fn conv_params(kernel: u64, in_channels: u64, out_channels: u64) -> u64 {
        kernel * kernel * in_channels * out_channels + 2 * out_channels
    }

    fn cell_cost(cell: &Cell, in_channels: u64, out_channels: u64, side: u64) -> NetworkCost {
        let mut cost = NetworkCost::default();
        add_cell(&mut cost, cell, in_channels, out_channels, side);
        cost
    }

    #[test]
    fn input_straight_to_output_is_a_projection_per_cell() {
        let skip = cell(&[(0, 1)], &[IN, OUT]);
        let cells = 3 * conv_params(1, 128, 128)
            + conv_params(1, 128, 256)
            + 2 * conv_params(1, 256, 256)
            + conv_params(1, 256, 512)
            + 2 * conv_params(1, 512, 512);
        let stem = conv_params(3, 3, 128);
        let dense = 512 * 10 + 10;
        assert_eq!(trainable_parameters(&skip), stem + cells + dense);
        assert_eq!(trainable_parameters(&skip), 882_570);

        // Per conv-bn-relu: multiply-adds, then 3 per output element (scale, shift, ReLU).
        let conv = |k: u64, cin: u64, cout: u64, side: u64| k * k * cin * cout * side * side + 3 * cout * side * side;
        let expected = conv(3, 3, 128, 32)
            + 3 * conv(1, 128, 128, 32)
            + 4 * 128 * 16 * 16
            + conv(1, 128, 256, 16)
            + 2 * conv(1, 256, 256, 16)
            + 4 * 256 * 8 * 8
            + conv(1, 256, 512, 8)
            + 2 * conv(1, 512, 512, 8)
            + 512 * 10;
        assert_eq!(flops(&skip), expected);
        assert_eq!(flops(&skip), 140_416_000);
        // Multiply-adds: the convolutions and the dense layer alone.
        let madds = 27 * 128 * 32 * 32
            + 3 * 128 * 128 * 32 * 32
            + (128 * 256 + 2 * 256 * 256) * 16 * 16
            + (256 * 512 + 2 * 512 * 512) * 8 * 8
            + 512 * 10;
        assert_eq!(network_cost(&skip).multiply_adds, madds);
        assert_eq!(madds, 137_761_792);
    }

    #[test]
    fn output_channels_are_split_with_the_remainder_to_the_first_feeders() {
        // Three branches from the input to the output: 128 = 43 + 43 + 42.
        let branches = cell(
            &[(0, 1), (0, 2), (0, 3), (1, 4), (2, 4), (3, 4)],
            &[IN, Op::Conv3x3, Op::Conv1x1, Op::MaxPool3x3, OUT],
        );
        assert_eq!(vertex_channels(&branches, 128, 128)[..5], [128, 43, 43, 42, 128]);
        // A vertex that feeds only other vertices takes the widest of them.
        let fork =
            cell(&[(0, 1), (1, 2), (1, 3), (2, 4), (3, 4), (0, 4)], &[IN, Op::Conv1x1, Op::Conv3x3, Op::Conv3x3, OUT]);
        assert_eq!(vertex_channels(&fork, 64, 129)[..5], [64, 65, 65, 64, 129]);
        assert_eq!(vertex_channels(&cell(&[(0, 1)], &[IN, OUT]), 128, 256)[..2], [128, 256]);
    }

    #[test]
    fn one_cell_by_hand() {
        // input -> conv3x3 -> conv1x1 -> output, and input -> output.
        let chain = cell(&[(0, 1), (1, 2), (2, 3), (0, 3)], &[IN, Op::Conv3x3, Op::Conv1x1, OUT]);
        let cost = cell_cost(&chain, 128, 256, 16);
        let params =
            conv_params(1, 128, 256) + conv_params(3, 256, 256) + conv_params(1, 256, 256) + conv_params(1, 128, 256);
        assert_eq!(cost.trainable_parameters, params);
        let per_element = 3 * 256 * 16 * 16;
        let madds = (128 * 256 + 9 * 256 * 256 + 256 * 256 + 128 * 256) * 16 * 16;
        assert_eq!(cost.multiply_adds, madds);
        assert_eq!(cost.flops, madds + 4 * per_element);
        // A max-pool vertex has no weights and 9 comparisons per output element.
        let pool = cell(&[(0, 1), (1, 2)], &[IN, Op::MaxPool3x3, OUT]);
        let cost = cell_cost(&pool, 128, 128, 32);
        assert_eq!(cost.trainable_parameters, conv_params(1, 128, 128));
        assert_eq!(cost.flops, 128 * 128 * 32 * 32 + 3 * 128 * 32 * 32 + 9 * 128 * 32 * 32);
    }

    #[test]
    fn isomorphic_spellings_can_differ_by_the_remainder_channels() {
        // The same three branches in two vertex orders: the 42-channel branch is the max-pool
        // in one and the 1x1 convolution in the other.
        let edges = [(0, 1), (0, 2), (0, 3), (1, 4), (2, 4), (3, 4)];
        let a = cell(&edges, &[IN, Op::Conv3x3, Op::Conv1x1, Op::MaxPool3x3, OUT]);
        let b = cell(&edges, &[IN, Op::MaxPool3x3, Op::Conv3x3, Op::Conv1x1, OUT]);
        assert_eq!(canonicalise(&a), canonicalise(&b));
        let (pa, pb) =
            (cell_cost(&a, 128, 128, 32).trainable_parameters, cell_cost(&b, 128, 128, 32).trainable_parameters);
        // The projections add up to 128 outputs in both; the 1x1 conv has 43 channels in a, 42 in b.
        assert_eq!(pa - pb, conv_params(1, 43, 43) - conv_params(1, 42, 42));
    }
}
