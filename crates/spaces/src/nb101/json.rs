//! Reading a cell from a JSON record.
//!
//! Accepted forms, first match wins:
//! - `"adjacency"` (V×V of 0/1 or booleans) with `"ops"` (V op names): this project's form;
//! - `"module_adjacency"` with `"module_operations"`: the names of `nasbench`'s fixed stats;
//! - `"naslib"`: NASLib's 56-integer tuple (7×7 matrix row-major, then 7 op ids:
//!   0 input, 1 output, 2 maxpool3x3, 3 conv1x1-bn-relu, 4 conv3x3-bn-relu);
//! - a bare JSON array of those 56 integers as the whole line.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};
use serde_json::Value;

use super::cell::Op;
use super::spec::UnprunedSpec;
use crate::{InvalidArchitecture, RawFields, invalid};

/// Length of NASLib's tuple: 49 matrix entries and 7 op ids.
pub const NASLIB_TUPLE_LEN: usize = 56;

/// The cell a record describes, before pruning.
pub fn spec_from_record(record: &Value) -> Result<UnprunedSpec<'_>, InvalidArchitecture> {
    let fields = match record {
        Value::Array(items) => return spec_from_naslib(items),
        Value::Object(fields) => fields,
        _ => return invalid("expected a JSON object or a 56-integer NASLib tuple"),
    };
    for (matrix_key, ops_key) in [("adjacency", "ops"), ("module_adjacency", "module_operations")] {
        if let Some(matrix) = fields.get(matrix_key) {
            let matrix = matrix_from_json(matrix_key, matrix)?;
            let ops = match fields.get(ops_key) {
                Some(ops) => op_names_from_json(ops_key, ops)?,
                None => return invalid(format!("field '{matrix_key}' needs an '{ops_key}' field beside it")),
            };
            return UnprunedSpec::from_matrix(&matrix, ops);
        }
    }
    match fields.get("naslib") {
        Some(Value::Array(items)) => spec_from_naslib(items),
        Some(_) => invalid("field 'naslib' must be an array of 56 integers"),
        None => invalid("missing field 'adjacency' (with 'ops'), or a 56-integer 'naslib' tuple"),
    }
}

/// [`spec_from_record`] for a line kept as raw fields: the same forms, rules and messages,
/// with the matrix and the op names read straight from their text.
pub fn spec_from_fields<'a>(fields: &RawFields<'a>) -> Result<UnprunedSpec<'a>, InvalidArchitecture> {
    for (matrix_key, ops_key) in [("adjacency", "ops"), ("module_adjacency", "module_operations")] {
        if let Some(text) = fields.get(matrix_key) {
            // The matrix is read first, so that its error is the one reported.
            let matrix = match crate::digit_matrix(text.as_bytes()) {
                Some((rows, used)) if used == text.len() => MatrixText::Digits(rows),
                _ => {
                    let matrix: Vec<Vec<MatrixEntry>> =
                        serde_json::from_str(text).map_err(|_| matrix_shape_error(matrix_key))?;
                    MatrixText::Entries(matrix.into_iter().map(|row| row.into_iter().map(|e| e.0).collect()).collect())
                }
            };
            let ops = match fields.get(ops_key) {
                Some(ops) => op_names_from_text(ops).ok_or_else(|| op_names_error(ops_key))?,
                None => return invalid(format!("field '{matrix_key}' needs an '{ops_key}' field beside it")),
            };
            return match matrix {
                MatrixText::Digits(rows) => UnprunedSpec::from_matrix(&rows, ops),
                MatrixText::Entries(rows) => UnprunedSpec::from_matrix(&rows, ops),
            };
        }
    }
    match fields.read::<Value>("naslib") {
        Some(Ok(Value::Array(items))) => spec_from_naslib(&items),
        Some(_) => invalid("field 'naslib' must be an array of 56 integers"),
        None => invalid("missing field 'adjacency' (with 'ops'), or a 56-integer 'naslib' tuple"),
    }
}

