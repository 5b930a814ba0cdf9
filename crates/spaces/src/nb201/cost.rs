//! Trainable parameters and FLOPs of the network NAS-Bench-201 builds around a cell, computed
//! analytically.
//!
//! The benchmark fixes the network and varies only the cell (Dong & Yang, ICLR 2020, Sec. 2.1
//! and Figure 1; the API's `TinyNetwork`). The rules, as implemented in [`layers`]:
//!
//! - **Skeleton.** A 3×3 conv-BN stem from the 3 image channels to 16; three stages of five
//!   cells at 16, 32 and 64 channels; between stages a residual reduction block; then BN,
//!   ReLU, global average pooling and a linear layer with bias to the classes.
//! - **Residual reduction block** (`ResNetBasicblock`, stride 2): two ReLU-conv-BN 3×3 convs
//!   (the first halving the side and widening to the next stage's channels) and a shortcut of
//!   2×2 average pooling then a 1×1 conv, with no BN.
//! - **Cell ops.** `nor_conv_1x1` and `nor_conv_3x3` are ReLU-conv-BN with equal input and
//!   output channels; `avg_pool_3x3` is a 3×3 average pooling with stride 1; `skip_connect`
//!   and `none` compute nothing (inside a cell the channels never change, so no op needs a
//!   projection). A node sums its inputs.
//! - **Weights.** Convolutions have no bias; each BN is affine, with a scale and a shift per
//!   channel (running statistics are not trainable).
//! - **Datasets.** CIFAR-10 and CIFAR-100 feed 32×32 images, ImageNet16-120 16×16 ones; the
//!   head has 10, 100 or 120 outputs ([`Dataset`]).
//!
//! FLOPs of one image come in two conventions ([`FlopsConvention`]), because the two sources
//! of published figures count differently: the benchmark's own API (`get_cost_info`'s `flops`)
//! counts multiply-adds of convolutions and the linear layer, and NAS-Bench-Suite-Zero
//! (NASLib's `flops`, through tensorwatch's torchstat) counts every layer's element
//! operations too. Each convention reproduces its source exactly (docs/COST.md).
//!
//! Checked against the `params_m` column of `nb201.csv` (CIFAR-10, 10 classes) in the
//! integration test: every row agrees exactly except 204 whose figure is no cell's count at
//! all (values like 119,973 = an average of three cells' counts), an artefact of the export the
//! table was assembled from. NAS-Bench-Suite-Zero's `params_m` and `flops_m` (torchstat
//! convention) agree on all its cells, for all three datasets.

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

/// The three datasets every cell was trained on: they change the image side and the head.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dataset {
    Cifar10,
    Cifar100,
    /// ImageNet16-120: ImageNet downsampled to 16×16, its 120 first classes.
    ImageNet16,
}

impl Dataset {
    /// Every dataset, in the benchmark's order.
    pub const ALL: [Dataset; 3] = [Dataset::Cifar10, Dataset::Cifar100, Dataset::ImageNet16];

    /// The name the tools use (`cifar10`, `cifar100`, `imagenet16`), as the table's columns do.
    pub fn name(self) -> &'static str {
        match self {
            Dataset::Cifar10 => "cifar10",
            Dataset::Cifar100 => "cifar100",
            Dataset::ImageNet16 => "imagenet16",
        }
    }

    /// The dataset named `name` (see [`Dataset::name`]).
    pub fn from_name(name: &str) -> Option<Dataset> {
        Dataset::ALL.into_iter().find(|dataset| dataset.name() == name)
    }

    /// Outputs of the linear head.
    pub fn classes(self) -> u64 {
        match self {
            Dataset::Cifar10 => CIFAR10_CLASSES,
            Dataset::Cifar100 => 100,
            Dataset::ImageNet16 => 120,
        }
    }

    /// Side of the (square) input image.
    pub fn image_side(self) -> u64 {
        match self {
            Dataset::Cifar10 | Dataset::Cifar100 => 32,
            Dataset::ImageNet16 => 16,
        }
    }
}

/// How FLOPs are counted; both count one image and one multiply-add as one FLOP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlopsConvention {
    /// The benchmark's API (`get_cost_info(index, dataset)['flops']`, from `get_model_infos`):
    /// multiply-adds of the convolutions, and of the linear layer plus one per output for its
    /// bias. Batch norm, ReLU and pooling are hooked but left out of the sum. The published
    /// range is 7.78305 to 220.11969 M on CIFAR-10.
    Api,
    /// tensorwatch's torchstat, as NAS-Bench-Suite-Zero (NASLib's `flops`) counted, and as
    /// `nb101::cost::flops` counts NAS-Bench-101: convolutions' multiply-adds, 2 per element
    /// of an affine batch norm, 1 per element of a ReLU, k² per output element of a k×k
    /// pooling, C·(H+1)·(W+1) for the global average pooling of a C×H×W map (its window bounds
    /// are counted inclusively), and the linear layer's multiply-adds without its bias.
    Torchstat,
}

