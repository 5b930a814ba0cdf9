//! The feature vector of a line: named numeric fields, then (optionally) the `flat` encoding.
//!
//! Training and scoring call the same [`FeatureSet::values`], so a line means the same vector
//! to both. What the user asks for ([`FeatureRequest`]: `proxies.synflow,params_m`,
//! `proxies.*`, `--flat`) is resolved once, on the first training line, into a fixed
//! [`FeatureSet`] that the predictor file stores.

use np_io::{NumericField, ToolError};
use serde_json::Value;

/// The `--features` patterns and `--flat` as given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeatureRequest {
    /// Field names or dotted paths (`params_m`, `proxies.snip`), or `PREFIX.*` for every
    /// numeric member of the object at `PREFIX`, in name order.
    pub patterns: Vec<String>,
    /// Append the `flat` vector of `arch-encode --format flat`.
    pub flat: bool,
}

/// The resolved features, in input-vector order: `fields`, then `flat_length` numbers of `flat`.
#[derive(Debug, Clone)]
pub struct FeatureSet {
    fields: Vec<NumericField>,
    /// Length of the appended `flat` vector; `None` when it is not used.
    pub flat_length: Option<usize>,
    /// The search space of the `flat` encoding (the lines' `space` field), when `flat` is used
    /// and the lines name one: positions in `flat` mean different things in different spaces.
    pub space: Option<String>,
}

/// The field holding the flat encoding.
pub const FLAT_FIELD: &str = "flat";

impl FeatureRequest {
    /// Resolves the patterns against `first` (the first training line, number `line`).
    ///
    /// A `PREFIX.*` pattern becomes `PREFIX.name` for each numeric member of the object at
    /// `PREFIX`, sorted by name; a plain name stays as it is. Errors: no features at all, a
    /// feature named twice, a `PREFIX.*` that is not an object or has no numeric member, and
    /// a member whose name contains a dot (a dotted path could not address it).
    pub fn resolve(&self, first: &Value, line: u64) -> Result<FeatureSet, ToolError> {
        if self.patterns.is_empty() && !self.flat {
            return Err(ToolError::usage("no features: give --features NAME,... and/or --flat"));
        }
        let mut names: Vec<String> = Vec::new();
        for pattern in &self.patterns {
            let pattern = pattern.trim();
            if pattern.is_empty() {
                continue;
            }
            match pattern.strip_suffix(".*") {
                Some(prefix) => names.extend(numeric_members(first, prefix, line)?),
                None => names.push(pattern.to_string()),
            }
        }
        let mut sorted = names.clone();
        sorted.sort();
        if let Some(pair) = sorted.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(ToolError::usage(format!("feature '{}' is given twice", pair[0])));
        }
        if names.iter().any(|name| name == FLAT_FIELD) {
            return Err(ToolError::usage("use --flat to append the flat encoding, not --features flat"));
        }
        let (flat_length, space) = if self.flat {
            let length = flat_vector(first, None, line)?.len();
            (Some(length), first.get("space").and_then(Value::as_str).map(str::to_string))
        } else {
            (None, None)
        };
        let set = FeatureSet::new(names, flat_length, space);
        set.values(first, line)?;
        Ok(set)
    }
}

/// `prefix.name` for each numeric member of the object at `prefix`, sorted by name.
fn numeric_members(record: &Value, prefix: &str, line: u64) -> Result<Vec<String>, ToolError> {
    let pattern = format!("{prefix}.*");
    let bad = |message: String| ToolError::bad_line(line, format!("features '{pattern}': {message}"));
    let pointer: String =
        prefix.split('.').map(|part| format!("/{}", part.replace('~', "~0").replace('/', "~1"))).collect();
    let object = match record.get(prefix).or_else(|| record.pointer(&pointer)) {
        Some(Value::Object(object)) => object,
        Some(_) => return Err(bad(format!("field '{prefix}' is not an object"))),
        None => return Err(bad(format!("field '{prefix}' is missing"))),
    };
    let mut members: Vec<&String> =
        object.iter().filter(|(_, value)| value.is_number()).map(|(name, _)| name).collect();
    members.sort();
    if members.is_empty() {
        return Err(bad(format!("field '{prefix}' has no numeric member")));
    }
    if let Some(name) = members.iter().find(|name| name.contains('.')) {
        return Err(bad(format!("member '{name}' has a dot in its name, which a dotted path cannot address")));
    }
    Ok(members.into_iter().map(|name| format!("{prefix}.{name}")).collect())
}

