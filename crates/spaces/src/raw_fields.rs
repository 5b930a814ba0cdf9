//! A record line's fields kept as raw JSON text, and the text of the line a tool writes back.
//!
//! Tools that rewrite architecture lines (`arch-encode`, `arch-sample`) only need the
//! architecture's own fields as values; every other field flows through unchanged. Building a
//! `serde_json::Value` tree for the whole line and serialising it again cost more than half of
//! `arch-encode`'s time on the 423,624-cell NAS-Bench-101 stream. Here the line's top-level
//! fields stay slices of its text, a space reads its architecture with
//! [`SearchSpace::parse_fields`](crate::SearchSpace::parse_fields), and the output line is
//! written as text.

use std::borrow::Cow;
use std::fmt;

use np_io::ToolError;
use np_io::records::RawLine;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

/// The top-level fields of one JSON object, in order, as raw text (valid JSON, without
/// surrounding spaces). A repeated key keeps its first place and its last value, as a
/// `serde_json` map does.
#[derive(Debug, Default)]
pub struct RawFields<'a> {
    fields: Vec<(Cow<'a, str>, &'a str)>,
}

impl<'a> RawFields<'a> {
    /// Parses `text`, which must hold one JSON object: found by
    /// [`json_scan`](crate::json_scan) for ordinary lines, by serde_json otherwise.
    pub fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        let Some(found) = crate::json_scan::top_level_fields(text) else {
            return serde_json::from_str(text);
        };
        let mut fields = RawFields { fields: Vec::with_capacity(found.len()) };
        for (key, value) in found {
            fields.insert(Cow::Borrowed(key), value);
        }
        Ok(fields)
    }

    fn insert(&mut self, key: Cow<'a, str>, value: &'a str) {
        match self.fields.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.fields.push((key, value)),
        }
    }

    /// The raw JSON text of field `key`.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.fields.iter().find(|(k, _)| k == key).map(|(_, v)| *v)
    }

    /// Field `key` read as `T`; `None` when absent.
    pub fn read<T: Deserialize<'a>>(&self, key: &str) -> Option<Result<T, serde_json::Error>> {
        self.get(key).map(serde_json::from_str)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &'a str)> {
        self.fields.iter().map(|(k, v)| (k.as_ref(), *v))
    }

    /// The whole object as a `serde_json` value (for spaces that read records as values).
    pub fn to_value(&self) -> Result<Value, serde_json::Error> {
        self.to_value_where(|_| true)
    }

    /// The object of only the fields whose key `keep` accepts, as a `serde_json` value: the
    /// others (a large encoding, say) are not parsed at all.
    pub fn to_value_where(&self, keep: impl Fn(&str) -> bool) -> Result<Value, serde_json::Error> {
        let mut map = Map::new();
        for (key, raw) in self.fields.iter().filter(|(key, _)| keep(key)) {
            map.insert(key.to_string(), serde_json::from_str(raw)?);
        }
        Ok(Value::Object(map))
    }
}

/// The line's JSON object with only the fields `keep` accepts. Tools that read a few fields of
/// long lines (`topk`'s score and id, `pred-eval`'s two numbers, a tree file's features) skip
/// parsing the rest: an encoded line's matrices are most of its text. A line that is not a JSON
/// object gets [`RawLine::parse_object`]'s error.
pub fn line_object_with_fields(line: &RawLine, keep: impl Fn(&str) -> bool) -> Result<Value, ToolError> {
    match object_with_fields(&line.text, keep) {
        Some(record) => Ok(record),
        None => Ok(Value::Object(line.parse_object()?.fields)),
    }
}

/// The JSON object `text` with only the fields `keep` accepts, or `None` when `text` is not a
/// JSON object.
fn object_with_fields(text: &str, keep: impl Fn(&str) -> bool) -> Option<Value> {
    RawFields::parse(text).ok()?.to_value_where(keep).ok()
}

