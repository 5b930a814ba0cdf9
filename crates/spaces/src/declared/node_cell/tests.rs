//! The acceptance checks of declared node cells: NAS-Bench-101 declared is the built-in space
//! cell for cell, ids are exactly isomorphism classes, text and ids read back, errors say what
//! is wrong, random cells and mutation stay valid.

use std::collections::{HashMap, HashSet};

use proptest::prelude::*;

use super::*;
use crate::SearchSpace;
use crate::declared::SpaceSpec;
use crate::nb101::{self, Nb101};
use crate::rng::{SpaceRng, item_rng, uniform_below};

fn declared(max_vertices: usize, max_edges: Option<usize>, ops: &str) -> NodeCellRules {
    let edges = max_edges.map_or(String::new(), |e| format!(r#""max_edges": {e},"#));
    let text = format!(
        r#"{{"name": "nb101-declared", "family": "node-cell",
            "node-cell": {{"max_vertices": {max_vertices}, {edges} "ops": {ops}}}}}"#
    );
    NodeCellRules::of(SpaceSpec::from_json(&text).unwrap().node_cell.as_ref().unwrap())
}

/// NAS-Bench-101 as `fixtures/spaces/nb101.toml` declares it: one-hot order the paper's, rank
/// `nasbench`'s.
fn nb101_rules() -> NodeCellRules {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/spaces/nb101.toml");
    NodeCellRules::of(SpaceSpec::from_file(&path).unwrap().node_cell.as_ref().unwrap())
}

fn names(cell: &nb101::Cell) -> Vec<String> {
    cell.ops().iter().map(|op| op.name().to_string()).collect()
}

fn strs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

/// A random topological order keeping the input first and the output last: a uniformly chosen
/// next vertex at each step among those whose predecessors are placed.
fn random_topological_order(adjacency: &[Vec<u8>], rng: &mut SpaceRng) -> Vec<usize> {
    let n = adjacency.len();
    let mut placed = vec![false; n];
    let mut order = vec![0];
    placed[0] = true;
    while order.len() < n - 1 {
        let ready: Vec<usize> =
            (1..n - 1).filter(|&v| !placed[v] && (0..n).all(|u| adjacency[u][v] == 0 || placed[u])).collect();
        let v = ready[uniform_below(rng, ready.len() as u64) as usize];
        placed[v] = true;
        order.push(v);
    }
    order.push(n - 1);
    order
}

/// The matrix and names relabelled so that new vertex `i` is old vertex `order[i]`.
fn relabel(adjacency: &[Vec<u8>], names: &[String], order: &[usize]) -> (Vec<Vec<u8>>, Vec<String>) {
    let matrix = order.iter().map(|&a| order.iter().map(|&b| adjacency[a][b]).collect()).collect();
    (matrix, order.iter().map(|&v| names[v].clone()).collect())
}

/// The text form of a matrix in its own vertex order, written independently of `text`.
fn text_of(adjacency: &[Vec<u8>], names: &[String]) -> String {
    let items: Vec<String> = (1..adjacency.len())
        .map(|to| {
            let sources: String = (0..to).filter(|&from| adjacency[from][to] == 1).map(|f| format!("~{f}")).collect();
            format!("{}{sources}", names[to])
        })
        .collect();
    items.join("+")
}

#[test]
fn nas_bench_101_declared_is_the_built_in_space() {
    let rules = nb101_rules();
    let built_in_space = Nb101::new();
    let built_in = built_in_space.unique_cells();
    let declared = rules.enumerate();
    assert!(rules.enumerable());
    assert_eq!(declared.len(), 423_624);
    assert_eq!(rules.count(), 423_624);
    assert_eq!(built_in.len(), declared.len());

    let vocabulary = rules.op_vocabulary();
    assert_eq!(vocabulary, nb101::OP_VOCABULARY);
    let mut ids = HashSet::with_capacity(declared.len());
    for (position, (ours, theirs)) in declared.iter().zip(built_in).enumerate() {
        assert_eq!(rules.adjacency(ours), theirs.adjacency(), "cell {position}");
        assert_eq!(rules.op_names(ours), names(theirs), "cell {position}");
        assert_eq!(rules.graph(ours), built_in_space.graph(theirs), "cell {position}");
        assert!(ids.insert(rules.id(ours)), "cell {position}: repeated id {}", rules.id(ours));
    }
}

