//! The declared spaces of this process, reachable by name through [`crate::with_space`].
//!
//! A tool declares a space once, from `--space-file` (or from the spec a model carries), and
//! every later lookup by name (the encoders look the space up per line) finds it here. A name
//! holds one spec for the life of the process: declaring the same name with another digest is
//! refused, so lines of two versions of a space never mix. The spaces are leaked: a process
//! declares one or two, and they live as long as it does.

use std::path::Path;
use std::sync::RwLock;

use super::chain::ChainSpace;
use super::edge_cell_space::EdgeCellSpace;
use super::node_cell_space::NodeCellSpace;
use super::spec::{SpaceSpec, SpecFileError};
use crate::{InvalidArchitecture, SPACE_NAMES, invalid};

/// A declared space of any family.
pub enum Declared {
    Node(NodeCellSpace),
    Edge(EdgeCellSpace),
    Chain(ChainSpace),
}

impl Declared {
    fn of(spec: &SpaceSpec) -> Declared {
        match spec.family.as_str() {
            "node-cell" => Declared::Node(NodeCellSpace::new(spec)),
            "edge-cell" => Declared::Edge(EdgeCellSpace::new(spec)),
            _ => Declared::Chain(ChainSpace::new(spec)),
        }
    }

    pub fn header(&self) -> &super::common::DeclaredHeader {
        match self {
            Declared::Node(space) => space.header(),
            Declared::Edge(space) => space.header(),
            Declared::Chain(space) => space.header(),
        }
    }
}

static DECLARED: RwLock<Vec<&'static Declared>> = RwLock::new(Vec::new());

/// Declares `spec` (already checked) and returns its name. Declaring it again is a no-op; a
/// built-in name, or a name declared with another spec, is refused.
pub fn declare(spec: &SpaceSpec) -> Result<&'static str, InvalidArchitecture> {
    if SPACE_NAMES.contains(&spec.name.as_str()) {
        return invalid(format!(
            "space name '{}' is a built-in space's; give the declared space another name",
            spec.name
        ));
    }
    let digest = spec.digest();
    let mut declared = DECLARED.write().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(existing) = declared.iter().find(|space| space.header().name == spec.name) {
        return match existing.header().digest == digest {
            true => Ok(existing.header().name),
            false => invalid(format!(
                "space '{}' is already declared with another spec (digest {}; this one is {digest})",
                spec.name,
                existing.header().digest
            )),
        };
    }
    let space: &'static Declared = Box::leak(Box::new(Declared::of(spec)));
    declared.push(space);
    Ok(space.header().name)
}

/// Reads, checks and declares the spec in `path`; returns the space's name.
pub fn declare_file(path: &Path) -> Result<&'static str, SpecFileError> {
    let spec = SpaceSpec::from_file(path)?;
    declare(&spec).map_err(|e| SpecFileError::Invalid(format!("space file {}: {e}", path.display())))
}

/// The declared space called `name`.
pub fn find(name: &str) -> Option<&'static Declared> {
    let declared = DECLARED.read().unwrap_or_else(|poisoned| poisoned.into_inner());
    declared.iter().copied().find(|space| space.header().name == name)
}

/// The spec of the declared space called `name` (None for built-in and unknown names): a model
/// trained on a declared space carries it, so scoring needs no spec file.
pub fn spec_of(name: &str) -> Option<SpaceSpec> {
    find(name).map(|space| space.header().spec.clone())
}

/// The space a tool runs on: `space` (a `--space` name), or the one declared in `space_file`
/// (`--space-file`), which is declared here. A file that cannot be read is a runtime failure
/// (exit 1); an invalid spec is bad usage (exit 2).
pub fn resolve_space(space: &str, space_file: Option<&Path>) -> Result<String, np_io::ToolError> {
    match space_file {
        None => Ok(space.to_string()),
        Some(path) => declare_file(path).map(str::to_string).map_err(np_io::ToolError::from),
    }
}

/// Who must fix it: an unreadable file is a runtime failure, a bad spec bad usage.
impl From<SpecFileError> for np_io::ToolError {
    fn from(error: SpecFileError) -> Self {
        match error {
            SpecFileError::Unreadable(message) => np_io::ToolError::Runtime(std::io::Error::other(message).into()),
            SpecFileError::Invalid(message) => np_io::ToolError::usage(message),
        }
    }
}