impl<'de> Deserialize<'de> for RawFields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;

        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = RawFields<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<RawFields<'de>, M::Error> {
                let mut fields = RawFields { fields: Vec::with_capacity(map.size_hint().unwrap_or(8)) };
                while let Some(KeyText(key)) = map.next_key::<KeyText<'de>>()? {
                    let value: &'de RawValue = map.next_value()?;
                    fields.insert(key, value.get());
                }
                Ok(fields)
            }
        }

        deserializer.deserialize_map(FieldsVisitor)
    }
}

/// A key, borrowed from the line unless it has escapes.
struct KeyText<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for KeyText<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyText<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E>(self, key: &'de str) -> Result<KeyText<'de>, E> {
                Ok(KeyText(Cow::Borrowed(key)))
            }

            fn visit_str<E>(self, key: &str) -> Result<KeyText<'de>, E> {
                Ok(KeyText(Cow::Owned(key.to_string())))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// A field of an input line that [`ObjectText::push_raw`] could not read back to compact it.
#[derive(Debug)]
pub struct UnreadableField {
    pub key: String,
    pub reason: serde_json::Error,
}

impl fmt::Display for UnreadableField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // serde_json places the error in the field's own text ("at line 1 column 11"), which
        // would read as a place in the input file: only the reason is kept.
        let reason = self.reason.to_string();
        let position = format!(" at line {} column {}", self.reason.line(), self.reason.column());
        let reason = reason.strip_suffix(&position).unwrap_or(&reason);
        write!(f, "field {} cannot be passed on: {reason}", np_io::quoted(&self.key))
    }
}

impl std::error::Error for UnreadableField {}

/// The text of a JSON object written field by field, compact, with no key twice.
#[derive(Debug, Clone, Default)]
pub struct ObjectText {
    text: String,
    /// Where each key's JSON text (between its quotes) lies in `text`: keys are not copied
    /// into strings of their own, which cost an allocation per field of every line.
    keys: Vec<(usize, usize)>,
}

impl ObjectText {
    pub fn new() -> Self {
        // Room for a whole NAS-Bench-101 line with its graph encoding (~530 bytes), so that
        // writing one rarely grows the string.
        ObjectText { text: String::with_capacity(768), keys: Vec::with_capacity(8) }
    }

    pub fn has(&self, key: &str) -> bool {
        let escaped;
        let wanted = if needs_no_escape(key) {
            key
        } else {
            escaped = serde_json::to_string(key).expect("a string serialises");
            &escaped[1..escaped.len() - 1]
        };
        self.keys.iter().any(|&(start, end)| &self.text[start..end] == wanted)
    }

    /// Appends `key` with a value given as compact JSON text.
    pub fn push_json(&mut self, key: &str, json: &str) {
        self.start_field(key);
        self.text.push_str(json);
    }

    /// Appends `key` with a raw value from an input line, compacted if the input had spaces in it.
    ///
    /// Compacting reads the value back with serde_json, which refuses some texts the line
    /// reader let through (it only finds where values end): numbers beyond `f64`, lone
    /// surrogate escapes, nesting deeper than 128. Such a field is an error, so that its line
    /// is refused like any other bad line; a compact value is passed on as it is.
    pub fn push_raw(&mut self, key: &str, json: &str) -> Result<(), UnreadableField> {
        if json.bytes().any(|b| matches!(b, b' ' | b'\n' | b'\r' | b'\t')) {
            let value: Value =
                serde_json::from_str(json).map_err(|reason| UnreadableField { key: key.to_string(), reason })?;
            self.push(key, &value);
        } else {
            self.push_json(key, json);
        }
        Ok(())
    }

    /// Appends `key` with a string value.
    pub fn push_str(&mut self, key: &str, value: &str) {
        self.start_field(key);
        write_json_string(&mut self.text, value);
    }

