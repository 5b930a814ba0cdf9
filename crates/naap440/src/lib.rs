//! NAAP-440's published files, read, checked against each other and joined.
//!
//! NAAP-440 (Hakim, 2022; talcs/NAAP-440 on GitHub, MIT) is 440 small CNNs trained 90 epochs on
//! CIFAR-10, in two files: `naap440.csv` (one row per model: `ModelId` 1..440, `IsTest`, cost
//! columns, `MaxAccuracy`, then `e{i}LossMean`, `e{i}LossMedian`, `e{i}Accuracy` for epochs
//! 1..90) and `generated_schemes.json` (the schemes in `ModelId` order). Accuracies are
//! fractions of the CIFAR-10 test set; `MaxAccuracy` is the best of the 90 epochs' accuracies.
//!
//! - [`table`]: the CSV rows;
//! - [`schemes`]: the scheme list, each scheme checked as a member of the `naap` space;
//! - [`join`]: rows and schemes paired and cross-checked (depth, stride-2 layers, first and
//!   last widths, parameter count), so a misaligned or edited file is refused;
//! - [`NaapModel::fields`]: a model's record fields, with the first E epochs as features.
//!
//! This crate reads the two files and nothing else; writing lines is the `naap-lines` tool's.

pub mod schemes;
pub mod table;

use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

use np_spaces::SearchSpace;
use np_spaces::naap::{Naap, Scheme};
use serde_json::{Map, Value};

pub use table::{EPOCHS, EpochResult, TableRow};

/// The number of models NAAP-440 publishes.
pub const MODEL_COUNT: usize = 440;

/// Why the files cannot be used, classified by who must fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NaapError {
    /// A file cannot be opened or read (a runtime failure).
    Unreadable(String),
    /// A file is not NAAP-440 as published (bad input); the message names the file and line.
    Invalid(String),
}

impl fmt::Display for NaapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NaapError::Unreadable(message) | NaapError::Invalid(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for NaapError {}

/// One model: its scheme and its row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct NaapModel {
    pub scheme: Scheme,
    pub row: TableRow,
}

/// Reads both files and joins them.
pub fn load(csv_path: &Path, schemes_path: &Path) -> Result<Vec<NaapModel>, NaapError> {
    let open = |path: &Path| {
        File::open(path)
            .map(BufReader::new)
            .map_err(|e| NaapError::Unreadable(format!("cannot open {}: {e}", path.display())))
    };
    let (csv_name, schemes_name) = (csv_path.display().to_string(), schemes_path.display().to_string());
    let rows = table::read_table(open(csv_path)?, &csv_name)?;
    let schemes = schemes::read_schemes(open(schemes_path)?, &schemes_name)?;
    join(rows, schemes, &csv_name, &schemes_name)
}

/// Pairs row i with scheme i, checking that the row's scheme columns describe that scheme.
pub fn join(
    rows: Vec<TableRow>,
    schemes: Vec<Scheme>,
    csv_name: &str,
    schemes_name: &str,
) -> Result<Vec<NaapModel>, NaapError> {
    if schemes.len() != rows.len() {
        return Err(NaapError::Invalid(format!(
            "{schemes_name} has {} schemes but {csv_name} has {} models",
            schemes.len(),
            rows.len()
        )));
    }
    rows.into_iter()
        .zip(schemes)
        .enumerate()
        .map(|(index, (row, scheme))| {
            let first_width = scheme.layers.first().map_or(0, |layer| layer.width as u64);
            let last_width = scheme.layers.last().map_or(0, |layer| layer.width as u64);
            let checks = [
                ("NumLayers", row.num_layers, scheme.layers.len() as u64),
                ("NumStages", row.num_stages, scheme.stages() as u64),
                ("FirstLayerWidth", row.first_layer_width, first_width),
                ("LastLayerWidth", row.last_layer_width, last_width),
                ("NumParams", row.num_params, scheme.parameter_count()),
            ];
            if let Some((column, value, expected)) = checks.into_iter().find(|(_, value, expected)| value != expected) {
                return Err(NaapError::Invalid(format!(
                    "{csv_name}: line {}: {column} is {value} but scheme {} of {schemes_name} ({}) gives {expected}",
                    row.line,
                    index + 1,
                    scheme.compact_text()
                )));
            }
            Ok(NaapModel { scheme, row })
        })
        .collect()
}

