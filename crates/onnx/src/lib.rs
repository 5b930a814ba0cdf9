//! Writes and reads ONNX model files, so that a trained predictor (the GCN, later tree
//! ensembles) can be run by ONNX Runtime or any other ONNX consumer, and read back by us.
//!
//! - [`proto`]: the ONNX protobuf messages, declared by hand with `prost` from the public spec
//!   (a subset: what feed-forward graphs and `ai.onnx.ml` tree ensembles need).
//! - [`ModelBuilder`]: declare inputs and outputs (`shape!["batch", 7, 7]`: names are dynamic
//!   dimensions, numbers fixed ones), add weights, nodes with attributes, opsets and metadata,
//!   then [`ModelBuilder::to_bytes`].
//! - [`read_model`] and helper methods on the messages: metadata as a map, an initializer's
//!   values whichever way they are stored, the declared inputs and outputs.
//!
//! ```
//! use np_onnx::{DataType, ModelBuilder, Node, read_model, shape};
//!
//! // Y = Relu(X · W + B) for a batch of 3-vectors.
//! let mut model = ModelBuilder::new("dense_relu");
//! model
//!     .input("X", DataType::Float, &shape!["batch", 3])
//!     .output("Y", DataType::Float, &shape!["batch", 2])
//!     .float_initializer("W", &[3, 2], &[1.0, 0.0, 0.0, 1.0, 1.0, -1.0])
//!     .float_initializer("B", &[2], &[0.5, -0.5])
//!     .node(Node::new("MatMul", &["X", "W"], &["XW"]))
//!     .node(Node::new("Add", &["XW", "B"], &["Z"]))
//!     .node(Node::new("Relu", &["Z"], &["Y"]))
//!     .metadata("target", "val_accuracy");
//! let bytes = model.to_bytes();
//!
//! let read = read_model(&bytes).unwrap();
//! assert_eq!(read.metadata_map()["target"], "val_accuracy");
//! assert_eq!(read.graph.unwrap().float_initializer("B").unwrap().values, [0.5, -0.5]);
//! ```
//!
//! Versions: files are written at IR version 8 with the default domain at opset 17 (and
//! `ai.onnx.ml` at opset 3 when imported), the combination of ONNX 1.12, loadable by ONNX
//! Runtime 1.14 and later. Operators must be used as opset 17 defines them (e.g. `ReduceMean`
//! takes `axes` as an attribute there, not as an input).
//!
//! Not done here: file I/O (tools write the bytes through `np_io::Output`, which renames a
//! finished file into place), checking a graph (node order, operator signatures, types: run
//! `onnx.checker`), running a model, external-data tensors, and subgraphs, sparse tensors,
//! functions or training information.

pub mod builder;
pub mod proto;
pub mod read;

pub use builder::{AttributeValue, Dim, ModelBuilder, Node, float_tensor, int64_tensor};
pub use proto::tensor_proto::DataType;
pub use read::{DecodeError, Tensor, TensorError, TensorSignature, read_model, write_model};

/// The ONNX IR version written: 8 is the one that goes with opset 17 (ONNX 1.12).
pub const IR_VERSION: i64 = 8;
/// The standard ONNX operator domain.
pub const DEFAULT_DOMAIN: &str = "";
/// The opset of the default domain a new model imports.
pub const DEFAULT_OPSET: i64 = 17;
/// The classical machine-learning operator domain (tree ensembles, ...).
pub const ML_DOMAIN: &str = "ai.onnx.ml";
/// The `ai.onnx.ml` opset that goes with [`DEFAULT_OPSET`].
pub const ML_OPSET: i64 = 3;
/// The `producer_name` written into every model.
pub const PRODUCER_NAME: &str = "neural-predictor";
