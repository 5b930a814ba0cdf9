//! Properties every declared space must have, checked on small spaces of each family: sampling
//! is uniform (a χ² test), every enumerated or sampled architecture's text form and id read
//! back to it, and mutation always changes the network. (Ids invariant under relabelling of a
//! node cell's interior vertices are checked with its rules, [`super::node_cell`].)

use std::collections::HashMap;

use serde_json::json;

use super::chain::ChainSpace;
use super::edge_cell_space::EdgeCellSpace;
use super::node_cell_space::NodeCellSpace;
use super::spec::SpaceSpec;
use crate::SearchSpace;
use crate::rng::item_rng;

fn spec(text: &str) -> SpaceSpec {
    SpaceSpec::from_toml(text).unwrap()
}

const EDGE_CELL: &str = r#"
name = "small-edge"
family = "edge-cell"
[edge-cell]
nodes = 3
ops = ["none", "skip", "conv"]
cut = "none"
identity = "skip"
"#;

const NODE_CELL: &str = r#"
name = "small-node"
family = "node-cell"
[node-cell]
max_vertices = 4
ops = ["a", "b"]
"#;

const CHAIN: &str = r#"
name = "small-chain"
family = "chain"
[chain]
stem = ["s1", "s2"]
[[chain.stages]]
blocks = 3
choices = ["x", "y"]
skip = "all-but-first"
"#;

/// Pearson's χ² of `counts` against `expected` probabilities, and its degrees of freedom.
fn chi_squared<K: std::hash::Hash + Eq>(
    counts: &HashMap<K, usize>,
    expected: &HashMap<K, f64>,
    draws: usize,
) -> (f64, usize) {
    assert!(counts.keys().all(|key| expected.contains_key(key)), "a draw outside the space");
    let statistic = expected
        .iter()
        .map(|(key, p)| {
            let e = p * draws as f64;
            let observed = counts.get(key).copied().unwrap_or(0) as f64;
            (observed - e).powi(2) / e
        })
        .sum();
    (statistic, expected.len() - 1)
}

/// The χ² bound no uniform sampler should pass: about the 99.99th percentile for these degrees
/// of freedom (mean df, standard deviation √(2 df); 4 standard deviations plus a margin for
/// few degrees of freedom).
fn bound(df: usize) -> f64 {
    df as f64 + 4.0 * (2.0 * df as f64).sqrt() + 10.0
}

/// The first draw of the `uniform` sampler (a seeded shuffle of the enumeration) under `draws`
/// seeds is uniform over the space.
fn assert_first_draws_uniform<S: SearchSpace>(space: &S, expected: &HashMap<String, f64>, draws: usize) {
    let mut firsts = HashMap::new();
    for seed in 0..draws as u64 {
        let first = &space.sample_range("uniform", seed, 1, 0..1).unwrap()[0];
        *firsts.entry(space.id(first)).or_insert(0) += 1;
    }
    let (statistic, df) = chi_squared(&firsts, expected, draws);
    assert!(statistic < bound(df), "uniform: χ² {statistic:.1} with {df} degrees of freedom");
}

#[test]
fn edge_cells_sample_uniformly_and_read_back() {
    let space = EdgeCellSpace::new(&spec(EDGE_CELL));
    let cells = space.enumerate().unwrap();
    assert_eq!(cells.len(), 27);
    let draws = 27_000;
    let mut counts = HashMap::new();
    for arch in space.sample_range("with-replacement", 5, draws as u64, 0..draws as u64).unwrap() {
        *counts.entry(space.id(&arch)).or_insert(0) += 1;
    }
    let expected: HashMap<String, f64> = cells.iter().map(|c| (space.id(c), 1.0 / 27.0)).collect();
    let (statistic, df) = chi_squared(&counts, &expected, draws);
    assert!(statistic < bound(df), "χ² {statistic:.1} with {df} degrees of freedom");
    // The first draw of `uniform` (a shuffle of the enumeration) over many seeds, too.
    assert_first_draws_uniform(&space, &expected, draws);
    for cell in cells {
        let mut fields = serde_json::Map::new();
        space.write_fields(cell, &mut fields);
        assert_eq!(space.parse(&json!({ "arch": fields["arch"] })).unwrap(), *cell);
        assert_eq!(space.parse(&json!({ "arch": space.id(cell) })).unwrap(), *cell);
        assert_eq!(space.parse(&json!({ "ops": fields["ops"] })).unwrap(), *cell);
        let mut rng = item_rng(3, 0);
        assert_ne!(space.mutate(cell, &mut rng), *cell);
    }
}

