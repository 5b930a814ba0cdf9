//! Declared search spaces: the spec files of `--space-file`, and the architecture lines of the
//! spaces they declare.
//!
//! A tool reads a spec ([`SpaceSpec::from_json`], [`SpaceSpec::from_toml`]) and builds the
//! space of its family. The `space_spec` target builds it directly
//! ([`NodeCellSpace::new`] and the others), not through the process-wide registry that tools
//! use (`declare` keeps every space for the life of the process), and does what `arch-sample`
//! and `arch-encode` do with a space, as far as a spec of a few kilobytes keeps that cheap:
//! node cells of at most [`SMALL_NODE_CELL_VERTICES`] vertices and [`SMALL_SPACE`] cells are
//! sized, enumerated and sampled; edge cells are when they have at most [`SMALL_SPACE`] cells,
//! and sampled independently per edge when they are too large to enumerate (between the two,
//! any written line would build the class table of up to 2^21 cells); chains always. Every
//! space built still leaks its name and op names ([`np_spaces::declared::common::DeclaredHeader`]:
//! a tool builds one or two), a few hundred bytes per valid spec.
//!
//! What must hold: a spec reads back from its canonical JSON as itself; a space's size agrees
//! with its enumeration; a seeded sample shards exactly; every architecture written (sampled,
//! or mutated from a sample) reads back as itself with the same id from its written fields, its
//! `arch` text alone and its id alone (unless the id is another architecture's text); its graph fits the space's encoding shape; and the lines
//! go through `arch-encode`'s steps ([`encode_lines`]).
//!
//! The `arch_declared` target reads lines as `arch-encode --space-file` does for fixed specs of
//! each family: NAS-Bench-201 as an edge cell and ProxylessNAS as a chain (`fixtures/spaces/`),
//! NAS-Bench-101 as a node cell, and a small node cell of five vertices and two ops.

use std::sync::LazyLock;

use np_encoding::{EncodingShape, GraphEncoding, flat_encoding};
use np_spaces::declared::SpaceSpec;
use np_spaces::declared::chain::ChainSpace;
use np_spaces::declared::edge_cell_space::{ENUMERATION_LIMIT, EdgeCellSpace};
use np_spaces::declared::node_cell_space::NodeCellSpace;
use np_spaces::rng::item_rng;
use np_spaces::{RawFields, SearchSpace};
use serde_json::{Map, Value};

use crate::architectures::encode_lines;

/// Node cells of at most this many vertices (input and output included) are counted,
/// enumerated and sampled per input: a few thousand cells at most.
pub const SMALL_NODE_CELL_VERTICES: usize = 5;

/// The most cells of a space enumerated per input.
pub const SMALL_SPACE: u128 = 10_000;

/// Architectures sampled per spec.
const SAMPLES: u64 = 3;

/// The `space_spec` target: the text as a JSON spec and as a TOML spec.
pub fn space_spec(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let seed = data.len() as u64;
    for spec in [SpaceSpec::from_json(text), SpaceSpec::from_toml(text)].into_iter().flatten() {
        check_spec(&spec, seed);
    }
}

/// The checks of the module docs on one valid spec.
fn check_spec(spec: &SpaceSpec, seed: u64) {
    let canonical = spec.canonical_json();
    let again = SpaceSpec::from_json(&canonical)
        .unwrap_or_else(|e| panic!("a spec's canonical JSON does not read back ({}): {canonical}", e.0));
    assert!(again == *spec, "a spec changed on its way through its canonical JSON: {canonical}");
    assert_eq!(again.digest(), spec.digest(), "the digest changed: {canonical}");
    let sequences = spec.sequence_count();
    match spec.family.as_str() {
        "node-cell" => {
            let space = NodeCellSpace::new(spec);
            let small =
                space.rules().max_vertices() <= SMALL_NODE_CELL_VERTICES && space.rules().count() <= SMALL_SPACE;
            if small {
                check_space(&space, seed);
            }
        }
        "edge-cell" => {
            let space = EdgeCellSpace::new(spec);
            let too_large_to_enumerate = sequences.is_none_or(|count| count > u128::from(ENUMERATION_LIMIT));
            if sequences.is_some_and(|count| count <= SMALL_SPACE) || too_large_to_enumerate {
                check_space(&space, seed);
            }
        }
        "chain" => check_space(&ChainSpace::new(spec), seed),
        other => panic!("a checked spec has an unknown family {other:?}: {canonical}"),
    }
}

/// What `arch-sample --size`, `--all` and `--count 3` and then `arch-encode` do with a space
/// that is cheap to enumerate or not enumerable at all.
fn check_space<S: SearchSpace>(space: &S, seed: u64) {
    let size = space.size();
    assert!(size.unique_count <= size.published_count, "{}: more unique architectures than published", space.name());
    match space.enumerate() {
        Some(all) => {
            assert!(size.enumerable, "{}: enumerates, but its size says it does not", space.name());
            assert_eq!(all.len() as u128, size.published_count, "{}: the enumeration is not the size", space.name());
        }
        None => assert!(!size.enumerable, "{}: its size says it enumerates, but it does not", space.name()),
    }
    let sampler = space.sampling_methods()[0].name;
    let Ok(archs) = space.sample_range(sampler, seed, SAMPLES, 0..SAMPLES) else { return };
    assert_eq!(archs.len() as u64, SAMPLES, "{}: {sampler} drew another count", space.name());
    let first = space.sample_range(sampler, seed, SAMPLES, 0..1).expect("a part of a stream that was drawn");
    let rest = space.sample_range(sampler, seed, SAMPLES, 1..SAMPLES).expect("a part of a stream that was drawn");
    assert!([first, rest].concat() == archs, "{}: {sampler}'s shards are not the stream", space.name());

    let mut lines = String::new();
    for (i, arch) in archs.iter().enumerate() {
        lines.push_str(&written_line(space, arch));
        let child = space.mutate(arch, &mut item_rng(seed, i as u64));
        assert!(
            child != *arch || size.unique_count == 1,
            "{}: a mutation of {} is the same architecture",
            space.name(),
            space.id(arch)
        );
        lines.push_str(&written_line(space, &child));
    }
    let written = encode_lines(space, lines.as_bytes());
    assert_eq!(written, 2 * archs.len(), "{}: arch-encode refuses lines arch-sample writes:\n{lines}", space.name());
}

