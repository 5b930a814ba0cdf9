//! Search strategies for neural architecture search, all paying for training the same way.
//!
//! The Neural Predictor paper compares methods by how many architectures each had to train
//! (and for how long) before it found a good one. This crate holds the strategies and that
//! accounting, so that the command-line tools and the in-process experiment measure alike:
//!
//! - [`evaluation`]: the [`Evaluator`] (anything that trains and validates architectures: a
//!   benchmark table, or a real trainer behind a command) and the [`SearchLog`] that counts
//!   each architecture once per search and keeps the order in which they were trained.
//! - [`universe`]: the architectures a closed benchmark table holds, with their ids, which is
//!   what searches over tabular benchmarks draw from.
//! - [`random_search`], [`evolution`] (regularized evolution), [`neural_predictor`] (train
//!   N, fit the GCN, train the predicted top K), [`predictor_rounds`] (the predictor refitted
//!   on everything trained so far, a batch of B trained per round) and the oracle (the best of
//!   [`universe::Universe::answers`]).
//! - [`pareto`]: accuracy against cost: the Pareto front, its hypervolume, and the Neural
//!   Predictor aimed at the front instead of the single best.
//! - [`experiment`]: many seeded trials of every method on one table, in parallel (the
//!   paper's Figures 4 and 7).
//! - [`curves`]: best-so-far curves of many trials, averaged at every budget, and the paper's
//!   "how many times fewer trained models" comparison.
//!
//! What it deliberately does not do: read or write files or streams (tools do, through
//! `np-io`), or know any search space's rules (they come through `np_spaces::SearchSpace`).

pub mod curves;
pub mod evaluation;
pub mod evolution;
pub mod experiment;
pub mod neural_predictor;
pub mod pareto;
pub mod predictor_args;
pub mod predictor_rounds;
pub mod random_search;
pub mod rounds_args;
pub mod table_args;
pub mod tables;
pub mod universe;

pub use evaluation::{Evaluation, Evaluator, SearchLog, TableEvaluator};
pub use table_args::TableProtocolArgs;
pub use tables::{TableLoadError, load_columns_space_table, load_nb201_space_table, load_space_table};
pub use universe::Universe;

use np_spaces::rng::{SpaceRng, item_rng, keyed_below};

/// The generator of one strategy in one trial: independent of every other trial and
/// strategy, so results do not depend on thread count or on which methods run.
pub fn trial_rng(seed: u64, trial: u64, strategy: &str) -> SpaceRng {
    // The strategy's name keys a seed of its own; the trial picks the stream.
    item_rng(keyed_below(seed, strategy, u64::MAX), trial)
}
