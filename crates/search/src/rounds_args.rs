//! The search in rounds' flags, one definition for every tool that runs it.

use crate::predictor_rounds::{Acquisition, CandidateScope, RoundCv, RoundsSettings};

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
    #[arg(long, default_value = "local:3", value_parser = CandidateScope::parse)]
    pub candidates: CandidateScope,

    /// Search in rounds, local scope: slots of each batch given to the best predicted over the
    /// whole space rather than the neighbours (a way out of a basin), at most all but one
    /// (ignored with all).
    #[arg(long, default_value_t = 2)]
    pub global_picks: usize,

    /// Search in rounds: choose the learning rate and weight decay by 3-fold cross-validation
    /// on what is trained so far, at the first fit and every EVERY rounds after it (0: never).
    #[arg(long, value_name = "EVERY", default_value_t = 0)]
    pub round_cv: usize,

    /// Search in rounds: learning rates tried by --round-cv.
    #[arg(long, value_delimiter = ',', default_value = "2e-4,1e-3,4e-3")]
    pub round_cv_lr: Vec<f64>,

    /// Search in rounds: weight decays tried by --round-cv.
    #[arg(long, value_delimiter = ',', default_value = "0,1e-3")]
    pub round_cv_weight_decay: Vec<f64>,
}

impl RoundsArgs {
    pub fn settings(&self) -> Result<RoundsSettings, String> {
        let valid =
            |values: &[f64], least: f64| !values.is_empty() && values.iter().all(|v| v.is_finite() && *v >= least);
        if !valid(&self.round_cv_lr, f64::MIN_POSITIVE) || !valid(&self.round_cv_weight_decay, 0.0) {
            return Err("--round-cv-lr needs finite values > 0, --round-cv-weight-decay finite values ≥ 0".into());
        }
        if self.round_n == 0 || self.round_batch == 0 || self.ensemble == 0 {
            return Err("--round-n, --round-batch and --ensemble must be positive".into());
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
            cv: (self.round_cv > 0).then(|| RoundCv {
                every: self.round_cv,
                folds: 3,
                learning_rates: self.round_cv_lr.clone(),
                weight_decays: self.round_cv_weight_decay.clone(),
            }),
        })
    }
}
