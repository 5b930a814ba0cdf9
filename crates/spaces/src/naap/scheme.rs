//! What a NAAP-440 scheme is, and the published rules that make one a member of the space.
//!
//! Source: `scheme_generator.py` of the NAAP-440 repository (talcs/NAAP-440 on GitHub), whose
//! `SETTINGS` fix the choices of each conv layer position, the minimum depth and the maximum
//! number of stride-2 layers ("stages"), and whose residual rule allows a skip only where the
//! layer's input and output tensors have the same shape.

use std::fmt::Write;

/// One conv layer of a scheme: conv (no bias) → batch norm → ReLU, plus the layer's input
/// added to its output when `residual` is set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ConvLayer {
    pub kernel_size: u8,
    pub width: u16,
    pub stride: u8,
    pub residual: bool,
}

/// A network: its conv layers in order (then global average pooling and a linear classifier).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scheme {
    pub layers: Vec<ConvLayer>,
}

/// The choices allowed at one layer position (`SETTINGS['conv_blocks'][i]`).
#[derive(Debug, Clone, Copy)]
pub struct LayerChoices {
    pub kernel_sizes: &'static [u8],
    pub widths: &'static [u16],
    pub strides: &'static [u8],
    pub residuals: &'static [bool],
}

/// The published choices per position; a scheme has 3 or 4 layers.
pub const LAYER_CHOICES: [LayerChoices; MAX_LAYERS] = [
    LayerChoices { kernel_sizes: &[3], widths: &[12, 16], strides: &[2], residuals: &[false] },
    LayerChoices { kernel_sizes: &[3], widths: &[16, 24], strides: &[2], residuals: &[false] },
    LayerChoices { kernel_sizes: &[1, 3], widths: &[16, 24, 32], strides: &[1, 2], residuals: &[false, true] },
    LayerChoices { kernel_sizes: &[1, 3], widths: &[32, 40], strides: &[1, 2], residuals: &[false, true] },
];
/// `SETTINGS['min_conv_blocks']`.
pub const MIN_LAYERS: usize = 3;
/// The number of positions in `SETTINGS['conv_blocks']`.
pub const MAX_LAYERS: usize = 4;
/// `SETTINGS['max_stages']`: at most this many stride-2 layers.
pub const MAX_STAGES: usize = 3;
/// The widest layer any position allows (the scale of the `width` node feature).
pub const MAX_WIDTH: u16 = 40;
/// CIFAR-10: RGB input, ten classes.
pub const INPUT_CHANNELS: u16 = 3;
pub const CLASSES: u16 = 10;

impl Scheme {
    /// Layers with stride 2 (the CSV's `NumStages`).
    pub fn stages(&self) -> usize {
        self.layers.iter().filter(|layer| layer.stride == 2).count()
    }

    /// Why the scheme is not one the published generator produces, if it is not.
    pub fn violation(&self) -> Option<String> {
        let count = self.layers.len();
        if !(MIN_LAYERS..=MAX_LAYERS).contains(&count) {
            return Some(format!("a scheme has {MIN_LAYERS} to {MAX_LAYERS} conv layers, got {count}"));
        }
        let mut stages = 0;
        for (index, (layer, choices)) in self.layers.iter().zip(&LAYER_CHOICES).enumerate() {
            let previous = index.checked_sub(1).map(|i| &self.layers[i]);
            if let Some(reason) = layer_violation(layer, choices, previous, stages) {
                return Some(format!("scheme[{index}]: {reason}"));
            }
            stages += (layer.stride == 2) as usize;
        }
        None
    }

    /// The canonical text (the space's `id`): one `k{kernel}w{width}s{stride}` per layer, with
    /// `r` appended for a residual layer, joined by `-`, e.g. `k3w12s2-k3w16s2-k1w16s1r`.
    pub fn compact_text(&self) -> String {
        let mut text = String::with_capacity(10 * self.layers.len());
        for (index, layer) in self.layers.iter().enumerate() {
            if index > 0 {
                text.push('-');
            }
            write!(text, "k{}w{}s{}", layer.kernel_size, layer.width, layer.stride).expect("writing to a String");
            if layer.residual {
                text.push('r');
            }
        }
        text
    }

