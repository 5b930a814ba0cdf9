//! Tables with named columns: a CSV file or JSON lines in which the caller says which column
//! holds the architecture and which hold the accuracies and costs.
//!
//! The published benchmarks come in formats this crate knows field by field. A declared search
//! space has no such format: its users train their architectures and write down what they
//! measured under names of their own choosing. Rather than asking them to rename their
//! columns, [`TableColumns`] names them, and the same [`BenchTable`] comes out as from the
//! published formats, with the same semantics as [`read_jsonl_table`](crate::table::read_jsonl_table):
//! several rows of one architecture are its repeated runs, and validation accuracies that are
//! all ≤ 1 are fractions, answered in percent.
//!
//! Architectures are identified by the caller's `id_of`, as everywhere in this crate. A CSV
//! cell is text, so it is handed over as the record `{"arch": <text>}`; a JSON line is handed
//! over whole when the architecture column is `arch` (so a space reads whatever fields it
//! knows, e.g. NAS-Bench-101's `adjacency` and `ops`), or as `{"arch": <value>}` otherwise.
//! Rows the space refuses are not reported one at a time: a table exported from another
//! space version or a typo'd op usually spoils many rows, so all of them are gathered into one
//! error that counts them and gives their lines. Every other fault (a missing column, a cell
//! that is not a number) stops at the first, naming the line and the column; a CSV file's
//! header is its line 1.

use serde_json::{Map, Value};

use crate::TableError;
use crate::table::{BenchTable, TableRun, are_fractions, number_value, percent};

/// Which columns of a table answer. Only the named columns are read; others are ignored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableColumns {
    /// The column of the architecture (`arch` unless the table names it otherwise).
    pub arch: String,
    /// Validation accuracy: the search signal (percent, or fractions when all are ≤ 1).
    pub val: String,
    /// Test accuracy: the reported truth, in the same unit as `val`.
    pub test: Option<String>,
    /// The trainable-parameter count, answered as `params`.
    pub params: Option<String>,
    /// Further numbers (latency, FLOPs, energy) kept under their own names in answers, where a
    /// cost objective can find them.
    pub costs: Vec<String>,
}

/// The fields every answer writes itself ([`Answer::write_fields`](crate::table::Answer::write_fields)),
/// which a cost column must not shadow.
const ANSWER_FIELDS: [&str; 7] =
    ["id", "val_accuracy", "test_accuracy", "train_seconds", "params", "bench_run", "bench_runs"];

impl TableColumns {
    /// The columns with validation accuracy in `val`, the architecture in `arch` and nothing
    /// else.
    pub fn new(val: impl Into<String>) -> Self {
        TableColumns { arch: "arch".to_string(), val: val.into(), test: None, params: None, costs: Vec::new() }
    }

    /// Refuses a cost column that an answer's own field would overwrite (or that would
    /// overwrite it): the parameter count has `params`.
    pub fn check(&self) -> Result<(), TableError> {
        match self.costs.iter().find(|name| ANSWER_FIELDS.contains(&name.as_str())) {
            Some(name) if name == "params" => {
                Err(TableError("a cost column cannot be named 'params': name it as the parameter column".to_string()))
            }
            Some(name) => Err(TableError(format!("a cost column cannot be named '{name}', a field every answer has"))),
            None => Ok(()),
        }
    }

    /// Whether a JSON line is handed to `id_of` whole (see the module docs).
    fn whole_line(&self) -> bool {
        self.arch == "arch"
    }
}

/// The record `{"arch": arch}`: how an architecture that a table holds in one cell reaches
/// `id_of`, whatever the column's name.
pub(crate) fn arch_record(arch: Value) -> Value {
    let mut fields = Map::new();
    fields.insert("arch".to_string(), arch);
    Value::Object(fields)
}

/// One row of a named-column table, before its architecture is identified.
struct Row {
    line: usize,
    arch: Value,
    val: f64,
    test: Option<f64>,
    params: Option<f64>,
    costs: Vec<Value>,
}

