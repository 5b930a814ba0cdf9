//! The published generator: a depth-first walk over the choices of each layer position, which
//! yields the 440 schemes of NAAP-440 in the order of its `generated_schemes.json` (so the
//! scheme at position i is the CSV's `ModelId` i + 1).
//!
//! As in `scheme_generator.py`: a prefix of at least three layers is emitted before its
//! extensions; the next layer loops over kernel size, then width, then stride, then residual
//! (false before true), each in the listed order, skipping stride 2 once three layers have it
//! and a residual where the shapes differ.

use super::scheme::{ConvLayer, LAYER_CHOICES, MAX_LAYERS, MIN_LAYERS, Scheme, layer_violation};

/// The number of schemes the generator yields.
pub const SCHEME_COUNT: usize = 440;

/// Every scheme of the space, in the published order.
pub fn published_schemes() -> Vec<Scheme> {
    let mut schemes = Vec::with_capacity(SCHEME_COUNT);
    extend(&mut Vec::with_capacity(MAX_LAYERS), &mut schemes);
    schemes
}

fn extend(prefix: &mut Vec<ConvLayer>, schemes: &mut Vec<Scheme>) {
    if prefix.len() >= MIN_LAYERS {
        schemes.push(Scheme { layers: prefix.clone() });
    }
    if prefix.len() == MAX_LAYERS {
        return;
    }
    let choices = &LAYER_CHOICES[prefix.len()];
    let stages = prefix.iter().filter(|layer| layer.stride == 2).count();
    for &kernel_size in choices.kernel_sizes {
        for &width in choices.widths {
            for &stride in choices.strides {
                for &residual in choices.residuals {
                    let layer = ConvLayer { kernel_size, width, stride, residual };
                    if layer_violation(&layer, choices, prefix.last(), stages).is_none() {
                        prefix.push(layer);
                        extend(prefix, schemes);
                        prefix.pop();
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn the_generator_yields_440_distinct_valid_schemes() {
        let schemes = published_schemes();
        assert_eq!(schemes.len(), SCHEME_COUNT);
        assert!(schemes.iter().all(|scheme| scheme.violation().is_none()));
        let texts: HashSet<String> = schemes.iter().map(Scheme::compact_text).collect();
        assert_eq!(texts.len(), SCHEME_COUNT);
        // The first two entries of generated_schemes.json.
        assert_eq!(schemes[0].compact_text(), "k3w12s2-k3w16s2-k1w16s1");
        assert_eq!(schemes[1].compact_text(), "k3w12s2-k3w16s2-k1w16s1-k1w32s1");
        let depths = |n: usize| schemes.iter().filter(|scheme| scheme.layers.len() == n).count();
        assert_eq!((depths(3), depths(4)), (56, 384));
    }
}
