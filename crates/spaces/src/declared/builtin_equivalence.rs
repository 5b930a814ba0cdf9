//! The built-in spaces written as specs (`fixtures/spaces/`) must give what the built-in code
//! gives: counts, ids, classes, samples, mutations and graph views. The node-cell family's
//! NAS-Bench-101 checks sit with its rules ([`super::node_cell`]).

use serde_json::Map;

use super::chain::ChainSpace;
use super::edge_cell_space::EdgeCellSpace;
use super::spec::SpaceSpec;
use crate::SearchSpace;
use crate::nb201::Nb201;
use crate::proxyless::Proxyless;
use crate::rng::item_rng;

fn fixture(name: &str) -> SpaceSpec {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spaces").join(name);
    SpaceSpec::from_file(&path).unwrap()
}

#[test]
fn nas_bench_201_declared_is_the_built_in_space_cell_for_cell() {
    let declared = EdgeCellSpace::new(&fixture("nb201.toml"));
    let built_in = Nb201::new();
    assert_eq!(declared.size(), built_in.size());
    assert_eq!(declared.op_vocabulary(), built_in.op_vocabulary());
    assert_eq!((declared.max_nodes(), declared.max_edges()), (built_in.max_nodes(), built_in.max_edges()));
    let cells = declared.enumerate().unwrap();
    assert_eq!(cells.len(), 15_625);
    for (cell, expected) in cells.iter().zip(built_in.enumerate().unwrap()) {
        assert_eq!(declared.id(cell), built_in.id(expected));
        assert_eq!(declared.graph(cell), built_in.graph(expected), "{}", built_in.id(expected));
        let (mut ours, mut theirs) = (Map::new(), Map::new());
        declared.write_fields(cell, &mut ours);
        built_in.write_fields(expected, &mut theirs);
        for key in ["arch", "ops", "class_id"] {
            assert_eq!(ours[key], theirs[key], "{key} of {}", built_in.id(expected));
        }
        assert_eq!(declared.parse(&serde_json::Value::Object(ours)).unwrap(), *cell);
        let mut rng = (item_rng(5, 0), item_rng(5, 0));
        assert_eq!(
            declared.id(&declared.mutate(cell, &mut rng.0)),
            built_in.id(&built_in.mutate(expected, &mut rng.1))
        );
    }
    for method in ["uniform", "classes", "with-replacement"] {
        let ours = declared.sample_range(method, 3, 400, 0..400).unwrap();
        let theirs = built_in.sample_range(method, 3, 400, 0..400).unwrap();
        let ids = |space: &dyn Fn() -> Vec<String>| space();
        assert_eq!(
            ids(&|| ours.iter().map(|c| declared.id(c)).collect()),
            ids(&|| theirs.iter().map(|c| built_in.id(c)).collect()),
            "{method}"
        );
    }
}

#[test]
fn proxylessnas_declared_is_the_built_in_space() {
    let declared = ChainSpace::new(&fixture("proxyless.toml"));
    let built_in = Proxyless::new();
    assert_eq!(declared.size(), built_in.size());
    assert_eq!(declared.size().published_count, 664_506_689_423_701_824);
    assert_eq!(declared.op_vocabulary(), built_in.op_vocabulary());
    assert_eq!(declared.node_feature_names(), built_in.node_feature_names());
    let ours = declared.sample_range("uniform", 7, 500, 0..500).unwrap();
    let theirs = built_in.sample_range("uniform", 7, 500, 0..500).unwrap();
    for (arch, expected) in ours.iter().zip(&theirs) {
        assert_eq!(declared.id(arch), built_in.id(expected));
        assert_eq!(declared.graph(arch), built_in.graph(expected));
        let mut rng = (item_rng(2, 1), item_rng(2, 1));
        assert_eq!(
            declared.id(&declared.mutate(arch, &mut rng.0)),
            built_in.id(&built_in.mutate(expected, &mut rng.1))
        );
        // Lines of the built-in space read as the same architecture, and the text form and the
        // id read back.
        let mut fields = Map::new();
        built_in.write_fields(expected, &mut fields);
        assert_eq!(declared.parse(&serde_json::json!({ "ops": fields["ops"] })).unwrap(), *arch);
        let text = declared.text(arch);
        assert_eq!(declared.parse(&serde_json::json!({ "arch": text })).unwrap(), *arch);
        assert_eq!(declared.parse(&serde_json::json!({ "arch": declared.id(arch) })).unwrap(), *arch);
    }
}

