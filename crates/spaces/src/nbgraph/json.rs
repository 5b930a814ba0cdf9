//! Reading an architecture from a JSON record.
//!
//! Accepted forms:
//! - `"link"` (4 integers, `link[i]` in `0..=i`: any of the 24 lists) with `"ops"` (4 op
//!   names), canonicalised; a `"code"` beside them (as this space writes it) must be theirs;
//! - `"code"` alone (an integer, or a decimal string as in `id`), which must be a canonical
//!   code: a key of the benchmark tables.

use serde_json::Value;

use super::arch::{GnnArch, NODES, OP_NAMES};
use super::canonical::{canonicalise, is_canonical};
use crate::op_names::op_indices;
use crate::{InvalidArchitecture, invalid};

/// The canonical architecture a record describes, with its ops among `allowed`.
pub fn arch_from_record(record: &Value, allowed: &[u8]) -> Result<GnnArch, InvalidArchitecture> {
    let Value::Object(fields) = record else {
        return invalid("expected a JSON object with 'link' and 'ops', or 'code'");
    };
    let code = fields.get("code").map(code_from_json).transpose()?;
    let arch = match (fields.get("link"), fields.get("ops")) {
        (Some(link), Some(ops)) => {
            let arch = GnnArch { link: link_from_json(link)?, ops: op_indices(ops, &OP_NAMES)? };
            check_ops_allowed(&arch, allowed)?;
            let canonical = canonicalise(arch);
            let canonical_code = canonical.code().expect("canonical forms use a link pattern");
            if let Some(code) = code.filter(|&code| code != canonical_code as u64) {
                return invalid(format!(
                    "field 'code' is {code} but 'link' and 'ops' give the architecture with code {canonical_code}"
                ));
            }
            canonical
        }
        (Some(_), None) => return invalid("field 'link' needs an 'ops' field beside it"),
        (None, Some(_)) => return invalid("field 'ops' needs a 'link' field beside it"),
        (None, None) => match code {
            Some(code) => arch_from_code(code, allowed)?,
            None => return invalid("missing field 'link' (with 'ops'), or 'code'"),
        },
    };
    Ok(arch)
}

fn link_from_json(value: &Value) -> Result<[u8; NODES], InvalidArchitecture> {
    let shape_error = || InvalidArchitecture(format!("field 'link' must be an array of {NODES} integers"));
    let items = value.as_array().filter(|items| items.len() == NODES).ok_or_else(shape_error)?;
    let mut link = [0u8; NODES];
    for (node, (slot, item)) in link.iter_mut().zip(items).enumerate() {
        let input = item.as_i64().ok_or_else(shape_error)?;
        if !(0..=node as i64).contains(&input) {
            let allowed =
                if node == 0 { "0 (the raw input)".to_string() } else { format!("0 (the raw input) to {node}") };
            return invalid(format!("link[{node}] = {input}: computing node {} may read only {allowed}", node + 1));
        }
        *slot = input as u8;
    }
    Ok(link)
}

fn check_ops_allowed(arch: &GnnArch, allowed: &[u8]) -> Result<(), InvalidArchitecture> {
    if let Some(node) = arch.ops.iter().position(|op| !allowed.contains(op)) {
        let names: Vec<&str> = allowed.iter().map(|&op| OP_NAMES[op as usize]).collect();
        return invalid(format!(
            "op '{}' at ops[{node}] is not in this space (allowed: {})",
            OP_NAMES[arch.ops[node] as usize],
            names.join(", ")
        ));
    }
    if arch.is_all_skip() {
        return invalid("all four ops are 'skip': the identity is not in the benchmark");
    }
    Ok(())
}

fn code_from_json(value: &Value) -> Result<u64, InvalidArchitecture> {
    let parsed = match value {
        Value::Number(number) => number.as_u64(),
        Value::String(text) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => text.parse().ok(),
        _ => None,
    };
    parsed.ok_or_else(|| InvalidArchitecture(format!("field 'code' must be a non-negative integer, got {value}")))
}