/// The line `arch-sample` writes for `arch`, after checking that it, its `arch` text alone and
/// its id alone read back as `arch`, and that its graph fits the space.
fn written_line<S: SearchSpace>(space: &S, arch: &S::Arch) -> String {
    let name = space.name();
    let id = space.id(arch);
    let mut fields = Map::new();
    fields.insert("space".into(), Value::from(name));
    fields.insert("id".into(), Value::from(id.as_str()));
    space.write_fields(arch, &mut fields);
    let record = Value::Object(fields);
    let line = record.to_string();

    let reads_back = |what: &str, result: Result<S::Arch, np_spaces::InvalidArchitecture>| match result {
        Ok(again) => {
            assert!(again == *arch, "{name}: {what} reads back as another architecture: {line}");
            assert_eq!(space.id(&again), id, "{name}: {what} reads back with another id: {line}");
        }
        Err(e) => panic!("{name}: {what} does not read back ({}): {line}", e.0),
    };
    reads_back("the written line", space.parse(&record));
    let raw = RawFields::parse(&line).expect("a written line is an object");
    reads_back("the written line's own fields", space.parse_fields(&raw));
    let text = record.get("arch").expect("every declared space writes 'arch'");
    reads_back("the 'arch' text alone", space.parse(&serde_json::json!({ "arch": text })));
    // `arch` is read as the text form first: an id that is also some architecture's text (a
    // chain of one-character choice names) means that architecture.
    match space.parse(&serde_json::json!({ "arch": id })) {
        Ok(other) if other != *arch => {
            let mut other_fields = Map::new();
            space.write_fields(&other, &mut other_fields);
            assert_eq!(
                other_fields["arch"],
                Value::from(id.as_str()),
                "{name}: the id alone reads as another architecture: {line}"
            );
        }
        result => reads_back("the id alone", result),
    }

    let graph = space.graph(arch);
    assert!(
        graph.ops.len() <= space.max_nodes(),
        "{name}: {} nodes; max_nodes is {}",
        graph.ops.len(),
        space.max_nodes()
    );
    let shape = EncodingShape::of(space);
    if let Err(e) = GraphEncoding::new(&graph, &shape).check_shape(&shape) {
        panic!("{name}: the graph of {id} does not fit the space ({e})");
    }
    assert_eq!(flat_encoding(&graph, &shape).len(), shape.flat_len(), "{name}: flat length of {id}");
    line + "\n"
}

/// A fixed spec of the `arch_declared` target.
fn spec(text: &str, toml: bool) -> SpaceSpec {
    let spec = if toml { SpaceSpec::from_toml(text) } else { SpaceSpec::from_json(text) };
    spec.expect("a fixture spec")
}

/// `fixtures/spaces/nb201.toml`: NAS-Bench-201 as an edge cell. Its class table (15,625 cells)
/// is built on first use, once per process.
pub static NB201_DECLARED: LazyLock<EdgeCellSpace> =
    LazyLock::new(|| EdgeCellSpace::new(&spec(include_str!("../../../fixtures/spaces/nb201.toml"), true)));

/// `fixtures/spaces/proxyless.toml`: ProxylessNAS as a chain.
pub static PROXYLESS_DECLARED: LazyLock<ChainSpace> =
    LazyLock::new(|| ChainSpace::new(&spec(include_str!("../../../fixtures/spaces/proxyless.toml"), true)));

/// `fixtures/spaces/nb101.toml`: NAS-Bench-101 as a node cell (with a `rank` order).
pub static NB101_DECLARED: LazyLock<NodeCellSpace> =
    LazyLock::new(|| NodeCellSpace::new(&spec(include_str!("../../../fixtures/spaces/nb101.toml"), true)));

/// A small node cell: five vertices, six edges, two ops (307 cells).
pub const TINY_NODE_CELL: &str = r#"{"name": "tiny-node", "family": "node-cell",
 "node-cell": {"max_vertices": 5, "max_edges": 6, "ops": ["conv3x3", "maxpool"]}}"#;

/// [`TINY_NODE_CELL`]'s space.
pub static TINY_NODE_DECLARED: LazyLock<NodeCellSpace> =
    LazyLock::new(|| NodeCellSpace::new(&spec(TINY_NODE_CELL, false)));

/// The `arch_declared` target: `arch-encode --space-file` with each fixed spec.
pub fn arch_declared(data: &[u8]) {
    encode_lines(&*NB201_DECLARED, data);
    encode_lines(&*PROXYLESS_DECLARED, data);
    encode_lines(&*NB101_DECLARED, data);
    encode_lines(&*TINY_NODE_DECLARED, data);
}
