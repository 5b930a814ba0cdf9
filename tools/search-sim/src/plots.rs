//! The figures of `search-sim`, in the style of the Neural Predictor paper: Figure 4 (search
//! methods against the number of trained models) and Figure 7 (the predictor's N against K).

use np_io::ToolError;
use np_plot::{Chart, Series};
use np_search::curves::MeanCurve;
use np_search::experiment::{ExperimentResult, MethodResult};

/// Budgets below this are left out of the y range: the first few models of every search are
/// far below the rest and would flatten the curves that matter.
const Y_RANGE_FROM_BUDGET: usize = 20;

/// (x, mean, standard error) at every budget: the band shows how sure the mean is.
fn stats(curve: &MeanCurve, test: bool) -> Vec<(f64, f64, f64)> {
    let (mean, std) = if test { (&curve.test_mean, &curve.test_std) } else { (&curve.val_mean, &curve.val_std) };
    let root = (curve.trials.max(1) as f64).sqrt();
    (0..curve.budget()).map(|b| ((b + 1) as f64, mean[b], std[b] / root)).collect()
}

/// From the lowest mean (past the first budgets) to the oracle line or the highest mean,
/// whichever is higher: no method beats the oracle's validation accuracy, but the test
/// accuracy of a method's best-validation model can exceed the oracle's (on PubMed it does).
fn y_range(methods: &[&MethodResult], oracle: f64, test: bool) -> Option<(f64, f64)> {
    let means = || {
        methods
            .iter()
            .flat_map(|m| {
                let values = if test { &m.curve.test_mean } else { &m.curve.val_mean };
                values.iter().skip(Y_RANGE_FROM_BUDGET - 1).copied()
            })
            .filter(|v| v.is_finite())
    };
    let low = means().fold(f64::INFINITY, f64::min);
    if !low.is_finite() || !oracle.is_finite() {
        return None;
    }
    let high = means().fold(oracle, f64::max).max(low + 1e-6);
    let pad = (high - low) * 0.08;
    Some((low - pad, high + pad))
}

/// The predictor run whose N is nearest `figure_n`.
fn figure_predictor(result: &ExperimentResult, figure_n: usize) -> Option<&MethodResult> {
    result.methods.iter().filter(|m| m.method == "predictor").min_by_key(|m| m.n.unwrap_or(0).abs_diff(figure_n))
}

/// Writes PREFIX-methods.{svg,png} (validation), PREFIX-methods-test.{svg,png},
/// PREFIX-methods-time.{svg,png} (when the table has training times) and
/// PREFIX-n-vs-k.{svg,png}; `name` titles them (e.g. the table's dataset).
pub fn write_plots(result: &ExperimentResult, prefix: &str, figure_n: usize, name: &str) -> Result<(), ToolError> {
    let trials = result.methods.first().map(|m| m.curve.trials).unwrap_or(0);
    let mut shown: Vec<&MethodResult> = result.methods.iter().filter(|m| m.method != "predictor").collect();
    shown.extend(figure_predictor(result, figure_n));
    for (test, suffix, what) in [(false, "methods", "validation"), (true, "methods-test", "test")] {
        let oracle = if test { result.oracle.test_accuracy.unwrap_or(f64::NAN) } else { result.oracle.val_accuracy };
        let mut chart = Chart::new(
            format!("{name}: best {what} accuracy found (mean ± s.e., {trials} trials)"),
            "number of trained models",
            format!("{what} accuracy (%)"),
        );
        chart.x_log = true;
        chart.y_range = y_range(&shown, oracle, test);
        chart.series = shown.iter().map(|m| Series::mean_std(m.label(), &stats(&m.curve, test))).collect();
        chart.hlines.push((oracle, format!("oracle ({what} of the best-validation model)")));
        chart.write_figure(&format!("{prefix}-{suffix}"))?;
    }
    let timed = shown.iter().all(|m| m.curve.seconds_mean.iter().all(|s| s.is_finite()));
    if timed && !shown.is_empty() {
        // Against the training time spent (tables with training times, e.g. NAS-Bench-101).
        let mut chart = Chart::new(
            format!("{name}: best validation accuracy against training time (mean ± s.e., {trials} trials)"),
            "total training time (seconds)",
            "validation accuracy (%)",
        );
        chart.x_log = true;
        chart.y_range = y_range(&shown, result.oracle.val_accuracy, false);
        chart.series = shown
            .iter()
            .map(|m| {
                let points: Vec<(f64, f64, f64)> = stats(&m.curve, false)
                    .into_iter()
                    .zip(&m.curve.seconds_mean)
                    .map(|((_, mean, error), &seconds)| (seconds, mean, error))
                    .collect();
                Series::mean_std(m.label(), &points)
            })
            .collect();
        chart.hlines.push((result.oracle.val_accuracy, "oracle".to_string()));
        chart.write_figure(&format!("{prefix}-methods-time"))?;
    }
    let predictors: Vec<&MethodResult> = result.methods.iter().filter(|m| m.method == "predictor").collect();
    if !predictors.is_empty() {
        let mut chart = Chart::new(
            format!("{name}: Neural Predictor, N trained at random then K predicted best ({trials} trials)"),
            "number of trained models (N + K)",
            "validation accuracy (%)",
        );
        chart.x_log = true;
        chart.y_range = y_range(&predictors, result.oracle.val_accuracy, false);
        chart.series = predictors
            .iter()
            .map(|m| Series::mean_std(format!("N = {}", m.n.unwrap_or(0)), &stats(&m.curve, false)))
            .collect();
        chart.hlines.push((result.oracle.val_accuracy, "oracle".to_string()));
        chart.write_figure(&format!("{prefix}-n-vs-k"))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn method(val: Vec<f64>, test: Vec<f64>) -> MethodResult {
        let zeros = vec![0.0; val.len()];
        let curve = MeanCurve {
            val_mean: val,
            val_std: zeros.clone(),
            test_mean: test,
            test_std: zeros.clone(),
            seconds_mean: zeros,
            trials: 1,
        };
        let queries_to_oracle = np_search::curves::QueriesToReach::of(&[None]);
        MethodResult {
            method: "random",
            n: None,
            curve,
            kendall_tau: None,
            queries_to_oracle,
            rounds: None,
            per_trial: Vec::new(),
        }
    }

    #[test]
    fn the_y_range_reaches_the_oracle_and_any_mean_above_it() {
        // Flat at 70 for the first budgets (left out), then 75 to 77; the oracle at 76.
        let rising: Vec<f64> =
            (0..40).map(|b| if b < 19 { 70.0 } else { 75.0 + 2.0 * (b - 19) as f64 / 20.0 }).collect();
        let result = method(rising.iter().map(|v| v - 1.0).collect(), rising);
        let (low, high) = y_range(&[&result], 76.0, true).unwrap();
        let pad = (77.0 - 75.0) * 0.08;
        assert!((low - (75.0 - pad)).abs() < 1e-9 && (high - (77.0 + pad)).abs() < 1e-9, "{low} {high}");
        // Validation means stay below the oracle: the range ends at the oracle.
        let (low, high) = y_range(&[&result], 76.0, false).unwrap();
        let pad = (76.0 - 74.0) * 0.08;
        assert!((low - (74.0 - pad)).abs() < 1e-9 && (high - (76.0 + pad)).abs() < 1e-9, "{low} {high}");
        assert_eq!(y_range(&[&result], f64::NAN, false), None);
    }
}