impl FlopsConvention {
    /// Every convention.
    pub const ALL: [FlopsConvention; 2] = [FlopsConvention::Api, FlopsConvention::Torchstat];

    /// The name the tools use (`api`, `torchstat`).
    pub fn name(self) -> &'static str {
        match self {
            FlopsConvention::Api => "api",
            FlopsConvention::Torchstat => "torchstat",
        }
    }

    /// The convention named `name` (see [`FlopsConvention::name`]).
    pub fn from_name(name: &str) -> Option<FlopsConvention> {
        FlopsConvention::ALL.into_iter().find(|convention| convention.name() == name)
    }
}

/// One layer of the network, with the shapes its cost depends on (`side`: the square
/// output's side).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// A k×k convolution without bias.
    Conv {
        kernel: u64,
        inputs: u64,
        outputs: u64,
        side: u64,
    },
    /// An affine batch norm.
    BatchNorm {
        channels: u64,
        side: u64,
    },
    Relu {
        channels: u64,
        side: u64,
    },
    /// A k×k average pooling.
    Pool {
        kernel: u64,
        channels: u64,
        side: u64,
    },
    /// Global average pooling of a map of side `input_side`.
    GlobalPool {
        channels: u64,
        input_side: u64,
    },
    /// A linear layer with bias.
    Linear {
        inputs: u64,
        outputs: u64,
    },
}

impl Layer {
    /// Trainable weights.
    pub fn parameters(self) -> u64 {
        match self {
            Layer::Conv { kernel, inputs, outputs, .. } => kernel * kernel * inputs * outputs,
            Layer::BatchNorm { channels, .. } => 2 * channels,
            Layer::Linear { inputs, outputs } => inputs * outputs + outputs,
            Layer::Relu { .. } | Layer::Pool { .. } | Layer::GlobalPool { .. } => 0,
        }
    }

    /// FLOPs of one image in `convention`.
    pub fn flops(self, convention: FlopsConvention) -> u64 {
        use FlopsConvention::{Api, Torchstat};
        match (self, convention) {
            (Layer::Conv { kernel, inputs, outputs, side }, _) => kernel * kernel * inputs * outputs * side * side,
            (Layer::Linear { inputs, outputs }, Api) => inputs * outputs + outputs,
            (Layer::Linear { inputs, outputs }, Torchstat) => inputs * outputs,
            (_, Api) => 0,
            (Layer::BatchNorm { channels, side }, Torchstat) => 2 * channels * side * side,
            (Layer::Relu { channels, side }, Torchstat) => channels * side * side,
            (Layer::Pool { kernel, channels, side }, Torchstat) => kernel * kernel * channels * side * side,
            (Layer::GlobalPool { channels, input_side }, Torchstat) => channels * (input_side + 1) * (input_side + 1),
        }
    }
}

/// ReLU, k×k conv, BN (`ReLUConvBN`): the cell's convolutions and the reduction block's.
fn relu_conv_bn(kernel: u64, inputs: u64, outputs: u64, input_side: u64, side: u64) -> [Layer; 3] {
    [
        Layer::Relu { channels: inputs, side: input_side },
        Layer::Conv { kernel, inputs, outputs, side },
        Layer::BatchNorm { channels: outputs, side },
    ]
}

/// The layers of one edge's op at `channels` channels on a map of side `side`.
fn op_layers(op: u8, channels: u64, side: u64) -> Vec<Layer> {
    match OP_NAMES[op as usize] {
        "nor_conv_1x1" => relu_conv_bn(1, channels, channels, side, side).to_vec(),
        "nor_conv_3x3" => relu_conv_bn(3, channels, channels, side, side).to_vec(),
        "avg_pool_3x3" => vec![Layer::Pool { kernel: 3, channels, side }],
        _ => Vec::new(),
    }
}

/// The residual reduction block between stages: two 3×3 ReLU-conv-BN, the first with stride
/// 2, and a shortcut of 2×2 average pooling and a 1×1 conv.
fn reduction_block(inputs: u64, outputs: u64, input_side: u64) -> Vec<Layer> {
    let side = input_side / 2;
    let mut layers = relu_conv_bn(3, inputs, outputs, input_side, side).to_vec();
    layers.extend(relu_conv_bn(3, outputs, outputs, side, side));
    layers.push(Layer::Pool { kernel: 2, channels: inputs, side });
    layers.push(Layer::Conv { kernel: 1, inputs, outputs, side });
    layers
}

/// Every layer of the network built around `cell` for `dataset`, in forward order.
pub fn layers(cell: &Cell, dataset: Dataset) -> Vec<Layer> {
    let mut side = dataset.image_side();
    let mut layers = vec![
        Layer::Conv { kernel: 3, inputs: IMAGE_CHANNELS, outputs: STEM_CHANNELS, side },
        Layer::BatchNorm { channels: STEM_CHANNELS, side },
    ];
    let mut channels = STEM_CHANNELS;
    for stage in 0..STAGES {
        if stage > 0 {
            layers.extend(reduction_block(channels, 2 * channels, side));
            channels *= 2;
            side /= 2;
        }
        for _ in 0..CELLS_PER_STAGE {
            layers.extend(cell.ops.iter().flat_map(|&op| op_layers(op, channels, side)));
        }
    }
    layers.push(Layer::BatchNorm { channels, side });
    layers.push(Layer::Relu { channels, side });
    layers.push(Layer::GlobalPool { channels, input_side: side });
    layers.push(Layer::Linear { inputs: channels, outputs: dataset.classes() });
    layers
}