/// Reads a CSV table (with a header row) by `columns`. Errors name the line (the caller adds
/// the file); a column the header lacks is an error listing the columns it has.
pub fn columns_table_from_csv(
    text: &str,
    columns: &TableColumns,
    id_of: impl Fn(&Value) -> Result<String, String>,
) -> Result<BenchTable, TableError> {
    let csv = CsvRows::read(text)?;
    let arch = csv.column(&columns.arch)?;
    let val = csv.column(&columns.val)?;
    let test = columns.test.as_deref().map(|name| csv.column(name)).transpose()?;
    let params = columns.params.as_deref().map(|name| csv.column(name)).transpose()?;
    let costs = columns.costs.iter().map(|name| csv.column(name)).collect::<Result<Vec<_>, _>>()?;
    let mut rows = Vec::with_capacity(csv.rows.len());
    for (line, record) in &csv.rows {
        let number = |column: usize| number_at(*line, record, column, &csv.header[column]);
        rows.push(Row {
            line: *line,
            arch: arch_record(Value::from(record.get(arch).unwrap_or(""))),
            val: number(val)?,
            test: test.map(number).transpose()?,
            params: params.map(number).transpose()?,
            costs: costs.iter().map(|&c| number(c).map(number_value)).collect::<Result<_, _>>()?,
        });
    }
    table_of_rows(rows, columns, id_of)
}

/// Reads a JSON-lines table by `columns` (blank lines skipped). Errors name the line (the
/// caller adds the file); a field a line lacks is an error listing the fields it has.
pub fn columns_table_from_jsonl(
    text: &str,
    columns: &TableColumns,
    id_of: impl Fn(&Value) -> Result<String, String>,
) -> Result<BenchTable, TableError> {
    let mut rows = Vec::new();
    for (index, text) in text.lines().enumerate() {
        let line = index + 1;
        if text.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(text).map_err(|e| TableError(format!("line {line}: {e}")))?;
        let field = |name: &str| -> Result<&Value, TableError> {
            value.get(name).ok_or_else(|| {
                let has: Vec<&str> = value.as_object().into_iter().flat_map(|o| o.keys()).map(String::as_str).collect();
                TableError(format!("line {line}: no field '{name}'; the line has: {}", has.join(", ")))
            })
        };
        let number = |name: &str| -> Result<&Value, TableError> {
            let found = field(name)?;
            match found.as_f64() {
                Some(_) => Ok(found),
                None => Err(TableError(format!("line {line}: field '{name}' is {found}, not a number"))),
            }
        };
        let float = |name: &str| number(name).map(|x| x.as_f64().expect("a number"));
        let arch = match columns.whole_line() {
            true => value.clone(),
            false => arch_record(field(&columns.arch)?.clone()),
        };
        rows.push(Row {
            line,
            arch,
            val: float(&columns.val)?,
            test: columns.test.as_deref().map(float).transpose()?,
            params: columns.params.as_deref().map(float).transpose()?,
            costs: columns.costs.iter().map(|name| number(name).cloned()).collect::<Result<_, _>>()?,
        });
    }
    table_of_rows(rows, columns, id_of)
}

/// The table of `rows`, identified by `id_of`: one run per row, the repeats of an architecture
/// under one id (its parameters and costs from its first row). Rows whose architecture
/// `id_of` refuses make one error (see [`OutsideRows`]).
fn table_of_rows(
    rows: Vec<Row>,
    columns: &TableColumns,
    id_of: impl Fn(&Value) -> Result<String, String>,
) -> Result<BenchTable, TableError> {
    let mut outside = OutsideRows::default();
    let mut identified = Vec::with_capacity(rows.len());
    for row in rows {
        match id_of(&row.arch) {
            Ok(id) => identified.push((id, row)),
            Err(reason) => outside.note(row.line, reason),
        }
    }
    outside.check()?;
    let fractions = are_fractions(identified.iter().map(|(_, row)| row.val));
    let mut table = BenchTable::default();
    for (id, row) in identified {
        let run = TableRun {
            val_accuracy: percent(row.val, fractions),
            test_accuracy: row.test.map(|x| percent(x, fractions)),
            train_seconds: None,
        };
        let extra: Map<String, Value> = columns.costs.iter().cloned().zip(row.costs).collect();
        table.add_run(&id, run, row.params, extra);
    }
    Ok(table)
}

/// The rows whose architecture the space refuses, gathered so that one message names them all:
/// how many, their lines (the first [`OutsideRows::LINES_SHOWN`], then "…") and the first
/// reason.
#[derive(Debug, Default)]
struct OutsideRows {
    lines: Vec<usize>,
    first_reason: Option<String>,
}

