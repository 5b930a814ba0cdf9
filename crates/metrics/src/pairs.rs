//! Pairwise order: of all pairs of architectures, how many does the predictor order like the
//! truth? Kendall's tau-b and the NAAP-440 monotonicity score are two readings of the same
//! counts, which [`PairCounts`] computes in O(n log n) time and O(n) memory.

use crate::{check_lengths, compare};

/// How the n(n−1)/2 pairs of `(prediction, truth)` points split by order.
///
/// A pair is *concordant* when prediction and truth order it the same strict way, *discordant*
/// when they order it opposite strict ways; every other pair is tied in the prediction, in the
/// truth, or in both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairCounts {
    /// All pairs, n(n−1)/2.
    pub pairs: u64,
    /// Pairs with equal predictions (including those also tied in the truth).
    pub tied_predictions: u64,
    /// Pairs with equal truths (including those also tied in the prediction).
    pub tied_truths: u64,
    /// Pairs tied in both.
    pub tied_both: u64,
    /// Pairs ordered strictly, and oppositely, by prediction and truth.
    pub discordant: u64,
}

impl PairCounts {
    /// Counts the pairs with Knight's algorithm (Knight, "A Computer Method for Calculating
    /// Kendall's Tau with Ungrouped Data", JASA 61(314), 1966), as `scipy.stats.kendalltau` does:
    /// sort the points by truth and then prediction, so that no pair tied in the truth is out of
    /// prediction order; the discordant pairs are then exactly the inversions of the prediction
    /// sequence, which a merge sort counts while it sorts. Ties are runs of equal values in the
    /// two sorted orders.
    ///
    /// # Panics
    /// If the slices differ in length.
    pub fn of(predictions: &[f64], truths: &[f64]) -> Self {
        check_lengths(predictions, truths);
        let mut points: Vec<(f64, f64)> = truths.iter().copied().zip(predictions.iter().copied()).collect();
        points.sort_unstable_by(|a, b| compare(a.0, b.0).then_with(|| compare(a.1, b.1)));
        let tied_truths = tied_pairs(&points, |a, b| compare(a.0, b.0).is_eq());
        let tied_both = tied_pairs(&points, |a, b| compare(a.0, b.0).is_eq() && compare(a.1, b.1).is_eq());
        let mut ordered_predictions: Vec<f64> = points.into_iter().map(|(_, prediction)| prediction).collect();
        let discordant = sort_counting_inversions(&mut ordered_predictions);
        let tied_predictions = tied_pairs(&ordered_predictions, |a, b| compare(*a, *b).is_eq());
        PairCounts {
            pairs: pairs_among(predictions.len() as u64),
            tied_predictions,
            tied_truths,
            tied_both,
            discordant,
        }
    }

    /// Pairs ordered strictly, and the same way, by prediction and truth.
    pub fn concordant(&self) -> u64 {
        // Inclusion–exclusion, adding before subtracting: when every pair is tied in both,
        // the ties counted twice would otherwise take the unsigned sum below zero on the way.
        self.pairs + self.tied_both - self.tied_predictions - self.tied_truths - self.discordant
    }
}

/// Kendall's tau-b: `(C − D) / √((P − Tₚ)(P − Tₜ))`, where of the `P = n(n−1)/2` pairs `C` are
/// concordant, `D` discordant, `Tₚ` tied in the prediction and `Tₜ` tied in the truth (Kendall,
/// "The treatment of ties in ranking problems", Biometrika 33(3), 1945). This is the tie-corrected
/// variant of `scipy.stats.kendalltau` (its default), and the "Kendall tau" of the NAS predictor
/// literature. 1 when the predictor orders every pair like the truth, −1 when it reverses every
/// pair. `None` when it is undefined: fewer than two values, or either vector constant.
///
/// # Panics
/// If the slices differ in length.
pub fn kendall_tau_b(predictions: &[f64], truths: &[f64]) -> Option<f64> {
    let counts = PairCounts::of(predictions, truths);
    let untied_predictions = counts.pairs - counts.tied_predictions;
    let untied_truths = counts.pairs - counts.tied_truths;
    if untied_predictions == 0 || untied_truths == 0 {
        return None;
    }
    let difference = counts.concordant() as f64 - counts.discordant as f64;
    let tau = difference / (untied_predictions as f64 * untied_truths as f64).sqrt();
    // Rounding must not push a perfect ranking past ±1.
    Some(tau.clamp(-1.0, 1.0))
}

