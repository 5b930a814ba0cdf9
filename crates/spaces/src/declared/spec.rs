//! The declared-space spec file: its fields, their checks, its digest and its size.
//!
//! A spec is a small JSON document naming one family and its parameters:
//!
//! ```json
//! {"name": "my-nb201", "family": "edge-cell",
//!  "edge-cell": {"nodes": 4, "ops": ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"],
//!                "cut": "none", "identity": "skip_connect"}}
//! ```
//!
//! Checks happen once, when the file is read, so every later step can rely on them: op names
//! are distinct and non-empty, sizes are within what the families can canonicalise (cells of
//! at most [`MAX_CELL_VERTICES`] vertices: ids come from a search over vertex orders), and the
//! named special ops exist.

use serde::{Deserialize, Serialize};

use crate::{InvalidArchitecture, invalid};

/// The most vertices a declared cell may have: a cell's id is its canonical labelling, found
/// by trying vertex orders, which stays cheap up to NAS-Bench-101's 7 vertices and is refused
/// beyond 9.
pub const MAX_CELL_VERTICES: usize = 9;

/// Why a spec file could not be used: it cannot be read (a runtime failure), or it is not a
/// valid spec (bad input).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpecFileError {
    Unreadable(String),
    Invalid(String),
}

impl std::fmt::Display for SpecFileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SpecFileError::Unreadable(message) | SpecFileError::Invalid(message) => f.write_str(message),
        }
    }
}

/// A declared search space: a name, a family, and that family's parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpaceSpec {
    /// The name architecture lines carry in their `space` field.
    pub name: String,
    /// `node-cell`, `edge-cell` or `chain`; the section of the same name holds its parameters.
    pub family: String,
    #[serde(rename = "node-cell", default, skip_serializing_if = "Option::is_none")]
    pub node_cell: Option<NodeCellSpec>,
    #[serde(rename = "edge-cell", default, skip_serializing_if = "Option::is_none")]
    pub edge_cell: Option<EdgeCellSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<ChainSpec>,
}

/// Cells with an op on every interior vertex (the NAS-Bench-101 family): at most
/// `max_vertices` vertices including the fixed input and output, at most `max_edges` edges, an
/// upper-triangular adjacency; vertices off every input→output path are pruned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeCellSpec {
    pub max_vertices: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_edges: Option<usize>,
    /// The interior ops, in the order of the graph view's one-hot columns.
    pub ops: Vec<String>,
    /// The order in which the canonical form ranks the ops, when it is not `ops`'s: the same
    /// names, reordered. NAS-Bench-101 ranks them conv3x3, conv1x1, maxpool3x3 (`nasbench`'s
    /// order) but one-hot encodes them conv1x1, conv3x3, maxpool3x3 (the paper's order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rank: Option<Vec<String>>,
}

/// Cells whose every edge i → j (i < j) carries an op (the NAS-Bench-201 family). `cut` names
/// the op that removes its edge and `identity` the one that passes its input unchanged, so
/// cells computing the same function can be identified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EdgeCellSpec {
    pub nodes: usize,
    pub ops: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cut: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<String>,
    /// What an id names: `cells` (default: every cell its own architecture, equivalent cells
    /// sharing `class_id`, as NAS-Bench-201 tabulates them) or `classes` (equivalent cells are
    /// one architecture, written as the class's smallest cell; a table's rows of one class are
    /// its repeated runs).
    #[serde(default, skip_serializing_if = "EdgeIds::is_cells")]
    pub ids: EdgeIds,
}

/// What an edge cell's id names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EdgeIds {
    #[default]
    Cells,
    Classes,
}

impl EdgeIds {
    fn is_cells(&self) -> bool {
        *self == EdgeIds::Cells
    }
}

/// A chain of blocks in stages, each block choosing from its stage's list (the ProxylessNAS
/// family), optionally after a stem layer with its own choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChainSpec {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stem: Option<Vec<String>>,
    /// Output width of the stem layer (a node feature, relative to the widest layer).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stem_width: Option<usize>,
    pub stages: Vec<StageSpec>,
}

