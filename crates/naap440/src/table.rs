//! `naap440.csv`: one row per model, in `ModelId` order 1..440.
//!
//! Columns are found by their header names, so their order does not matter; every column the
//! dataset documents must be there. Integers are whole numbers, accuracies fractions in
//! [0, 1], losses finite and non-negative; `IsTest` is 0 or 1.

use std::collections::HashMap;
use std::io::Read;

use crate::{MODEL_COUNT, NaapError};

/// Epochs of training recorded per model.
pub const EPOCHS: usize = 90;

/// One epoch's results: CIFAR-10 test accuracy after the epoch (a fraction) and the mean and
/// median cross-entropy over the epoch's training batches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EpochResult {
    pub accuracy: f64,
    pub loss_mean: f64,
    pub loss_median: f64,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct TableRow {
    /// The row's line in the file (the header is line 1).
    pub line: u64,
    pub model_id: u32,
    pub is_test: bool,
    pub num_params: u64,
    pub num_macs: u64,
    pub num_layers: u64,
    pub num_stages: u64,
    pub first_layer_width: u64,
    pub last_layer_width: u64,
    /// The best accuracy over the 90 epochs (a fraction).
    pub max_accuracy: f64,
    /// Epochs 1..=90, in order.
    pub epochs: Vec<EpochResult>,
}

const INTEGER_COLUMNS: [&str; 8] =
    ["ModelId", "IsTest", "NumParams", "NumMACs", "NumLayers", "NumStages", "FirstLayerWidth", "LastLayerWidth"];

/// What a number column must hold.
#[derive(Clone, Copy)]
enum Kind {
    Fraction,
    Loss,
}

/// The column positions, looked up by name once.
struct Columns {
    integers: [usize; INTEGER_COLUMNS.len()],
    max_accuracy: usize,
    /// Per epoch: accuracy, loss mean, loss median.
    epochs: Vec<[usize; 3]>,
}

impl Columns {
    fn find(headers: &csv::StringRecord, file: &str) -> Result<Self, NaapError> {
        let position: HashMap<&str, usize> = headers.iter().enumerate().map(|(i, name)| (name, i)).collect();
        let column = |name: &str| {
            position
                .get(name)
                .copied()
                .ok_or_else(|| NaapError::Invalid(format!("{file}: line 1: missing column '{name}'")))
        };
        let mut integers = [0; INTEGER_COLUMNS.len()];
        for (slot, name) in integers.iter_mut().zip(INTEGER_COLUMNS) {
            *slot = column(name)?;
        }
        let epochs = (1..=EPOCHS)
            .map(|e| {
                Ok([
                    column(&format!("e{e}Accuracy"))?,
                    column(&format!("e{e}LossMean"))?,
                    column(&format!("e{e}LossMedian"))?,
                ])
            })
            .collect::<Result<_, NaapError>>()?;
        Ok(Columns { integers, max_accuracy: column("MaxAccuracy")?, epochs })
    }
}

/// The rows of `naap440.csv`, read from `reader`; `file` names it in messages.
pub fn read_table(mut reader: impl Read, file: &str) -> Result<Vec<TableRow>, NaapError> {
    // The whole text is kept (under 1 MB) to number lines by it; see `FileLines`.
    let mut text = Vec::new();
    reader.read_to_end(&mut text).map_err(|e| NaapError::Unreadable(format!("cannot read {file}: {e}")))?;
    let file_lines = FileLines::of(&text);
    let mut csv = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_slice());
    let headers = csv.headers().map_err(|e| csv_error(e, file, &file_lines))?.clone();
    let columns = Columns::find(&headers, file)?;
    let mut rows = Vec::with_capacity(MODEL_COUNT);
    for record in csv.records() {
        let record = record.map_err(|e| csv_error(e, file, &file_lines))?;
        let line = file_lines.line_of(record.position());
        let row = parse_row(&record, &headers, &columns, line).map_err(|m| invalid_line(file, line, &m))?;
        let expected = rows.len() as u32 + 1;
        if row.model_id != expected {
            return Err(invalid_line(
                file,
                line,
                &format!("ModelId is {}, expected {expected} (rows in ModelId order 1..{MODEL_COUNT})", row.model_id),
            ));
        }
        rows.push(row);
    }
    if rows.len() != MODEL_COUNT {
        return Err(NaapError::Invalid(format!("{file}: {} models, NAAP-440 has {MODEL_COUNT}", rows.len())));
    }
    Ok(rows)
}

