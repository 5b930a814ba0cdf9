//! Reading a numeric field of a record by name, as every tool that ranks or compares does.

use serde_json::Value;

use crate::ToolError;
use crate::records::json_kind;

/// A numeric field of the input lines: a top-level name, or else a dotted path (`runs.0.x`).
#[derive(Debug, Clone)]
pub struct NumericField {
    name: String,
    /// The dotted path as a JSON pointer (RFC 6901): `runs.0.x` is `/runs/0/x`.
    pointer: String,
}

impl NumericField {
    pub fn new(name: &str) -> Self {
        let pointer = name.split('.').map(|part| format!("/{}", part.replace('~', "~0").replace('/', "~1"))).collect();
        NumericField { name: name.to_string(), pointer }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether [`NumericField::number`] may read the record's top-level field `key`: the
    /// field's whole name, or the first part of its dotted path. A record holding only such
    /// fields gives the same number as the whole record.
    pub fn reads_key(&self, key: &str) -> bool {
        key == self.name || self.name.split('.').next() == Some(key)
    }

    /// The field's value in `record`, whatever it is: a top-level key of the whole name first,
    /// else the dotted path.
    pub fn value<'a>(&self, record: &'a Value) -> Option<&'a Value> {
        record.get(&self.name).or_else(|| record.pointer(&self.pointer))
    }

    /// The field's finite value in `record`; a missing, non-numeric or non-finite value is a bad
    /// input line.
    pub fn number(&self, record: &Value, line: u64) -> Result<f64, ToolError> {
        let bad = |message: String| ToolError::bad_line(line, format!("field '{}' {message}", self.name));
        match self.value(record) {
            None => Err(bad("is missing".into())),
            Some(Value::Number(number)) => match number.as_f64() {
                Some(x) if x.is_finite() => Ok(x),
                _ => Err(bad(format!("is {number}, not a finite number"))),
            },
            Some(other) => Err(bad(format!("is {}, expected a number", json_kind(other)))),
        }
    }
}

/// A comparison operator of a `--where` condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparison {
    GreaterOrEqual,
    LessOrEqual,
    Greater,
    Less,
    Equal,
    NotEqual,
}

/// One `FIELD OP NUMBER` condition, e.g. `p_good>=0.5`.
#[derive(Debug, Clone)]
pub struct Condition {
    pub field: NumericField,
    pub comparison: Comparison,
    pub value: f64,
}

impl Condition {
    /// Parses comma-separated conditions, all of which must hold: `p_good>=0.5,params<3e6`.
    /// Operators: `>=`, `<=`, `>`, `<`, `==`, `!=`.
    pub fn parse_all(text: &str) -> Result<Vec<Condition>, String> {
        text.split(',').map(str::trim).filter(|part| !part.is_empty()).map(Condition::parse).collect()
    }

    fn parse(text: &str) -> Result<Condition, String> {
        const OPERATORS: [(&str, Comparison); 6] = [
            (">=", Comparison::GreaterOrEqual),
            ("<=", Comparison::LessOrEqual),
            ("==", Comparison::Equal),
            ("!=", Comparison::NotEqual),
            (">", Comparison::Greater),
            ("<", Comparison::Less),
        ];
        for (symbol, comparison) in OPERATORS {
            if let Some((field, value)) = text.split_once(symbol) {
                let field = field.trim();
                let value: f64 = value
                    .trim()
                    .parse()
                    .map_err(|_| format!("condition '{text}': '{}' is not a number", value.trim()))?;
                if field.is_empty() || field.contains(['<', '>', '=', '!']) {
                    return Err(format!("condition '{text}' needs FIELD OP NUMBER with one of >=, <=, >, <, ==, !="));
                }
                return Ok(Condition { field: NumericField::new(field), comparison, value });
            }
        }
        Err(format!("condition '{text}' needs one of >=, <=, >, <, ==, != (e.g. p_good>=0.5)"))
    }

    /// Whether the record satisfies the condition; a missing or non-numeric field is a bad line.
    pub fn holds(&self, record: &Value, line: u64) -> Result<bool, ToolError> {
        let x = self.field.number(record, line)?;
        Ok(match self.comparison {
            Comparison::GreaterOrEqual => x >= self.value,
            Comparison::LessOrEqual => x <= self.value,
            Comparison::Greater => x > self.value,
            Comparison::Less => x < self.value,
            Comparison::Equal => x == self.value,
            Comparison::NotEqual => x != self.value,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse_and_hold() {
        let conditions = Condition::parse_all("p_good>=0.5, params < 3e6").unwrap();
        assert_eq!(conditions.len(), 2);
        let record = serde_json::json!({"p_good": 0.5, "params": 2.5e6});
        assert!(conditions.iter().all(|c| c.holds(&record, 1).unwrap()));
        assert!(!Condition::parse_all("p_good>0.5").unwrap()[0].holds(&record, 1).unwrap());
        assert!(Condition::parse_all("p_good~0.5").is_err());
        assert!(Condition::parse_all("p_good>=high").is_err());
        assert!(Condition::parse_all("p_good=>1").is_err());
        let error = conditions[0].holds(&serde_json::json!({}), 7).unwrap_err();
        assert_eq!(error.to_string(), "line 7: field 'p_good' is missing");
    }

    #[test]
    fn dotted_paths_reach_nested_numbers() {
        let record = serde_json::json!({"runs": [{"x": 2.0}]});
        assert_eq!(NumericField::new("runs.0.x").number(&record, 1).unwrap(), 2.0);
    }
}