fn arch_from_code(code: u64, allowed: &[u8]) -> Result<GnnArch, InvalidArchitecture> {
    let Some(arch) = GnnArch::from_code(code) else {
        return invalid(format!(
            "code {code} is not a NAS-Bench-Graph code (a link pattern digit 0-8, then four op digits 0-8)"
        ));
    };
    if arch.is_all_skip() {
        return invalid(format!("code {code} is the all-skip identity, which is not in the benchmark"));
    }
    if !is_canonical(&arch) {
        let canonical = canonicalise(arch).code().expect("canonical forms use a link pattern");
        return invalid(format!("code {code} is not canonical: that architecture's table code is {canonical}"));
    }
    check_ops_allowed(&arch, allowed)?;
    Ok(arch)
}

#[cfg(test)]
mod tests {
    use super::super::arch::{ALL_OPS, PROTEINS_OPS};
    use super::*;
    use serde_json::json;

    fn error(record: Value, allowed: &[u8]) -> String {
        arch_from_record(&record, allowed).unwrap_err().0
    }

    #[test]
    fn link_and_ops_or_code_give_the_same_architecture() {
        let from_ops = arch_from_record(&json!({"link": [0, 0, 0, 2], "ops": ["gcn", "gat", "sage", "fc"]}), &ALL_OPS);
        let from_code = arch_from_record(&json!({"code": 10147}), &ALL_OPS);
        let from_text = arch_from_record(&json!({"code": "10147"}), &ALL_OPS);
        let with_code = arch_from_record(
            &json!({"link": [0, 0, 0, 1], "ops": ["gat", "gcn", "sage", "fc"], "code": 10147}),
            &ALL_OPS,
        );
        assert_eq!(from_ops, from_code);
        assert_eq!(from_ops, from_text);
        assert_eq!(from_ops, with_code);
        assert_eq!(from_ops.unwrap().code(), Some(10147));
    }

    #[test]
    fn bad_records_say_what_is_wrong() {
        let full = &ALL_OPS[..];
        assert_eq!(
            error(json!({"link": [0, 2, 0, 0], "ops": ["gcn", "gcn", "gcn", "gcn"]}), full),
            "link[1] = 2: computing node 2 may read only 0 (the raw input) to 1"
        );
        assert!(
            error(json!({"link": [0, 0, 0], "ops": ["gcn", "gcn", "gcn", "gcn"]}), full)
                .contains("array of 4 integers")
        );
        assert!(
            error(json!({"link": [0, 0, 0, 0], "ops": ["gcn", "gcn", "mlp", "gcn"]}), full)
                .starts_with("unknown op 'mlp' at ops[2]")
        );
        assert!(
            error(json!({"link": [0, 1, 2, 3], "ops": ["skip", "skip", "skip", "skip"]}), full)
                .starts_with("all four ops are 'skip'")
        );
        assert!(error(json!({"link": [0, 1, 2, 3]}), full).contains("needs an 'ops'"));
        assert!(error(json!({"ops": ["gcn", "gcn", "gcn", "gcn"]}), full).contains("needs a 'link'"));
        assert!(error(json!({"id": "1111"}), full).starts_with("missing field"));
        assert_eq!(
            error(json!({"code": 1121}), full),
            "code 1121 is not canonical: that architecture's table code is 1112"
        );
        assert!(error(json!({"code": 90000}), full).starts_with("code 90000 is not a NAS-Bench-Graph code"));
        assert!(error(json!({"code": 88888}), full).contains("all-skip"));
        assert!(error(json!({"code": -3}), full).contains("non-negative integer"));
        assert!(error(json!({"code": "12a"}), full).contains("non-negative integer"));
        assert!(
            error(json!({"link": [0, 0, 0, 0], "ops": ["gcn", "gcn", "gcn", "gcn"], "code": 1112}), full)
                .starts_with("field 'code' is 1112 but")
        );
    }

    #[test]
    fn the_proteins_space_refuses_other_ops() {
        let message = error(json!({"link": [0, 0, 0, 0], "ops": ["gcn", "gat", "gcn", "gcn"]}), &PROTEINS_OPS);
        assert_eq!(message, "op 'gat' at ops[1] is not in this space (allowed: gcn, sage, arma, fc, skip)");
        assert!(error(json!({"code": 11}), &PROTEINS_OPS).starts_with("op 'gat'"));
        assert!(arch_from_record(&json!({"code": 1111}), &PROTEINS_OPS).is_ok());
    }
}