/// One of an epoch's results.
type EpochValue = fn(&EpochResult) -> f64;

impl NaapModel {
    /// The record fields after `space` and `id`: `model_id`, `is_test` (0/1), `scheme`,
    /// `accuracy` (MaxAccuracy, a fraction), the cost columns, and for the first `epochs`
    /// epochs `e{i}_accuracy`, then `e{i}_loss_mean`, then `e{i}_loss_median`.
    pub fn fields(&self, epochs: usize) -> Map<String, Value> {
        assert!(epochs <= EPOCHS, "NAAP-440 has {EPOCHS} epochs");
        let row = &self.row;
        let mut fields = Map::with_capacity(11 + 3 * epochs);
        fields.insert("model_id".into(), Value::from(row.model_id));
        fields.insert("is_test".into(), Value::from(row.is_test as u8));
        Naap::new().write_fields(&self.scheme, &mut fields);
        fields.insert("accuracy".into(), Value::from(row.max_accuracy));
        fields.insert("num_params".into(), Value::from(row.num_params));
        fields.insert("num_macs".into(), Value::from(row.num_macs));
        fields.insert("num_layers".into(), Value::from(row.num_layers));
        fields.insert("num_stages".into(), Value::from(row.num_stages));
        fields.insert("first_layer_width".into(), Value::from(row.first_layer_width));
        fields.insert("last_layer_width".into(), Value::from(row.last_layer_width));
        let early = &row.epochs[..epochs];
        let series: [(&str, EpochValue); 3] =
            [("accuracy", |e| e.accuracy), ("loss_mean", |e| e.loss_mean), ("loss_median", |e| e.loss_median)];
        for (name, value) in series {
            for (epoch, result) in early.iter().enumerate() {
                fields.insert(format!("e{}_{name}", epoch + 1), Value::from(value(result)));
            }
        }
        fields
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use np_spaces::naap::enumerate::published_schemes;

    fn row(line: u64, scheme: &Scheme) -> TableRow {
        TableRow {
            line,
            model_id: line as u32 - 1,
            is_test: false,
            num_params: scheme.parameter_count(),
            num_macs: 1000,
            num_layers: scheme.layers.len() as u64,
            num_stages: scheme.stages() as u64,
            first_layer_width: scheme.layers[0].width as u64,
            last_layer_width: scheme.layers.last().unwrap().width as u64,
            max_accuracy: 0.6,
            epochs: vec![EpochResult { accuracy: 0.5, loss_mean: 1.5, loss_median: 1.4 }; EPOCHS],
        }
    }

    #[test]
    fn join_refuses_rows_that_do_not_describe_their_scheme() {
        let schemes: Vec<Scheme> = published_schemes().into_iter().take(2).collect();
        let rows: Vec<TableRow> = schemes.iter().enumerate().map(|(i, s)| row(i as u64 + 2, s)).collect();
        assert_eq!(join(rows.clone(), schemes.clone(), "t.csv", "s.json").unwrap().len(), 2);
        let swapped = vec![schemes[1].clone(), schemes[0].clone()];
        let error = join(rows.clone(), swapped, "t.csv", "s.json").unwrap_err();
        assert_eq!(
            error,
            NaapError::Invalid(
                "t.csv: line 2: NumLayers is 3 but scheme 1 of s.json (k3w12s2-k3w16s2-k1w16s1-k1w32s1) gives 4".into()
            )
        );
        let error = join(rows, schemes[..1].to_vec(), "t.csv", "s.json").unwrap_err();
        assert_eq!(error, NaapError::Invalid("s.json has 1 schemes but t.csv has 2 models".into()));
    }

    #[test]
    fn fields_follow_the_documented_order() {
        let scheme = published_schemes().remove(0);
        let model = NaapModel { row: row(2, &scheme), scheme };
        let keys: Vec<String> = model.fields(2).keys().cloned().collect();
        let expected = [
            "model_id",
            "is_test",
            "scheme",
            "accuracy",
            "num_params",
            "num_macs",
            "num_layers",
            "num_stages",
            "first_layer_width",
            "last_layer_width",
            "e1_accuracy",
            "e2_accuracy",
            "e1_loss_mean",
            "e2_loss_mean",
            "e1_loss_median",
            "e2_loss_median",
        ];
        assert_eq!(keys, expected);
        assert_eq!(model.fields(0).len(), 10);
    }
}