/// Line numbers of a CSV text as `sed -n Np` counts them (1-based, a line ends at `\n`).
///
/// The csv crate's `Position::line()` cannot be used: a record's position is taken before the
/// end of the line before it is consumed, so with `\r\n` line ends (as the published
/// `naap440.csv` has) every record was reported one line too early. Its byte offset is exact
/// up to those end bytes (and skipped blank lines), which [`FileLines::line_of`] steps over.
struct FileLines<'a> {
    text: &'a [u8],
    /// Offsets of the `\n` bytes, in order.
    newlines: Vec<usize>,
}

impl<'a> FileLines<'a> {
    fn of(text: &'a [u8]) -> Self {
        let newlines = text.iter().enumerate().filter(|&(_, &b)| b == b'\n').map(|(i, _)| i).collect();
        FileLines { text, newlines }
    }

    /// The line on which the record at `position` begins (0 when there is no position).
    fn line_of(&self, position: Option<&csv::Position>) -> u64 {
        let Some(position) = position else { return 0 };
        let mut start = (position.byte() as usize).min(self.text.len());
        while matches!(self.text.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        1 + self.newlines.partition_point(|&newline| newline < start) as u64
    }
}

fn invalid_line(file: &str, line: u64, message: &str) -> NaapError {
    NaapError::Invalid(format!("{file}: line {line}: {message}"))
}

fn csv_error(error: csv::Error, file: &str, file_lines: &FileLines) -> NaapError {
    let line = file_lines.line_of(error.position());
    match error.kind() {
        csv::ErrorKind::Io(e) => NaapError::Unreadable(format!("cannot read {file}: {e}")),
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            invalid_line(file, line, &format!("{len} fields, but the header has {expected_len}"))
        }
        _ => invalid_line(file, line, &error.to_string()),
    }
}

