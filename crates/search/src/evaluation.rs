//! Training and validating architectures, and counting what a search has paid for.

use std::collections::HashMap;

use np_bench_tables::table::BenchTable;
use np_spaces::rng::keyed_below;

/// What training one architecture told the search (accuracies in percent).
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub id: String,
    /// The search signal: validation accuracy of the one training run.
    pub val_accuracy: f64,
    /// The reported truth (mean over a table's repeats); never used to choose.
    pub test_accuracy: Option<f64>,
    /// What the training run cost, when known.
    pub train_seconds: Option<f64>,
}

/// Anything that trains and validates architectures: a benchmark table answers at once, a real
/// trainer behind a command takes hours. `batch` holds (architecture, id) pairs; the answer has
/// one evaluation per pair, in order.
pub trait Evaluator<A> {
    fn evaluate(&mut self, batch: &[(A, String)]) -> Result<Vec<Evaluation>, String>;
}

/// Answers from a benchmark table with the paper's protocol: the validation accuracy of one
/// training run drawn by (seed, id) from the repeats, so the same architecture always gets the
/// same run in a search, whatever order or process asks.
pub struct TableEvaluator<'t> {
    pub table: &'t BenchTable,
    pub seed: u64,
}

/// The repeat drawn for `id` among `runs` (the same draw as `bench-query --seed`).
pub fn drawn_run(seed: u64, id: &str, runs: usize) -> usize {
    keyed_below(seed, id, runs as u64) as usize
}

impl<A> Evaluator<A> for TableEvaluator<'_> {
    fn evaluate(&mut self, batch: &[(A, String)]) -> Result<Vec<Evaluation>, String> {
        batch
            .iter()
            .map(|(_, id)| {
                let answer = self
                    .table
                    .query(id, |runs| drawn_run(self.seed, id, runs))
                    .ok_or_else(|| format!("architecture {id} is not in the benchmark table"))?;
                Ok(Evaluation {
                    id: id.clone(),
                    val_accuracy: answer.val_accuracy,
                    test_accuracy: answer.test_accuracy,
                    train_seconds: answer.train_seconds,
                })
            })
            .collect()
    }
}

/// Every architecture one search has trained, in training order, each counted once: asking
/// again for one already trained costs nothing (a researcher would look the number up, not
/// retrain), so the budget is the number of distinct trained architectures.
#[derive(Debug, Clone, Default)]
pub struct SearchLog {
    trained: Vec<Evaluation>,
    position: HashMap<String, usize>,
}

impl SearchLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// How many architectures have been trained.
    pub fn trained(&self) -> usize {
        self.trained.len()
    }

    pub fn evaluations(&self) -> &[Evaluation] {
        &self.trained
    }

    pub fn contains(&self, id: &str) -> bool {
        self.position.contains_key(id)
    }

    /// The answer for `id`, if it has been trained.
    pub fn evaluation(&self, id: &str) -> Option<&Evaluation> {
        self.position.get(id).map(|&i| &self.trained[i])
    }

    /// Evaluations of `batch`, in order. Architectures not trained before are sent to
    /// `evaluator` together (one batch, so a real trainer can run them in parallel) as long as
    /// the budget allows; the answer holds `None` for those left out by the budget.
    pub fn evaluate<A: Clone>(
        &mut self,
        evaluator: &mut impl Evaluator<A>,
        batch: &[(A, String)],
        budget: usize,
    ) -> Result<Vec<Option<Evaluation>>, String> {
        let mut fresh: Vec<(A, String)> = Vec::new();
        for (arch, id) in batch {
            let pending = fresh.iter().any(|(_, other)| other == id);
            if !self.contains(id) && !pending && self.trained() + fresh.len() < budget {
                fresh.push((arch.clone(), id.clone()));
            }
        }
        if !fresh.is_empty() {
            let answers = evaluator.evaluate(&fresh)?;
            if answers.len() != fresh.len() {
                return Err(format!("the evaluator answered {} of {} architectures", answers.len(), fresh.len()));
            }
            for ((_, id), mut answer) in fresh.into_iter().zip(answers) {
                answer.id = id.clone();
                self.position.insert(id, self.trained.len());
                self.trained.push(answer);
            }
        }
        Ok(batch.iter().map(|(_, id)| self.position.get(id).map(|&i| self.trained[i].clone())).collect())
    }

    /// The architecture a search would deploy: the best validation accuracy so far (the
    /// earliest trained among equals). Test accuracy plays no part.
    pub fn best(&self) -> Option<&Evaluation> {
        best_of(&self.trained)
    }

    /// After each trained architecture, the one the search would deploy then.
    pub fn best_so_far(&self) -> Vec<&Evaluation> {
        let mut curve = Vec::with_capacity(self.trained.len());
        let mut best: Option<&Evaluation> = None;
        for evaluation in &self.trained {
            if best.is_none_or(|b| evaluation.val_accuracy > b.val_accuracy) {
                best = Some(evaluation);
            }
            curve.push(best.expect("set above"));
        }
        curve
    }
}

