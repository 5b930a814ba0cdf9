//! Reading and writing a scheme as JSON: the `scheme` field of a record, a list of layer
//! objects `{"kernel_size", "width", "stride", "residual"}` exactly as in NAAP-440's
//! `generated_schemes.json`.

use np_io::quoted;
use serde_json::{Map, Value};

use super::scheme::{ConvLayer, Scheme};
use crate::{InvalidArchitecture, invalid};

const LAYER_FIELDS: [&str; 4] = ["kernel_size", "width", "stride", "residual"];

/// The scheme of a record's `scheme` field, checked against the published rules.
pub fn scheme_from_record(record: &Value) -> Result<Scheme, InvalidArchitecture> {
    let Some(scheme) = record.get("scheme") else {
        return invalid("missing field 'scheme' (a list of conv layers {kernel_size, width, stride, residual})");
    };
    scheme_from_json(scheme)
}

/// A scheme given as a list of layer objects, checked against the published rules.
pub fn scheme_from_json(value: &Value) -> Result<Scheme, InvalidArchitecture> {
    let Some(items) = value.as_array() else {
        return invalid("field 'scheme' must be a list of conv layer objects");
    };
    let layers =
        items.iter().enumerate().map(|(index, item)| layer_from_json(index, item)).collect::<Result<_, _>>()?;
    let scheme = Scheme { layers };
    match scheme.violation() {
        Some(reason) => invalid(reason),
        None => Ok(scheme),
    }
}

fn layer_from_json(index: usize, item: &Value) -> Result<ConvLayer, InvalidArchitecture> {
    let Some(fields) = item.as_object() else {
        return invalid(format!("scheme[{index}] must be an object {{kernel_size, width, stride, residual}}"));
    };
    if let Some(unknown) = fields.keys().find(|key| !LAYER_FIELDS.contains(&key.as_str())) {
        return invalid(format!(
            "scheme[{index}]: unknown field {} (known: {})",
            quoted(unknown),
            LAYER_FIELDS.join(", ")
        ));
    }
    let integer = |name: &str, max: u64| -> Result<u64, InvalidArchitecture> {
        match fields.get(name) {
            None => invalid(format!("scheme[{index}]: missing field '{name}'")),
            Some(value) => match value.as_u64().filter(|&n| n <= max) {
                Some(n) => Ok(n),
                None => invalid(format!("scheme[{index}]: '{name}' is {value}, expected an integer from 0 to {max}")),
            },
        }
    };
    let kernel_size = integer("kernel_size", u8::MAX as u64)? as u8;
    let width = integer("width", u16::MAX as u64)? as u16;
    let stride = integer("stride", u8::MAX as u64)? as u8;
    let residual = match fields.get("residual") {
        None => return invalid(format!("scheme[{index}]: missing field 'residual'")),
        Some(Value::Bool(flag)) => *flag,
        Some(value) => match value.as_u64() {
            Some(n @ (0 | 1)) => n == 1,
            _ => return invalid(format!("scheme[{index}]: 'residual' is {value}, expected true or false")),
        },
    };
    Ok(ConvLayer { kernel_size, width, stride, residual })
}

/// The scheme as JSON, in the field order of `generated_schemes.json`.
pub fn scheme_to_json(scheme: &Scheme) -> Value {
    let layers = scheme
        .layers
        .iter()
        .map(|layer| {
            let mut fields = Map::with_capacity(LAYER_FIELDS.len());
            fields.insert("kernel_size".into(), Value::from(layer.kernel_size));
            fields.insert("width".into(), Value::from(layer.width));
            fields.insert("stride".into(), Value::from(layer.stride));
            fields.insert("residual".into(), Value::from(layer.residual));
            Value::Object(fields)
        })
        .collect();
    Value::Array(layers)
}
