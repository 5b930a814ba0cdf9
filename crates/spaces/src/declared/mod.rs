//! Search spaces declared in a file instead of written in Rust: the three families that cover
//! most published tabular benchmarks and real search spaces (cells with ops on their nodes,
//! cells with ops on their edges, chains of per-block choices).
//!
//! This module holds the spec: what a file may declare, how it is checked, its digest (so a
//! model or table made for one spec refuses lines of another) and how many architectures it
//! allows. The families' [`crate::SearchSpace`] implementations build on it; the named
//! benchmarks are meant to become instances of the same generic core (STYLE.md).

pub mod edge_cell;
pub mod spec;

pub use edge_cell::EdgeCellRules;
pub use spec::{ChainSpec, EdgeCellSpec, NodeCellSpec, SkipRule, SpaceSpec, StageSpec};