/// The numbers of `record`'s `flat` field, checked against `expected` length when given.
fn flat_vector(record: &Value, expected: Option<usize>, line: u64) -> Result<&[Value], ToolError> {
    let bad = |message: String| ToolError::bad_line(line, format!("field '{FLAT_FIELD}' {message}"));
    let items = match record.get(FLAT_FIELD) {
        Some(Value::Array(items)) => items,
        Some(_) => return Err(bad("is not an array of numbers".into())),
        None => return Err(bad("is missing (encode the lines with arch-encode --format flat)".into())),
    };
    if let Some(expected) = expected
        && items.len() != expected
    {
        return Err(bad(format!("has {} numbers, the predictor expects {expected}", items.len())));
    }
    if let Some(position) = items.iter().position(|item| !item.as_f64().is_some_and(f64::is_finite)) {
        return Err(bad(format!("item {position} is {}, expected a finite number", items[position])));
    }
    Ok(items)
}

impl FeatureSet {
    /// Features `names` (plain names or dotted paths, in order), then `flat_length` numbers of
    /// the `flat` field when given, from lines of `space` when given.
    pub fn new(names: Vec<String>, flat_length: Option<usize>, space: Option<String>) -> Self {
        FeatureSet { fields: names.iter().map(|name| NumericField::new(name)).collect(), flat_length, space }
    }

    /// The field names, in order (without the flat encoding).
    pub fn names(&self) -> Vec<String> {
        self.fields.iter().map(|field| field.name().to_string()).collect()
    }

    /// Whether [`FeatureSet::values`] may read the record's top-level field `key`; a record of
    /// only those fields gives the same values as the whole line, without parsing the rest.
    pub fn reads_key(&self, key: &str) -> bool {
        self.fields.iter().any(|field| field.reads_key(key))
            || (self.flat_length.is_some() && (key == "flat" || key == "space"))
    }

