//! Best-so-far curves: what a search would deploy after each trained architecture, averaged
//! over independent trials (the y axes of the paper's Figures 4 and 7).

use crate::evaluation::SearchLog;

/// One trial: after b + 1 trained architectures, the deployed one's validation and test
/// accuracy, and the training time spent so far (NaN when the table has no times).
#[derive(Debug, Clone, PartialEq)]
pub struct TrialCurve {
    pub val: Vec<f64>,
    pub test: Vec<f64>,
    pub seconds: Vec<f64>,
}

impl TrialCurve {
    pub fn of(log: &SearchLog) -> Self {
        let best = log.best_so_far();
        let mut spent = 0.0;
        let seconds = log
            .evaluations()
            .iter()
            .map(|e| {
                spent += e.train_seconds.unwrap_or(f64::NAN);
                spent
            })
            .collect();
        TrialCurve {
            val: best.iter().map(|e| e.val_accuracy).collect(),
            test: best.iter().map(|e| e.test_accuracy.unwrap_or(f64::NAN)).collect(),
            seconds,
        }
    }

    /// The curve continued to `budget` models at its last values: what a search that stopped
    /// early because nothing could change its choice any more (it trained the table's best)
    /// would have shown had it spent the rest of the budget. Its time axis stays at what was
    /// spent when it stopped.
    pub fn extended_to(mut self, budget: usize) -> Self {
        for values in [&mut self.val, &mut self.test, &mut self.seconds] {
            if let Some(&last) = values.last() {
                values.resize(budget.max(values.len()), last);
            }
        }
        self
    }

    /// The number of trained models after which the deployed architecture's validation accuracy
    /// first reaches `target`, or None when the trial never gets there.
    pub fn models_to_reach(&self, target: f64) -> Option<usize> {
        self.val.iter().position(|&y| y >= target).map(|i| i + 1)
    }

    fn at(values: &[f64], budget: usize) -> f64 {
        // A trial that stopped early (its table ran out) keeps its last value.
        values.get(budget - 1).or(values.last()).copied().unwrap_or(f64::NAN)
    }
}

/// Mean and sample standard deviation over trials at budgets 1, 2, ….
#[derive(Debug, Clone, PartialEq)]
pub struct MeanCurve {
    pub val_mean: Vec<f64>,
    pub val_std: Vec<f64>,
    pub test_mean: Vec<f64>,
    pub test_std: Vec<f64>,
    pub seconds_mean: Vec<f64>,
    pub trials: usize,
}

impl MeanCurve {
    pub fn of(trials: &[TrialCurve]) -> Self {
        let length = trials.iter().map(|t| t.val.len()).max().unwrap_or(0);
        let column = |pick: fn(&TrialCurve) -> &Vec<f64>, b: usize| -> Vec<f64> {
            trials.iter().map(|t| TrialCurve::at(pick(t), b)).collect()
        };
        let mut curve = MeanCurve {
            val_mean: Vec::with_capacity(length),
            val_std: Vec::with_capacity(length),
            test_mean: Vec::with_capacity(length),
            test_std: Vec::with_capacity(length),
            seconds_mean: Vec::with_capacity(length),
            trials: trials.len(),
        };
        for b in 1..=length {
            let (m, s) = mean_std(&column(|t| &t.val, b));
            curve.val_mean.push(m);
            curve.val_std.push(s);
            let (m, s) = mean_std(&column(|t| &t.test, b));
            curve.test_mean.push(m);
            curve.test_std.push(s);
            curve.seconds_mean.push(mean_std(&column(|t| &t.seconds, b)).0);
        }
        curve
    }

    /// The longest budget of the curve.
    pub fn budget(&self) -> usize {
        self.val_mean.len()
    }

    /// The smallest budget at which the mean reaches `target` (values picked by `pick`).
    pub fn models_to_reach(&self, target: f64, pick: fn(&MeanCurve) -> &Vec<f64>) -> Option<usize> {
        pick(self).iter().position(|&y| y >= target).map(|i| i + 1)
    }
}

/// How many trained models the trials of one method needed to reach a target (the table's best
/// validation accuracy: `queries_to_oracle`), over trials.
///
/// A trial that never reached the target counts as needing more than any budget, so the
/// statistics are of all trials, not only the lucky ones: a percentile that falls on (or is
/// interpolated towards) such a trial is unknown (None). Percentiles interpolate linearly
/// between order statistics (position p·(n − 1) of the sorted values, NumPy's default), so
/// they compare with figures published from Python.
#[derive(Debug, Clone, PartialEq)]
pub struct QueriesToReach {
    pub median: Option<f64>,
    pub p10: Option<f64>,
    pub p90: Option<f64>,
    /// Trials that reached the target.
    pub found: usize,
    pub trials: usize,
}