impl OutsideRows {
    const LINES_SHOWN: usize = 10;

    fn note(&mut self, line: usize, reason: String) {
        self.lines.push(line);
        self.first_reason.get_or_insert(reason);
    }

    fn check(self) -> Result<(), TableError> {
        let (Some(&first), Some(reason)) = (self.lines.first(), self.first_reason) else {
            return Ok(());
        };
        if self.lines.len() == 1 {
            return Err(TableError(format!("1 row names an architecture outside the space: line {first}: {reason}")));
        }
        let mut shown: Vec<String> = self.lines.iter().take(Self::LINES_SHOWN).map(usize::to_string).collect();
        if self.lines.len() > Self::LINES_SHOWN {
            shown.push("…".to_string());
        }
        Err(TableError(format!(
            "{} rows name architectures outside the space, lines {}; line {first}: {reason}",
            self.lines.len(),
            shown.join(", ")
        )))
    }
}

/// A CSV file's header and rows, with the 1-based line of each row for errors (the header is
/// normally line 1).
pub(crate) struct CsvRows {
    pub(crate) header: Vec<String>,
    header_line: usize,
    pub(crate) rows: Vec<(usize, csv::StringRecord)>,
}

impl CsvRows {
    pub(crate) fn read(text: &str) -> Result<Self, TableError> {
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let mut records = reader.records();
        let mut lines = LineCounter { text: text.as_bytes(), byte: 0, line: 1 };
        let (header, header_line) = match records.next() {
            Some(Ok(header)) => (header.iter().map(str::to_string).collect(), lines.line_of(header.position())),
            Some(Err(e)) => return Err(lines.error(&e)),
            None => return Err(TableError("line 1: empty file, expected a header row".to_string())),
        };
        let mut rows = Vec::with_capacity(16_000);
        for record in records {
            let record = record.map_err(|e| lines.error(&e))?;
            rows.push((lines.line_of(record.position()), record));
        }
        Ok(CsvRows { header, header_line, rows })
    }

    /// The position of `name` in the header, or an error listing the columns there are.
    pub(crate) fn column(&self, name: &str) -> Result<usize, TableError> {
        self.header.iter().position(|h| h == name).ok_or_else(|| {
            let line = self.header_line;
            TableError(format!("line {line}: no column '{name}'; the columns are: {}", self.header.join(", ")))
        })
    }
}

/// Line numbers of records met in order. The `csv` crate's positions leave out the blank lines
/// it skips (its line count, and the byte offset, which is where the previous record ended), so
/// they would send a reader to the wrong line; counting the newlines before a record's first
/// byte does not. A record never starts with a line break: a line holding only one is blank.
struct LineCounter<'a> {
    text: &'a [u8],
    byte: usize,
    line: usize,
}

impl LineCounter<'_> {
    fn line_of(&mut self, position: Option<&csv::Position>) -> usize {
        let mut byte = position.map_or(self.byte, |p| p.byte() as usize).clamp(self.byte, self.text.len());
        while matches!(self.text.get(byte), Some(b'\r' | b'\n')) {
            byte += 1;
        }
        self.line += self.text[self.byte..byte].iter().filter(|&&b| b == b'\n').count();
        self.byte = byte;
        self.line
    }

    /// A reading error at its line: a row whose field count differs from the header's, said
    /// plainly, or the `csv` crate's own words.
    fn error(&mut self, error: &csv::Error) -> TableError {
        let line = self.line_of(error.position());
        match error.kind() {
            csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
                TableError(format!("line {line}: {len} fields, but the header has {expected_len}"))
            }
            _ => TableError(format!("line {line}: {error}")),
        }
    }
}