/// Trainable parameters of the network built around `cell` for `dataset`.
pub fn trainable_parameters(cell: &Cell, dataset: Dataset) -> u64 {
    layers(cell, dataset).into_iter().map(Layer::parameters).sum()
}

/// FLOPs of one image through the network built around `cell` for `dataset`.
pub fn flops(cell: &Cell, dataset: Dataset, convention: FlopsConvention) -> u64 {
    layers(cell, dataset).into_iter().map(|layer| layer.flops(convention)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL_POOLS: Cell = Cell { ops: [4; 6] };
    const ALL_NONE: Cell = Cell { ops: [0; 6] };
    const ALL_3X3: Cell = Cell { ops: [3; 6] };

    #[test]
    fn cells_without_convolutions_cost_only_the_skeleton() {
        // Stem 464, reduction blocks 14,464 and 57,600, final BN 128, head 650.
        assert_eq!(trainable_parameters(&ALL_POOLS, Dataset::Cifar10), 73_306);
        assert_eq!(trainable_parameters(&ALL_NONE, Dataset::Cifar10), 73_306);
    }

    #[test]
    fn each_convolution_adds_its_weights_in_all_fifteen_cells() {
        let one_by_one = Cell { ops: [2, 0, 0, 0, 0, 0] };
        assert_eq!(trainable_parameters(&one_by_one, Dataset::Cifar10), 73_306 + 5 * (288 + 1_088 + 4_224));
        let three_by_three = Cell { ops: [3, 0, 0, 0, 0, 0] };
        assert_eq!(trainable_parameters(&three_by_three, Dataset::Cifar10), 73_306 + 243_040);
        assert_eq!(trainable_parameters(&ALL_POOLS, Dataset::Cifar100), 73_306 + 90 * 65);
        // The image side changes no weight.
        assert_eq!(
            trainable_parameters(&ALL_3X3, Dataset::ImageNet16),
            trainable_parameters(&ALL_3X3, Dataset::Cifar100) + 20 * 65
        );
    }

    #[test]
    fn api_flops_span_the_published_range_of_each_dataset() {
        // The extremes of `get_cost_info(.., dataset)['flops']` over the 15,625 cells, in
        // millions: 7.78305 / 220.11969 (CIFAR-10), 7.7889 / 220.12554 (CIFAR-100),
        // 1.9534 / 55.03756 (ImageNet16-120).
        let published = [(7_783_050, 220_119_690), (7_788_900, 220_125_540), (1_953_400, 55_037_560)];
        for (dataset, (least, most)) in Dataset::ALL.into_iter().zip(published) {
            let all: Vec<u64> = Cell::all().iter().map(|cell| flops(cell, dataset, FlopsConvention::Api)).collect();
            assert_eq!(*all.iter().min().unwrap(), least, "{dataset:?}");
            assert_eq!(*all.iter().max().unwrap(), most, "{dataset:?}");
            assert_eq!(flops(&ALL_NONE, dataset, FlopsConvention::Api), least);
            assert_eq!(flops(&ALL_3X3, dataset, FlopsConvention::Api), most);
        }
    }

    #[test]
    fn torchstat_adds_element_operations_to_the_multiply_adds() {
        // CIFAR-10, cell of `none` only: the API's figure without the linear bias (10), plus
        // stem BN 32,768, reduction blocks 73,728 and 36,864 (ReLU, BN, 2x2 pooling), final
        // BN and ReLU 12,288, global pooling 64·9·9 = 5,184.
        let skeleton = 7_783_050 - 10 + 32_768 + 73_728 + 36_864 + 12_288 + 5_184;
        assert_eq!(flops(&ALL_NONE, Dataset::Cifar10, FlopsConvention::Torchstat), skeleton);
        // Each 3x3 pooling edge adds 9 per element of all fifteen cells' maps (16·32² +
        // 32·16² + 64·8² = 28,672 elements per cell).
        let one_pool = Cell { ops: [4, 0, 0, 0, 0, 0] };
        assert_eq!(flops(&one_pool, Dataset::Cifar10, FlopsConvention::Torchstat), skeleton + 5 * 9 * 28_672);
    }

    #[test]
    fn dataset_and_convention_names_round_trip() {
        for dataset in Dataset::ALL {
            assert_eq!(Dataset::from_name(dataset.name()), Some(dataset));
        }
        for convention in FlopsConvention::ALL {
            assert_eq!(FlopsConvention::from_name(convention.name()), Some(convention));
        }
        assert_eq!(Dataset::from_name("ImageNet16-120"), None);
    }
}
