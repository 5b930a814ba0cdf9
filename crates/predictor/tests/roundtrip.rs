//! Exporting a predictor and reading it back gives the same weights, metadata and scores.

use ndarray::Array2;
use np_gcn::train::TrainConfig;
use np_gcn::{GcnConfig, GraphSample};
use np_predictor::fit::{FitSettings, LabelScale, TrainingData, fit, fit_from};
use np_predictor::graph_inputs::{GraphFeatureRequest, GraphTransform};
use np_predictor::{Predictor, SpaceSignature};

fn chain(nodes: usize, op: usize) -> GraphSample<f32> {
    let mut adjacency = Array2::zeros((7, 7));
    let mut inputs = Array2::zeros((7, 5));
    for i in 0..nodes {
        if i + 1 < nodes {
            adjacency[[i, i + 1]] = 1.0;
        }
        inputs[[
            i,
            if i == 0 {
                0
            } else if i + 1 == nodes {
                4
            } else {
                op
            },
        ]] = 1.0;
    }
    GraphSample::new(nodes, &adjacency, inputs)
}

#[test]
fn export_then_load_is_lossless_for_both_variants() {
    let space = SpaceSignature::named("nb101").unwrap();
    let samples: Vec<_> = (0..12).map(|i| chain(2 + i % 6, 1 + i % 3)).collect();
    let labels: Vec<f64> = (0..12).map(|i| 85.0 + i as f64 * 0.7).collect();
    let data = TrainingData { ids: (0..12).map(|i| format!("cell{i}")).collect(), samples, labels };
    for threshold in [None, Some(90.0)] {
        let settings = FitSettings {
            config: GcnConfig { input_width: 5, hidden: 6, layers: 2, fc_hidden: 4, graph_features: 0 },
            training: TrainConfig { epochs: 3, ..TrainConfig::default() },
            label_field: "val_accuracy".into(),
            label_scale: LabelScale::Percent,
            label_range: (10.0, 100.0),
            threshold,
            graph_features: None,
            loss: Default::default(),
        };
        let predictor = fit(&space, &data, &settings, &|_, _, _| {}).unwrap();
        let loaded = Predictor::from_onnx(&predictor.to_onnx()).unwrap();
        assert_eq!(loaded, predictor);
        assert_eq!(loaded.score_native(&data.samples), predictor.score_native(&data.samples));
        assert_eq!(loaded.meta.training_digest, data.digest());
    }
}

#[test]
fn graph_level_inputs_round_trip_with_their_standardisation() {
    let space = SpaceSignature::named("nb101").unwrap();
    let samples: Vec<_> = (0..12)
        .map(|i| {
            let raw = ndarray::Array1::from_vec(vec![i as f32 * 1e6, -(i as f32) * 0.3, 2.0]);
            chain(2 + i % 6, 1 + i % 3).with_graph_features(raw)
        })
        .collect();
    let labels: Vec<f64> = (0..12).map(|i| 85.0 + i as f64 * 0.7).collect();
    let data = TrainingData { ids: (0..12).map(|i| format!("cell{i}")).collect(), samples, labels };
    for transform in [GraphTransform::SignedLog1p, GraphTransform::Identity] {
        let settings = FitSettings {
            config: GcnConfig { input_width: 5, hidden: 6, layers: 2, fc_hidden: 4, graph_features: 0 },
            training: TrainConfig { epochs: 3, ..TrainConfig::default() },
            label_field: "val_accuracy".into(),
            label_scale: LabelScale::Percent,
            label_range: (10.0, 100.0),
            threshold: Some(90.0),
            graph_features: Some(GraphFeatureRequest {
                names: vec!["proxies.a".into(), "proxies.b".into(), "c".into()],
                transform,
            }),
            loss: Default::default(),
        };
        let predictor = fit(&space, &data, &settings, &|_, _, _| {}).unwrap();
        assert_eq!(predictor.meta.config.graph_features, 3);
        let features = predictor.meta.graph_features.as_ref().unwrap();
        // The constant feature standardises to zero instead of dividing by zero.
        assert_eq!(features.std[2], 1.0);
        let loaded = Predictor::from_onnx(&predictor.to_onnx()).unwrap();
        assert_eq!(loaded, predictor);
        assert_eq!(loaded.score_native(&data.samples), predictor.score_native(&data.samples));
    }
}

