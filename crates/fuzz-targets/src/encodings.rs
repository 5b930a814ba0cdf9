//! The encoded fields predictors read: `graph` (GCN) and `flat` with named numeric features
//! (trees).
//!
//! `gcn-score` reads a line's `graph` text with one of two readers: the compact-layout bit
//! reader ([`GraphBits`]) for the native backend, the general one ([`GraphEncoding::from_json`],
//! itself a fast path in front of serde) otherwise; a line without `graph` is encoded on the
//! fly from its architecture fields. `gcn-train` reads the whole line as a value. All of them
//! must agree wherever more than one answers. Tree scoring reads only the fields its features
//! name ([`FeatureSet::reads_key`]); `gbt-train` resolves `PREFIX.*` features on the first line.

use np_encoding::{GraphBits, GraphEncoding};
use np_io::NumericField;
use np_io::records::RawLine;
use np_predictor::{SpaceSignature, encode_architecture_fields, graph_sample_from_bits, graph_sample_with_features};
use np_spaces::{RawFields, SPACE_NAMES, line_object_with_fields};
use np_trees::{FeatureRequest, FeatureSet};
use serde_json::Value;

use crate::record_lines_of;

/// The `graph_field` target.
pub fn graph_field(data: &[u8]) {
    let spaces: Vec<SpaceSignature> =
        SPACE_NAMES.iter().map(|name| SpaceSignature::named(name).expect("a known space")).collect();
    for line in record_lines_of(data) {
        let whole = serde_json::from_str::<Value>(&line.text).ok();
        let Ok(fields) = RawFields::parse(&line.text) else { continue };
        match fields.get("graph").filter(|&text| text != "null") {
            Some(text) => check_graph_text(text, whole.as_ref(), &spaces),
            None => check_plain_line(&fields, &spaces),
        }
    }
}

/// Every reader of a `graph` text gives the same graph, or refuses it.
fn check_graph_text(text: &str, whole: Option<&Value>, spaces: &[SpaceSignature]) {
    let general = GraphEncoding::from_json(text);
    let serde = serde_json::from_str::<GraphEncoding>(text);
    match (&general, &serde) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "the compact reader and serde disagree on {text:?}"),
        (Err(_), Err(_)) => {}
        _ => panic!("only one of the compact reader and serde reads {text:?}"),
    }
    // gcn-train's reading, through the whole line's value.
    if let (Ok(general), Some(graph)) = (&general, whole.and_then(|w| w.get("graph")))
        && let Ok(from_value) = serde_json::from_value::<GraphEncoding>(graph.clone())
    {
        assert_eq!(general, &from_value, "the line's value reads another graph from {text:?}");
    }
    for space in spaces {
        let shape = &space.shape;
        let fits = general.as_ref().ok().filter(|graph| graph.check_shape(shape).is_ok());
        if let Some(graph) = fits {
            graph_sample_with_features(graph, &[0.5]);
        }
        if let Some(bits) = GraphBits::from_compact_json(text, shape) {
            let graph =
                fits.unwrap_or_else(|| panic!("{}: bits read from a graph that does not fit: {text:?}", space.name));
            assert_eq!(
                graph_sample_from_bits(&bits, &[0.5]),
                graph_sample_with_features(graph, &[0.5]),
                "{}: the bit reader's sample differs for {text:?}",
                space.name
            );
        }
    }
}

/// A line without `graph` is encoded from its architecture, which fits its space and survives
/// its own text.
fn check_plain_line(fields: &RawFields, spaces: &[SpaceSignature]) {
    for space in spaces {
        let Ok(graph) = encode_architecture_fields(&space.name, fields) else { continue };
        if let Err(e) = graph.check_shape(&space.shape) {
            panic!("{}: an encoded architecture does not fit its space ({e})", space.name);
        }
        let text = graph.to_json();
        assert_eq!(GraphEncoding::from_json(&text).ok().as_ref(), Some(&graph), "{}: {text}", space.name);
    }
}

/// Named features as tree files and `gbt-train` use them (dotted paths included).
const FEATURES: [&str; 3] = ["params", "proxies.snip", "runs.0.x"];

/// The `flat_field` target.
pub fn flat_field(data: &[u8]) {
    let names = || FEATURES.iter().map(|name| name.to_string()).collect::<Vec<_>>();
    let mut sets = vec![FeatureSet::new(names(), None, None)];
    for name in SPACE_NAMES {
        let signature = SpaceSignature::named(name).expect("a known space");
        sets.push(FeatureSet::new(names(), Some(signature.shape.flat_len()), Some(name.to_string())));
    }
    let lines = record_lines_of(data);
    let mut records = Vec::new();
    for line in &lines {
        let whole = line.parse_object().ok().map(|record| Value::Object(record.fields));
        for set in &sets {
            scores_from_a_few_fields(set, line, whole.as_ref());
        }
        if let Some(whole) = whole {
            for field in ["pred", "val_accuracy", "proxies.snip"] {
                let _ = NumericField::new(field).number(&whole, line.number);
            }
            records.push((line.number, whole));
        }
    }
    // gbt-train: the features are resolved on the first line, then read from every line.
    let Some((first_number, first)) = records.first() else { return };
    for flat in [false, true] {
        let request = FeatureRequest { patterns: vec!["proxies.*".into(), "params".into()], flat };
        let Ok(set) = request.resolve(first, *first_number) else { continue };
        for (number, record) in &records {
            if let Ok(values) = set.values(record, *number) {
                assert_eq!(values.len(), set.len(), "one value per feature");
            }
        }
    }
}

/// Tree scoring parses only the fields the features read; the values are the whole line's.
fn scores_from_a_few_fields(set: &FeatureSet, line: &RawLine, whole: Option<&Value>) {
    let keep = |key: &str| set.reads_key(key) || key == "pred" || key == "p_good";
    let Ok(record) = line_object_with_fields(line, keep) else { return };
    let values = set.values(&record, line.number).ok();
    if let Some(values) = &values {
        assert_eq!(values.len(), set.len(), "one value per feature");
    }
    if let Some(whole) = whole {
        let from_whole = set.values(whole, line.number).ok();
        assert_eq!(values, from_whole, "a few fields and the whole line give other features: {:?}", line.text);
    }
}