/// One stage of a chain: `blocks` blocks, each choosing one of `choices`, or skipping where
/// `skip` allows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageSpec {
    pub blocks: usize,
    pub choices: Vec<String>,
    #[serde(default)]
    pub skip: SkipRule,
    /// The blocks a stage always keeps, when more than `skip` says: blocks before this one may
    /// not skip (once-for-all's depths 2–4 of 4 blocks: `skip = "all"`, `min_blocks = 2`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_blocks: Option<usize>,
    /// Stride of the stage's first block (the others keep stride 1); 1 when left out. A node
    /// feature of the graph view (`downsample`), as in the built-in ProxylessNAS space.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stride: Option<usize>,
    /// Output width of the stage's blocks; a node feature relative to the widest layer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<usize>,
}

/// Which blocks of a stage may be skipped (an identity layer). A stage's first block usually
/// changes stride or width and so has no residual path to skip through.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkipRule {
    #[default]
    None,
    AllButFirst,
    All,
}

impl SpaceSpec {
    /// Reads and checks a spec from JSON text.
    pub fn from_json(text: &str) -> Result<Self, InvalidArchitecture> {
        let spec: SpaceSpec =
            serde_json::from_str(text).map_err(|e| InvalidArchitecture(format!("not a space spec: {e}")))?;
        spec.check()?;
        Ok(spec)
    }

    /// Reads and checks a spec from TOML text (the same fields as JSON; sections are tables
    /// such as `[edge-cell]`, chain stages an array of tables `[[chain.stages]]`).
    pub fn from_toml(text: &str) -> Result<Self, InvalidArchitecture> {
        let spec: SpaceSpec = toml::from_str(text).map_err(|e| {
            let message = e.message().trim().to_string();
            match e.span() {
                Some(span) => {
                    let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                    InvalidArchitecture(format!("not a space spec: line {line}: {message}"))
                }
                None => InvalidArchitecture(format!("not a space spec: {message}")),
            }
        })?;
        spec.check()?;
        Ok(spec)
    }

    /// Reads a spec file: TOML when its name ends in `.toml`, JSON otherwise. Errors name the
    /// file.
    pub fn from_file(path: &std::path::Path) -> Result<Self, SpecFileError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| SpecFileError::Unreadable(format!("cannot read space file {}: {e}", path.display())))?;
        let spec = match path.extension().and_then(|e| e.to_str()) {
            Some("toml") => Self::from_toml(&text),
            _ => Self::from_json(&text),
        };
        spec.map_err(|e| SpecFileError::Invalid(format!("space file {}: {e}", path.display())))
    }

    /// The checks every family relies on; each failure names its field.
    pub fn check(&self) -> Result<(), InvalidArchitecture> {
        if self.name.trim().is_empty() {
            return invalid("spec: 'name' is empty");
        }
        let sections = [self.node_cell.is_some(), self.edge_cell.is_some(), self.chain.is_some()];
        if sections.iter().filter(|&&present| present).count() != 1 {
            return invalid("spec: give exactly one of the sections 'node-cell', 'edge-cell', 'chain'");
        }
        match (self.family.as_str(), &self.node_cell, &self.edge_cell, &self.chain) {
            ("node-cell", Some(cell), _, _) => cell.check(),
            ("edge-cell", _, Some(cell), _) => cell.check(),
            ("chain", _, _, Some(chain)) => chain.check(),
            ("node-cell" | "edge-cell" | "chain", ..) => {
                invalid(format!("spec: family '{}' needs its section '{}'", self.family, self.family))
            }
            (other, ..) => invalid(format!("spec: unknown family '{other}' (known: node-cell, edge-cell, chain)")),
        }
    }

    /// The spec as compact JSON, its fields in a fixed order: the same text for specs that
    /// declare the same space, whatever their layout or format on disk.
    pub fn canonical_json(&self) -> String {
        serde_json::to_string(self).expect("a spec serialises")
    }

    /// A short hex digest of the spec's content (its canonical JSON): equal exactly for specs
    /// that declare the same space, whatever their layout or format on disk.
    pub fn digest(&self) -> String {
        let canonical = self.canonical_json();
        let mut out = [[0u8; 16]];
        md5_batch::md5_many(&[canonical.as_bytes()], &mut out);
        out[0][..8].iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Architectures the spec allows, as op and choice sequences (before identifying
    /// equivalent ones), when the family can count them without enumerating (`None`: node
    /// cells, counted by enumeration, or a count beyond `u128`).
    pub fn sequence_count(&self) -> Option<u128> {
        if let Some(cell) = &self.edge_cell {
            return cell.cell_count();
        }
        let chain = self.chain.as_ref()?;
        let mut count = chain.stem.as_ref().map_or(1, |stem| stem.len() as u128);
        for stage in &chain.stages {
            count = count.checked_mul(stage.sequence_count()?)?;
        }
        Some(count)
    }
}

/// Op names: at least one, none empty, no repeats.
/// The most interior ops a node cell may list (ops are stored as bytes).
pub const MAX_NODE_CELL_OPS: usize = 255;

/// The op a skipped chain block shows in lines and in the graph view.
pub const SKIP_OP: &str = "skip";

/// The most layers (stem and blocks) a declared chain may have.
pub const MAX_CHAIN_LAYERS: usize = 256;

/// Ids write one character per choice, from an alphabet of 62.
fn check_id_alphabet(what: &str, names: &[String]) -> Result<(), InvalidArchitecture> {
    let most = super::common::ID_ALPHABET.len() - 1;
    match names.len() > most {
        true => invalid(format!("spec: '{what}' has {} distinct names; at most {most} are supported", names.len())),
        false => Ok(()),
    }
}

fn check_names(what: &str, names: &[String]) -> Result<(), InvalidArchitecture> {
    if names.is_empty() {
        return invalid(format!("spec: '{what}' is empty"));
    }
    for (i, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return invalid(format!("spec: '{what}' has an empty name at position {i}"));
        }
        if names[..i].contains(name) {
            return invalid(format!("spec: '{what}' names '{name}' twice"));
        }
    }
    Ok(())
}

