//! Random search: train architectures drawn uniformly without replacement, deploy the best by
//! validation accuracy. The baseline every NAS method must beat.

use np_spaces::rng::SpaceRng;

use crate::evaluation::{Evaluator, SearchLog};
use crate::universe::Universe;

/// Trains `budget` members of `universe` drawn uniformly without replacement, as one batch.
pub fn random_search<A: Clone>(
    universe: &Universe<A>,
    rng: &mut SpaceRng,
    budget: usize,
    evaluator: &mut impl Evaluator<A>,
    log: &mut SearchLog,
) -> Result<(), String> {
    let batch: Vec<(A, String)> =
        universe.shuffled_prefix(rng, budget).into_iter().map(|i| universe.member(i)).collect();
    log.evaluate(evaluator, &batch, budget)?;
    Ok(())
}