#[test]
fn lines_of_another_spec_are_refused() {
    let declared = EdgeCellSpace::new(&fixture("nb201.toml"));
    let line = serde_json::json!({"arch": "000000", "space_digest": "0123456789abcdef"});
    let error = declared.parse(&line).unwrap_err();
    assert!(error.0.contains("another spec of 'nb201-declared'"), "{error}");
    let mut fields = Map::new();
    declared.write_fields(&declared.enumerate().unwrap()[42], &mut fields);
    assert_eq!(fields["space_digest"], declared.header().digest.as_str());
    assert!(declared.parse(&serde_json::Value::Object(fields)).is_ok());
}

#[test]
fn published_spaces_not_built_in_give_their_published_counts() {
    // TransNAS-Bench-101 micro: 4^6 cells.
    let transnas = EdgeCellSpace::new(&fixture("transnas-micro.toml"));
    assert_eq!(transnas.size().published_count, 4_096);
    assert_eq!(transnas.enumerate().unwrap().len(), 4_096);
    // Once-for-all's MobileNetV3 space: "about 2 × 10^19" distinct networks (Cai et al. 2020).
    let ofa = ChainSpace::new(&fixture("ofa-mobilenetv3.toml"));
    assert_eq!(ofa.size().unique_count, 7_371u128.pow(5));
    assert_eq!(ofa.size().published_count, (81u128 * 100).pow(5));
    let arch = &ofa.sample_range("uniform", 1, 1, 0..1).unwrap()[0];
    assert_eq!(ofa.graph(arch).node_count(), 20);
}

#[test]
fn nas_bench_201_with_class_ids_is_the_space_of_its_6466_classes() {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spaces/nb201.toml"),
    )
    .unwrap();
    let spec = SpaceSpec::from_toml(
        &text.replace("identity = \"skip_connect\"", "identity = \"skip_connect\"\nids = \"classes\""),
    )
    .unwrap();
    let declared = EdgeCellSpace::new(&spec);
    let built_in = Nb201::new();
    assert_eq!(declared.size().unique_count, 6_466);
    assert_eq!(declared.size().published_count, 6_466);
    let members = declared.enumerate().unwrap();
    assert_eq!(members.len(), 6_466);
    let ids: std::collections::HashSet<String> = members.iter().map(|c| declared.id(c)).collect();
    assert_eq!(ids.len(), 6_466);
    // Every one of the 15,625 cells reads as its class: the id is the built-in class_id.
    for cell in built_in.enumerate().unwrap() {
        let mut fields = Map::new();
        built_in.write_fields(cell, &mut fields);
        let read = declared.parse(&serde_json::json!({ "arch": fields["arch"] })).unwrap();
        assert_eq!(declared.id(&read), fields["class_id"].as_str().unwrap());
    }
    let mut rng = item_rng(4, 0);
    for cell in declared.sample_range("uniform", 1, 200, 0..200).unwrap() {
        assert!(ids.contains(&declared.id(&cell)));
        let child = declared.mutate(&cell, &mut rng);
        assert_ne!(declared.id(&child), declared.id(&cell));
        assert!(ids.contains(&declared.id(&child)));
    }
    // Too large a space cannot name classes by their smallest cell.
    let large = text
        .replace("nodes = 4", "nodes = 6")
        .replace("identity = \"skip_connect\"", "identity = \"skip_connect\"\nids = \"classes\"");
    assert!(SpaceSpec::from_toml(&large).unwrap_err().0.contains("'edge-cell.ids'"));
}
