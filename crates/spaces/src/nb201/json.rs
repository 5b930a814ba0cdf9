//! Reading a cell from a JSON record.
//!
//! Accepted forms; a record may hold several, which must then name the same cell:
//! - `"arch"`: the official string (see [`super::arch_string`]);
//! - `"ops"`: six op names, one per edge in the official string's order;
//! - `"naslib"`: NASLib's six op indices (see [`super::naslib`]);
//! - a bare JSON array as the whole line: six integers (a NASLib tuple) or six op names.
//!
//! A `"class_id"` beside them (as this space writes it) must be the cell's class.

use serde_json::{Map, Value};

use super::arch_string::cell_from_arch_string;
use super::cell::{Cell, EDGE_COUNT, OP_NAMES};
use super::naslib::cell_from_naslib;
use crate::op_names::op_indices;
use crate::{InvalidArchitecture, invalid};

/// The fields this space reads (others are passed through unread).
pub const CELL_FIELDS: [&str; 4] = ["arch", "ops", "naslib", "class_id"];

/// The cell a record describes; `class_id_of` gives the class id a `class_id` field must
/// hold.
pub fn cell_from_record(record: &Value, class_id_of: impl Fn(&Cell) -> String) -> Result<Cell, InvalidArchitecture> {
    let fields = match record {
        Value::Object(fields) => fields,
        Value::Array(items) => return cell_from_bare_array(items),
        _ => return invalid("expected a JSON object with 'arch', 'ops' or 'naslib', or a six-item array"),
    };
    let cell = cell_from_fields(fields)?;
    if let Some(declared) = fields.get("class_id") {
        let class_id = class_id_of(&cell);
        if declared.as_str() != Some(class_id.as_str()) {
            return invalid(format!("field 'class_id' is {declared} but the cell's class is \"{class_id}\""));
        }
    }
    Ok(cell)
}

/// The cell of whichever architecture fields are present, checked against each other.
fn cell_from_fields(fields: &Map<String, Value>) -> Result<Cell, InvalidArchitecture> {
    let mut found: Option<(&str, Cell)> = None;
    for key in ["arch", "ops", "naslib"] {
        let Some(value) = fields.get(key) else { continue };
        let cell = match key {
            "arch" => match value {
                Value::String(text) => cell_from_arch_string(text)?,
                _ => return invalid("field 'arch' must be a string (|op~0|+|op~0|op~1|+|op~0|op~1|op~2|)"),
            },
            "ops" => cell_from_op_names(value)?,
            _ => cell_from_naslib(&naslib_items(value)?)?,
        };
        match found {
            Some((first, earlier)) if earlier != cell => {
                return invalid(format!(
                    "fields '{first}' and '{key}' name different cells ({} and {})",
                    earlier.id_text(),
                    cell.id_text()
                ));
            }
            Some(_) => {}
            None => found = Some((key, cell)),
        }
    }
    match found {
        Some((_, cell)) => Ok(cell),
        None => invalid("missing field 'arch' (the official string), 'ops' (six op names) or 'naslib' (six indices)"),
    }
}

/// A bare array line: six NASLib indices, or six op names.
fn cell_from_bare_array(items: &[Value]) -> Result<Cell, InvalidArchitecture> {
    if items.len() != EDGE_COUNT {
        return invalid(format!(
            "a bare array must hold {EDGE_COUNT} NASLib op indices or {EDGE_COUNT} op names, got {} items",
            items.len()
        ));
    }
    if items.iter().all(Value::is_string) {
        return cell_from_op_names(&Value::Array(items.to_vec()));
    }
    let indices: Option<Vec<i64>> = items.iter().map(Value::as_i64).collect();
    match indices {
        Some(indices) => cell_from_naslib(&indices),
        None => invalid(format!("a bare array must hold {EDGE_COUNT} NASLib op indices or {EDGE_COUNT} op names")),
    }
}

fn cell_from_op_names(value: &Value) -> Result<Cell, InvalidArchitecture> {
    Ok(Cell { ops: op_indices(value, &OP_NAMES)? })
}

fn naslib_items(value: &Value) -> Result<Vec<i64>, InvalidArchitecture> {
    let items = value.as_array().map(|items| items.iter().map(Value::as_i64).collect::<Option<Vec<i64>>>());
    match items {
        Some(Some(items)) => Ok(items),
        _ => invalid(format!("field 'naslib' must be an array of {EDGE_COUNT} integers")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ARCH: &str = "|nor_conv_1x1~0|+|avg_pool_3x3~0|skip_connect~1|+|none~0|nor_conv_3x3~1|none~2|";
    const OPS: [&str; 6] = ["nor_conv_1x1", "avg_pool_3x3", "skip_connect", "none", "nor_conv_3x3", "none"];
    /// (1,2) conv1x1 = 3, (1,3) avg_pool = 4, (1,4) none = 1, (2,3) skip = 0, (2,4) conv3x3 = 2, (3,4) none = 1.
    const NASLIB: [i64; 6] = [3, 4, 1, 0, 2, 1];

    fn read(record: Value) -> Result<Cell, InvalidArchitecture> {
        cell_from_record(&record, |cell| format!("class-of-{}", cell.id_text()))
    }

    #[test]
    fn every_form_names_the_same_cell() {
        let expected = Cell { ops: [2, 4, 1, 0, 3, 0] };
        assert_eq!(read(json!({"arch": ARCH})), Ok(expected));
        assert_eq!(read(json!({"ops": OPS})), Ok(expected));
        assert_eq!(read(json!({"naslib": NASLIB})), Ok(expected));
        assert_eq!(read(json!(NASLIB)), Ok(expected));
        assert_eq!(read(json!(OPS)), Ok(expected));
        assert_eq!(
            read(json!({"arch": ARCH, "ops": OPS, "naslib": NASLIB, "class_id": "class-of-241030"})),
            Ok(expected)
        );
    }

    #[test]
    fn bad_records_say_what_is_wrong() {
        let error = |record: Value| read(record).unwrap_err().0;
        assert!(error(json!({"id": "241030"})).starts_with("missing field 'arch'"));
        assert!(error(json!({"arch": 3})).starts_with("field 'arch' must be a string"));
        assert!(error(json!({"ops": ["none", "none", "none", "none", "none"]})).contains("array of 6 op names"));
        assert!(
            error(json!({"ops": ["none", "none", "conv", "none", "none", "none"]}))
                .starts_with("unknown op 'conv' at ops[2]")
        );
        assert!(error(json!({"naslib": [0, 0, 0, 0, 0, "1"]})).contains("array of 6 integers"));
        assert!(error(json!({"naslib": [0, 0, 0, 0, 0, 9]})).starts_with("NASLib op index 9 at position 5"));
        assert!(error(json!([0, 1, 2])).ends_with("or 6 op names, got 3 items"));
        assert!(error(json!([0, "none", 2, 0, 0, 0])).starts_with("a bare array must hold"));
        assert!(error(json!("|none~0|")).starts_with("expected a JSON object"));
        assert_eq!(
            error(json!({"arch": ARCH, "naslib": [1, 1, 1, 1, 1, 1]})),
            "fields 'arch' and 'naslib' name different cells (241030 and 000000)"
        );
        assert_eq!(
            error(json!({"arch": ARCH, "class_id": "000000"})),
            "field 'class_id' is \"000000\" but the cell's class is \"class-of-241030\""
        );
    }
}