/// The NAAP-440 monotonicity score and what it is made of (see [`monotonicity`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Monotonicity {
    /// Pairs whose true order the prediction does not reproduce.
    pub violations: u64,
    /// All pairs, n(n−1)/2 (780 for NAAP-440's 40 test architectures).
    pub pairs: u64,
    /// The violations that are ties in the prediction (the rest are reversed pairs);
    /// `violations - prediction_ties` is the count that would ignore prediction ties.
    pub prediction_ties: u64,
}

impl Monotonicity {
    /// `1 − violations / pairs`; `None` when there are no pairs (fewer than two values).
    pub fn score(&self) -> Option<f64> {
        (self.pairs > 0).then(|| 1.0 - self.violations as f64 / self.pairs as f64)
    }
}

/// The monotonicity score of NAAP-440 (Hakim, "NAAP-440 Dataset and Baseline for Neural
/// Architecture Accuracy Prediction", 2022): `1 − violations / pairs`, over all
/// `pairs = n(n−1)/2` pairs of architectures, where a violation is a pair whose true order the
/// prediction does not reproduce. The paper's baselines report it as, e.g., "0.933 / 52": 52
/// violations among the 780 pairs of its 40 test architectures.
///
/// Ties, which the paper's test set never has in the truth (its 40 accuracies are distinct):
/// - A pair tied in the truth has no order to get wrong: it is never a violation, but it still
///   counts in `pairs`, so the denominator is always n(n−1)/2 as in the paper.
/// - A pair the truth orders but the prediction ties **is** a violation: the prediction does not
///   say which architecture is better, so it does not preserve their order (a monotone
///   predictor ranks a better architecture strictly higher). Otherwise a constant predictor
///   would score a perfect 1. Such pairs are also counted in
///   [`Monotonicity::prediction_ties`], for readers who want the other convention.
///
/// So `violations = discordant + (tied in the prediction only)`, and
/// `pairs − violations = concordant + (tied in the truth)`.
///
/// # Panics
/// If the slices differ in length.
pub fn monotonicity(predictions: &[f64], truths: &[f64]) -> Monotonicity {
    let counts = PairCounts::of(predictions, truths);
    let prediction_ties = counts.tied_predictions - counts.tied_both;
    Monotonicity { violations: counts.discordant + prediction_ties, pairs: counts.pairs, prediction_ties }
}