    /// Appends `key` with `value` serialised.
    pub fn push<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.start_field(key);
        // Writing into a String cannot fail, and these values have string keys.
        let json = serde_json::to_string(value).expect("the value serialises");
        self.text.push_str(&json);
    }

    fn start_field(&mut self, key: &str) {
        debug_assert!(!self.has(key), "field {key} written twice");
        self.text.push(if self.keys.is_empty() { '{' } else { ',' });
        let start = self.text.len() + 1;
        write_json_string(&mut self.text, key);
        self.keys.push((start, self.text.len() - 1));
        self.text.push(':');
    }

    /// The object's text.
    pub fn finish(mut self) -> String {
        if self.keys.is_empty() {
            self.text.push('{');
        }
        self.text.push('}');
        self.text
    }
}

/// Appends a `rows × columns` matrix of 0/1 entries as compact JSON (`[[0,1],[0,0]]`), the
/// text serde_json writes for it. Adjacency matrices and graph encodings are most of an
/// architecture line, and serde's writer handles each one-digit entry on its own.
///
/// Each row is laid out in a small buffer and appended in one copy (pushing entry by entry
/// checked the string's room at every byte: a twentieth of `arch-encode`'s time).
pub fn write_bit_matrix(text: &mut String, rows: usize, columns: usize, bit: impl Fn(usize, usize) -> bool) {
    const WIDE: usize = 64;
    if columns == 0 || columns > WIDE {
        return write_wide_bit_matrix(text, rows, columns, bit);
    }
    // `,[` then `d,` per entry, the last entry's comma replaced by the row's `]`. Every row has
    // the same width, so only the digits change from row to row.
    let mut row = [b','; 2 * WIDE + 2];
    row[1] = b'[';
    let end = 2 + 2 * columns;
    row[end - 1] = b']';
    text.reserve(2 + rows * end);
    text.push('[');
    for i in 0..rows {
        for j in 0..columns {
            row[2 + 2 * j] = if bit(i, j) { b'1' } else { b'0' };
        }
        // The first row has no comma before it.
        let first = usize::from(i == 0);
        // SAFETY: the bytes are ASCII, so the text stays UTF-8 (checking that took as long as
        // writing them).
        unsafe { text.as_mut_vec() }.extend_from_slice(&row[first..end]);
    }
    text.push(']');
}

/// [`write_bit_matrix`] entry by entry, for empty rows and rows wider than its buffer.
fn write_wide_bit_matrix(text: &mut String, rows: usize, columns: usize, bit: impl Fn(usize, usize) -> bool) {
    text.push('[');
    for i in 0..rows {
        text.push_str(if i == 0 { "[" } else { ",[" });
        for j in 0..columns {
            if j > 0 {
                text.push(',');
            }
            text.push(if bit(i, j) { '1' } else { '0' });
        }
        text.push(']');
    }
    text.push(']');
}

/// True when `text` is its own JSON string body: no quote, backslash or control character
/// (serde_json leaves every other character, non-ASCII included, as it is).
fn needs_no_escape(text: &str) -> bool {
    text.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\')
}