    /// The length of the feature vector.
    pub fn len(&self) -> usize {
        self.fields.len() + self.flat_length.unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The name of feature `index`: a field name, or `flat[i]`.
    pub fn feature_name(&self, index: usize) -> String {
        match self.fields.get(index) {
            Some(field) => field.name().to_string(),
            None => format!("{FLAT_FIELD}[{}]", index - self.fields.len()),
        }
    }

    /// The feature vector of `record` (input line `line`). A missing or non-numeric feature,
    /// a `flat` of another length, or a line of another space than the flat encoding's is a
    /// bad line naming the feature.
    pub fn values(&self, record: &Value, line: u64) -> Result<Vec<f64>, ToolError> {
        self.vector(record, line, false)
    }

    /// [`FeatureSet::values`], except that a named field that is absent or `null` gives NaN,
    /// a missing value to the trees, instead of an error. For sources that leave a field empty
    /// on some cells (the benchmarks of [`crate::held_out`]); the tools refuse such lines.
    pub fn values_or_nan(&self, record: &Value, line: u64) -> Result<Vec<f64>, ToolError> {
        self.vector(record, line, true)
    }

    fn vector(&self, record: &Value, line: u64, missing_as_nan: bool) -> Result<Vec<f64>, ToolError> {
        let mut values = Vec::with_capacity(self.len());
        for field in &self.fields {
            let missing = missing_as_nan && field.value(record).is_none_or(Value::is_null);
            values.push(if missing { f64::NAN } else { field.number(record, line)? });
        }
        if let Some(length) = self.flat_length {
            if let (Some(space), Some(line_space)) = (&self.space, record.get("space").and_then(Value::as_str))
                && space != line_space
            {
                return Err(ToolError::bad_line(
                    line,
                    format!("space '{line_space}' but the predictor's flat encoding is of space '{space}'"),
                ));
            }
            let items = flat_vector(record, Some(length), line)?;
            values.extend(items.iter().map(|item| item.as_f64().expect("checked by flat_vector")));
        }
        Ok(values)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(patterns: &[&str], flat: bool) -> FeatureRequest {
        FeatureRequest { patterns: patterns.iter().map(|p| p.to_string()).collect(), flat }
    }

    #[test]
    fn a_star_expands_to_the_numeric_members_sorted_by_name() {
        let line = json!({"proxies": {"snip": 2.0, "grasp": -1.5, "note": "x", "synflow": 3}, "params_m": 1.25});
        let set = request(&["params_m", "proxies.*"], false).resolve(&line, 1).unwrap();
        assert_eq!(set.names(), ["params_m", "proxies.grasp", "proxies.snip", "proxies.synflow"]);
        assert_eq!(set.values(&line, 1).unwrap(), [1.25, -1.5, 2.0, 3.0]);
    }

    #[test]
    fn absent_or_null_fields_are_nan_only_when_asked() {
        let set = request(&["a", "b.c"], false).resolve(&json!({"a": 1, "b": {"c": 2}}), 1).unwrap();
        for line in [json!({"a": 1}), json!({"a": 1, "b": {"c": null}})] {
            assert!(set.values(&line, 3).unwrap_err().to_string().contains("field 'b.c'"));
            let values = set.values_or_nan(&line, 3).unwrap();
            assert_eq!(values[0], 1.0);
            assert!(values[1].is_nan());
        }
        let text = json!({"a": 1, "b": {"c": "x"}});
        assert!(set.values_or_nan(&text, 3).is_err(), "a value that is there must be a number");
    }

    #[test]
    fn the_flat_encoding_is_appended_and_checked() {
        let line = json!({"space": "nb101", "a": 1, "flat": [0, 1, 0.5]});
        let set = request(&["a"], true).resolve(&line, 1).unwrap();
        assert_eq!((set.len(), set.flat_length, set.space.as_deref()), (4, Some(3), Some("nb101")));
        assert_eq!(set.values(&line, 1).unwrap(), [1.0, 0.0, 1.0, 0.5]);
        assert_eq!(set.feature_name(2), "flat[1]");
        let short = json!({"a": 1, "flat": [0, 1]});
        let error = set.values(&short, 7).unwrap_err().to_string();
        assert_eq!(error, "line 7: field 'flat' has 2 numbers, the predictor expects 3");
        let other = json!({"space": "nbgraph", "a": 1, "flat": [0, 1, 0]});
        assert!(set.values(&other, 2).unwrap_err().to_string().contains("space 'nbgraph'"));
        let text = json!({"a": 1, "flat": [0, "1", 0]});
        assert!(set.values(&text, 3).unwrap_err().to_string().contains("item 1 is \"1\""));
    }

    #[test]
    fn the_fields_it_reads_give_the_values_of_the_whole_line() {
        let line = json!({
            "space": "nb101", "graph": {"nodes": 7}, "proxies": {"snip": 2.0}, "a.b": 4, "a": {"b": 5},
            "runs": [{"x": 1.5}], "flat": [0, 1], "other": "text"
        });
        for (names, flat) in [(&["proxies.snip", "a.b", "runs.0.x"][..], false), (&["a.b"][..], true)] {
            let set = FeatureSet::new(names.iter().map(|n| n.to_string()).collect(), flat.then_some(2), None);
            let kept: serde_json::Map<String, Value> = line
                .as_object()
                .unwrap()
                .iter()
                .filter(|(k, _)| set.reads_key(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            assert!(!kept.contains_key("graph") && !kept.contains_key("other"), "{kept:?}");
            assert_eq!(set.values(&Value::Object(kept), 1).unwrap(), set.values(&line, 1).unwrap());
        }
    }

    #[test]
    fn missing_and_non_numeric_features_name_the_line_and_the_feature() {
        let set = FeatureSet::new(vec!["proxies.snip".into()], None, None);
        let error = set.values(&json!({"proxies": {}}), 12).unwrap_err();
        assert_eq!(error.to_string(), "line 12: field 'proxies.snip' is missing");
        assert_eq!(error.exit_code(), 2);
        let error = set.values(&json!({"proxies": {"snip": "high"}}), 3).unwrap_err();
        assert_eq!(error.to_string(), "line 3: field 'proxies.snip' is a string, expected a number");
    }

    #[test]
    fn bad_requests_are_refused() {
        let line = json!({"a": 1, "proxies": 5, "empty": {"x": "y"}});
        assert!(request(&[], false).resolve(&line, 1).is_err());
        assert!(request(&["a", "a"], false).resolve(&line, 1).unwrap_err().to_string().contains("twice"));
        assert!(request(&["proxies.*"], false).resolve(&line, 1).unwrap_err().to_string().contains("not an object"));
        assert!(request(&["empty.*"], false).resolve(&line, 1).unwrap_err().to_string().contains("no numeric"));
        assert!(request(&["b"], false).resolve(&line, 4).unwrap_err().to_string().contains("line 4: field 'b'"));
    }
}
