//! Search spaces for neural architecture search, behind one trait.
//!
//! A search space knows how to sample, validate, canonicalise, identify, enumerate and mutate
//! its architectures, and how to show one as a graph ([`ArchGraph`]): nodes with one
//! categorical op each (from the space's op vocabulary), optional numeric node features, and
//! directed edges. Encoders and predictors see only that graph view, so adding a space needs
//! no change downstream.
//!
//! Spaces:
//! - [`nb101::Nb101`] (`nb101`): NAS-Bench-101 cells, bit-exact with the `nasbench` library's
//!   pruning, validity rules and module hash; all 423,624 unique cells can be enumerated.
//! - [`nbgraph::NbGraph`] (`nbgraph`, `nbgraph-proteins`): NAS-Bench-Graph's 26,206 graph
//!   neural network architectures, with the canonical form and table codes of the
//!   `nas-bench-graph` package; `nbgraph-proteins` is the 2,021 of its proteins table.
//! - [`proxyless::Proxyless`] (`proxyless`): the ProxylessNAS mobile (ImageNet) space of the
//!   Neural Predictor paper, a chain of 22 searchable layers (6.64·10^17 architectures).
//! - [`naap::Naap`] (`naap`): NAAP-440's 440 small CIFAR-10 CNNs, chains of 3 or 4 conv
//!   layers, enumerated in the dataset's order by its published generator.
//! - [`nb201::Nb201`] (`nb201`): NAS-Bench-201's 15,625 cells (ops on the six edges of a
//!   four-node DAG), read from the official string, NASLib's tuple or a list of ops, each
//!   with the id of its class among the published 6,466 that compute different functions.
//!
//! This crate does not read or write files or streams; tools do that through `np-io`.

pub mod declared;
pub mod graph;
mod json_scan;
pub mod naap;
pub mod nb101;
pub mod nb201;
pub mod nbgraph;
pub mod neighbours;
mod op_names;
pub mod proxyless;
pub mod raw_fields;
pub mod rng;

use std::fmt;
use std::ops::Range;

use serde_json::{Map, Value};

pub use graph::ArchGraph;
pub use json_scan::{MatrixItem, digit_matrix, scan_digit_matrix};
pub use raw_fields::{ObjectText, RawFields, UnreadableField, line_object_with_fields, write_bit_matrix};
pub use rng::SpaceRng;

/// Why an architecture read from JSON is not a member of the space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidArchitecture(pub String);

impl fmt::Display for InvalidArchitecture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for InvalidArchitecture {}

/// Shorthand for building an [`InvalidArchitecture`] error.
pub(crate) fn invalid<T>(message: impl Into<String>) -> Result<T, InvalidArchitecture> {
    Err(InvalidArchitecture(message.into()))
}

/// The error for a sampler `space` does not have, listing the ones it has (from its
/// [`SearchSpace::sampling_methods`], so the message cannot fall behind the table).
pub(crate) fn unknown_sampler<S: SearchSpace + ?Sized, T>(space: &S, method: &str) -> Result<T, InvalidArchitecture> {
    let known: Vec<&str> = space.sampling_methods().iter().map(|m| m.name).collect();
    invalid(format!("unknown sampler '{method}' for {} (known: {})", space.name(), known.join(", ")))
}

/// Items `range` of a seeded draw of `count` of `members` without replacement (the `uniform`
/// sampler of enumerable spaces): a shorter draw is a prefix of a longer one, and shards cut
/// it exactly. `alternative` names the sampler to use for more draws than members.
pub(crate) fn draw_without_replacement<T: Clone>(
    space: &str,
    members: &[T],
    seed: u64,
    count: u64,
    range: Range<u64>,
    alternative: &str,
) -> Result<Vec<T>, InvalidArchitecture> {
    if count > members.len() as u64 {
        return invalid(format!(
            "{space} has {} architectures; cannot draw {count} without replacement (use --all, or --sampler {alternative})",
            members.len()
        ));
    }
    let picks = rng::permutation_prefix(seed, members.len(), range.start as usize, range.end as usize);
    Ok(picks.into_iter().map(|i| members[i].clone()).collect())
}

/// How many architectures a space holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpaceSize {
    /// Distinct architectures as the space's publication counts them.
    pub published_count: u128,
    /// Distinct architectures after canonicalisation (functionally different networks), when it
    /// differs from the published count.
    pub unique_count: u128,
    /// Whether [`SearchSpace::enumerate`] can list them all.
    pub enumerable: bool,
}

