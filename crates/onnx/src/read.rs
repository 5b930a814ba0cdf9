//! Reading a model back: decoding the bytes, then the metadata, the weights and the declared
//! inputs and outputs.
//!
//! The helpers are methods on the [`proto`](crate::proto) types, so they work the same on a
//! model read from a file and on one still being built ([`ModelBuilder::model`]).
//!
//! [`ModelBuilder::model`]: crate::ModelBuilder::model

use std::collections::BTreeMap;
use std::fmt;

use prost::Message;

use crate::Dim;
use crate::proto::tensor_proto::{DataLocation, DataType};
use crate::proto::{AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto, type_proto};

pub use prost::DecodeError;

/// Decodes the bytes of an `.onnx` file.
///
/// Fields this crate does not declare are skipped (see [`proto`](crate::proto)); a file that
/// is not an ONNX model at all usually fails here, but protobuf cannot always tell.
pub fn read_model(bytes: &[u8]) -> Result<ModelProto, DecodeError> {
    ModelProto::decode(bytes)
}

/// Encodes a model again, e.g. one read by [`read_model`] whose weights were changed (the
/// benchmarks and tests plant values in trained files this way). Fields this crate does not
/// declare were dropped when it was read.
pub fn write_model(model: &ModelProto) -> Vec<u8> {
    model.encode_to_vec()
}

/// A tensor's shape and its elements in row-major order.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor<T> {
    pub dims: Vec<i64>,
    pub values: Vec<T>,
}

/// The declared name, element type and shape of a graph input or output.
#[derive(Debug, Clone, PartialEq)]
pub struct TensorSignature {
    pub name: String,
    /// [`DataType::Undefined`] when the value is not a dense tensor (e.g. a map).
    pub elem_type: DataType,
    /// `None` when the rank is not declared.
    pub shape: Option<Vec<Dim>>,
}

/// Why a tensor's elements could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TensorError {
    /// The graph has no initializer of that name.
    NotFound { name: String },
    /// The tensor holds another element type than the one asked for.
    WrongType { name: String, expected: DataType, found: i32 },
    /// The elements live in a separate file, which this crate does not read.
    ExternalData { name: String },
    /// The stored element count does not match the product of the dims.
    WrongLength { name: String, dims: Vec<i64>, stored: usize },
    /// `raw_data` is not a whole number of elements.
    PartialElement { name: String, raw_bytes: usize, element_width: usize },
}

impl fmt::Display for TensorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TensorError::NotFound { name } => write!(f, "no initializer named {name:?}"),
            TensorError::WrongType { name, expected, found } => {
                let found =
                    DataType::try_from(*found).map_or_else(|_| format!("data type {found}"), |t| format!("{t:?}"));
                write!(f, "tensor {name:?} holds {found} elements, expected {expected:?}")
            }
            TensorError::ExternalData { name } => {
                write!(f, "tensor {name:?} is stored in an external file, which is not supported")
            }
            TensorError::WrongLength { name, dims, stored } => {
                write!(f, "tensor {name:?} has dims {dims:?} but stores {stored} elements")
            }
            TensorError::PartialElement { name, raw_bytes, element_width } => {
                write!(f, "tensor {name:?} has {raw_bytes} bytes of raw data, not a multiple of {element_width}")
            }
        }
    }
}

impl std::error::Error for TensorError {}

impl ModelProto {
    /// The metadata as a map; of repeated keys (which the spec forbids) the last one wins.
    pub fn metadata_map(&self) -> BTreeMap<String, String> {
        self.metadata_props.iter().map(|entry| (entry.key.clone(), entry.value.clone())).collect()
    }

    /// The imported version of operator domain `domain` (`""` for default ONNX).
    pub fn opset_version(&self, domain: &str) -> Option<i64> {
        self.opset_import.iter().find(|opset| opset.domain == domain).map(|opset| opset.version)
    }
}

impl GraphProto {
    pub fn find_initializer(&self, name: &str) -> Option<&TensorProto> {
        self.initializer.iter().find(|tensor| tensor.name == name)
    }

