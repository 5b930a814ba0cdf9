//! One random edit, for regularized evolution. NAAP-440 defines no mutation; this one is ours.
//!
//! A scheme is spelled by four choices per layer (kernel size, width, stride, residual) and its
//! depth. One of the 4·L + 1 choices is picked uniformly: a layer choice is set to a different
//! value, uniform over the others that its position allows; the depth choice removes the fourth
//! layer of a four-layer scheme, or appends a fourth layer (each of its choices uniform) to a
//! three-layer one. The draw repeats until the child follows the published rules (e.g. a new
//! width can break the next layer's residual), so the child is always a different member of
//! the space.

use super::scheme::{ConvLayer, LAYER_CHOICES, MAX_LAYERS, Scheme};
use crate::rng::{SpaceRng, uniform_below};

/// The four choices of a layer.
const LAYER_CHOICE_COUNT: usize = 4;

/// A member of the space one edit away from `parent`.
pub fn mutate_scheme(parent: &Scheme, rng: &mut SpaceRng) -> Scheme {
    loop {
        let depth = parent.layers.len();
        let choice = uniform_below(rng, (LAYER_CHOICE_COUNT * depth + 1) as u64) as usize;
        let mut child = parent.clone();
        if choice == LAYER_CHOICE_COUNT * depth {
            if depth == MAX_LAYERS {
                child.layers.pop();
            } else {
                let choices = &LAYER_CHOICES[depth];
                child.layers.push(ConvLayer {
                    kernel_size: pick(choices.kernel_sizes, rng),
                    width: pick(choices.widths, rng),
                    stride: pick(choices.strides, rng),
                    residual: pick(choices.residuals, rng),
                });
            }
        } else {
            let (index, which) = (choice / LAYER_CHOICE_COUNT, choice % LAYER_CHOICE_COUNT);
            let choices = &LAYER_CHOICES[index];
            let layer = &mut child.layers[index];
            let changed = match which {
                0 => pick_other(choices.kernel_sizes, layer.kernel_size, rng).map(|k| layer.kernel_size = k),
                1 => pick_other(choices.widths, layer.width, rng).map(|w| layer.width = w),
                2 => pick_other(choices.strides, layer.stride, rng).map(|s| layer.stride = s),
                _ => pick_other(choices.residuals, layer.residual, rng).map(|r| layer.residual = r),
            };
            if changed.is_none() {
                continue;
            }
        }
        if child.violation().is_none() {
            return child;
        }
    }
}

fn pick<T: Copy>(values: &[T], rng: &mut SpaceRng) -> T {
    values[uniform_below(rng, values.len() as u64) as usize]
}

/// A value of `values` other than `current`, uniformly; `None` when there is no other.
fn pick_other<T: Copy + PartialEq>(values: &[T], current: T, rng: &mut SpaceRng) -> Option<T> {
    let others: Vec<T> = values.iter().copied().filter(|&value| value != current).collect();
    (!others.is_empty()).then(|| pick(&others, rng))
}