fn pairs_among(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// The number of pairs within runs of consecutive equal items of a sorted slice.
fn tied_pairs<T>(sorted: &[T], equal: impl Fn(&T, &T) -> bool) -> u64 {
    sorted.chunk_by(|a, b| equal(a, b)).map(|run| pairs_among(run.len() as u64)).sum()
}

/// Sorts `values` ascending (bottom-up merge sort) and returns the number of strict
/// inversions: pairs `i < j` with `values[i] > values[j]`. Equal values are not inversions.
fn sort_counting_inversions(values: &mut Vec<f64>) -> u64 {
    let n = values.len();
    let mut merged = vec![0.0; n];
    let mut inversions = 0u64;
    let mut width = 1;
    while width < n {
        for start in (0..n).step_by(2 * width) {
            let middle = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut left, mut right, mut out) = (start, middle, start);
            while left < middle && right < end {
                if compare(values[right], values[left]).is_lt() {
                    // values[right] jumps every value left in the left run.
                    inversions += (middle - left) as u64;
                    merged[out] = values[right];
                    right += 1;
                } else {
                    merged[out] = values[left];
                    left += 1;
                }
                out += 1;
            }
            merged[out..out + middle - left].copy_from_slice(&values[left..middle]);
            out += middle - left;
            merged[out..end].copy_from_slice(&values[right..end]);
        }
        std::mem::swap(values, &mut merged);
        width *= 2;
    }
    inversions
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The definitions, pair by pair.
    fn naive_counts(predictions: &[f64], truths: &[f64]) -> PairCounts {
        let n = predictions.len();
        let mut counts = PairCounts { pairs: 0, tied_predictions: 0, tied_truths: 0, tied_both: 0, discordant: 0 };
        for i in 0..n {
            for j in i + 1..n {
                let by_prediction = compare(predictions[i], predictions[j]);
                let by_truth = compare(truths[i], truths[j]);
                counts.pairs += 1;
                counts.tied_predictions += u64::from(by_prediction.is_eq());
                counts.tied_truths += u64::from(by_truth.is_eq());
                counts.tied_both += u64::from(by_prediction.is_eq() && by_truth.is_eq());
                counts.discordant += u64::from(by_prediction.is_ne() && by_truth == by_prediction.reverse());
            }
        }
        counts
    }

    fn naive_tau_b(predictions: &[f64], truths: &[f64]) -> Option<f64> {
        let c = naive_counts(predictions, truths);
        let concordant = c.pairs + c.tied_both - c.tied_predictions - c.tied_truths - c.discordant;
        let denominator = ((c.pairs - c.tied_predictions) as f64 * (c.pairs - c.tied_truths) as f64).sqrt();
        (denominator > 0.0).then(|| (concordant as f64 - c.discordant as f64) / denominator)
    }

    fn naive_violations(predictions: &[f64], truths: &[f64]) -> u64 {
        let n = predictions.len();
        let mut violations = 0;
        for i in 0..n {
            for j in i + 1..n {
                let by_truth = compare(truths[i], truths[j]);
                violations += u64::from(by_truth.is_ne() && compare(predictions[i], predictions[j]) != by_truth);
            }
        }
        violations
    }

    #[test]
    fn scipy_documentation_example_with_ties() {
        // scipy.stats.kendalltau's example: 2 concordant, 6 discordant, 2 pairs tied in x, 1
        // in y (the same pair, also tied in x): (2 − 6) / √(8 · 9) = −0.47140452079103173.
        let x = [12.0, 2.0, 1.0, 12.0, 2.0];
        let y = [1.0, 4.0, 7.0, 1.0, 0.0];
        let counts = PairCounts::of(&x, &y);
        assert_eq!(counts, PairCounts { pairs: 10, tied_predictions: 2, tied_truths: 1, tied_both: 1, discordant: 6 });
        assert_eq!(counts.concordant(), 2);
        let tau = kendall_tau_b(&x, &y).unwrap();
        assert!((tau - -0.47140452079103173).abs() < 1e-15, "{tau}");
        assert!((tau - -4.0 / 72f64.sqrt()).abs() < 1e-15);
    }

    #[test]
    fn ties_in_both_variables() {
        // Points (1,1) (1,2) (2,1) (2,2) (3,3), pair by pair: (0,1) tied in x; (0,2) tied in y;
        // (0,3) C; (0,4) C; (1,2) D; (1,3) tied in y; (1,4) C; (2,3) tied in x; (2,4) C; (3,4) C.
        // C = 5, D = 1, Tx = 2, Ty = 2: (5 − 1) / √(8 · 8) = 0.5.
        let x = [1.0, 1.0, 2.0, 2.0, 3.0];
        let y = [1.0, 2.0, 1.0, 2.0, 3.0];
        assert_eq!(PairCounts::of(&x, &y).concordant(), 5);
        let tau = kendall_tau_b(&x, &y).unwrap();
        assert!((tau - 0.5).abs() < 1e-15, "{tau}");
    }

    #[test]
    fn perfect_and_reversed_rankings() {
        let truths = [0.1, 0.5, 0.3, 0.9, 0.7];
        let scaled: Vec<f64> = truths.iter().map(|t| 3.0 * t - 1.0).collect();
        let reversed: Vec<f64> = truths.iter().map(|t| -t).collect();
        assert_eq!(kendall_tau_b(&scaled, &truths), Some(1.0));
        assert_eq!(kendall_tau_b(&reversed, &truths), Some(-1.0));
        assert_eq!(monotonicity(&scaled, &truths), Monotonicity { violations: 0, pairs: 10, prediction_ties: 0 });
        assert_eq!(monotonicity(&reversed, &truths).score(), Some(0.0));
    }

    #[test]
    fn degenerate_inputs_have_no_tau() {
        assert_eq!(kendall_tau_b(&[], &[]), None);
        assert_eq!(kendall_tau_b(&[1.0], &[2.0]), None);
        assert_eq!(kendall_tau_b(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0]), None, "constant prediction");
        assert_eq!(kendall_tau_b(&[1.0, 2.0, 3.0], &[5.0, 5.0, 5.0]), None, "constant truth");
        assert_eq!(kendall_tau_b(&[0.0, 1.0], &[-0.0, 0.0]), None, "-0.0 and 0.0 are one value");
    }

    #[test]
    fn naap440_baseline_figures() {
        // 40 architectures with distinct accuracies; the prediction reverses the 10 best
        // (45 violations) and swaps 7 disjoint neighbours elsewhere (7 more): 52 of 780 pairs,
        // the 1-NN row of the NAAP-440 baseline table, "0.933 / 52".
        let truths: Vec<f64> = (0..40).map(|i| 0.80 + i as f64 * 0.001).collect();
        let mut predictions = truths.clone();
        predictions[30..].reverse();
        for i in 0..7 {
            predictions.swap(2 * i, 2 * i + 1);
        }
        let result = monotonicity(&predictions, &truths);
        assert_eq!(result, Monotonicity { violations: 52, pairs: 780, prediction_ties: 0 });
        assert_eq!(format!("{:.3}", result.score().unwrap()), "0.933");
    }

    #[test]
    fn monotonicity_tie_conventions() {
        // Truth ties are never violations; a prediction tie across a true order is one.
        let truths = [1.0, 1.0, 2.0, 3.0];
        let predictions = [5.0, 0.0, 7.0, 7.0];
        // Pairs: (0,1) tied truth: fine; (0,2) C; (0,3) C; (1,2) C; (1,3) C; (2,3) tied
        // prediction with 2 < 3 in truth: a violation.
        let result = monotonicity(&predictions, &truths);
        assert_eq!(result, Monotonicity { violations: 1, pairs: 6, prediction_ties: 1 });
        assert_eq!(result.score(), Some(1.0 - 1.0 / 6.0));
        let constant = monotonicity(&[0.5; 4], &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(constant.violations, 6, "a constant predictor orders nothing");
        assert_eq!(monotonicity(&[0.5; 4], &[0.9; 4]).score(), Some(1.0), "nothing to order");
    }

    #[test]
    fn monotonicity_of_fewer_than_two_values() {
        assert_eq!(monotonicity(&[], &[]), Monotonicity { violations: 0, pairs: 0, prediction_ties: 0 });
        assert_eq!(monotonicity(&[], &[]).score(), None);
        assert_eq!(monotonicity(&[1.0], &[2.0]).score(), None);
    }

    #[test]
    fn merge_sort_counts_strict_inversions() {
        let mut values = vec![3.0, 1.0, 2.0, 3.0, 0.0, 2.0];
        // Inversions: 3>1, 3>2, 3>0, 3>2 (first 3: 4); 1>0 (1); 2>0 (1); 3>0, 3>2 (second 3: 2).
        assert_eq!(sort_counting_inversions(&mut values), 8);
        assert_eq!(values, vec![0.0, 1.0, 2.0, 2.0, 3.0, 3.0]);
    }

    /// Vectors with many ties (few distinct levels) and, sometimes, none.
    fn tied_points() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
        (1u32..12, 0usize..=300).prop_flat_map(|(levels, n)| {
            let value = prop_oneof![(0..levels).prop_map(f64::from), -1.0..1.0f64];
            (prop::collection::vec(value.clone(), n), prop::collection::vec(value, n))
        })
    }

    #[test]
    fn pairs_tied_in_both_are_neither_concordant_nor_discordant() {
        let counts = PairCounts::of(&[0.0, 0.0], &[0.0, 0.0]);
        assert_eq!((counts.pairs, counts.tied_both, counts.concordant(), counts.discordant), (1, 1, 0, 0));
        assert_eq!(kendall_tau_b(&[0.0, 0.0], &[0.0, 0.0]), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn knight_agrees_with_the_pairwise_definition((predictions, truths) in tied_points()) {
            prop_assert_eq!(PairCounts::of(&predictions, &truths), naive_counts(&predictions, &truths));
            match (kendall_tau_b(&predictions, &truths), naive_tau_b(&predictions, &truths)) {
                (Some(fast), Some(naive)) => prop_assert!((fast - naive).abs() <= 1e-12, "{} vs {}", fast, naive),
                (fast, naive) => prop_assert_eq!(fast, naive),
            }
            let result = monotonicity(&predictions, &truths);
            prop_assert_eq!(result.violations, naive_violations(&predictions, &truths));
            let n = predictions.len() as u64;
            prop_assert_eq!(result.pairs, n * n.saturating_sub(1) / 2);
        }

        #[test]
        fn tau_is_symmetric_and_sign_flips((predictions, truths) in tied_points()) {
            let tau = kendall_tau_b(&predictions, &truths);
            let swapped = kendall_tau_b(&truths, &predictions);
            let negated: Vec<f64> = predictions.iter().map(|p| -p).collect();
            let flipped = kendall_tau_b(&negated, &truths);
            match (tau, swapped, flipped) {
                (Some(a), Some(b), Some(c)) => {
                    prop_assert!((a - b).abs() <= 1e-12);
                    prop_assert!((a + c).abs() <= 1e-12);
                    prop_assert!((-1.0..=1.0).contains(&a));
                }
                (a, b, c) => prop_assert!(a.is_none() && b.is_none() && c.is_none()),
            }
        }
    }
}