/// Characters the text forms of edge cells and chains use as separators.
const TEXT_SEPARATORS: [char; 3] = ['+', '|', '~'];

/// Edge-cell ops and chain choices are written as they are in text forms, so they may not hold
/// the forms' separators (or control characters, which no table cell should hold).
fn check_text_names(what: &str, names: &[String]) -> Result<(), InvalidArchitecture> {
    match names.iter().find(|name| name.chars().any(|c| TEXT_SEPARATORS.contains(&c) || c.is_control())) {
        Some(name) => invalid(format!(
            "spec: '{what}' names {}, which holds '+', '|', '~' or a control character (the text form's separators)",
            np_io::quoted(name)
        )),
        None => Ok(()),
    }
}

impl NodeCellSpec {
    fn check(&self) -> Result<(), InvalidArchitecture> {
        check_names("node-cell.ops", &self.ops)?;
        if let Some(reserved) = self.ops.iter().find(|op| *op == "input" || *op == "output") {
            return invalid(format!(
                "spec: 'node-cell.ops' names '{reserved}', the name of a cell's fixed vertex; rename it"
            ));
        }
        if let Some(rank) = &self.rank {
            let mut sorted = (rank.clone(), self.ops.clone());
            sorted.0.sort();
            sorted.1.sort();
            if sorted.0 != sorted.1 {
                return invalid("spec: 'node-cell.rank' must list exactly the names of 'node-cell.ops', reordered");
            }
        }
        if self.ops.len() > MAX_NODE_CELL_OPS {
            return invalid(format!(
                "spec: 'node-cell.ops' has {} ops; at most {MAX_NODE_CELL_OPS} are supported",
                self.ops.len()
            ));
        }
        if !(2..=MAX_CELL_VERTICES).contains(&self.max_vertices) {
            return invalid(format!(
                "spec: 'node-cell.max_vertices' is {}; it must be 2 to {MAX_CELL_VERTICES} (input and output included)",
                self.max_vertices
            ));
        }
        let possible = self.max_vertices * (self.max_vertices - 1) / 2;
        match self.max_edges {
            Some(0) => invalid("spec: 'node-cell.max_edges' is 0; an input→output path needs an edge"),
            Some(edges) if edges > possible => invalid(format!(
                "spec: 'node-cell.max_edges' is {edges}; {} vertices have at most {possible}",
                self.max_vertices
            )),
            _ => Ok(()),
        }
    }
}

impl EdgeCellSpec {
    /// The cells the spec allows: one op per edge (None beyond `u128`).
    pub fn cell_count(&self) -> Option<u128> {
        (self.ops.len() as u128).checked_pow((self.nodes * (self.nodes - 1) / 2) as u32)
    }