/// The number in `column` of a row, or an error naming the line and column.
pub(crate) fn number_at(line: usize, record: &csv::StringRecord, column: usize, name: &str) -> Result<f64, TableError> {
    let text = record.get(column).unwrap_or("");
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|x| x.is_finite())
        .ok_or_else(|| TableError(format!("line {line}: column '{name}' is {text:?}, not a number")))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ids of a toy space: an architecture is a string of the letters a–d; anything else is
    /// refused, and a repeated letter is the same architecture as the letter once (so two
    /// spellings of one architecture meet under one id).
    fn toy_id(record: &Value) -> Result<String, String> {
        let text = record.get("arch").and_then(Value::as_str).ok_or("no 'arch' string")?;
        if text.is_empty() || !text.chars().all(|c| ('a'..='d').contains(&c)) {
            return Err(format!("'{text}' is not made of the letters a-d"));
        }
        let mut letters: Vec<char> = text.chars().collect();
        letters.dedup();
        Ok(letters.into_iter().collect())
    }

    fn columns(val: &str, test: Option<&str>, costs: &[&str]) -> TableColumns {
        TableColumns {
            test: test.map(str::to_string),
            costs: costs.iter().map(|c| c.to_string()).collect(),
            ..TableColumns::new(val)
        }
    }

    fn error(result: Result<BenchTable, TableError>) -> String {
        result.expect_err("an error").0
    }

    #[test]
    fn csv_rows_of_one_architecture_are_its_runs_and_fractions_become_percent() {
        let text = "name,acc_v,acc_t,ms,size\nab,0.5,0.25,3,100\naab,0.75,0.5,4.5,100\nc,0.25,1,2,7\n";
        let columns = TableColumns {
            arch: "name".to_string(),
            params: Some("size".to_string()),
            ..columns("acc_v", Some("acc_t"), &["ms"])
        };
        let table = columns_table_from_csv(text, &columns, toy_id).unwrap();
        assert_eq!(table.len(), 2);
        let ab = &table.entries["ab"];
        let vals: Vec<f64> = ab.runs.iter().map(|r| r.val_accuracy).collect();
        assert_eq!(vals, [50.0, 75.0]);
        assert_eq!(table.query("ab", |_| 0).unwrap().test_accuracy, Some(37.5), "mean test over the runs");
        assert_eq!(ab.params, Some(100.0));
        assert_eq!(ab.extra["ms"], Value::from(3), "a whole number stays whole; the first row's cost");
        assert_eq!(table.entries["c"].runs[0].test_accuracy, Some(100.0));
        let answer = table.query("c", |_| 0).unwrap();
        assert_eq!(answer.extra["ms"], Value::from(2));
        // Percent stays percent as soon as one validation accuracy is above 1.
        let table = columns_table_from_csv("arch,v\na,50\nb,0.5\n", &TableColumns::new("v"), toy_id).unwrap();
        assert_eq!(table.entries["b"].runs[0].val_accuracy, 0.5);
        assert_eq!(table.entries["a"].runs[0].val_accuracy, 50.0);
    }

    #[test]
    fn jsonl_lines_are_read_by_field_whole_or_through_the_arch_column() {
        let text = "{\"arch\": \"ab\", \"v\": 0.5, \"lat\": 0.01}\n\n{\"arch\": \"b\", \"v\": 0.7, \"lat\": 0.02}\n\
                    {\"arch\": \"abb\", \"v\": 0.6, \"lat\": 0.03}\n";
        let table = columns_table_from_jsonl(text, &columns("v", None, &["lat"]), toy_id).unwrap();
        assert_eq!(table.len(), 2);
        assert_eq!(table.entries["ab"].runs.len(), 2);
        assert_eq!(table.entries["ab"].runs[1].val_accuracy, 60.0);
        assert_eq!(table.entries["ab"].runs[0].test_accuracy, None);
        assert_eq!(table.entries["b"].extra["lat"], Value::from(0.02), "JSON numbers kept as written");
        // Another arch column: its value is handed over as the record's "arch".
        let text = "{\"cell\": \"cd\", \"arch\": \"zz\", \"v\": 90}\n";
        let columns = TableColumns { arch: "cell".to_string(), ..TableColumns::new("v") };
        let table = columns_table_from_jsonl(text, &columns, toy_id).unwrap();
        assert_eq!(table.entries["cd"].runs[0].val_accuracy, 90.0);
        // Whole lines: the space sees every field, so "zz" is refused.
        let message = error(columns_table_from_jsonl(text, &TableColumns::new("v"), toy_id));
        assert!(message.starts_with("1 row names an architecture outside the space: line 1: 'zz'"), "{message}");
    }

    #[test]
    fn missing_columns_are_refused_with_the_columns_there_are() {
        let message = error(columns_table_from_csv("arch,val,ms\na,1,2\n", &columns("val", Some("test"), &[]), toy_id));
        assert_eq!(message, "line 1: no column 'test'; the columns are: arch, val, ms");
        let message = error(columns_table_from_csv("arch,val\na,1\n", &columns("val", None, &["ms"]), toy_id));
        assert_eq!(message, "line 1: no column 'ms'; the columns are: arch, val");
        let text = "{\"arch\": \"a\", \"v\": 1}\n{\"arch\": \"b\", \"w\": 1}\n";
        let message = error(columns_table_from_jsonl(text, &TableColumns::new("v"), toy_id));
        assert_eq!(message, "line 2: no field 'v'; the line has: arch, w");
    }

    #[test]
    fn empty_and_non_numeric_cells_name_line_and_column() {
        let text = "arch,val,ms\na,0.5,1\nb,,2\n";
        let message = error(columns_table_from_csv(text, &TableColumns::new("val"), toy_id));
        assert_eq!(message, "line 3: column 'val' is \"\", not a number");
        let text = "arch,val,ms\na,0.5,1\nb,0.5,1\n\nc,0.5,fast\n";
        let message = error(columns_table_from_csv(text, &columns("val", None, &["ms"]), toy_id));
        assert!(message.starts_with("line 5: column 'ms' is \"fast\""), "blank lines count: {message}");
        let message = error(columns_table_from_csv("arch,val\na,nan\n", &TableColumns::new("val"), toy_id));
        assert!(message.starts_with("line 2: column 'val'"), "{message}");
        let text = "{\"arch\": \"a\", \"v\": 1}\n{\"arch\": \"b\", \"v\": \"high\"}\n";
        let message = error(columns_table_from_jsonl(text, &TableColumns::new("v"), toy_id));
        assert_eq!(message, "line 2: field 'v' is \"high\", not a number");
        let message = error(columns_table_from_jsonl(
            "{\"arch\": \"a\", \"v\": 1}\n{\"arch\"\n",
            &TableColumns::new("v"),
            toy_id,
        ));
        assert!(message.starts_with("line 2: "), "{message}");
        let message = error(columns_table_from_csv("arch,val\n\na,1,2\n", &TableColumns::new("val"), toy_id));
        assert_eq!(message, "line 3: 3 fields, but the header has 2");
        // A quoted cell may hold a line break: the next row starts a line further down.
        let message = error(columns_table_from_csv("arch,val\n\"a\nb\",1\nc,x\n", &TableColumns::new("val"), toy_id));
        assert!(message.starts_with("line 4: column 'val'"), "{message}");
    }

    #[test]
    fn rows_outside_the_space_are_counted_with_their_lines_in_one_error() {
        let mut text = String::from("arch,val\na,1\n");
        for i in 0..12 {
            text.push_str(&format!("{},1\n", ["x", "b", "yy"][i % 3]));
        }
        // Rows 1, 3, 4, 6, 7, ... of the twelve are outside: lines 3, 5, 6, 8, 9, ...
        let message = error(columns_table_from_csv(&text, &TableColumns::new("val"), toy_id));
        assert_eq!(
            message,
            "8 rows name architectures outside the space, lines 3, 5, 6, 8, 9, 11, 12, 14; \
             line 3: 'x' is not made of the letters a-d"
        );
        text.push_str("zz,1\nzz,1\nzz,1\n");
        let message = error(columns_table_from_csv(&text, &TableColumns::new("val"), toy_id));
        assert!(
            message.starts_with(
                "11 rows name architectures outside the space, lines 3, 5, 6, 8, 9, 11, 12, 14, 15, 16, …; line 3: 'x'"
            ),
            "{message}"
        );
        // A bad number is damage, and stops first.
        text.push_str("a,?\n");
        let message = error(columns_table_from_csv(&text, &TableColumns::new("val"), toy_id));
        assert!(message.starts_with("line 18: column 'val'"), "{message}");
    }

    #[test]
    fn cost_columns_cannot_shadow_answer_fields() {
        assert!(columns("v", None, &["latency", "flops"]).check().is_ok());
        assert!(columns("v", None, &["params"]).check().unwrap_err().0.contains("parameter column"));
        assert!(columns("v", None, &["bench_run"]).check().unwrap_err().0.contains("'bench_run'"));
    }
}
