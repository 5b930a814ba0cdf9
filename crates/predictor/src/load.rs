//! Reading a predictor file back into native parameters.

use ndarray::{Array1, Array2, Axis, concatenate};
use np_gcn::{GcnConfig, GcnParams};
use np_onnx::proto::GraphProto;
use np_onnx::read_model;

use crate::Predictor;
use crate::export::layer_names;
use crate::meta::PredictorMeta;

impl Predictor {
    /// Parses an ONNX predictor file written by [`Predictor::to_onnx`]. Subnormal weights (from
    /// an older version or another tool) are read as zero, which changes no score beyond float
    /// rounding and keeps scoring off the CPU's slow path (`np_subnormal`).
    pub fn from_onnx(bytes: &[u8]) -> Result<Self, String> {
        let model = read_model(bytes).map_err(|e| format!("not an ONNX file: {e}"))?;
        let meta = PredictorMeta::from_properties(&model.metadata_map())?;
        // A predictor of a declared space carries its spec: declaring it makes the space known
        // to this process by name, as if its file had been given.
        if let Some(spec) = &meta.space_spec {
            let spec = np_spaces::declared::SpaceSpec::from_json(spec)
                .map_err(|e| format!("predictor metadata 'space_spec': {e}"))?;
            np_spaces::declared::declare(&spec).map_err(|e| e.0)?;
        }
        let graph = model.graph.as_ref().ok_or("the ONNX file has no graph")?;
        let regressor = read_network(graph, "regressor/", &meta)?;
        let has_classifier = graph.output.iter().any(|o| o.name == "p_good");
        let classifier = if has_classifier { Some(read_network(graph, "classifier/", &meta)?) } else { None };
        Ok(Predictor { meta, regressor, classifier })
    }
}

fn matrix(graph: &GraphProto, name: &str) -> Result<Array2<f32>, String> {
    let tensor = graph.float_initializer(name).map_err(|e| e.to_string())?;
    match tensor.dims.as_slice() {
        &[rows, cols] => {
            Array2::from_shape_vec((rows as usize, cols as usize), tensor.values).map_err(|e| e.to_string())
        }
        other => Err(format!("initializer '{name}' has shape {other:?}, expected a matrix")),
    }
}

fn vector(graph: &GraphProto, name: &str) -> Result<Array1<f32>, String> {
    Ok(Array1::from_vec(graph.float_initializer(name).map_err(|e| e.to_string())?.values))
}

fn read_network(graph: &GraphProto, prefix: &str, meta: &PredictorMeta) -> Result<GcnParams<f32>, String> {
    let config = meta.config.clone();
    // Not sized by `config.layers`: the metadata is checked against the tensors, not trusted.
    let mut gcn = Vec::new();
    for l in 0..config.layers {
        let (forward, backward) = layer_names(prefix, l);
        let (forward, backward) = (matrix(graph, &forward)?, matrix(graph, &backward)?);
        let joined = concatenate(Axis(1), &[forward.view(), backward.view()]).map_err(|e| e.to_string())?;
        // The native forward pass and the optimiser read tensors as flat row-major slices.
        gcn.push(joined.as_standard_layout().to_owned());
    }
    let params = GcnParams {
        gcn,
        fc_weight: matrix(graph, &format!("{prefix}fc.weight"))?,
        fc_bias: vector(graph, &format!("{prefix}fc.bias"))?,
        out_weight: vector(graph, &format!("{prefix}out.weight"))?,
        out_bias: vector(graph, &format!("{prefix}out.bias"))?,
        config: config.clone(),
    };
    if !has_the_shapes_of(&params, &config) {
        return Err(format!("the {prefix} weights do not match the sizes in the metadata"));
    }
    let mut params = params;
    params.flush_subnormals();
    Ok(params)
}

/// Whether `params` has the shapes [`GcnParams::init`] gives `config` (see [`GcnParams`]):
/// layer `l` is `width × 2·hidden` (the node input's width, then `hidden`), the fully connected
/// layer `(hidden + graph features) × fc_hidden` with `fc_hidden` biases, the output
/// `fc_hidden` weights and one bias. Compared size by size, without building a network of the
/// metadata's sizes: a damaged file's metadata must not make the loader allocate memory the
/// file does not hold (a `gcn_hidden` of 10⁹ asked for 80 GB).
fn has_the_shapes_of(params: &GcnParams<f32>, config: &GcnConfig) -> bool {
    let Some(layer_columns) = config.hidden.checked_mul(2) else { return false };
    let layers_fit = params.gcn.iter().enumerate().all(|(l, layer)| {
        let width = if l == 0 { config.input_width } else { config.hidden };
        layer.dim() == (width, layer_columns)
    });
    let fc_rows = config.hidden.checked_add(config.graph_features);
    layers_fit
        && params.gcn.len() == config.layers
        && fc_rows.is_some_and(|rows| params.fc_weight.dim() == (rows, config.fc_hidden))
        && params.fc_bias.len() == config.fc_hidden
        && params.out_weight.len() == config.fc_hidden
        && params.out_bias.len() == 1
}
