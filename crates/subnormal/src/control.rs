//! The CPU's flush-to-zero and denormals-are-zero modes for the current thread.

use std::hint::black_box;
use std::marker::PhantomData;

/// Flush-to-zero and denormals-are-zero on the current thread while this value lives; the
/// thread's earlier mode comes back when it is dropped.
///
/// With both set, a subnormal operand reads as zero and a subnormal result is written as zero,
/// so no instruction takes the slow path. Results stay deterministic: the same inputs give the
/// same bits on every thread that has the mode. Not `Send`: the mode belongs to one thread.
#[must_use = "the mode lasts only as long as the guard"]
pub struct FlushToZero {
    saved: arch::State,
    this_thread: PhantomData<*const ()>,
}

impl FlushToZero {
    /// Sets both modes on the current thread.
    pub fn enable() -> Self {
        let saved = arch::read();
        arch::write(arch::with_flushing(saved));
        FlushToZero { saved, this_thread: PhantomData }
    }
}

impl Drop for FlushToZero {
    fn drop(&mut self) {
        arch::write(self.saved);
    }
}

/// Whether the current thread flushes subnormal results to zero (checked by computing one, so
/// it also answers on targets whose modes this crate cannot set).
pub fn flushes_subnormals() -> bool {
    black_box(f32::MIN_POSITIVE) * black_box(0.5f32) == 0.0
}

#[cfg(target_arch = "x86_64")]
mod arch {
    use std::arch::asm;

    /// MXCSR.
    pub type State = u32;
    /// Flush-to-zero: subnormal results are written as zero.
    const FTZ: u32 = 1 << 15;
    /// Denormals-are-zero: subnormal operands are read as zero.
    const DAZ: u32 = 1 << 6;

    pub fn read() -> State {
        let mut csr: u32 = 0;
        // SAFETY: STMXCSR stores the 32-bit control register into the given location.
        unsafe { asm!("stmxcsr [{}]", in(reg) &mut csr, options(nostack, preserves_flags)) };
        csr
    }

    pub fn write(csr: State) {
        // SAFETY: LDMXCSR loads a value read by `read` with only FTZ and DAZ changed; every
        // x86-64 processor supports both bits.
        unsafe { asm!("ldmxcsr [{}]", in(reg) &csr, options(nostack, preserves_flags, readonly)) };
    }

    pub fn with_flushing(csr: State) -> State {
        csr | FTZ | DAZ
    }
}

#[cfg(target_arch = "aarch64")]
mod arch {
    use std::arch::asm;

    /// FPCR.
    pub type State = u64;
    /// FZ: subnormal operands and results are treated as zero.
    const FZ: u64 = 1 << 24;

    pub fn read() -> State {
        let fpcr: u64;
        // SAFETY: reading FPCR has no side effects.
        unsafe { asm!("mrs {}, fpcr", out(reg) fpcr, options(nomem, nostack, preserves_flags)) };
        fpcr
    }

    pub fn write(fpcr: State) {
        // SAFETY: writes back a value read by `read` with only FZ changed.
        unsafe { asm!("msr fpcr, {}", in(reg) fpcr, options(nomem, nostack, preserves_flags)) };
    }

    pub fn with_flushing(fpcr: State) -> State {
        fpcr | FZ
    }
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
mod arch {
    pub type State = ();

    pub fn read() -> State {}

    pub fn write(_: State) {}

    pub fn with_flushing(_: State) -> State {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
    fn the_guard_flushes_and_restores() {
        // A fresh thread starts in the default mode.
        std::thread::spawn(|| {
            assert!(!flushes_subnormals());
            {
                let _flush = FlushToZero::enable();
                assert!(flushes_subnormals());
                // A subnormal operand reads as zero.
                assert_eq!(black_box(f32::MIN_POSITIVE / 4.0) + black_box(0.0f32), 0.0);
                let _nested = FlushToZero::enable();
                assert!(flushes_subnormals());
            }
            assert!(!flushes_subnormals());
        })
        .join()
        .unwrap();
    }
}
