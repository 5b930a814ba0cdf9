//! Search spaces declared in a file instead of written in Rust: the three families that cover
//! most published tabular benchmarks and real search spaces (cells with ops on their nodes,
//! cells with ops on their edges, chains of per-block choices).
//!
//! [`spec`] holds what a file may declare, how it is checked, its digest (so a model or table
//! made for one spec refuses lines of another) and how many architectures it allows. Each
//! family's rules live in their own module ([`node_cell`], [`edge_cell`], [`chain`]);
//! [`node_cell_space`], [`edge_cell_space`] and [`chain`] put them behind
//! [`crate::SearchSpace`], and [`registry`] makes a declared space reachable by name through
//! [`crate::with_space`].
//!
//! The cores are the built-in spaces' too: `nb101`'s canonical form and enumeration are
//! [`node_cell::canonical`]'s; `nb201`'s string layout, classes, line graph and mutation are
//! [`EdgeCellRules`]'; `proxyless`'s layer choices, canonical form, sampling, mutation, size and
//! graph view are [`chain::ChainSpace`]'s. Those spaces keep their own types for what only they
//! have (the official module hash, NASLib's tuples, the chain's adjacency on every line, the
//! benchmarks' cost models).

pub mod chain;
pub mod common;
pub mod edge_cell;
pub mod edge_cell_space;
pub mod node_cell;
pub mod node_cell_space;
pub mod registry;
pub mod spec;

pub use edge_cell::EdgeCellRules;
pub use registry::{declare, declare_file};
pub use spec::{ChainSpec, EdgeCellSpec, EdgeIds, NodeCellSpec, SkipRule, SpaceSpec, SpecFileError, StageSpec};

#[cfg(test)]
mod builtin_equivalence;
#[cfg(test)]
mod properties;