/// A way of drawing random architectures from a space.
#[derive(Debug, Clone, Copy)]
pub struct SamplingMethod {
    pub name: &'static str,
    pub description: &'static str,
}

/// The operations every search space provides. Architectures are always held in canonical
/// form: two architectures are the same network exactly when they compare equal. (NAS-Bench-201
/// is the exception that its benchmark makes: it tabulates every cell on its own, so its cells
/// are their own canonical form, and cells computing the same function share a `class_id`.)
pub trait SearchSpace: Sync {
    /// One architecture in canonical form.
    type Arch: Clone + PartialEq + Send + Sync;

    /// The name used on the command line and in the `space` field of records.
    fn name(&self) -> &'static str;

    /// The categorical op of each graph node is an index into this list.
    fn op_vocabulary(&self) -> &'static [&'static str];

    /// The largest node count of [`SearchSpace::graph`].
    fn max_nodes(&self) -> usize;

    /// The most edges a graph of [`SearchSpace::graph`] has, where the space limits them
    /// beyond what its node count allows (NAS-Bench-101's 9); readers of encoded graphs
    /// refuse more.
    fn max_edges(&self) -> Option<usize> {
        None
    }

    /// Names of the numeric node features of [`ArchGraph::node_features`] (often none).
    fn node_feature_names(&self) -> &'static [&'static str] {
        &[]
    }

    /// True when every architecture has the same edges, so encodings may leave them out.
    fn fixed_topology(&self) -> bool {
        false
    }

    fn size(&self) -> SpaceSize;

    /// The sampling methods offered; the first one is the default.
    fn sampling_methods(&self) -> &'static [SamplingMethod];

    /// One architecture drawn with the default sampling method (e.g. an evolution's initial
    /// population).
    fn sample(&self, rng: &mut SpaceRng) -> Self::Arch;

    /// Items `range` of the seeded sample stream of `count` architectures drawn with `method`.
    /// The stream does not depend on `range`, so disjoint ranges shard it exactly.
    fn sample_range(
        &self,
        method: &str,
        seed: u64,
        count: u64,
        range: Range<u64>,
    ) -> Result<Vec<Self::Arch>, InvalidArchitecture>;

    /// Validates and canonicalises an architecture given as a JSON record (the whole line).
    fn parse(&self, record: &Value) -> Result<Self::Arch, InvalidArchitecture>;

    /// Writes the architecture's canonical fields (`adjacency`, `ops`, ...) into `fields`,
    /// replacing those present and keeping every other field.
    fn write_fields(&self, arch: &Self::Arch, fields: &mut Map<String, Value>);

    /// [`SearchSpace::parse`] for a line kept as raw fields. The default reads the whole line
    /// as a value; a space with long streams reads only its own fields, typed.
    fn parse_fields(&self, fields: &RawFields<'_>) -> Result<Self::Arch, InvalidArchitecture> {
        let record = fields.to_value().map_err(|e| InvalidArchitecture(format!("not valid JSON: {e}")))?;
        self.parse(&record)
    }

    /// The fields of [`SearchSpace::write_fields`] as (key, compact JSON text).
    fn field_texts(&self, arch: &Self::Arch) -> Vec<(String, String)> {
        let mut fields = Map::new();
        self.write_fields(arch, &mut fields);
        // `serde_json::to_string`, not `Value`'s `Display`, which goes through a formatter
        // for every token (a third slower on proxyless lines).
        fields.into_iter().map(|(key, value)| (key, serde_json::to_string(&value).expect("values serialise"))).collect()
    }

    /// The canonical id: equal ids mean the same network (for nb201, the same cell).
    fn id(&self, arch: &Self::Arch) -> String;

    /// The ids of many architectures; spaces whose id is costly batch the work.
    fn ids(&self, archs: &[Self::Arch]) -> Vec<String> {
        archs.iter().map(|arch| self.id(arch)).collect()
    }

    /// All architectures, each once, in a fixed order; `None` when the space is too large.
    fn enumerate(&self) -> Option<&[Self::Arch]>;

    /// One random edit that yields a different valid architecture (for evolution).
    fn mutate(&self, arch: &Self::Arch, rng: &mut SpaceRng) -> Self::Arch;

    /// The graph view seen by encoders and predictors.
    fn graph(&self, arch: &Self::Arch) -> ArchGraph;
}