/// Appends `text` as a JSON string, as serde_json writes it.
fn write_json_string(out: &mut String, text: &str) {
    if needs_no_escape(text) {
        out.push('"');
        out.push_str(text);
        out.push('"');
    } else {
        out.push_str(&serde_json::to_string(text).expect("a string serialises"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_matrices_are_written_as_serde_writes_them() {
        for (rows, columns) in [(0, 0), (0, 3), (2, 0), (1, 1), (7, 7), (7, 5), (3, 64), (2, 65), (3, 70)] {
            let bit = |i: usize, j: usize| (i * 7 + j * 3) % 5 < 2;
            let matrix: Vec<Vec<u8>> = (0..rows).map(|i| (0..columns).map(|j| u8::from(bit(i, j))).collect()).collect();
            let mut text = String::from("x");
            write_bit_matrix(&mut text, rows, columns, bit);
            assert_eq!(text, format!("x{}", serde_json::to_string(&matrix).unwrap()), "{rows} × {columns}");
        }
    }

    #[test]
    fn fields_keep_their_text_and_order_and_the_last_of_a_repeated_key() {
        let fields = RawFields::parse(r#"{"b": [1, 2], "a\"q": 1e3, "b": {"x":null}}"#).unwrap();
        let listed: Vec<(&str, &str)> = fields.iter().collect();
        assert_eq!(listed, [("b", r#"{"x":null}"#), ("a\"q", "1e3")]);
        assert_eq!(fields.read::<f64>("a\"q").unwrap().unwrap(), 1000.0);
        assert!(fields.get("c").is_none());
        let value = fields.to_value().unwrap();
        assert_eq!(value, serde_json::json!({"b": {"x": null}, "a\"q": 1000.0}));
        assert!(RawFields::parse("[1, 2]").is_err());
    }

    #[test]
    fn a_value_of_some_fields_leaves_the_others_unparsed() {
        let fields = RawFields::parse(r#"{"keep": [1, 2], "graph": {"nodes": 7}, "also": "x"}"#).unwrap();
        let value = fields.to_value_where(|key| key != "graph").unwrap();
        assert_eq!(value, serde_json::json!({"keep": [1, 2], "also": "x"}));
        assert_eq!(fields.to_value().unwrap()["graph"]["nodes"], 7);
    }

    #[test]
    fn an_object_of_some_fields_or_none_for_other_texts() {
        let text = r#"{"id": "a", "pred": 91.5, "graph": {"adjacency": [[0, 1], [0, 0]]}}"#;
        let kept = object_with_fields(text, |key| key != "graph").unwrap();
        assert_eq!(kept, serde_json::json!({"id": "a", "pred": 91.5}));
        for other in ["[1, 2]", "3", "{\"id\": ", "not json", ""] {
            assert_eq!(object_with_fields(other, |_| true), None, "{other}");
        }
        let line = |text: &str| RawLine { number: 4, text: text.to_string() };
        assert_eq!(line_object_with_fields(&line(text), |key| key == "id").unwrap(), serde_json::json!({"id": "a"}));
        let error = line_object_with_fields(&line("[1, 2]"), |_| true).unwrap_err().to_string();
        assert_eq!(error, "line 4: expected a JSON object, got an array");
        assert!(
            line_object_with_fields(&line("{\"id\": "), |_| true)
                .unwrap_err()
                .to_string()
                .starts_with("line 4: not valid JSON")
        );
    }

    #[test]
    fn object_text_is_compact_json() {
        let fields = RawFields::parse(r#"{"spaced": [1, "a b"], "tight": [1,2]}"#).unwrap();
        let mut object = ObjectText::new();
        object.push_str("space", "nb101");
        for (key, raw) in fields.iter() {
            object.push_raw(key, raw).unwrap();
        }
        object.push_json("n", "3");
        assert!(object.has("tight") && !object.has("other"));
        assert_eq!(object.finish(), r#"{"space":"nb101","spaced":[1,"a b"],"tight":[1,2],"n":3}"#);
        assert_eq!(ObjectText::new().finish(), "{}");
    }

    #[test]
    fn keys_and_strings_are_escaped_as_serde_json_escapes_them() {
        let awkward = ["plain", "a\"q", "back\\slash", "tab\there", "ünï", "\u{1}", ""];
        let mut object = ObjectText::new();
        let mut expected = serde_json::Map::new();
        for (i, key) in awkward.iter().enumerate() {
            object.push_str(key, awkward[awkward.len() - 1 - i]);
            expected.insert(key.to_string(), Value::from(awkward[awkward.len() - 1 - i]));
        }
        for key in awkward {
            assert!(object.has(key), "{key:?}");
        }
        assert!(!object.has("a") && !object.has("a\\\"q"));
        assert_eq!(object.finish(), serde_json::to_string(&expected).unwrap());
    }
}
