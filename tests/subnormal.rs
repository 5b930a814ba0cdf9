//! Subnormal floats: trained files hold none, and a file that holds some scores as if they were
//! zero on both backends (read as zero, never computed with: on Intel cores they take a slow
//! path that made training 4–5× and scoring 13–17× slower; BENCHMARKS.md).

use std::path::Path;

use neural_predictor::{run_ok, unique_zc500_cells, workspace_root, write_lines};
use np_onnx::proto::ModelProto;
use np_onnx::{read_model, write_model};

/// Every float initializer of a model file, by name.
fn float_weights(model: &ModelProto) -> Vec<(String, Vec<f32>)> {
    let graph = model.graph.as_ref().expect("a graph");
    graph
        .initializer
        .iter()
        .filter_map(|tensor| tensor.float_values().ok().map(|values| (tensor.name.clone(), values)))
        .collect()
}

fn subnormal_count(path: &Path) -> usize {
    let model = read_model(&std::fs::read(path).unwrap()).unwrap();
    float_weights(&model).iter().flat_map(|(_, values)| values).filter(|v| v.is_subnormal()).count()
}

/// Weight decay drives the weights of ops the 172 cells never show towards zero; before
/// training flushed subnormals, this model held 2,603 of them (of 103,125 weights).
#[test]
fn a_trained_model_holds_no_subnormal_weights() {
    let dir = tempfile::tempdir().unwrap();
    let cells = unique_zc500_cells("graph");
    let train = write_lines(&dir.path().join("train.jsonl"), &cells[..172]);
    for (name, extra) in [("one.onnx", &[][..]), ("two.onnx", &["--two-stage"][..])] {
        let model = dir.path().join(name);
        let mut args = vec!["-q", "--label", "val_accuracy", "-o", model.to_str().unwrap()];
        args.extend_from_slice(extra);
        args.push(train.to_str().unwrap());
        run_ok("gcn-train", &args, b"");
        assert_eq!(subnormal_count(&model), 0, "{name}");
    }
}

/// Sets initializer `name` to `values` (stored as `float_data`).
fn set_weights(model: &mut ModelProto, name: &str, values: impl Fn(usize) -> f32) {
    let graph = model.graph.as_mut().expect("a graph");
    let tensor = graph.initializer.iter_mut().find(|t| t.name == name).unwrap_or_else(|| panic!("no {name}"));
    let count = tensor.element_count().expect("static dims");
    tensor.float_data = (0..count).map(values).collect();
    tensor.raw_data.clear();
}

/// A predictor whose output weights are all subnormal, behind a fully connected layer whose
/// outputs are about 1e37: computed with, the subnormal weights would move the logit by about
/// one (1e37 × 1e-39 per unit); read as zero, they leave it at the output bias. So a scorer that
/// does not flush gives other scores than the same model with those weights set to zero.
#[test]
fn subnormal_weights_score_as_zeros_on_both_backends() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = workspace_root().join("fixtures/gcn-two-stage.onnx");
    let mut planted = read_model(&std::fs::read(fixture).unwrap()).unwrap();
    set_weights(&mut planted, "regressor/fc.bias", |_| 1e37);
    set_weights(&mut planted, "regressor/out.bias", |_| 0.0);
    let mut zeroed = planted.clone();
    set_weights(&mut planted, "regressor/out.weight", |i| if i % 2 == 0 { 1e-39 } else { 3e-39 });
    set_weights(&mut zeroed, "regressor/out.weight", |_| 0.0);
    let planted_path = dir.path().join("planted.onnx");
    let zeroed_path = dir.path().join("zeroed.onnx");
    std::fs::write(&planted_path, write_model(&planted)).unwrap();
    std::fs::write(&zeroed_path, write_model(&zeroed)).unwrap();
    assert!(subnormal_count(&planted_path) > 0);

    let cells = workspace_root().join("fixtures/nb101-cells.graph.jsonl");
    for backend in ["native", "ort"] {
        let preds = |model: &Path| -> Vec<f64> {
            let scored = run_ok(
                "gcn-score",
                &["--backend", backend, "-m", model.to_str().unwrap(), cells.to_str().unwrap()],
                b"",
            );
            scored
                .lines()
                .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap()["pred"].as_f64().unwrap())
                .collect()
        };
        let zeroed_preds = preds(&zeroed_path);
        assert_eq!(preds(&planted_path), zeroed_preds, "{backend}");
        // The probe is sharp: the zeroed model's logit is the output bias, 0, so every cell's
        // pred is the middle of the label range.
        assert!(zeroed_preds.windows(2).all(|pair| pair[0] == pair[1]), "{backend}: {zeroed_preds:?}");
    }
}