    /// Learnable parameters of the network NAAP-440 trained (its `create_dataset.py`): each
    /// conv k·k·C_in·C_out without bias, each batch norm 2·C_out, the classifier C_last·10 + 10.
    /// Equal to the CSV's `NumParams` for all 440 models.
    pub fn parameter_count(&self) -> u64 {
        let mut channels = INPUT_CHANNELS as u64;
        let mut count = 0;
        for layer in &self.layers {
            let (kernel, width) = (layer.kernel_size as u64, layer.width as u64);
            count += kernel * kernel * channels * width + 2 * width;
            channels = width;
        }
        count + channels * CLASSES as u64 + CLASSES as u64
    }
}

/// Why `layer` may not sit at a position with these `choices` after `previous`, when
/// `stages` stride-2 layers come before it.
pub fn layer_violation(
    layer: &ConvLayer,
    choices: &LayerChoices,
    previous: Option<&ConvLayer>,
    stages: usize,
) -> Option<String> {
    fn list<T: ToString>(values: &[T]) -> String {
        values.iter().map(T::to_string).collect::<Vec<_>>().join(", ")
    }
    if !choices.kernel_sizes.contains(&layer.kernel_size) {
        return Some(format!(
            "kernel_size {} is not allowed here (allowed: {})",
            layer.kernel_size,
            list(choices.kernel_sizes)
        ));
    }
    if !choices.widths.contains(&layer.width) {
        return Some(format!("width {} is not allowed here (allowed: {})", layer.width, list(choices.widths)));
    }
    if !choices.strides.contains(&layer.stride) {
        return Some(format!("stride {} is not allowed here (allowed: {})", layer.stride, list(choices.strides)));
    }
    if layer.stride == 2 && stages >= MAX_STAGES {
        return Some(format!("stride 2 after {stages} stride-2 layers (at most {MAX_STAGES})"));
    }
    if layer.residual {
        if !choices.residuals.contains(&true) {
            return Some("residual is not allowed here".into());
        }
        let same_shape = previous.is_some_and(|previous| layer.stride == 1 && layer.width == previous.width);
        if !same_shape {
            return Some(
                "residual needs stride 1 and the previous layer's width (equal input and output shapes)".into(),
            );
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layer(kernel_size: u8, width: u16, stride: u8, residual: bool) -> ConvLayer {
        ConvLayer { kernel_size, width, stride, residual }
    }

    #[test]
    fn compact_text_and_parameters_of_the_first_published_scheme() {
        // 3·3·3·12 + 2·12 + 3·3·12·16 + 2·16 + 1·1·16·16 + 2·16 + 16·10 + 10.
        let scheme = Scheme { layers: vec![layer(3, 12, 2, false), layer(3, 16, 2, false), layer(1, 16, 1, false)] };
        assert_eq!(scheme.compact_text(), "k3w12s2-k3w16s2-k1w16s1");
        assert_eq!(scheme.parameter_count(), 2566);
        assert_eq!(scheme.stages(), 2);
        assert_eq!(scheme.violation(), None);
    }

    #[test]
    fn the_published_rules_are_enforced() {
        let base = [layer(3, 12, 2, false), layer(3, 16, 2, false), layer(3, 16, 1, true)];
        assert_eq!(Scheme { layers: base.to_vec() }.violation(), None);
        let cases: [(Vec<ConvLayer>, &str); 6] = [
            (base[..2].to_vec(), "a scheme has 3 to 4 conv layers, got 2"),
            (vec![base[0], base[1], layer(5, 16, 1, false)], "scheme[2]: kernel_size 5 is not allowed here"),
            (vec![base[0], base[1], layer(3, 24, 1, true)], "scheme[2]: residual needs stride 1"),
            (vec![base[0], base[1], layer(3, 16, 2, true)], "scheme[2]: residual needs stride 1"),
            (
                vec![base[0], layer(3, 16, 2, false), layer(1, 16, 2, false), layer(1, 32, 2, false)],
                "scheme[3]: stride 2 after 3",
            ),
            (vec![layer(3, 12, 2, false), layer(3, 12, 2, false), base[2]], "scheme[1]: width 12 is not allowed here"),
        ];
        for (layers, expected) in cases {
            let reason = Scheme { layers }.violation().expect("a violation");
            assert!(reason.starts_with(expected), "{reason}");
        }
    }
}