/// The best by validation accuracy, the first among equals.
pub fn best_of(evaluations: &[Evaluation]) -> Option<&Evaluation> {
    evaluations.iter().fold(None, |best: Option<&Evaluation>, e| match best {
        Some(b) if b.val_accuracy >= e.val_accuracy => Some(b),
        _ => Some(e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accuracy = the id's number; counts calls.
    struct Numbers {
        calls: usize,
    }

    impl Evaluator<u32> for Numbers {
        fn evaluate(&mut self, batch: &[(u32, String)]) -> Result<Vec<Evaluation>, String> {
            self.calls += 1;
            Ok(batch
                .iter()
                .map(|(n, id)| Evaluation {
                    id: id.clone(),
                    val_accuracy: *n as f64,
                    test_accuracy: Some(100.0 - *n as f64),
                    train_seconds: Some(1.0),
                })
                .collect())
        }
    }

    fn batch(numbers: &[u32]) -> Vec<(u32, String)> {
        numbers.iter().map(|&n| (n, n.to_string())).collect()
    }

    #[test]
    fn repeats_cost_nothing_and_the_budget_caps_new_trainings() {
        let mut log = SearchLog::new();
        let mut evaluator = Numbers { calls: 0 };
        let first = log.evaluate(&mut evaluator, &batch(&[5, 7, 5]), 10).unwrap();
        assert_eq!(log.trained(), 2);
        assert_eq!(first.iter().map(|e| e.as_ref().unwrap().val_accuracy).collect::<Vec<_>>(), [5.0, 7.0, 5.0]);
        let second = log.evaluate(&mut evaluator, &batch(&[7, 1, 2, 3]), 3).unwrap();
        assert_eq!(log.trained(), 3, "only one new training fits the budget of 3");
        assert!(second[0].is_some() && second[1].is_some() && second[2].is_none() && second[3].is_none());
        assert_eq!(evaluator.calls, 2);
        let nothing_new = log.evaluate(&mut evaluator, &batch(&[7, 5]), 3).unwrap();
        assert!(nothing_new.iter().all(Option::is_some));
        assert_eq!(evaluator.calls, 2, "a batch of known architectures reaches no trainer");
    }

    #[test]
    fn best_so_far_follows_validation_and_keeps_the_first_of_equals() {
        let mut log = SearchLog::new();
        log.evaluate(&mut Numbers { calls: 0 }, &batch(&[3, 9, 4, 9, 12]), 100).unwrap();
        let curve: Vec<&str> = log.best_so_far().iter().map(|e| e.id.as_str()).collect();
        assert_eq!(curve, ["3", "9", "9", "12"]);
        assert_eq!(log.best().unwrap().id, "12");
    }

    #[test]
    fn the_drawn_run_depends_only_on_seed_and_id() {
        let runs: Vec<usize> = (0..50).map(|i| drawn_run(1, &format!("cell{i}"), 3)).collect();
        assert!(runs.iter().all(|&r| r < 3));
        assert!(runs.contains(&0) && runs.contains(&1) && runs.contains(&2));
        assert_eq!(runs, (0..50).map(|i| drawn_run(1, &format!("cell{i}"), 3)).collect::<Vec<_>>());
    }
}
