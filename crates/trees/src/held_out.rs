//! Trees judged on held-out cells: what the comparison benchmarks (`zc500_trees`,
//! `nb201_trees`) share, so that every table builds its feature vectors and fits its trees the
//! way `gbt-train` does.
//!
//! The benchmarks hold all their cells in memory, resolve a [`FeatureRequest`] once, compute
//! every cell's vector once ([`feature_rows`]), and then for each seeded split fit trees on the
//! training positions and predict the test positions ([`fit_and_predict`]); the scores are
//! `np_metrics`'s, summarised over the seeds by [`mean_std`].

use np_io::ToolError;
use serde_json::Value;

use crate::{FeatureRequest, FeatureSet, TrainingRows, TreePredictor, TreeSettings};

/// The feature sets the zero-cost benchmarks compare, as `gbt-train` flags would give them
/// (the lines of NAS-Bench-Suite-Zero: `proxies`, `params_m`, `flops_m`): a name, the
/// `--features` patterns and whether `--flat` is added.
pub const ZERO_COST_FEATURE_SETS: [(&str, &[&str], bool); 4] = [
    ("trees: proxies", &["proxies.*"], false),
    ("trees: proxies, params, FLOPs", &["proxies.*", "params_m", "flops_m"], false),
    ("trees: proxies + flat encoding", &["proxies.*"], true),
    ("trees: proxies, params, FLOPs + flat encoding", &["proxies.*", "params_m", "flops_m"], true),
];

/// Whether a named field that a record lacks (absent or `null`) is an error, as in
/// `gbt-train`, or a missing value (NaN) for the trees to route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingFields {
    Refuse,
    AsNan,
}

/// The feature set `request` resolves to on `records[0]` (as `gbt-train` resolves it on its
/// first line, so the first record must have every field) and every record's vector under it.
/// Errors name the record's position (1-based) as the line.
pub fn feature_rows(
    records: &[Value],
    request: &FeatureRequest,
    missing: MissingFields,
) -> Result<(FeatureSet, Vec<Vec<f64>>), ToolError> {
    let first = records.first().ok_or_else(|| ToolError::usage("no records to take features from"))?;
    let set = request.resolve(first, 1)?;
    let rows = records
        .iter()
        .zip(1..)
        .map(|(record, line)| match missing {
            MissingFields::Refuse => set.values(record, line),
            MissingFields::AsNan => set.values_or_nan(record, line),
        })
        .collect::<Result<_, _>>()?;
    Ok((set, rows))
}

/// Trees fitted with `settings` on the cells at positions `train` (their `rows`, `ids` and
/// `labels`), and their predictions for the cells at positions `test`.
///
/// A NaN in `rows` is a missing value: forust-ml sends it, while fitting, to whichever child
/// gains more at each split, and the trees send it the same way when predicting. (`gbt-train`
/// never has one: it refuses a line without a feature.)
pub fn fit_and_predict(
    set: &FeatureSet,
    rows: &[Vec<f64>],
    ids: &[String],
    labels: &[f64],
    (train, test): (&[usize], &[usize]),
    settings: &TreeSettings,
) -> Result<Vec<f64>, String> {
    let training = TrainingRows {
        features: train.iter().map(|&i| rows[i].clone()).collect(),
        ids: train.iter().map(|&i| ids[i].clone()).collect(),
        labels: train.iter().map(|&i| labels[i]).collect(),
    };
    let trees = TreePredictor::fit(set.clone(), &training, "label", settings)?;
    let test_rows: Vec<Vec<f64>> = test.iter().map(|&i| rows[i].clone()).collect();
    Ok(trees.predict(&test_rows).into_iter().map(f64::from).collect())
}

/// `mean ± std` over seeds, as the predictor's quality benchmarks print it (one definition for
/// every benchmark table).
pub use np_predictor::quality::mean_std;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(patterns: &[&str]) -> FeatureRequest {
        FeatureRequest { patterns: patterns.iter().map(|p| p.to_string()).collect(), flat: false }
    }

    #[test]
    fn mean_and_sample_std_over_seeds() {
        assert_eq!(mean_std(&[1.0, 2.0, 3.0]), "2.000 ± 1.000");
        assert_eq!(mean_std(&[0.5]), "0.500 ± 0.000");
    }

    #[test]
    fn every_record_gets_the_vector_of_the_set_resolved_on_the_first() {
        let records = [json!({"p": {"b": 2, "a": 1}, "c": 5}), json!({"p": {"a": 3, "b": 4, "z": 9}, "c": 6})];
        let (set, rows) = feature_rows(&records, &request(&["p.*", "c"]), MissingFields::Refuse).unwrap();
        assert_eq!(set.names(), ["p.a", "p.b", "c"]);
        assert_eq!(rows, [vec![1.0, 2.0, 5.0], vec![3.0, 4.0, 6.0]]);
        let sparse = [json!({"c": 1}), json!({})];
        let error = feature_rows(&sparse, &request(&["c"]), MissingFields::Refuse).unwrap_err();
        assert_eq!(error.to_string(), "line 2: field 'c' is missing");
        let (_, rows) = feature_rows(&sparse, &request(&["c"]), MissingFields::AsNan).unwrap();
        assert!(rows[0][0] == 1.0 && rows[1][0].is_nan());
    }

    #[test]
    fn trees_predict_held_out_cells_and_send_missing_values_one_way() {
        // The label is the feature, except that missing values mark the worst cells.
        let rows: Vec<Vec<f64>> = (0..200).map(|i| vec![if i % 10 == 0 { f64::NAN } else { f64::from(i) }]).collect();
        let labels: Vec<f64> = (0..200).map(|i| if i % 10 == 0 { 0.0 } else { f64::from(i) }).collect();
        let ids: Vec<String> = (0..200).map(|i| i.to_string()).collect();
        let (train, test): (Vec<usize>, Vec<usize>) = (0..200).partition(|i| i % 3 != 0);
        let set = FeatureSet::new(vec!["x".into()], None, None);
        let pred = fit_and_predict(&set, &rows, &ids, &labels, (&train, &test), &TreeSettings::default()).unwrap();
        let truth: Vec<f64> = test.iter().map(|&i| labels[i]).collect();
        let error = pred.iter().zip(&truth).map(|(p, t)| (p - t).abs()).fold(0.0, f64::max);
        assert!(error < 15.0, "largest error {error}");
        let missing: Vec<f64> = test.iter().zip(&pred).filter(|(i, _)| **i % 10 == 0).map(|(_, p)| *p).collect();
        assert!(missing.iter().all(|p| *p < 30.0), "missing values predicted {missing:?}");
    }
}
