//! The hand-written backward pass against finite differences, and padding invariance.

use ndarray::{Array1, Array2};
use np_gcn::GraphSample;
use np_gcn::batch::Batch;
use np_gcn::model::{GcnConfig, GcnParams};
use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A random DAG on `nodes` real nodes (upper-triangular), padded to `max_nodes`, with one-hot
/// ops from `ops` and `features` numeric features.
fn random_graph(rng: &mut ChaCha8Rng, nodes: usize, max_nodes: usize, ops: usize, features: usize) -> GraphSample<f64> {
    let mut adjacency = Array2::zeros((max_nodes, max_nodes));
    for i in 0..nodes {
        for j in i + 1..nodes {
            if rng.random::<f64>() < 0.5 {
                adjacency[[i, j]] = 1.0;
            }
        }
    }
    let mut inputs = Array2::zeros((max_nodes, ops + features));
    for i in 0..nodes {
        inputs[[i, rng.random_range(0..ops)]] = 1.0;
        for f in 0..features {
            inputs[[i, ops + f]] = rng.random::<f64>();
        }
    }
    GraphSample::new(nodes, &adjacency, inputs)
}

fn scalar_loss(params: &GcnParams<f64>, batch: &Batch<f64>, weights: &Array1<f64>) -> f64 {
    params.logits(batch).dot(weights)
}

/// Checks every parameter's gradient against central differences; `graph_features` numbers
/// per graph join the readout before the fully connected layer.
fn check_gradients(graph_features: usize) {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let config = GcnConfig { input_width: 6, hidden: 5, layers: 3, fc_hidden: 4, graph_features };
    let mut params = GcnParams::<f64>::init(&config, &mut rng);
    // Non-zero biases so their gradients are exercised away from the initial point.
    params.fc_bias.mapv_inplace(|_| rng.random::<f64>() * 0.2);
    params.out_bias[0] = 0.3;
    let samples: Vec<GraphSample<f64>> = (0..4)
        .map(|i| {
            let extra = Array1::from_shape_fn(graph_features, |_| rng.random::<f64>() * 2.0 - 1.0);
            random_graph(&mut rng, 3 + i, 7, 4, 2).with_graph_features(extra)
        })
        .collect();
    let batch = Batch::new(&samples.iter().collect::<Vec<_>>());
    let weights = Array1::from_vec(vec![0.7, -1.3, 0.4, 2.0]);
    let (_, cache) = params.forward(&batch, None);
    let grads = params.backward(&batch, &cache, &weights);

    let epsilon = 1e-6;
    let analytic: Vec<Vec<f64>> = grads.tensors().iter().map(|t| t.to_vec()).collect();
    let mut checked = 0;
    for (t, tensor) in analytic.iter().enumerate() {
        for (i, &expected) in tensor.iter().enumerate() {
            let mut plus = params.clone();
            plus.tensors_mut()[t][i] += epsilon;
            let mut minus = params.clone();
            minus.tensors_mut()[t][i] -= epsilon;
            let numeric =
                (scalar_loss(&plus, &batch, &weights) - scalar_loss(&minus, &batch, &weights)) / (2.0 * epsilon);
            let error = (numeric - expected).abs() / numeric.abs().max(expected.abs()).max(1e-3);
            assert!(error < 1e-5, "tensor {t} element {i}: numeric {numeric}, analytic {expected}");
            checked += 1;
        }
    }
    assert_eq!(checked, config.parameter_count());
}

#[test]
fn backward_matches_finite_differences() {
    check_gradients(0);
}

#[test]
fn backward_matches_finite_differences_with_graph_level_inputs() {
    check_gradients(3);
}

#[test]
fn graph_level_inputs_change_the_prediction() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let config = GcnConfig { input_width: 5, hidden: 8, layers: 2, fc_hidden: 6, graph_features: 2 };
    let params = GcnParams::<f64>::init(&config, &mut rng);
    let graph = random_graph(&mut rng, 5, 7, 3, 2);
    let a = graph.clone().with_graph_features(Array1::from_vec(vec![0.0, 0.0]));
    let b = graph.with_graph_features(Array1::from_vec(vec![1.5, -2.0]));
    let (pa, pb) = (params.logits(&Batch::new(&[&a]))[0], params.logits(&Batch::new(&[&b]))[0]);
    assert!((pa - pb).abs() > 1e-9, "{pa} vs {pb}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn padding_never_changes_the_prediction(seed in any::<u64>(), nodes in 2usize..8, extra in 1usize..6) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let config = GcnConfig { input_width: 5, hidden: 8, layers: 3, fc_hidden: 6, graph_features: 0 };
        let params = GcnParams::<f64>::init(&config, &mut rng);
        let graph = random_graph(&mut rng, nodes, 7, 3, 2);
        let padded = graph.padded_to(7 + extra);
        let plain = params.logits(&Batch::new(&[&graph]))[0];
        let wide = params.logits(&Batch::new(&[&padded]))[0];
        prop_assert!((plain - wide).abs() < 1e-12, "{plain} vs {wide}");
    }
}