/// An adjacency matrix as read from a line: compact one-digit rows (the usual case, read
/// without a parser), or any integers and booleans serde_json accepted.
enum MatrixText {
    Digits(Vec<Vec<u8>>),
    Entries(Vec<Vec<i64>>),
}

/// One adjacency entry: an integer or a boolean (as 0/1), as [`matrix_from_json`] accepts.
struct MatrixEntry(i64);

impl<'de> Deserialize<'de> for MatrixEntry {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct EntryVisitor;

        impl Visitor<'_> for EntryVisitor {
            type Value = MatrixEntry;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a boolean")
            }

            fn visit_bool<E>(self, b: bool) -> Result<MatrixEntry, E> {
                Ok(MatrixEntry(b as i64))
            }

            fn visit_i64<E>(self, n: i64) -> Result<MatrixEntry, E> {
                Ok(MatrixEntry(n))
            }

            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<MatrixEntry, E> {
                i64::try_from(n).map(MatrixEntry).map_err(|_| E::custom("out of range"))
            }
        }

        deserializer.deserialize_any(EntryVisitor)
    }
}

fn matrix_shape_error(key: &str) -> InvalidArchitecture {
    InvalidArchitecture(format!("field '{key}' must be an array of arrays of 0/1"))
}

fn op_names_error(key: &str) -> InvalidArchitecture {
    InvalidArchitecture(format!("field '{key}' must be an array of op names"))
}

fn matrix_from_json(key: &str, value: &Value) -> Result<Vec<Vec<i64>>, InvalidArchitecture> {
    let shape_error = || matrix_shape_error(key);
    let rows = value.as_array().ok_or_else(shape_error)?;
    rows.iter()
        .map(|row| {
            row.as_array()
                .ok_or_else(shape_error)?
                .iter()
                .map(|entry| match entry {
                    Value::Bool(b) => Ok(*b as i64),
                    Value::Number(n) => n.as_i64().ok_or_else(shape_error),
                    _ => Err(shape_error()),
                })
                .collect()
        })
        .collect()
}

fn op_names_from_json<'a>(key: &str, value: &'a Value) -> Result<Vec<Cow<'a, str>>, InvalidArchitecture> {
    let shape_error = || op_names_error(key);
    value
        .as_array()
        .ok_or_else(shape_error)?
        .iter()
        .map(|op| op.as_str().map(Cow::Borrowed).ok_or_else(shape_error))
        .collect()
}

/// Op names from a field's raw text: borrowed when written plainly (the usual case), through
/// serde_json otherwise; `None` when the text is not an array of strings.
fn op_names_from_text(text: &str) -> Option<Vec<Cow<'_, str>>> {
    if let Some(names) = crate::json_scan::plain_strings(text) {
        return Some(names.into_iter().map(Cow::Borrowed).collect());
    }
    let names: Vec<Cow<'_, str>> =
        serde_json::from_str::<Vec<String>>(text).ok()?.into_iter().map(Cow::Owned).collect();
    Some(names)
}

fn spec_from_naslib(items: &[Value]) -> Result<UnprunedSpec<'static>, InvalidArchitecture> {
    if items.len() != NASLIB_TUPLE_LEN {
        return invalid(format!("a NASLib tuple has {NASLIB_TUPLE_LEN} integers, got {}", items.len()));
    }
    let numbers: Vec<i64> = items
        .iter()
        .map(|v| v.as_i64().ok_or_else(|| InvalidArchitecture("a NASLib tuple holds integers only".into())))
        .collect::<Result<_, _>>()?;
    let matrix: Vec<Vec<i64>> = numbers[..49].chunks(7).map(<[i64]>::to_vec).collect();
    let ops = numbers[49..]
        .iter()
        .enumerate()
        .map(|(vertex, &id)| {
            Op::from_naslib_id(id).map(|op| Cow::Borrowed(op.name())).ok_or_else(|| {
                InvalidArchitecture(format!("unknown NASLib op id {id} at vertex {vertex} (known: 0-4)"))
            })
        })
        .collect::<Result<_, _>>()?;
    UnprunedSpec::from_matrix(&matrix, ops)
}
