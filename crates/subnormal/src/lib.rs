//! Subnormal (denormal) floats, kept out of the CPU's slow path.
//!
//! A float32 below 1.18e-38 in magnitude but not zero is *subnormal*. Intel cores compute with
//! such operands through a microcode assist that costs on the order of a hundred cycles per
//! instruction; AMD Zen cores barely slow down. A trained GCN naturally grows them: weight decay
//! shrinks the weights of ops a training set never shows towards zero, step after step, until
//! they underflow into the subnormal range. One such model (2,603 of its 103,125 weights
//! subnormal) made training 4–5× and whole-space scoring 13–17× slower on an Intel Xeon than
//! the same work with the weights flushed (BENCHMARKS.md, "Subnormal floats").
//!
//! The values lost by flushing are below 1.2e-38: next to weights of order 0.1 they change no
//! score by more than float rounding. So the project never computes with them:
//!
//! - [`FlushToZero`] sets the CPU's flush-to-zero and denormals-are-zero modes on the current
//!   thread for as long as it lives (every thread that trains or scores takes one; threads do
//!   not inherit a mode set by another thread after they started).
//! - [`flush_slice`] replaces subnormal values by zero: weights are flushed when a model is
//!   written and when one is read, so a file from an older version or another tool is no slower.
//!
//! ONNX Runtime's threads are its own; its session option `session.set_denormal_as_zero` is the
//! same switch for them (`np-ort` sets it).
//!
//! On x86-64 the modes are MXCSR's FTZ and DAZ bits; on AArch64, FPCR's FZ bit (which flushes
//! both inputs and results). Elsewhere [`FlushToZero`] changes nothing, and flushed weights are
//! what keeps the slow path away.

mod control;

pub use control::{FlushToZero, flushes_subnormals};

/// Whether `x` is subnormal (non-zero and below `f32::MIN_POSITIVE` in magnitude).
pub fn is_subnormal(x: f32) -> bool {
    x.is_subnormal()
}

/// Replaces every subnormal value of `values` by zero of the same sign; returns how many
/// there were. Normal values, zeros, infinities and NaNs are left as they are.
pub fn flush_slice(values: &mut [f32]) -> usize {
    let mut flushed = 0;
    for value in values.iter_mut().filter(|v| v.is_subnormal()) {
        *value = 0.0f32.copysign(*value);
        flushed += 1;
    }
    flushed
}

/// How many values of `values` are subnormal.
pub fn count_subnormal(values: &[f32]) -> usize {
    values.iter().filter(|v| v.is_subnormal()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_subnormals_are_flushed() {
        let tiny = f32::MIN_POSITIVE / 4.0;
        let mut values = [1.0, -tiny, tiny, 0.0, -0.0, f32::MIN_POSITIVE, f32::INFINITY, f32::NAN, 1e-39];
        assert_eq!(count_subnormal(&values), 3);
        assert_eq!(flush_slice(&mut values), 3);
        assert_eq!(count_subnormal(&values), 0);
        assert_eq!(values[1].to_bits(), (-0.0f32).to_bits());
        assert_eq!(values[2].to_bits(), 0.0f32.to_bits());
        assert_eq!(values[5], f32::MIN_POSITIVE);
        assert!(values[6].is_infinite() && values[7].is_nan());
        assert_eq!(values[0], 1.0);
    }
}
