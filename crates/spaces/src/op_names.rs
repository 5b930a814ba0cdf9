//! Reading an `ops` field of a fixed length: one op name per node or edge, each one of a
//! space's op list, kept as its position in that list.

use np_io::quoted;
use serde_json::Value;

use crate::InvalidArchitecture;

/// The positions in `known` of the `N` op names of an `ops` field.
pub(crate) fn op_indices<const N: usize>(value: &Value, known: &[&str]) -> Result<[u8; N], InvalidArchitecture> {
    let shape_error = || InvalidArchitecture(format!("field 'ops' must be an array of {N} op names"));
    let items = value.as_array().filter(|items| items.len() == N).ok_or_else(shape_error)?;
    let mut ops = [0u8; N];
    for (position, (slot, item)) in ops.iter_mut().zip(items).enumerate() {
        let name = item.as_str().ok_or_else(shape_error)?;
        let index = known.iter().position(|op| *op == name).ok_or_else(|| {
            InvalidArchitecture(format!("unknown op {} at ops[{position}] (known: {})", quoted(name), known.join(", ")))
        })?;
        *slot = index as u8;
    }
    Ok(ops)
}
