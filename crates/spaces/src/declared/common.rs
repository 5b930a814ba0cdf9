//! What every declared space shares, whatever its family: its name and op vocabulary as the
//! `'static` strings [`crate::SearchSpace`] hands out, its spec's digest on every line it writes
//! (and checked on every line it reads), and the one-character-per-choice alphabet of its ids.

use serde_json::{Map, Value};

use super::spec::SpaceSpec;
use crate::{InvalidArchitecture, RawFields, invalid};

/// The field that carries a declared space's digest on its architecture lines.
pub const DIGEST_FIELD: &str = "space_digest";

/// Characters of ids, one per choice (an op or block choice's index): digits first, so a
/// space of at most ten choices writes the digit ids of the built-in spaces (NAS-Bench-201's
/// `"301241"`, ProxylessNAS's 22 digits).
pub const ID_ALPHABET: &[u8; 62] = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/// The id character of choice `index`.
pub fn id_char(index: u8) -> char {
    char::from(ID_ALPHABET[index as usize])
}

/// The choice index an id character stands for.
pub fn id_index(c: char) -> Option<u8> {
    ID_ALPHABET.iter().position(|&known| char::from(known) == c).map(|i| i as u8)
}

/// A declared space's name, digest and vocabulary. The names are leaked once per declared
/// space (a process declares one or two), because the trait hands out `'static` strings.
#[derive(Debug)]
pub struct DeclaredHeader {
    pub name: &'static str,
    pub digest: String,
    pub spec: SpaceSpec,
    pub vocabulary: &'static [&'static str],
}

impl DeclaredHeader {
    pub fn new(spec: &SpaceSpec, vocabulary: Vec<String>) -> Self {
        let names: Vec<&'static str> = vocabulary.into_iter().map(|name| &*Box::leak(name.into_boxed_str())).collect();
        DeclaredHeader {
            name: Box::leak(spec.name.clone().into_boxed_str()),
            digest: spec.digest(),
            spec: spec.clone(),
            vocabulary: Box::leak(names.into_boxed_slice()),
        }
    }

    /// Refuses a line whose `space_digest` names another spec: a model or table made for one
    /// version of a space must not silently read lines of another that shares its name.
    pub fn check_digest(&self, record: &Map<String, Value>) -> Result<(), InvalidArchitecture> {
        match record.get(DIGEST_FIELD) {
            None => Ok(()),
            Some(Value::String(digest)) if *digest == self.digest => Ok(()),
            Some(other) => invalid(format!(
                "line was made for another spec of '{}' ({DIGEST_FIELD} {other}; this spec's is \"{}\")",
                self.name, self.digest
            )),
        }
    }

    /// Writes the digest field.
    pub fn write_digest(&self, fields: &mut Map<String, Value>) {
        fields.insert(DIGEST_FIELD.into(), Value::from(self.digest.as_str()));
    }
}

/// Reads a declared space's architecture from a line, the one way every family does: the
/// digest is checked; `arch` holds the text form or the id (`from_text` reads either); the
/// family's own fields (`family_fields` names them, e.g. `'ops'`) are read by `from_fields`; given
/// together, they must name the same architecture.
pub fn read_architecture<A: PartialEq>(
    header: &DeclaredHeader,
    record: &Value,
    family_fields: &str,
    from_text: impl FnOnce(&str) -> Result<A, InvalidArchitecture>,
    from_fields: impl FnOnce(&Map<String, Value>) -> Result<Option<A>, InvalidArchitecture>,
    id: impl Fn(&A) -> String,
) -> Result<A, InvalidArchitecture> {
    let Value::Object(fields) = record else {
        return invalid(format!("expected a JSON object with 'arch' (the text form or the id) or {family_fields}"));
    };
    header.check_digest(fields)?;
    let from_arch = match fields.get("arch") {
        None => None,
        Some(Value::String(text)) => Some(from_text(text)?),
        Some(_) => return invalid("field 'arch' must be a string (the text form or the id)"),
    };
    match (from_arch, from_fields(fields)?) {
        (Some(a), Some(b)) if a != b => invalid(format!(
            "fields 'arch' and {family_fields} name different architectures ({} and {})",
            id(&a),
            id(&b)
        )),
        (Some(arch), _) | (None, Some(arch)) => Ok(arch),
        (None, None) => invalid(format!("missing field 'arch' (the text form or the id) or {family_fields}")),
    }
}

/// The fields `known` of a line kept as raw fields, as a JSON object: a declared space parses
/// only its own fields, so a label it never reads cannot make a line unreadable.
pub fn known_fields(fields: &RawFields<'_>, known: &[&str]) -> Result<Value, InvalidArchitecture> {
    fields.to_value_where(|key| known.contains(&key)).map_err(|e| InvalidArchitecture(format!("not valid JSON: {e}")))
}

/// The op indices of a JSON array of names, each looked up in `allowed(position)`'s names.
pub fn op_names_to_indices(
    value: &Value,
    vocabulary: &[&str],
    expected_len: usize,
) -> Result<Vec<u8>, InvalidArchitecture> {
    let shape = || InvalidArchitecture(format!("field 'ops' must be an array of {expected_len} op names"));
    let items = value.as_array().filter(|items| items.len() == expected_len).ok_or_else(shape)?;
    items
        .iter()
        .enumerate()
        .map(|(position, item)| {
            let name = item.as_str().ok_or_else(shape)?;
            vocabulary.iter().position(|op| *op == name).map(|i| i as u8).ok_or_else(|| {
                InvalidArchitecture(format!(
                    "unknown op {} at ops[{position}] (known: {})",
                    np_io::quoted(name),
                    vocabulary.join(", ")
                ))
            })
        })
        .collect()
}
