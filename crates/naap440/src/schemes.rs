//! `generated_schemes.json`: a JSON list of schemes in `ModelId` order, each a list of conv
//! layers `{kernel_size, width, stride, residual}`; every scheme must be a member of the
//! `naap` space (the published generator's rules).

use std::io::Read;

use np_spaces::naap::Scheme;
use np_spaces::naap::json::scheme_from_json;
use serde_json::Value;

use crate::{MODEL_COUNT, NaapError};

/// The schemes of `generated_schemes.json`, read from `reader`; `file` names it in messages.
pub fn read_schemes(reader: impl Read, file: &str) -> Result<Vec<Scheme>, NaapError> {
    let value: Value = serde_json::from_reader(reader).map_err(|e| {
        if e.is_io() {
            NaapError::Unreadable(format!("cannot read {file}: {e}"))
        } else {
            NaapError::Invalid(format!("{file}: {e}"))
        }
    })?;
    let Value::Array(items) = value else {
        return Err(NaapError::Invalid(format!("{file}: expected a JSON list of schemes")));
    };
    if items.len() != MODEL_COUNT {
        return Err(NaapError::Invalid(format!("{file}: {} schemes, NAAP-440 has {MODEL_COUNT}", items.len())));
    }
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            scheme_from_json(item)
                .map_err(|e| NaapError::Invalid(format!("{file}: scheme {} (ModelId {0}): {e}", index + 1)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use np_spaces::naap::enumerate::published_schemes;
    use np_spaces::naap::json::scheme_to_json;

    fn schemes_text() -> String {
        Value::Array(published_schemes().iter().map(scheme_to_json).collect()).to_string()
    }

    #[test]
    fn reads_the_published_list_and_refuses_others() {
        assert_eq!(read_schemes(schemes_text().as_bytes(), "s.json").unwrap(), published_schemes());
        let edited = schemes_text().replacen("\"kernel_size\":1", "\"kernel_size\":5", 1);
        let error = read_schemes(edited.as_bytes(), "s.json").unwrap_err();
        assert_eq!(
            error,
            NaapError::Invalid(
                "s.json: scheme 1 (ModelId 1): scheme[2]: kernel_size 5 is not allowed here (allowed: 1, 3)".into()
            )
        );
        let error = read_schemes(&b"[[{\"kernel_size\": 3},\n"[..], "s.json").unwrap_err();
        assert!(
            matches!(&error, NaapError::Invalid(m) if m.starts_with("s.json: ") && m.contains("line 2")),
            "{error}"
        );
        let error = read_schemes(&b"[]"[..], "s.json").unwrap_err();
        assert_eq!(error, NaapError::Invalid("s.json: 0 schemes, NAAP-440 has 440".into()));
    }
}