#[test]
fn node_cells_sample_uniformly_and_read_back() {
    let space = NodeCellSpace::new(&spec(NODE_CELL));
    let cells = space.enumerate().unwrap().to_vec();
    let draws = 200 * cells.len();
    let expected: HashMap<String, f64> = cells.iter().map(|c| (space.id(c), 1.0 / cells.len() as f64)).collect();
    assert_eq!(expected.len(), cells.len(), "ids are distinct");
    let mut counts = HashMap::new();
    let mut rng = item_rng(8, 0);
    for _ in 0..draws {
        *counts.entry(space.id(&space.sample(&mut rng))).or_insert(0) += 1;
    }
    let (statistic, df) = chi_squared(&counts, &expected, draws);
    assert!(statistic < bound(df), "χ² {statistic:.1} with {df} degrees of freedom");
    assert_first_draws_uniform(&space, &expected, draws);
    for cell in &cells {
        let mut fields = serde_json::Map::new();
        space.write_fields(cell, &mut fields);
        assert_eq!(space.parse(&json!({ "arch": fields["arch"] })).unwrap(), *cell);
        assert_eq!(space.parse(&json!({ "arch": space.id(cell) })).unwrap(), *cell);
        let matrix = json!({ "adjacency": fields["adjacency"], "ops": fields["ops"] });
        assert_eq!(space.parse(&matrix).unwrap(), *cell);
    }
}

#[test]
fn chains_sample_choice_sequences_uniformly_and_read_back() {
    let space = ChainSpace::new(&spec(CHAIN));
    assert_eq!(space.size().published_count, 2 * 2 * 3 * 3);
    // Canonical forms: per stage, the first block, then 0-2 blocks: 2 · (1 + 2 + 4).
    assert_eq!(space.size().unique_count, 2 * 2 * 7);
    // Each choice sequence is equally likely, so a network's probability is the share of the
    // 36 sequences that move to it.
    let stem = ["s1", "s2"];
    let block = ["x", "y"];
    let tail = ["x", "y", "skip"];
    let mut expected: HashMap<String, f64> = HashMap::new();
    for s in stem {
        for b0 in block {
            for b1 in tail {
                for b2 in tail {
                    let arch = space.parse(&json!({ "ops": [s, b0, b1, b2] })).unwrap();
                    *expected.entry(space.id(&arch)).or_insert(0.0) += 1.0 / 36.0;
                }
            }
        }
    }
    assert_eq!(expected.len(), 28);
    let draws = 36_000;
    let mut counts = HashMap::new();
    for arch in space.sample_range("uniform", 9, draws as u64, 0..draws as u64).unwrap() {
        *counts.entry(space.id(&arch)).or_insert(0) += 1;
        let text = space.text(&arch);
        assert_eq!(space.parse(&json!({ "arch": text })).unwrap(), arch);
        assert_eq!(space.parse(&json!({ "arch": space.id(&arch) })).unwrap(), arch);
    }
    let (statistic, df) = chi_squared(&counts, &expected, draws);
    assert!(statistic < bound(df), "χ² {statistic:.1} with {df} degrees of freedom");
    // Skips sit at the end of their stage, wherever they were given.
    let moved = space.parse(&json!({ "ops": ["s1", "x", "skip", "y"] })).unwrap();
    assert_eq!(space.text(&moved), "s1+x|y|skip");
    let mut rng = item_rng(1, 1);
    for arch in space.sample_range("uniform", 2, 100, 0..100).unwrap() {
        assert_ne!(space.mutate(&arch, &mut rng), arch);
    }
}

#[test]
fn a_sampler_biased_by_one_draw_in_ten_fails_the_test() {
    // The test can fail: a sampler that favours one cell by 10% is caught.
    let space = EdgeCellSpace::new(&spec(EDGE_CELL));
    let cells = space.enumerate().unwrap();
    let expected: HashMap<String, f64> = cells.iter().map(|c| (space.id(c), 1.0 / 27.0)).collect();
    let draws = 27_000;
    let mut counts = HashMap::new();
    for (i, arch) in
        space.sample_range("with-replacement", 5, draws as u64, 0..draws as u64).unwrap().iter().enumerate()
    {
        let id = if i % 10 == 0 { space.id(&cells[0]) } else { space.id(arch) };
        *counts.entry(id).or_insert(0) += 1;
    }
    let (statistic, df) = chi_squared(&counts, &expected, draws);
    assert!(statistic > bound(df), "χ² {statistic:.1} with {df} degrees of freedom");
}

#[test]
fn a_stage_may_keep_its_first_blocks() {
    // Once-for-all's depth: 4 blocks, of which the first 2 always stay (depth 2, 3 or 4).
    let text = r#"
name = "ofa-like"
family = "chain"
[[chain.stages]]
blocks = 4
choices = ["k3", "k5"]
skip = "all"
min_blocks = 2
"#;
    let space = ChainSpace::new(&spec(text));
    assert_eq!(space.size().published_count, 2 * 2 * 3 * 3);
    assert_eq!(space.size().unique_count, 2 * 2 * (1 + 2 + 4));
    assert!(space.parse(&json!({ "ops": ["k3", "k5", "skip", "k3"] })).is_ok());
    let error = space.parse(&json!({ "ops": ["k3", "skip", "k3", "k3"] })).unwrap_err();
    assert!(error.0.contains("not allowed at layer 1"), "{error}");
    let too_many = text.replace("min_blocks = 2", "min_blocks = 5");
    assert!(SpaceSpec::from_toml(&too_many).unwrap_err().0.contains("min_blocks"));
}