fn parse_row(
    record: &csv::StringRecord,
    headers: &csv::StringRecord,
    columns: &Columns,
    line: u64,
) -> Result<TableRow, String> {
    let text = |column: usize| (&headers[column], &record[column]);
    let integer = |column: usize| -> Result<u64, String> {
        let (name, value) = text(column);
        value.parse::<u64>().map_err(|_| format!("{name} is '{value}', not a whole number"))
    };
    let number = |column: usize, kind: Kind| -> Result<f64, String> {
        let (name, value) = text(column);
        let x: f64 = value.parse().map_err(|_| format!("{name} is '{value}', not a number"))?;
        match kind {
            Kind::Fraction if !(0.0..=1.0).contains(&x) => {
                Err(format!("{name} is {value}, not an accuracy fraction in [0, 1]"))
            }
            Kind::Loss if !(x.is_finite() && x >= 0.0) => Err(format!("{name} is {value}, not a finite loss >= 0")),
            _ => Ok(x),
        }
    };
    let [model_id, is_test, num_params, num_macs, num_layers, num_stages, first_width, last_width] = columns.integers;
    let is_test = match integer(is_test)? {
        0 => false,
        1 => true,
        other => return Err(format!("IsTest is {other}, expected 0 or 1")),
    };
    let model_id = integer(model_id)?;
    let epochs = columns
        .epochs
        .iter()
        .map(|&[accuracy, mean, median]| {
            Ok(EpochResult {
                accuracy: number(accuracy, Kind::Fraction)?,
                loss_mean: number(mean, Kind::Loss)?,
                loss_median: number(median, Kind::Loss)?,
            })
        })
        .collect::<Result<_, String>>()?;
    Ok(TableRow {
        line,
        model_id: u32::try_from(model_id).map_err(|_| format!("ModelId {model_id} is out of range"))?,
        is_test,
        num_params: integer(num_params)?,
        num_macs: integer(num_macs)?,
        num_layers: integer(num_layers)?,
        num_stages: integer(num_stages)?,
        first_layer_width: integer(first_width)?,
        last_layer_width: integer(last_width)?,
        max_accuracy: number(columns.max_accuracy, Kind::Fraction)?,
        epochs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A header and `rows` rows of a well-formed table (all epochs alike).
    fn table(rows: usize) -> String {
        let mut header = INTEGER_COLUMNS.join(",") + ",MaxAccuracy";
        for e in 1..=EPOCHS {
            header += &format!(",e{e}LossMean,e{e}LossMedian,e{e}Accuracy");
        }
        let mut text = header + "\n";
        for id in 1..=rows {
            text += &format!("{id},0,1000,5000,3,2,12,16,0.75");
            text += &",1.25,1.5,0.5".repeat(EPOCHS);
            text += "\n";
        }
        text
    }

    #[test]
    fn reads_a_well_formed_table() {
        for text in [table(MODEL_COUNT), table(MODEL_COUNT).replace('\n', "\r\n")] {
            let rows = read_table(text.as_bytes(), "t.csv").unwrap();
            assert_eq!(rows.len(), MODEL_COUNT);
            assert_eq!(rows[0].line, 2);
            let last = &rows[MODEL_COUNT - 1];
            assert_eq!((last.line, last.model_id, last.num_params, last.max_accuracy), (441, 440, 1000, 0.75));
            assert_eq!(last.epochs[89], EpochResult { accuracy: 0.5, loss_mean: 1.25, loss_median: 1.5 });
        }
    }

    #[test]
    fn bad_rows_name_the_file_and_line() {
        // The published file ends its lines with \r\n; both endings are numbered alike.
        for ending in ["\n", "\r\n"] {
            bad_rows_name_the_file_and_line_ending_with(ending);
        }
    }

    fn bad_rows_name_the_file_and_line_ending_with(ending: &str) {
        let good = table(MODEL_COUNT);
        let cases = [
            (good.replacen("\n3,0,1000", "\n3,0,x1000", 1), "t.csv: line 4: NumParams is 'x1000', not a whole number"),
            // A blank line before the row counts.
            (
                good.replacen("\n3,0,1000", "\n\n3,0,x1000", 1),
                "t.csv: line 5: NumParams is 'x1000', not a whole number",
            ),
            (good.replacen("\n5,0,", "\n5,2,", 1), "t.csv: line 6: IsTest is 2, expected 0 or 1"),
            (good.replacen("\n7,0,", "\n8,0,", 1), "t.csv: line 8: ModelId is 8, expected 7"),
            (good.replacen(",0.75,", ",75,", 1), "t.csv: line 2: MaxAccuracy is 75, not an accuracy fraction"),
            (good.replacen(",1.25,", ",nan,", 1), "t.csv: line 2: e1LossMean is nan, not a finite loss"),
            (good.replacen(",0.5\n", "\n", 1), "t.csv: line 2: 278 fields, but the header has 279"),
            (good.replacen("e9Accuracy", "e9Acc", 1), "t.csv: line 1: missing column 'e9Accuracy'"),
            (table(MODEL_COUNT - 1), "t.csv: 439 models, NAAP-440 has 440"),
        ];
        for (text, expected) in cases {
            let text = text.replace('\n', ending);
            match read_table(text.as_bytes(), "t.csv") {
                Err(NaapError::Invalid(message)) => assert!(message.starts_with(expected), "{message}"),
                other => panic!("expected '{expected}', got {other:?}"),
            }
        }
    }
}
