//! Architecture lines of each space, read and rewritten as `arch-encode` does.
//!
//! `arch-encode` keeps a line's fields as raw text ([`RawFields`]), lets the space read only
//! its own fields ([`SearchSpace::parse_fields`]), computes the ids of a batch at once, and
//! writes the line back with [`architecture_line`] plus an encoding; a line that is not an
//! object (a bare NASLib tuple) goes through a JSON value. [`encode_lines`] takes the same
//! steps (the tool's `parse_line` and `encode_lines`), writing both encodings, and then checks
//! what a rewritten line must satisfy:
//! - it reads back to the same architecture and id (the canonical form is a fixed point);
//! - a line serde_json reads is written as a line serde_json reads;
//! - `bench-query`, which reads the whole line as a value ([`SearchSpace::parse`]), accepts
//!   exactly the lines `arch-encode` accepts, as the same architecture.

use np_encoding::{EncodingShape, FlatVector, GraphEncoding, flat_encoding};
use np_io::records::RawLine;
use np_spaces::naap::Naap;
use np_spaces::nb101::Nb101;
use np_spaces::nb201::Nb201;
use np_spaces::nbgraph::NbGraph;
use np_spaces::proxyless::Proxyless;
use np_spaces::{RawFields, SearchSpace, architecture_line};
use serde_json::Value;

use crate::record_lines_of;

/// `arch-encode --space nb101`.
pub fn nb101(data: &[u8]) {
    encode_lines(&Nb101::new(), data);
}

/// `arch-encode --space nbgraph` and `--space nbgraph-proteins` (the same reader, a smaller
/// table of codes).
pub fn nbgraph(data: &[u8]) {
    encode_lines(&NbGraph::new(), data);
    encode_lines(&NbGraph::proteins(), data);
}

/// `arch-encode --space proxyless`.
pub fn proxyless(data: &[u8]) {
    encode_lines(&Proxyless::new(), data);
}

/// `arch-encode --space naap`.
pub fn naap(data: &[u8]) {
    encode_lines(&Naap::new(), data);
}

/// The NAS-Bench-201 space of every nb201 target: its class table (all 15,625 cells) is built
/// on first use, once per process as in a tool, not once per input.
pub(crate) static NB201: std::sync::LazyLock<Nb201> = std::sync::LazyLock::new(Nb201::new);

/// `arch-encode --space nb201`.
pub fn nb201(data: &[u8]) {
    encode_lines(&*NB201, data);
}

/// Reads a line as `arch-encode` does: `None` where the tool reports a bad line.
fn parse_line<'a, S: SearchSpace>(space: &S, text: &'a str) -> Option<(S::Arch, RawFields<'a>)> {
    let Ok(fields) = RawFields::parse(text) else {
        // Not an object: only a JSON array (a NASLib tuple) is an architecture then.
        let value: Value = serde_json::from_str(text).ok()?;
        return match value {
            Value::Array(_) => space.parse(&value).ok().map(|arch| (arch, RawFields::default())),
            _ => None,
        };
    };
    if let Some(declared) = fields.read::<Value>("space")
        && declared.ok()?.as_str() != Some(space.name())
    {
        return None;
    }
    let arch = space.parse_fields(&fields).ok()?;
    Some((arch, fields))
}

/// The lines of `data` through `arch-encode`'s steps, with the checks of the module docs;
/// returns how many lines were written (seeds must reach that far).
pub fn encode_lines<S: SearchSpace>(space: &S, data: &[u8]) -> usize {
    let shape = EncodingShape::of(space);
    let lines = record_lines_of(data);
    let parsed: Vec<Option<(S::Arch, RawFields)>> = lines.iter().map(|line| parse_line(space, &line.text)).collect();
    let archs: Vec<S::Arch> = parsed.iter().flatten().map(|(arch, _)| arch.clone()).collect();
    let ids = space.ids(&archs);
    assert_eq!(ids.len(), archs.len(), "one id per architecture");
    let mut ids = ids.into_iter();
    let mut written_lines = 0;
    for (line, parsed) in lines.iter().zip(parsed) {
        agrees_with_the_value_reader(space, line, parsed.as_ref().map(|(arch, _)| arch));
        let Some((arch, fields)) = parsed else { continue };
        let id = ids.next().expect("one id per parsed line");
        // A field that cannot be passed on is the line's error.
        let Ok(mut written) = architecture_line(space, &arch, &id, &fields, &["graph", "flat"]) else {
            continue;
        };
        let graph = space.graph(&arch);
        written.push_json("graph", &GraphEncoding::json_of(&graph, &shape));
        written.push("flat", &FlatVector(flat_encoding(&graph, &shape)));
        let written = written.finish();

        let (again, _) = parse_line(space, &written).unwrap_or_else(|| {
            panic!("{}: the line written for {:?} does not read back: {written}", space.name(), line.text)
        });
        assert!(again == arch, "{}: {:?} reads back as another architecture: {written}", space.name(), line.text);
        assert_eq!(space.id(&again), id, "{}: the id changed on reading back {written}", space.name());
        if serde_json::from_str::<Value>(&line.text).is_ok()
            && let Err(error) = serde_json::from_str::<Value>(&written)
        {
            panic!("{}: valid line {:?} written as invalid JSON ({error}): {written}", space.name(), line.text);
        }
        written_lines += 1;
    }
    written_lines
}

/// `bench-query` reads a line as a whole value; it must accept the lines `arch-encode` accepts,
/// as the same architecture (`arch-encode`'s own `space` check aside).
fn agrees_with_the_value_reader<S: SearchSpace>(space: &S, line: &RawLine, fields_arch: Option<&S::Arch>) {
    let Ok(value) = serde_json::from_str::<Value>(&line.text) else { return };
    let declares_other_space = value.get("space").is_some_and(|declared| declared.as_str() != Some(space.name()));
    if declares_other_space {
        return;
    }
    let value_arch = space.parse(&value).ok();
    match (fields_arch, value_arch.as_ref()) {
        (Some(a), Some(b)) => assert!(a == b, "{}: the two readers disagree on {:?}", space.name(), line.text),
        (None, None) => {}
        (a, _) => panic!(
            "{}: arch-encode {} {:?} but the whole-line reader {}",
            space.name(),
            if a.is_some() { "accepts" } else { "refuses" },
            line.text,
            if a.is_some() { "refuses it" } else { "accepts it" }
        ),
    }
}
