//! The record plumbing every tool shares: the line reader, the fast JSON scanner behind
//! [`RawFields`], compact rewriting ([`ObjectText`]) and the digit-matrix reader.
//!
//! The scanner is a second JSON parser written for speed; it promises to answer as serde_json
//! answers whenever it answers at all. This target holds it to that on every line, holds the
//! few-fields reader ([`line_object_with_fields`]) to the whole-line reader, and rewrites every
//! field as `arch-encode` passes fields on.

use np_spaces::{ObjectText, RawFields, digit_matrix, line_object_with_fields};
use serde_json::Value;

use crate::record_lines_of;

/// The `record_lines` target.
pub fn record_lines(data: &[u8]) {
    let lines = record_lines_of(data);
    let mut previous = 0;
    for line in &lines {
        assert!(line.number > previous, "line numbers increase");
        previous = line.number;
        assert!(!line.text.ends_with(['\n', '\r']), "line ends are removed: {:?}", line.text);
        assert!(!line.text.bytes().all(|b| b.is_ascii_whitespace()), "blank lines are skipped");
        let whole = serde_json::from_str::<Value>(&line.text).ok();
        check_raw_fields(&line.text, whole.as_ref());
        check_fields_subset(line, whole.as_ref());
        check_digit_matrix(line.text.as_bytes());
    }
}

/// The scanner's fields are serde's; their values are the whole line's; rewriting them
/// compactly keeps every value.
fn check_raw_fields(text: &str, whole: Option<&Value>) {
    let fast = RawFields::parse(text);
    let general = serde_json::from_str::<RawFields>(text);
    match (&fast, &general) {
        (Ok(fast), Ok(general)) => {
            let listed: Vec<(&str, &str)> = fast.iter().collect();
            assert_eq!(listed, general.iter().collect::<Vec<_>>(), "scanner and serde disagree on {text:?}");
        }
        (Err(_), Err(_)) => {}
        _ => panic!("scanner {} {text:?}, serde does not", if fast.is_ok() { "reads" } else { "refuses" }),
    }
    let Ok(fields) = fast else { return };
    if let Some(whole @ Value::Object(_)) = whole {
        let value = fields.to_value().unwrap_or_else(|e| panic!("fields of a valid line do not read ({e}): {text:?}"));
        assert_eq!(&value, whole, "raw fields read as another value: {text:?}");
    }
    for (key, raw) in fields.iter() {
        check_digit_matrix(raw.as_bytes());
        assert_eq!(fields.get(key), Some(raw), "a listed key is found: {key:?}");
    }
    // Pass every field on, as `arch-encode` does with the fields it does not own.
    let mut object = ObjectText::new();
    for (key, raw) in fields.iter() {
        if object.push_raw(key, raw).is_err() {
            return;
        }
        assert!(object.has(key), "a written key is found: {key:?}");
    }
    let written = object.finish();
    if let Some(whole @ Value::Object(_)) = whole {
        let read: Value =
            serde_json::from_str(&written).unwrap_or_else(|e| panic!("rewritten {text:?} ({e}): {written}"));
        assert_eq!(&read, whole, "rewriting changed {text:?} into {written}");
    }
}

/// The value of a few fields (`topk`, `pred-eval`, tree scoring) is the whole value's part.
fn check_fields_subset(line: &np_io::records::RawLine, whole: Option<&Value>) {
    let keep = |key: &str| key.len().is_multiple_of(2);
    let Ok(part) = line_object_with_fields(line, keep) else { return };
    let Some(Value::Object(whole)) = whole else { return };
    let expected: serde_json::Map<String, Value> =
        whole.iter().filter(|(key, _)| keep(key)).map(|(k, v)| (k.clone(), v.clone())).collect();
    assert_eq!(part, Value::Object(expected), "a few fields of {:?}", line.text);
}

/// Whatever digit matrix the fast reader finds at the start of `bytes` is serde's.
fn check_digit_matrix(bytes: &[u8]) {
    let Some((rows, used)) = digit_matrix(bytes) else { return };
    let theirs: Vec<Vec<u8>> = serde_json::from_slice(&bytes[..used])
        .unwrap_or_else(|e| panic!("digit matrix serde refuses ({e}): {:?}", String::from_utf8_lossy(bytes)));
    assert_eq!(rows, theirs, "digit matrix {:?}", String::from_utf8_lossy(&bytes[..used]));
}