    /// The float32 initializer `name`, from either `raw_data` or `float_data`.
    pub fn float_initializer(&self, name: &str) -> Result<Tensor<f32>, TensorError> {
        let tensor = self.find_initializer(name).ok_or_else(|| TensorError::NotFound { name: name.to_string() })?;
        Ok(Tensor { dims: tensor.dims.clone(), values: tensor.float_values()? })
    }

    /// The int64 initializer `name`, from either `raw_data` or `int64_data`.
    pub fn int64_initializer(&self, name: &str) -> Result<Tensor<i64>, TensorError> {
        let tensor = self.find_initializer(name).ok_or_else(|| TensorError::NotFound { name: name.to_string() })?;
        Ok(Tensor { dims: tensor.dims.clone(), values: tensor.int64_values()? })
    }

    pub fn input_signatures(&self) -> Vec<TensorSignature> {
        self.input.iter().map(ValueInfoProto::signature).collect()
    }

    pub fn output_signatures(&self) -> Vec<TensorSignature> {
        self.output.iter().map(ValueInfoProto::signature).collect()
    }
}

impl NodeProto {
    pub fn find_attribute(&self, name: &str) -> Option<&AttributeProto> {
        self.attribute.iter().find(|attribute| attribute.name == name)
    }
}

impl ValueInfoProto {
    pub fn signature(&self) -> TensorSignature {
        // Tensors are the only type declared; a map or sequence decodes as no type at all.
        let tensor_type = self
            .r#type
            .as_ref()
            .and_then(|value_type| value_type.value.as_ref())
            .map(|type_proto::Value::TensorType(tensor)| tensor);
        TensorSignature {
            name: self.name.clone(),
            elem_type: tensor_type.map_or(DataType::Undefined, |tensor| tensor.elem_type()),
            shape: tensor_type
                .and_then(|tensor| tensor.shape.as_ref())
                .map(|shape| shape.dim.iter().map(Dim::from_proto).collect()),
        }
    }
}

impl TensorProto {
    /// The number of elements the dims call for (1 for a scalar); `None` for a negative dim
    /// or an overflow.
    pub fn element_count(&self) -> Option<usize> {
        self.dims.iter().try_fold(1_usize, |product, &dim| usize::try_from(dim).ok()?.checked_mul(product))
    }

    /// The elements of a FLOAT tensor, from `raw_data` (little-endian) or `float_data`.
    pub fn float_values(&self) -> Result<Vec<f32>, TensorError> {
        self.numeric_values(DataType::Float, &self.float_data, f32::from_le_bytes)
    }

    /// The elements of an INT64 tensor, from `raw_data` (little-endian) or `int64_data`.
    pub fn int64_values(&self) -> Result<Vec<i64>, TensorError> {
        self.numeric_values(DataType::Int64, &self.int64_data, i64::from_le_bytes)
    }

    /// Elements of a `WIDTH`-byte type: the spec allows either the typed field or raw bytes.
    fn numeric_values<T: Copy, const WIDTH: usize>(
        &self,
        expected: DataType,
        typed_data: &[T],
        from_le_bytes: fn([u8; WIDTH]) -> T,
    ) -> Result<Vec<T>, TensorError> {
        if self.data_type != expected as i32 {
            return Err(TensorError::WrongType { name: self.name.clone(), expected, found: self.data_type });
        }
        if self.data_location == DataLocation::External as i32 {
            return Err(TensorError::ExternalData { name: self.name.clone() });
        }
        let values: Vec<T> = if self.raw_data.is_empty() {
            typed_data.to_vec()
        } else {
            let chunks = self.raw_data.chunks_exact(WIDTH);
            if !chunks.remainder().is_empty() {
                return Err(TensorError::PartialElement {
                    name: self.name.clone(),
                    raw_bytes: self.raw_data.len(),
                    element_width: WIDTH,
                });
            }
            chunks.map(|bytes| from_le_bytes(bytes.try_into().expect("chunks_exact yields WIDTH bytes"))).collect()
        };
        if self.element_count() != Some(values.len()) {
            return Err(TensorError::WrongLength {
                name: self.name.clone(),
                dims: self.dims.clone(),
                stored: values.len(),
            });
        }
        Ok(values)
    }
}
