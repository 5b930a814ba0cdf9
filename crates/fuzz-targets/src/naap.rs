//! NAAP-440's two files, read as `naap-lines` reads them ([`np_naap440::load`]'s readers).
//!
//! Both readers insist on the published 440 models, which no fuzz input of a few kilobytes
//! holds; every row and scheme before that count is checked is still read in full. The scheme
//! target also reads each item of any JSON list as a scheme, so the per-scheme rules are
//! reached by short inputs too, and uses each valid scheme as the space does.

use np_naap440::schemes::read_schemes;
use np_naap440::table::read_table;
use np_spaces::SearchSpace;
use np_spaces::naap::Naap;
use np_spaces::naap::json::{scheme_from_json, scheme_to_json};
use serde_json::Value;

/// The `naap_csv` target.
pub fn naap_csv(data: &[u8]) {
    let _ = read_table(data, "naap440.csv");
}

/// The `naap_schemes` target.
pub fn naap_schemes(data: &[u8]) {
    let _ = read_schemes(data, "generated_schemes.json");
    let Ok(Value::Array(items)) = serde_json::from_slice::<Value>(data) else { return };
    let space = Naap::new();
    for item in &items {
        let Ok(scheme) = scheme_from_json(item) else { continue };
        let again = scheme_from_json(&scheme_to_json(&scheme)).expect("a valid scheme's own text reads back");
        assert_eq!(again, scheme, "a scheme changed on its way through its text");
        scheme.parameter_count();
        scheme.compact_text();
        space.graph(&scheme);
        space.field_texts(&scheme);
        assert!(!space.id(&scheme).is_empty(), "a scheme has an id");
    }
}