impl QueriesToReach {
    pub fn of(models: &[Option<usize>]) -> Self {
        let mut sorted: Vec<f64> = models.iter().map(|m| m.map_or(f64::INFINITY, |m| m as f64)).collect();
        sorted.sort_by(f64::total_cmp);
        QueriesToReach {
            median: percentile(&sorted, 0.5),
            p10: percentile(&sorted, 0.1),
            p90: percentile(&sorted, 0.9),
            found: models.iter().filter(|m| m.is_some()).count(),
            trials: models.len(),
        }
    }
}

/// The `p` quantile of ascending `sorted` by linear interpolation; None when it is not finite
/// (it involves a trial that never reached the target) or there are no values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    let last = sorted.len().checked_sub(1)?;
    let position = p * last as f64;
    let (low, high) = (position.floor() as usize, position.ceil() as usize);
    let value = match low == high {
        true => sorted[low],
        false => sorted[low] + (sorted[high] - sorted[low]) * (position - low as f64),
    };
    value.is_finite().then_some(value)
}

/// Mean and sample standard deviation (n − 1; 0 for one value).
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = values.iter().sum::<f64>() / n;
    let var = if values.len() > 1 { values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (mean, var.sqrt())
}

/// How many times fewer trained models `fast` needs than `slow` to reach `slow`'s final mean
/// (the paper's headline comparison against regularized evolution): `slow`'s budget over the
/// first budget where `fast`'s mean is at least as good. `None` when `fast` never gets there.
pub fn times_fewer(fast: &MeanCurve, slow: &MeanCurve, pick: fn(&MeanCurve) -> &Vec<f64>) -> Option<f64> {
    let target = *pick(slow).last()?;
    fast.models_to_reach(target, pick).map(|b| slow.budget() as f64 / b as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trial(val: &[f64]) -> TrialCurve {
        TrialCurve {
            val: val.to_vec(),
            test: val.iter().map(|v| v - 1.0).collect(),
            seconds: vec![f64::NAN; val.len()],
        }
    }

    #[test]
    fn means_carry_a_short_trial_at_its_last_value() {
        let curve = MeanCurve::of(&[trial(&[1.0, 3.0, 5.0]), trial(&[3.0, 3.0])]);
        assert_eq!(curve.val_mean, [2.0, 3.0, 4.0]);
        assert_eq!(curve.budget(), 3);
        assert!((curve.val_std[0] - 2f64.sqrt()).abs() < 1e-12);
        assert_eq!(curve.test_mean, [1.0, 2.0, 3.0]);
    }

    #[test]
    fn a_curve_extends_at_its_last_values() {
        let curve = trial(&[1.0, 4.0]).extended_to(4);
        assert_eq!(curve.val, [1.0, 4.0, 4.0, 4.0]);
        assert_eq!(curve.test, [0.0, 3.0, 3.0, 3.0]);
        assert_eq!(trial(&[1.0, 2.0, 3.0]).extended_to(2).val, [1.0, 2.0, 3.0], "never shortened");
    }

    #[test]
    fn queries_to_reach_counts_misses_as_beyond_every_budget() {
        let curve = trial(&[1.0, 2.0, 5.0, 5.0]);
        assert_eq!(curve.models_to_reach(5.0), Some(3));
        assert_eq!(curve.models_to_reach(6.0), None);
        // Sorted: 10, 20, 30, 40, ∞: the median is the third, the 10th percentile 0.4 of the way
        // from 10 to 20, the 90th percentile lies towards the miss.
        let q = QueriesToReach::of(&[Some(30), None, Some(10), Some(40), Some(20)]);
        assert_eq!(q.median, Some(30.0));
        assert!((q.p10.unwrap() - 14.0).abs() < 1e-12);
        assert_eq!(q.p90, None);
        assert_eq!((q.found, q.trials), (4, 5));
        let even = QueriesToReach::of(&[Some(1), Some(2), Some(3), Some(4)]);
        assert_eq!(even.median, Some(2.5));
        let none = QueriesToReach::of(&[None, None]);
        assert_eq!((none.median, none.found), (None, 0));
        assert_eq!(QueriesToReach::of(&[]).median, None);
    }

    #[test]
    fn times_fewer_compares_budgets_to_the_slow_final_value() {
        let slow = MeanCurve::of(&[trial(&(1..=100).map(|b| b as f64 / 10.0).collect::<Vec<_>>())]);
        let fast = MeanCurve::of(&[trial(&[5.0, 9.0, 10.0, 10.0])]);
        assert_eq!(times_fewer(&fast, &slow, |c| &c.val_mean), Some(100.0 / 3.0));
        let never = MeanCurve::of(&[trial(&[1.0, 2.0])]);
        assert_eq!(times_fewer(&never, &slow, |c| &c.val_mean), None);
    }
}