#[test]
fn every_nas_bench_101_cell_reads_back_from_any_vertex_order() {
    let rules = nb101_rules();
    let declared = rules.enumerate();
    let built_in = nb101::enumerate::enumerate_unique_cells();
    for (position, (ours, theirs)) in declared.iter().zip(&built_in).enumerate() {
        let mut rng = item_rng(11, position as u64);
        let (adjacency, names) = (theirs.adjacency(), names(theirs));
        let order = random_topological_order(&adjacency, &mut rng);
        let (matrix, ops) = relabel(&adjacency, &names, &order);
        let read = rules.from_matrix(&matrix, &strs(&ops)).unwrap();
        assert_eq!(rules.id(&read), rules.id(ours), "cell {position} in order {order:?}");
        assert_eq!(read, *ours);
        // The text form, written in that order, also reads back to the cell.
        assert_eq!(rules.from_text(&text_of(&matrix, &ops)).unwrap(), *ours, "cell {position}");
    }
}

proptest! {
    #[test]
    fn ids_ignore_the_order_of_interior_vertices(edges in 0u32..1 << 15, ops in 0u8..16, seed in any::<u64>()) {
        let rules = declared(6, None, r#"["a", "b"]"#);
        let mut matrix = vec![vec![0u8; 6]; 6];
        let mut bit = 0;
        for to in 1..6 {
            for row in matrix.iter_mut().take(to) {
                row[to] = (edges >> bit & 1) as u8;
                bit += 1;
            }
        }
        let mut names = vec!["input".to_string()];
        names.extend((0..4).map(|v| if ops >> v & 1 == 1 { "b" } else { "a" }.to_string()));
        names.push("output".to_string());
        if let Ok(cell) = rules.from_matrix(&matrix, &strs(&names)) {
            let mut rng = item_rng(seed, 0);
            let order = random_topological_order(&matrix, &mut rng);
            let (shuffled, shuffled_names) = relabel(&matrix, &names, &order);
            let read = rules.from_matrix(&shuffled, &strs(&shuffled_names)).unwrap();
            prop_assert_eq!(rules.id(&read), rules.id(&cell));
            let (adjacency, canonical_names) = (rules.adjacency(&cell), rules.op_names(&cell));
            let order = random_topological_order(&adjacency, &mut rng);
            let (shuffled, shuffled_names) = relabel(&adjacency, &canonical_names, &order);
            prop_assert_eq!(rules.from_matrix(&shuffled, &strs(&shuffled_names)).unwrap(), cell);
        }
    }
}

/// The isomorphism class of a labelled DAG by brute force: the smallest (matrix bits, labels)
/// over every permutation of its interior vertices, topological or not.
fn brute_force_class(adjacency: &[Vec<u8>], labels: &[String]) -> (usize, u64, Vec<String>) {
    let n = adjacency.len();
    let mut interior: Vec<usize> = (1..n - 1).collect();
    let mut best: Option<(u64, Vec<String>)> = None;
    permutations(&mut interior, 0, &mut |perm| {
        let order: Vec<usize> = std::iter::once(0).chain(perm.iter().copied()).chain([n - 1]).collect();
        let (matrix, names) = relabel(adjacency, labels, &order);
        let bits = matrix.iter().flatten().fold(0u64, |acc, &b| acc << 1 | b as u64);
        let key = (bits, names);
        if best.as_ref().is_none_or(|b| key < *b) {
            best = Some(key);
        }
    });
    let (bits, names) = best.unwrap();
    (n, bits, names)
}

fn permutations(items: &mut Vec<usize>, k: usize, visit: &mut impl FnMut(&[usize])) {
    if k == items.len() {
        visit(items);
        return;
    }
    for i in k..items.len() {
        items.swap(k, i);
        permutations(items, k + 1, visit);
        items.swap(k, i);
    }
}

/// The vertices on an input→output path, found independently of the rules' pruning.
fn pruned(adjacency: &[Vec<u8>], names: &[String]) -> Option<(Vec<Vec<u8>>, Vec<String>)> {
    let n = adjacency.len();
    let mut forward = vec![false; n];
    forward[0] = true;
    for v in 0..n {
        for w in 0..n {
            if forward[v] && adjacency[v][w] == 1 {
                forward[w] = true;
            }
        }
    }
    let mut backward = vec![false; n];
    backward[n - 1] = true;
    for v in (0..n).rev() {
        backward[v] |= (0..n).any(|w| adjacency[v][w] == 1 && backward[w]);
    }
    let kept: Vec<usize> = (0..n).filter(|&v| forward[v] && backward[v]).collect();
    (kept.len() >= 2 && kept[0] == 0 && kept[kept.len() - 1] == n - 1).then(|| relabel(adjacency, names, &kept))
}

#[test]
fn unique_cells_are_the_isomorphism_classes_of_all_matrices() {
    let rules = declared(5, None, r#"["a", "b"]"#);
    let enumerated: HashSet<NodeCell> = rules.enumerate().into_iter().collect();
    let mut id_of_class: HashMap<(usize, u64, Vec<String>), String> = HashMap::new();
    let mut class_of_id: HashMap<String, (usize, u64, Vec<String>)> = HashMap::new();
    for n in 2..=5 {
        let slots = n * (n - 1) / 2;
        for edges in 0u32..1 << slots {
            let mut matrix = vec![vec![0u8; n]; n];
            let mut bit = 0;
            for to in 1..n {
                for row in matrix.iter_mut().take(to) {
                    row[to] = (edges >> bit & 1) as u8;
                    bit += 1;
                }
            }
            for ops in 0u32..1 << (n - 2) {
                let mut names = vec!["input".to_string()];
                names.extend((0..n - 2).map(|v| if ops >> v & 1 == 1 { "b" } else { "a" }.to_string()));
                names.push("output".to_string());
                let read = rules.from_matrix(&matrix, &strs(&names));
                let Some((kept, kept_names)) = pruned(&matrix, &names) else {
                    assert_eq!(read.unwrap_err(), "input is not connected to output");
                    continue;
                };
                let cell = read.unwrap();
                assert!(enumerated.contains(&cell), "{matrix:?} {names:?}");
                let class = brute_force_class(&kept, &kept_names);
                let id = rules.id(&cell);
                assert_eq!(id_of_class.entry(class.clone()).or_insert_with(|| id.clone()), &id);
                assert_eq!(class_of_id.entry(id).or_insert(class.clone()), &class);
            }
        }
    }
    assert_eq!(id_of_class.len(), enumerated.len());
    assert_eq!(rules.count(), enumerated.len() as u128);
    assert_eq!(rules.enumerate().len(), enumerated.len(), "no cell is enumerated twice");
}

#[test]
fn text_and_ids_read_back_for_every_cell() {
    let rules = nb101_rules();
    for cell in rules.enumerate() {
        let text = rules.text(&cell);
        assert!(!text.contains(',') && !text.contains(' '), "{text}");
        let read = rules.from_text(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert_eq!(read, cell, "{text}");
        assert_eq!(rules.id(&read), rules.id(&cell));
        assert_eq!(rules.from_id(&rules.id(&cell)).unwrap(), cell);
    }
}

#[test]
fn text_and_id_examples() {
    let rules = nb101_rules();
    let chain = [[0, 1, 0, 1], [0, 0, 1, 0], [0, 0, 0, 1], [0, 0, 0, 0]].map(|row| row.to_vec());
    let cell = rules.from_matrix(&chain, &["input", "conv3x3-bn-relu", "maxpool3x3", "output"]).unwrap();
    assert_eq!(rules.text(&cell), "conv3x3-bn-relu~0+maxpool3x3~1+output~0~2");
    assert_eq!(rules.id(&cell), "4-2d-02");
    let smallest = rules.enumerate()[0];
    assert_eq!((rules.text(&smallest), rules.id(&smallest)), ("output~0".to_string(), "2-1".to_string()));
    assert!(rules.from_id("4-33-20").unwrap_err().contains("is not canonical"));
    // Names that would break the text form are written by index.
    let odd = rules_with_ops(r#"["sep conv", "a+b", "pool"]"#);
    let cell = odd.from_matrix(&chain, &["input", "a+b", "pool", "output"]).unwrap();
    assert_eq!(odd.text(&cell), "#1~0+pool~1+output~0~2");
    assert_eq!(odd.from_text(&odd.text(&cell)).unwrap(), cell);
    // Beyond 62 ops, ids take two characters per op.
    let many: Vec<String> = (0..70).map(|i| format!("\"op{i}\"")).collect();
    let many = rules_with_ops(&format!("[{}]", many.join(",")));
    let cell = many.from_matrix(&chain, &["input", "op69", "op1", "output"]).unwrap();
    assert_eq!(many.id(&cell), "4-2d-1701");
}

fn rules_with_ops(ops: &str) -> NodeCellRules {
    declared(7, Some(9), ops)
}

#[test]
fn invalid_cells_say_what_is_wrong() {
    let rules = nb101_rules();
    let m = |rows: &[&[u8]]| -> Vec<Vec<u8>> { rows.iter().map(|r| r.to_vec()).collect() };
    let io = ["input", "output"];
    let chain3 = m(&[&[0, 1, 0], &[0, 0, 1], &[0, 0, 0]]);
    let error = |matrix: &[Vec<u8>], ops: &[&str]| rules.from_matrix(matrix, ops).unwrap_err();
    assert_eq!(error(&[], &[]), "adjacency is empty");
    assert_eq!(error(&m(&[&[0, 1], &[0]]), &io), "adjacency must be square: row 1 has 1 entries, expected 2");
    assert_eq!(error(&m(&[&[0, 2], &[0, 0]]), &io), "adjacency[0][1] is 2; entries must be 0 or 1");
    assert_eq!(error(&m(&[&[0, 1], &[0, 0]]), &["input"]), "adjacency is 2×2 but ops has 1 entries");
    assert_eq!(
        error(&m(&[&[0, 1], &[1, 0]]), &io),
        "adjacency has an edge 1→0 on or below the diagonal; cells are upper-triangular"
    );
    assert_eq!(error(&m(&[&[0, 0], &[0, 0]]), &io), "input is not connected to output");
    assert_eq!(
        error(&chain3, &["input", "conv5x5", "output"]),
        "op 'conv5x5' at vertex 1 is not allowed inside a cell (allowed: conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3)"
    );
    assert_eq!(error(&chain3, &["maxpool3x3", "input", "output"]), "first op must be 'input', got 'maxpool3x3'");
    assert_eq!(error(&chain3, &["input", "output", "maxpool3x3"]), "last op must be 'output', got 'maxpool3x3'");
    assert!(error(&chain3, &["input", "output", "output"]).starts_with("op 'output' at vertex 1 is not allowed"));
    // An unknown op on a pruned vertex does not matter, as in nasbench.
    let dangling = m(&[&[0, 0, 1], &[0, 0, 0], &[0, 0, 0]]);
    assert_eq!(rules.from_matrix(&dangling, &["input", "conv5x5", "output"]).unwrap().vertex_count(), 2);

    let mut chain8 = vec![vec![0u8; 8]; 8];
    for v in 0..7 {
        chain8[v][v + 1] = 1;
    }
    let mut ops8 = vec!["conv1x1-bn-relu"; 8];
    (ops8[0], ops8[7]) = ("input", "output");
    assert_eq!(error(&chain8, &ops8), "cell has 8 vertices after pruning (max 7)");
    // Ten edges, but a dangling vertex removes two of them (nb101's example).
    let mut matrix = vec![vec![0u8; 8]; 8];
    for (i, j) in [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 7), (0, 7), (1, 7), (0, 6), (1, 6)] {
        matrix[i][j] = 1;
    }
    let cell = rules.from_matrix(&matrix, &ops8).unwrap();
    assert_eq!((cell.vertex_count(), cell.edge_count()), (7, 8));
    (matrix[2][7], matrix[3][7]) = (1, 1);
    assert_eq!(error(&matrix, &ops8), "cell has 10 edges after pruning (max 9)");

    let text_error = |text: &str| rules.from_text(text).unwrap_err();
    assert_eq!(text_error(""), "cell text is empty");
    assert!(text_error("conv5x5~0+output~1").starts_with("op 'conv5x5' at vertex 1 is not allowed"));
    assert_eq!(
        text_error("maxpool3x3~2+output~1"),
        "cell text: vertex 1 ('maxpool3x3') has source 2, which is not written before it"
    );
    assert_eq!(
        text_error("maxpool3x3~x+output~1"),
        "cell text: vertex 1 ('maxpool3x3') has source 'x', not a vertex number"
    );
    assert_eq!(text_error("maxpool3x3~0~0+output~1"), "cell text: vertex 1 ('maxpool3x3') names source 0 twice");
    assert_eq!(text_error("maxpool3x3~0+conv3x3-bn-relu~1"), "last op must be 'output', got 'conv3x3-bn-relu'");
    assert_eq!(text_error("#7~0+output~1"), "cell text: vertex 1 names op '#7', which is not an op index");
    assert_eq!(text_error("maxpool3x3+output~1"), "input is not connected to output");
}

#[test]
fn random_cells_and_mutations_are_valid_and_match_the_built_in_recipes() {
    let rules = nb101_rules();
    let check_valid = |rules: &NodeCellRules, cell: &NodeCell| {
        let names = rules.op_names(cell);
        assert_eq!(rules.from_matrix(&rules.adjacency(cell), &strs(&names)).unwrap(), *cell, "valid and canonical");
    };
    let mut parent = rules.random_matrix_cell(&mut item_rng(1, 0));
    for seed in 0..100 {
        let random = rules.random_matrix_cell(&mut item_rng(seed, 0));
        check_valid(&rules, &random);
        let built_in = nb101::sample::nasbench_random_cell(&mut item_rng(seed, 0));
        assert_eq!(rules.adjacency(&random), built_in.adjacency());
        assert_eq!(rules.op_names(&random), names(&built_in));

        let child = rules.mutate(&parent, &mut item_rng(seed, 1));
        assert_ne!(child, parent);
        check_valid(&rules, &child);
        let names_of_parent = rules.op_names(&parent);
        let nb101_parent = Nb101::new()
            .parse(&serde_json::json!({"adjacency": rules.adjacency(&parent), "ops": names_of_parent}))
            .unwrap();
        let built_in_child = nb101::mutate::mutate_cell(&nb101_parent, &mut item_rng(seed, 1));
        assert_eq!(rules.adjacency(&child), built_in_child.adjacency());
        assert_eq!(rules.op_names(&child), names(&built_in_child));
        parent = child;
    }
    // Other spaces, down to the smallest with more than one cell.
    for other in [
        declared(6, None, r#"["a", "b"]"#),
        declared(3, Some(2), r#"["a"]"#),
        declared(9, Some(12), r#"["a", "b", "c", "d"]"#),
    ] {
        let mut cell = other.random_matrix_cell(&mut item_rng(3, 0));
        check_valid(&other, &cell);
        for seed in 0..100 {
            let child = other.mutate(&cell, &mut item_rng(seed, 2));
            assert_ne!(child, cell);
            check_valid(&other, &child);
            cell = child;
        }
    }
    let single = declared(2, None, r#"["a"]"#);
    let only = single.random_matrix_cell(&mut item_rng(0, 0));
    assert_eq!(single.enumerate(), [only]);
    assert_eq!(single.mutate(&only, &mut item_rng(0, 1)), only, "a one-cell space has nothing else to offer");
}
