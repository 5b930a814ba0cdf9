//! Inference over distinct node states: the same predictions as the plain forward pass, and
//! a graph's prediction never depends on its batch or on what the state tables hold.

use ndarray::{Array1, Array2};
use np_gcn::GraphSample;
use np_gcn::batch::Batch;
use np_gcn::model::{GcnConfig, GcnParams};
use np_gcn::shared_states::SharedStateForward;
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random DAG on `nodes` real nodes padded to 7, with one of `ops` one-hot ops per node and
/// (when `numeric`) one numeric feature from a few values, so states repeat across graphs.
fn random_graph(rng: &mut ChaCha8Rng, nodes: usize, ops: usize, numeric: bool) -> GraphSample<f32> {
    let max_nodes = 7;
    let mut adjacency = Array2::zeros((max_nodes, max_nodes));
    for i in 0..nodes {
        for j in i + 1..nodes {
            if rng.random::<f64>() < 0.4 {
                adjacency[[i, j]] = 1.0;
            }
        }
    }
    let width = ops + usize::from(numeric);
    let mut inputs = Array2::zeros((max_nodes, width));
    for i in 0..nodes {
        inputs[[i, rng.random_range(0..ops)]] = 1.0;
        if numeric {
            inputs[[i, ops]] = rng.random_range(0..3) as f32 * 0.5;
        }
    }
    GraphSample::new(nodes, &adjacency, inputs)
}

fn network(seed: u64, input_width: usize, graph_features: usize) -> GcnParams<f32> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let config = GcnConfig { input_width, hidden: 16, layers: 3, fc_hidden: 8, graph_features };
    let mut params = GcnParams::<f32>::init(&config, &mut rng);
    params.fc_bias.mapv_inplace(|_| rng.random::<f32>() * 0.2);
    params
}

fn graphs(seed: u64, count: usize, numeric: bool, graph_features: usize) -> Vec<GraphSample<f32>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|_| {
            let nodes = rng.random_range(2..=7);
            let extra = Array1::from_shape_fn(graph_features, |_| rng.random::<f32>() * 2.0 - 1.0);
            random_graph(&mut rng, nodes, 4, numeric).with_graph_features(extra)
        })
        .collect()
}

fn plain_logits(params: &GcnParams<f32>, samples: &[GraphSample<f32>]) -> Vec<f32> {
    params.logits(&Batch::new(&samples.iter().collect::<Vec<_>>())).to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn agrees_with_the_plain_forward_pass(seed in any::<u64>(), numeric in any::<bool>(), extra in 0usize..3) {
        let params = network(seed, 4 + usize::from(numeric), extra);
        let samples = graphs(seed ^ 1, 300, numeric, extra);
        let refs: Vec<&GraphSample<f32>> = samples.iter().collect();
        let shared = SharedStateForward::new(&params).logits(&refs);
        for (a, b) in shared.iter().zip(plain_logits(&params, &samples)) {
            prop_assert!((a - b).abs() <= 1e-5 * (1.0 + b.abs()), "{a} against {b}");
        }
    }

    #[test]
    fn a_prediction_does_not_depend_on_the_batch_or_the_tables(seed in any::<u64>(), bound in 1usize..40) {
        let params = network(seed, 4, 0);
        let samples = graphs(seed ^ 2, 200, false, 0);
        let refs: Vec<&GraphSample<f32>> = samples.iter().collect();
        let together = SharedStateForward::new(&params).logits(&refs);
        // One graph at a time, through tables emptied whenever they pass a small bound.
        let mut bounded = SharedStateForward::with_max_states(&params, bound);
        let alone: Vec<f32> = refs.iter().flat_map(|&s| bounded.logits(&[s])).collect();
        // Reversed order: other graphs fill the tables first.
        let mut reversed = SharedStateForward::new(&params);
        let mut backwards: Vec<f32> = refs.iter().rev().flat_map(|&s| reversed.logits(&[s])).collect();
        backwards.reverse();
        prop_assert_eq!(&together, &alone);
        prop_assert_eq!(&together, &backwards);
    }
}

#[test]
fn states_repeat_across_graphs() {
    let params = network(5, 4, 0);
    let samples = graphs(6, 2000, false, 0);
    let mut forward = SharedStateForward::new(&params);
    forward.logits(&samples.iter().collect::<Vec<_>>());
    let counts = forward.state_counts();
    // One-hot inputs of 4 ops plus the zero row of padding.
    assert_eq!(counts[0], 5);
    // Far fewer first-layer states than the 14,000 node rows.
    assert!(counts[1] < 2000, "{counts:?}");
}
