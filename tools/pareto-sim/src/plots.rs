//! The figure of `pareto-sim`: fronts as staircases in the (cost, accuracy) plane.

use np_io::ToolError;
use np_plot::{Chart, Series};
use np_search::pareto::{ParetoResult, TradeOff};

/// A front (cheapest first) as the boundary of the region it dominates: from each point
/// right, at its accuracy, to the next point's cost, then up; the last step runs on to
/// `end_cost`. Our charts draw lines, not markers, and the staircase is what the hypervolume
/// measures.
fn staircase(front: &[TradeOff], end_cost: f64) -> Vec<(f64, f64)> {
    let mut points = Vec::with_capacity(front.len() * 2);
    for (i, p) in front.iter().enumerate() {
        points.push((p.cost, p.accuracy));
        let next = front.get(i + 1).map_or(end_cost, |q| q.cost);
        points.push((next, p.accuracy));
    }
    points
}

/// Writes PREFIX.{svg,png}: the fronts trained by trial 1 of the Neural Predictor and of
/// random search, the front the predictor predicted (its scores, dashed), and the table's true
/// front on top. The cost axis is logarithmic (costs span orders of magnitude).
pub fn write_fronts(
    result: &ParetoResult,
    prefix: &str,
    name: &str,
    cost: &str,
    budget: usize,
) -> Result<(), ToolError> {
    let end = result.reference.cost;
    let mut chart = Chart::new(
        format!("{name}: accuracy against {cost}, fronts after {budget} trained models (trial 1)"),
        format!("{cost} (log scale)"),
        "validation accuracy (%)",
    );
    chart.x_log = true;
    if let Some(trial) = result.trials.first() {
        chart.series.push(Series::new(
            format!("Neural Predictor (hypervolume {:.3} of true)", trial.predictor_ratio),
            staircase(&trial.predictor_front, end),
        ));
        chart.series.push(Series::new(
            format!("Random search (hypervolume {:.3} of true)", trial.random_ratio),
            staircase(&trial.random_front, end),
        ));
        chart.series.push(Series::new("predicted front (GCN scores)", staircase(&trial.predicted_front, end)).dashed());
    }
    // Last, so that it shows where a trial found the true front itself.
    chart.series.push(Series::new("true front (whole table)", staircase(&result.true_front, end)));
    // The cheapest members are often far worse than the rest; show the upper part of the true
    // front, where the trade-off is.
    let accuracies: Vec<f64> = result.true_front.iter().map(|p| p.accuracy).collect();
    if let (Some(&top), Some(&median)) = (accuracies.last(), accuracies.get(accuracies.len() / 4)) {
        let pad = (top - median).max(1e-6) * 0.1;
        chart.y_range = Some((median - pad, top + pad));
    }
    chart.write_figure(prefix)
}
