//! Regularized evolution (Real et al., AAAI 2019), the strongest baseline of NAS-Bench-101 and
//! of the Neural Predictor paper, as in NAS-Bench-101's example notebook:
//!
//! 1. Fill a population of P architectures drawn at random and trained.
//! 2. Repeat until the budget is spent: draw S distinct members of the population (the
//!    tournament), mutate the one with the best validation accuracy (the youngest among equals)
//!    with the space's mutation, train the child, append it to the population and remove the
//!    OLDEST member (not the worst: "regularized", ageing out lucky architectures).
//!
//! With `batch` B > 1, B tournaments are drawn from the same population and their children are
//! trained together, then appended in order (each ageing out the oldest): the same algorithm,
//! made to keep B trainers busy. B = 1 is the published algorithm.
//!
//! Architectures already trained in this search are not trained again (their result is reused at
//! no cost, see [`SearchLog`]), but a repeated child still joins the population as a new member.

use std::collections::VecDeque;

use np_spaces::SearchSpace;
use np_spaces::rng::{SpaceRng, uniform_below};

use crate::evaluation::{Evaluator, SearchLog};
use crate::universe::Universe;

/// Population size, tournament size and children per round.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EvolutionSettings {
    pub population: usize,
    pub sample_size: usize,
    pub batch: usize,
}

impl Default for EvolutionSettings {
    /// The NAS-Bench-101 notebook's and the Neural Predictor paper's P = 100, S = 10.
    fn default() -> Self {
        EvolutionSettings { population: 100, sample_size: 10, batch: 1 }
    }
}

/// Where architectures may come from: the whole space, or only the members of a table (a
/// closed benchmark, where every architecture must be answerable).
pub enum Domain<'u, A> {
    Space,
    Table(&'u Universe<A>),
}

/// A mutation whose child a partial table lacks is redrawn this many times before a random
/// table member replaces it (tables holding a whole space never need this).
const MUTATION_DRAWS: usize = 100;

struct Member<A> {
    arch: A,
    val_accuracy: f64,
}

/// Runs regularized evolution until `budget` architectures are trained (or the domain is
/// exhausted). The trained architectures, in order, are in `log`.
pub fn regularized_evolution<S: SearchSpace>(
    space: &S,
    domain: &Domain<'_, S::Arch>,
    settings: EvolutionSettings,
    rng: &mut SpaceRng,
    budget: usize,
    evaluator: &mut impl Evaluator<S::Arch>,
    log: &mut SearchLog,
) -> Result<(), String> {
    if settings.population == 0 || settings.sample_size == 0 || settings.batch == 0 {
        return Err("population, tournament size and batch must be positive".into());
    }
    let exhausted = |log: &SearchLog| match domain {
        Domain::Space => false,
        Domain::Table(universe) => log.trained() >= universe.len(),
    };
    let mut population: VecDeque<Member<S::Arch>> = VecDeque::with_capacity(settings.population + settings.batch);
    // Rounds that train nothing new (all repeats) are bounded, so a tiny domain cannot loop.
    let mut idle_rounds = 0usize;
    while population.len() < settings.population && log.trained() < budget && !exhausted(log) {
        let wanted = settings.batch.min(settings.population - population.len());
        let batch: Vec<(S::Arch, String)> = (0..wanted).map(|_| random_member(space, domain, rng)).collect();
        let before = log.trained();
        let answers = log.evaluate(evaluator, &batch, budget)?;
        join(&mut population, batch, answers, usize::MAX);
        idle_rounds = if log.trained() == before { idle_rounds + 1 } else { 0 };
        if idle_rounds > 1000 {
            break;
        }
    }
    while log.trained() < budget && !exhausted(log) && !population.is_empty() {
        let children: Vec<(S::Arch, String)> = (0..settings.batch)
            .map(|_| {
                let parent = tournament_winner(&population, settings.sample_size, rng);
                mutate_within(space, domain, &population[parent].arch, rng)
            })
            .collect();
        let before = log.trained();
        let answers = log.evaluate(evaluator, &children, budget)?;
        join(&mut population, children, answers, settings.population);
        idle_rounds = if log.trained() == before { idle_rounds + 1 } else { 0 };
        if idle_rounds > 1000 {
            break;
        }
    }
    Ok(())
}

/// Appends the answered architectures of `batch`, each pushing out the oldest member once the
/// population holds `capacity`.
fn join<A>(
    population: &mut VecDeque<Member<A>>,
    batch: Vec<(A, String)>,
    answers: Vec<Option<crate::Evaluation>>,
    capacity: usize,
) {
    for ((arch, _), answer) in batch.into_iter().zip(answers) {
        if let Some(answer) = answer {
            population.push_back(Member { arch, val_accuracy: answer.val_accuracy });
            if population.len() > capacity {
                population.pop_front();
            }
        }
    }
}

/// The best of `sample_size` distinct members drawn uniformly (all of them when the
/// population is smaller); the youngest wins ties.
fn tournament_winner<A>(population: &VecDeque<Member<A>>, sample_size: usize, rng: &mut SpaceRng) -> usize {
    let n = population.len();
    let k = sample_size.min(n);
    // Partial Fisher–Yates over positions: k distinct members.
    let mut positions: Vec<usize> = (0..n).collect();
    for i in 0..k {
        let j = i + uniform_below(rng, (n - i) as u64) as usize;
        positions.swap(i, j);
    }
    let drawn = &positions[..k];
    *drawn
        .iter()
        .max_by(|&&a, &&b| population[a].val_accuracy.total_cmp(&population[b].val_accuracy).then(a.cmp(&b)))
        .expect("a tournament draws at least one member")
}

fn random_member<S: SearchSpace>(space: &S, domain: &Domain<'_, S::Arch>, rng: &mut SpaceRng) -> (S::Arch, String) {
    match domain {
        Domain::Space => {
            let arch = space.sample(rng);
            let id = space.id(&arch);
            (arch, id)
        }
        Domain::Table(universe) => universe.member(uniform_below(rng, universe.len() as u64) as usize),
    }
}

fn mutate_within<S: SearchSpace>(
    space: &S,
    domain: &Domain<'_, S::Arch>,
    parent: &S::Arch,
    rng: &mut SpaceRng,
) -> (S::Arch, String) {
    for _ in 0..MUTATION_DRAWS {
        let child = space.mutate(parent, rng);
        let id = space.id(&child);
        match domain {
            Domain::Space => return (child, id),
            Domain::Table(universe) if universe.position(&id).is_some() => return (child, id),
            Domain::Table(_) => {}
        }
    }
    random_member(space, domain, rng)
}