    fn check(&self) -> Result<(), InvalidArchitecture> {
        check_names("edge-cell.ops", &self.ops)?;
        check_text_names("edge-cell.ops", &self.ops)?;
        check_id_alphabet("edge-cell.ops", &self.ops)?;
        if self.ops.len() < 2 {
            return invalid("spec: 'edge-cell.ops' needs at least two ops (one op gives one cell)");
        }
        if !(2..=MAX_CELL_VERTICES).contains(&self.nodes) {
            return invalid(format!("spec: 'edge-cell.nodes' is {}; it must be 2 to {MAX_CELL_VERTICES}", self.nodes));
        }
        for (field, op) in [("cut", &self.cut), ("identity", &self.identity)] {
            if let Some(op) = op
                && !self.ops.contains(op)
            {
                return invalid(format!("spec: 'edge-cell.{field}' is '{op}', which is not one of its ops"));
            }
        }
        let cells = self.cell_count();
        let limit = super::edge_cell_space::ENUMERATION_LIMIT as u128;
        if self.ids == EdgeIds::Classes && cells.is_none_or(|cells| cells > limit) {
            return invalid(format!(
                "spec: 'edge-cell.ids' is \"classes\", which needs a space of at most {limit} cells (each class is named by its smallest cell, found by enumerating them)"
            ));
        }
        if self.cut.is_some() && self.cut == self.identity {
            return invalid("spec: 'edge-cell.cut' and 'edge-cell.identity' name the same op");
        }
        Ok(())
    }
}

impl ChainSpec {
    fn check(&self) -> Result<(), InvalidArchitecture> {
        let skips = self.stages.iter().any(|stage| stage.skip != SkipRule::None);
        if let Some(stem) = &self.stem {
            check_names("chain.stem", stem)?;
            check_text_names("chain.stem", stem)?;
            if skips && stem.iter().any(|choice| choice == SKIP_OP) {
                return invalid(format!("spec: 'chain.stem' names '{SKIP_OP}', the op of a skipped block; rename it"));
            }
        }
        if self.stages.is_empty() {
            return invalid("spec: 'chain.stages' is empty");
        }
        let mut layers = usize::from(self.stem.is_some());
        for (i, stage) in self.stages.iter().enumerate() {
            let field = format!("chain.stages[{i}].choices");
            check_names(&field, &stage.choices)?;
            check_text_names(&field, &stage.choices)?;
            if skips && stage.choices.iter().any(|choice| choice == SKIP_OP) {
                return invalid(format!("spec: '{field}' names '{SKIP_OP}', the op of a skipped block; rename it"));
            }
            layers += stage.blocks;
            if stage.blocks == 0 {
                return invalid(format!("spec: 'chain.stages[{i}].blocks' is 0"));
            }
            if stage.min_blocks.is_some_and(|kept| kept > stage.blocks) {
                return invalid(format!("spec: 'chain.stages[{i}].min_blocks' is more than its blocks"));
            }
            if stage.min_blocks.is_some() && stage.skip == SkipRule::None {
                return invalid(format!(
                    "spec: 'chain.stages[{i}].min_blocks' needs a 'skip' rule that lets blocks skip"
                ));
            }
            if stage.stride == Some(0) || stage.width == Some(0) {
                return invalid(format!("spec: 'chain.stages[{i}]': stride and width must be at least 1"));
            }
        }
        if layers > MAX_CHAIN_LAYERS {
            return invalid(format!("spec: 'chain' has {layers} layers; at most {MAX_CHAIN_LAYERS} are supported"));
        }
        let mut vocabulary: Vec<String> = self.stem.iter().flatten().cloned().collect();
        for stage in &self.stages {
            for choice in &stage.choices {
                if !vocabulary.contains(choice) {
                    vocabulary.push(choice.clone());
                }
            }
        }
        check_id_alphabet("chain (stem and stage choices together)", &vocabulary)
    }
}

impl StageSpec {
    /// The first block that may skip (the block count when none may): blocks before it are
    /// always there.
    pub fn first_skippable(&self) -> usize {
        let by_rule = match self.skip {
            SkipRule::None => self.blocks,
            SkipRule::AllButFirst => 1,
            SkipRule::All => 0,
        };
        by_rule.max(self.min_blocks.unwrap_or(0)).min(self.blocks)
    }

