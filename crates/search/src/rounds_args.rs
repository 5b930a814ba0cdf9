//! The search in rounds' flags, one definition for every tool that runs it.

use crate::predictor_rounds::{Acquisition, CandidateScope, RoundsSettings};

/// `--round-n`, `--round-batch`, `--ensemble`, `--acquisition`, `--fit-steps`, flattened into a
/// tool's arguments. Defaults: measured on NAS-Bench-201 and Cora (docs/SEARCH.md, BENCHMARKS.md).
#[derive(clap::Args, Debug, Clone)]
pub struct RoundsArgs {
    /// Search in rounds: random architectures trained before the first fit (N).
    #[arg(long, default_value_t = 20)]
    pub round_n: usize,

    /// Search in rounds: architectures trained per round, as one parallel batch (B).
    #[arg(long, default_value_t = 10)]
    pub round_batch: usize,

    /// Search in rounds: predictors fitted per round, each from its own seed.
    #[arg(long, default_value_t = 1)]
    pub ensemble: usize,

    /// Search in rounds: how a batch is chosen: mean, ucb:KAPPA (mean + KAPPA·std over the
    /// ensemble) or thompson (each slot the best under one ensemble member drawn at random).
    #[arg(long, default_value = "mean", value_parser = Acquisition::parse)]
    pub acquisition: Acquisition,

    /// Search in rounds: gradient steps per fit (epochs follow from the training-set size,
    /// capped at --epochs); 0 trains every fit for --epochs.
    #[arg(long, default_value_t = 3000)]
    pub fit_steps: usize,

    /// Search in rounds: gradient steps of each refit after the first, starting from the last
    /// round's networks (a warm start); 0 fits every round from scratch with --fit-steps.
    #[arg(long, default_value_t = 600)]
    pub warm_steps: usize,

    /// Search in rounds: which untrained architectures a round scores: all (the whole space)
    /// or local:M (the neighbours, one mutation away, of the M best trained so far).
    #[arg(long, default_value = "local:10", value_parser = CandidateScope::parse)]
    pub candidates: CandidateScope,

    /// Search in rounds, local scope: slots of each batch given to the best predicted over the
    /// whole space rather than the neighbours (a way out of a basin).
    #[arg(long, default_value_t = 0)]
    pub global_picks: usize,
}

impl RoundsArgs {
    pub fn settings(&self) -> Result<RoundsSettings, String> {
        if self.round_n == 0 || self.round_batch == 0 || self.ensemble == 0 {
            return Err("--round-n, --round-batch and --ensemble must be positive".into());
        }
        if self.global_picks > 0 && self.candidates == CandidateScope::All {
            return Err("--global-picks needs --candidates local:M (with all, every pick is global)".into());
        }
        if self.global_picks >= self.round_batch {
            return Err(format!(
                "--global-picks {} leaves no slot of a batch of {} to the neighbours",
                self.global_picks, self.round_batch
            ));
        }
        Ok(RoundsSettings {
            initial: self.round_n,
            batch: self.round_batch,
            ensemble: self.ensemble,
            acquisition: self.acquisition,
            steps: (self.fit_steps > 0).then_some(self.fit_steps),
            warm_steps: (self.warm_steps > 0).then_some(self.warm_steps),
            scope: self.candidates,
            global_picks: self.global_picks,
        })
    }
}
