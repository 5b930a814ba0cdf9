//! Runs exported predictor files (`Predictor::to_onnx` in `np-predictor`) through ONNX Runtime,
//! on the CPU or, with the `cuda` cargo feature, on an NVIDIA GPU.
//!
//! ONNX Runtime is not linked: its shared library is loaded when first needed
//! ([`init_runtime`]), so building this crate needs no ONNX Runtime at all. The library comes
//! from the official `onnxruntime` Python wheel (`make setup` installs it into the project's
//! `.venv`), or from wherever `ORT_DYLIB_PATH` points. The `ort` crate this builds on needs
//! ONNX Runtime 1.22 or later.
//!
//! ```no_run
//! use np_ort::{Device, OrtPredictor};
//!
//! # fn main() -> Result<(), np_ort::RuntimeError> {
//! let bytes = std::fs::read("model.onnx").map_err(|e| np_ort::RuntimeError(e.to_string()))?;
//! let mut predictor = OrtPredictor::load(&bytes, Device::Cpu, None)?;
//! // One NAS-Bench-101 cell (7 nodes, 5 op classes) with no edges and every node real.
//! let (n, c) = (7, 5);
//! let (adjacency, op_onehot, node_mask) = (vec![0.0; n * n], vec![0.2; n * c], vec![1.0; n]);
//! let (pred, p_good) = predictor.run(1, n, &adjacency, &op_onehot, None, &node_mask)?;
//! println!("{} {:?}", pred[0], p_good.map(|p| p[0]));
//! # Ok(())
//! # }
//! ```
//!
//! - [`init_runtime`]: find and load the library, once per process; [`locate_runtime_library`]
//!   is its path search alone, without loading anything.
//! - [`OrtPredictor`]: one model session; [`OrtPredictor::run`] scores a batch of graph-encoded
//!   architectures from row-major `f32` buffers.
//! - [`OrtFeaturePredictor`]: the same for models over one feature vector per architecture
//!   (the tree predictors of `np-trees`).
//!
//! Not done here: reading the model's metadata (label range, op vocabulary: use
//! `np_onnx::read_model`), encoding architectures (`np-encoding`), batching records (the
//! tools), or choosing between this backend and the native ones (`np-gcn`, `np-trees`).

mod features;
mod predictor;
mod runtime;

use std::fmt;

pub use features::OrtFeaturePredictor;
pub use predictor::OrtPredictor;
pub use runtime::{init_runtime, locate_runtime_library};

/// Where a model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Device {
    /// ONNX Runtime's default CPU execution provider.
    #[default]
    Cpu,
    /// ONNX Runtime's CUDA execution provider on GPU `device_id` (needs the `cuda` cargo
    /// feature and the `onnxruntime-gpu` library with its CUDA and cuDNN libraries).
    Cuda { device_id: i32 },
}

impl fmt::Display for Device {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Device::Cpu => f.write_str("the CPU"),
            Device::Cuda { device_id } => write!(f, "CUDA device {device_id}"),
        }
    }
}

/// Anything that went wrong loading ONNX Runtime, loading a model or running it: one line of
/// text that says what failed and, where there is one, how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeError(pub String);

impl RuntimeError {
    /// `context: cause`, with the cause's line breaks (ONNX Runtime's messages have some)
    /// folded so the error stays one line.
    fn new(context: impl fmt::Display, cause: impl fmt::Display) -> Self {
        let cause = cause.to_string();
        let cause = cause.split_whitespace().collect::<Vec<_>>().join(" ");
        RuntimeError(format!("{context}: {cause}"))
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RuntimeError {}