    /// Choice sequences of the stage: `c` choices per block, plus the skip where allowed.
    fn sequence_count(&self) -> Option<u128> {
        let c = self.choices.len() as u128;
        let blocks = self.blocks as u32;
        match self.skip {
            SkipRule::None => c.checked_pow(blocks),
            _ => {
                let kept = self.first_skippable() as u32;
                c.checked_pow(kept)?.checked_mul((c + 1).checked_pow(blocks - kept)?)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NB201: &str = r#"{"name": "nb201-like", "family": "edge-cell",
        "edge-cell": {"nodes": 4, "ops": ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"],
                      "cut": "none", "identity": "skip_connect"}}"#;

    fn proxyless() -> String {
        let block =
            r#"["mbconv_k3_e3", "mbconv_k3_e6", "mbconv_k5_e3", "mbconv_k5_e6", "mbconv_k7_e3", "mbconv_k7_e6"]"#;
        let stages: Vec<String> = [4, 4, 4, 4, 4, 1]
            .iter()
            .map(|blocks| format!(r#"{{"blocks": {blocks}, "choices": {block}, "skip": "all-but-first"}}"#))
            .collect();
        format!(
            r#"{{"name": "proxyless-like", "family": "chain",
                "chain": {{"stem": ["sepconv_k3", "sepconv_k5", "sepconv_k7"], "stages": [{}]}}}}"#,
            stages.join(",")
        )
    }

    #[test]
    fn counts_match_the_published_spaces() {
        assert_eq!(SpaceSpec::from_json(NB201).unwrap().sequence_count(), Some(15_625));
        // ProxylessNAS as the Neural Predictor paper counts it: 3 · 6^6 · 7^15.
        let chain = SpaceSpec::from_json(&proxyless()).unwrap();
        assert_eq!(chain.sequence_count(), Some(664_506_689_423_701_824));
        let nb101 = r#"{"name": "nb101-like", "family": "node-cell",
            "node-cell": {"max_vertices": 7, "max_edges": 9, "ops": ["conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"]}}"#;
        assert_eq!(SpaceSpec::from_json(nb101).unwrap().sequence_count(), None, "node cells count by enumeration");
    }

    #[test]
    fn the_digest_follows_the_content_not_the_layout() {
        let spec = SpaceSpec::from_json(NB201).unwrap();
        let relaid = SpaceSpec::from_json(&NB201.split_whitespace().collect::<Vec<_>>().join(" ")).unwrap();
        assert_eq!(spec.digest(), relaid.digest());
        assert_eq!(spec.digest().len(), 16);
        let other = SpaceSpec::from_json(&NB201.replace("\"nodes\": 4", "\"nodes\": 5")).unwrap();
        assert_ne!(spec.digest(), other.digest());
    }

    #[test]
    fn bad_specs_say_which_field() {
        for (from, to, reason) in [
            ("\"nodes\": 4", "\"nodes\": 12", "'edge-cell.nodes' is 12"),
            ("\"cut\": \"none\"", "\"cut\": \"zero\"", "'edge-cell.cut' is 'zero'"),
            ("\"identity\": \"skip_connect\"", "\"identity\": \"none\"", "name the same op"),
            ("\"avg_pool_3x3\"", "\"none\"", "names 'none' twice"),
            ("\"family\": \"edge-cell\"", "\"family\": \"graph\"", "unknown family 'graph'"),
            ("\"family\": \"edge-cell\"", "\"family\": \"chain\"", "needs its section 'chain'"),
            ("\"name\": \"nb201-like\"", "\"name\": \" \"", "'name' is empty"),
            ("\"nodes\": 4", "\"nodes\": 4, \"colour\": 1", "unknown field `colour`"),
        ] {
            let text = NB201.replace(from, to);
            assert_ne!(text, NB201, "{from}");
            let error = SpaceSpec::from_json(&text).unwrap_err().0;
            assert!(error.contains(reason), "{to}: {error}");
        }
        let no_stages = r#"{"name": "c", "family": "chain", "chain": {"stages": []}}"#;
        assert!(SpaceSpec::from_json(no_stages).unwrap_err().0.contains("'chain.stages' is empty"));
        let too_many_edges =
            r#"{"name": "n", "family": "node-cell", "node-cell": {"max_vertices": 3, "max_edges": 4, "ops": ["a"]}}"#;
        assert!(SpaceSpec::from_json(too_many_edges).unwrap_err().0.contains("at most 3"));
    }
}
