//! Trainable parameters of the network NAS-Bench-201 builds around a cell, computed
//! analytically.
//!
//! The benchmark fixes the network and varies only the cell (Dong & Yang, ICLR 2020, Sec. 2.1
//! and Figure 1; the API's `TinyNetwork`). The rules, as implemented:
//!
//! - **Skeleton.** A 3×3 conv-BN stem from the 3 image channels to 16; three stages of five
//!   cells at 16, 32 and 64 channels; between stages a residual reduction block; then BN,
//!   ReLU, global average pooling and a linear layer with bias to the classes.
//! - **Residual reduction block** (`ResNetBasicblock`, stride 2): two ReLU-conv-BN 3×3 convs
//!   (the first halving the side and widening to the next stage's channels) and a shortcut of
//!   2×2 average pooling then a 1×1 conv, with no BN.
//! - **Cell ops.** `nor_conv_1x1` and `nor_conv_3x3` are ReLU-conv-BN with equal input and
//!   output channels; `skip_connect`, `none` and `avg_pool_3x3` have no weights (inside a cell
//!   the channels never change, so no op needs a projection).
//! - **Weights.** Convolutions have no bias; each BN is affine, with a scale and a shift per
//!   channel (running statistics are not trainable).
//!
//! Checked against the `params_m` column of `nb201.csv` (CIFAR-10, 10 classes) in the
//! integration test: every row agrees exactly except 204 whose figure is no cell's count at
//! all (values like 119,973 = an average of three cells' counts), an artefact of the export the
//! table was assembled from.

use super::cell::{Cell, OP_NAMES};

/// Channels of the image (RGB).
pub const IMAGE_CHANNELS: u64 = 3;
/// Channels of the stem and of the first stage's cells; each later stage doubles them.
pub const STEM_CHANNELS: u64 = 16;
/// Stages of cells, with a residual reduction block between each two.
pub const STAGES: u32 = 3;
/// Cells in each stage.
pub const CELLS_PER_STAGE: u64 = 5;
/// Outputs of the linear head on CIFAR-10 (the benchmark's `params_m` is CIFAR-10's network).
pub const CIFAR10_CLASSES: u64 = 10;

/// A k×k convolution without bias from `inputs` to `outputs` channels, then an affine BN.
fn conv_bn(kernel: u64, inputs: u64, outputs: u64) -> u64 {
    kernel * kernel * inputs * outputs + 2 * outputs
}

/// The weights of one edge's op at `channels` channels.
fn op_parameters(op: u8, channels: u64) -> u64 {
    match OP_NAMES[op as usize] {
        "nor_conv_1x1" => conv_bn(1, channels, channels),
        "nor_conv_3x3" => conv_bn(3, channels, channels),
        _ => 0,
    }
}

/// The residual reduction block between stages: two 3×3 ReLU-conv-BN and a 1×1 shortcut conv.
fn reduction_block(inputs: u64, outputs: u64) -> u64 {
    conv_bn(3, inputs, outputs) + conv_bn(3, outputs, outputs) + inputs * outputs
}

/// Trainable parameters of the network built around `cell` with a linear head to `classes`
/// outputs (10 for CIFAR-10, 100 for CIFAR-100, 120 for ImageNet16-120).
pub fn trainable_parameters(cell: &Cell, classes: u64) -> u64 {
    let stage_channels: Vec<u64> = (0..STAGES).map(|stage| STEM_CHANNELS << stage).collect();
    let cells: u64 = stage_channels
        .iter()
        .map(|&channels| CELLS_PER_STAGE * cell.ops.iter().map(|&op| op_parameters(op, channels)).sum::<u64>())
        .sum();
    let reductions: u64 = stage_channels.windows(2).map(|pair| reduction_block(pair[0], pair[1])).sum();
    let last = *stage_channels.last().expect("at least one stage");
    let head = 2 * last + last * classes + classes;
    conv_bn(3, IMAGE_CHANNELS, STEM_CHANNELS) + cells + reductions + head
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_without_convolutions_cost_only_the_skeleton() {
        // Stem 464, reduction blocks 14,464 and 57,600, final BN 128, head 650.
        assert_eq!(trainable_parameters(&Cell { ops: [4; 6] }, CIFAR10_CLASSES), 73_306);
        assert_eq!(trainable_parameters(&Cell { ops: [0; 6] }, CIFAR10_CLASSES), 73_306);
    }

    #[test]
    fn each_convolution_adds_its_weights_in_all_fifteen_cells() {
        let one_by_one = Cell { ops: [2, 0, 0, 0, 0, 0] };
        assert_eq!(trainable_parameters(&one_by_one, CIFAR10_CLASSES), 73_306 + 5 * (288 + 1_088 + 4_224));
        let three_by_three = Cell { ops: [3, 0, 0, 0, 0, 0] };
        assert_eq!(trainable_parameters(&three_by_three, CIFAR10_CLASSES), 73_306 + 243_040);
        assert_eq!(trainable_parameters(&Cell { ops: [4; 6] }, 100), 73_306 + 90 * 65);
    }
}