#[test]
fn garbage_is_an_error_not_a_panic() {
    assert!(Predictor::from_onnx(b"not a model").is_err());
    assert!(Predictor::from_onnx(&[]).is_err());
}

/// Sizes in the metadata are checked against the weights before anything is built from them:
/// such files once made the loader ask for 80 GB, or loaded and then panicked on the first line.
#[test]
fn metadata_that_disagrees_with_the_weights_is_an_error() {
    let space = SpaceSignature::named("nb101").unwrap();
    let samples: Vec<_> = (0..6).map(|i| chain(2 + i, 1 + i % 3)).collect();
    let labels: Vec<f64> = (0..6).map(|i| 85.0 + i as f64).collect();
    let data = TrainingData { ids: (0..6).map(|i| format!("cell{i}")).collect(), samples, labels };
    let settings = FitSettings {
        config: GcnConfig { input_width: 5, hidden: 3, layers: 1, fc_hidden: 2, graph_features: 0 },
        training: TrainConfig { epochs: 1, ..TrainConfig::default() },
        label_field: "val_accuracy".into(),
        label_scale: LabelScale::Percent,
        label_range: (10.0, 100.0),
        threshold: None,
        graph_features: None,
        loss: Default::default(),
    };
    let bytes = fit(&space, &data, &settings, &|_, _, _| {}).unwrap().to_onnx();
    for (key, value, expected) in [
        ("gcn_hidden", "1000000000", "do not match the sizes"),
        ("gcn_fc_hidden", "3", "do not match the sizes"),
        ("gcn_layers", "10000000000", "no initializer"),
        ("gcn_layers", "0", "must be positive"),
        ("op_vocabulary", "input,conv3x3-bn-relu,output", "'gcn_input_width' is 5, but 3 ops"),
        ("node_features", "width", "'gcn_input_width' is 5, but 5 ops and 1 node features"),
    ] {
        let mut model = np_onnx::read_model(&bytes).unwrap();
        model.metadata_props.iter_mut().find(|entry| entry.key == key).unwrap().value = value.into();
        let error = Predictor::from_onnx(&np_onnx::write_model(&model)).unwrap_err();
        assert!(error.contains(expected), "{key} = {value}: {error}");
    }
}

/// A warm start continues from the given networks (a zero-epoch refit returns them unchanged,
/// a fit from scratch does not), and refuses a predictor of other shapes or stages.
#[test]
fn warm_starts_continue_from_the_previous_networks() {
    let space = SpaceSignature::named("nb101").unwrap();
    let samples: Vec<_> = (0..8).map(|i| chain(2 + i % 4, 1 + i % 3)).collect();
    let labels: Vec<f64> = (0..8).map(|i| 85.0 + i as f64).collect();
    let data = TrainingData { ids: (0..8).map(|i| format!("cell{i}")).collect(), samples, labels };
    let settings = FitSettings {
        config: GcnConfig { input_width: 5, hidden: 4, layers: 2, fc_hidden: 3, graph_features: 0 },
        training: TrainConfig { epochs: 5, batch_size: 4, ..TrainConfig::default() },
        label_field: "val_accuracy".into(),
        label_scale: LabelScale::Percent,
        label_range: (80.0, 95.0),
        threshold: None,
        graph_features: None,
        loss: Default::default(),
    };
    let first = fit(&space, &data, &settings, &|_, _, _| {}).unwrap();
    let idle = FitSettings { training: TrainConfig { epochs: 0, ..settings.training.clone() }, ..settings.clone() };
    let kept = fit_from(&space, &data, &idle, Some(&first), &|_, _, _| {}).unwrap();
    assert_eq!(kept.regressor, first.regressor, "no steps: the previous weights");
    let fresh = fit_from(&space, &data, &idle, None, &|_, _, _| {}).unwrap();
    assert_ne!(fresh.regressor, first.regressor);
    let warm = fit_from(&space, &data, &settings, Some(&first), &|_, _, _| {}).unwrap();
    assert_ne!(warm.regressor, first.regressor, "five more epochs move the weights");
    let wider = FitSettings { config: GcnConfig { hidden: 5, ..settings.config.clone() }, ..settings.clone() };
    assert!(fit_from(&space, &data, &wider, Some(&first), &|_, _, _| {}).unwrap_err().contains("same network shapes"));
    let two_stage = FitSettings { threshold: Some(88.0), ..settings.clone() };
    assert!(fit_from(&space, &data, &two_stage, Some(&first), &|_, _, _| {}).unwrap_err().contains("stages"));
}