/// Code that works with any space, given as a generic visitor because the spaces have
/// different architecture types (see [`with_space`]).
pub trait SpaceVisitor {
    type Output;
    fn visit<S: SearchSpace>(self, space: &S) -> Self::Output;
}

/// Names accepted by [`with_space`].
pub const SPACE_NAMES: &[&str] = &["nb101", "nbgraph", "nbgraph-proteins", "proxyless", "naap", "nb201"];

/// The process's one NAS-Bench-201 space. Its enumeration and class table (built on first use,
/// about a second) then serve every call of [`with_space`]: tools that look the space up once
/// per line (the predictor's encoders do) would otherwise rebuild the class table per line.
static NB201: std::sync::LazyLock<nb201::Nb201> = std::sync::LazyLock::new(nb201::Nb201::new);

/// Runs `visitor` with the space called `name`: a built-in one, or one declared in this
/// process ([`declared::registry`]).
pub fn with_space<V: SpaceVisitor>(name: &str, visitor: V) -> Result<V::Output, InvalidArchitecture> {
    match name {
        "nb101" => Ok(visitor.visit(&nb101::Nb101::new())),
        "nbgraph" => Ok(visitor.visit(&nbgraph::NbGraph::new())),
        "nbgraph-proteins" => Ok(visitor.visit(&nbgraph::NbGraph::proteins())),
        "proxyless" => Ok(visitor.visit(&proxyless::Proxyless::new())),
        "naap" => Ok(visitor.visit(&naap::Naap::new())),
        "nb201" => Ok(visitor.visit(&*NB201)),
        other => match declared::registry::find(other) {
            Some(declared::registry::Declared::Node(space)) => Ok(visitor.visit(space)),
            Some(declared::registry::Declared::Edge(space)) => Ok(visitor.visit(space)),
            Some(declared::registry::Declared::Chain(space)) => Ok(visitor.visit(space)),
            None => invalid(format!(
                "unknown search space '{other}' (known: {}; a space of your own needs --space-file, see docs/SPACES.md)",
                SPACE_NAMES.join(", ")
            )),
        },
    }
}

/// The text of [`architecture_record`] for a line kept as raw fields, without the fields
/// `leave_out`, still open for more fields (the encodings). A passed-on field that cannot be
/// compacted ([`ObjectText::push_raw`]) is an error naming it.
pub fn architecture_line<S: SearchSpace>(
    space: &S,
    arch: &S::Arch,
    id: &str,
    fields: &RawFields<'_>,
    leave_out: &[&str],
) -> Result<ObjectText, UnreadableField> {
    let arch_fields = space.field_texts(arch);
    let mut object = ObjectText::new();
    object.push_str("space", space.name());
    object.push_str("id", id);
    for (key, raw) in fields.iter() {
        if key == "space" || key == "id" || leave_out.contains(&key) {
            continue;
        }
        match arch_fields.iter().find(|(k, _)| k == key) {
            Some((_, text)) => object.push_json(key, text),
            None => object.push_raw(key, raw)?,
        }
    }
    for (key, text) in &arch_fields {
        if !object.has(key) {
            object.push_json(key, text);
        }
    }
    Ok(object)
}

/// The line of an architecture that comes with no other fields (a sampled one): `space`,
/// `id`, then its canonical fields; what [`architecture_line`] writes for an empty line.
pub fn bare_architecture_line<S: SearchSpace>(space: &S, arch: &S::Arch, id: &str) -> ObjectText {
    let mut object = ObjectText::new();
    object.push_str("space", space.name());
    object.push_str("id", id);
    for (key, text) in &space.field_texts(arch) {
        object.push_json(key, text);
    }
    object
}

/// The record of an architecture: `space` and `id` first, then the other `fields` in their
/// order with the canonical architecture fields (`adjacency`, `ops`, ...) replaced in place or
/// appended. Every tool that emits architectures builds its lines with this.
/// `id` is `space.id(arch)`, passed in so callers can compute ids in batches.
pub fn architecture_record<S: SearchSpace>(
    space: &S,
    arch: &S::Arch,
    id: String,
    fields: Map<String, Value>,
) -> Map<String, Value> {
    let mut record = Map::with_capacity(fields.len() + 4);
    record.insert("space".into(), Value::from(space.name()));
    record.insert("id".into(), Value::from(id));
    record.extend(fields.into_iter().filter(|(key, _)| key != "space" && key != "id"));
    space.write_fields(arch, &mut record);
    record
}
