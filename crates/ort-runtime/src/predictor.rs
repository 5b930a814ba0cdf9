//! One predictor file as an ONNX Runtime session, and running it on batches.

use ort::ep::ExecutionProviderDispatch;
use ort::session::{Session, SessionInputValue, SessionOutputs};
use ort::value::TensorRef;

use crate::{Device, RuntimeError, runtime};

/// Names of the inputs and outputs, as `Predictor::to_onnx` (in `np-predictor`) writes them.
const ADJACENCY: &str = "adjacency";
const OP_ONEHOT: &str = "op_onehot";
const NODE_FEATURES: &str = "node_features";
const NODE_MASK: &str = "node_mask";
const GRAPH_FEATURES: &str = "graph_features";
const PRED: &str = "pred";
const P_GOOD: &str = "p_good";

/// A predictor file loaded into ONNX Runtime.
///
/// The session is `Send` and `Sync`, but [`OrtPredictor::run`] takes `&mut self` (`ort` runs a
/// session from one thread at a time): to score from several threads, load one predictor per
/// thread and give each fewer intra-op threads.
#[derive(Debug)]
pub struct OrtPredictor {
    session: Session,
    inputs: Vec<String>,
    outputs: Vec<String>,
}

impl OrtPredictor {
    /// Loads a model from the bytes of a predictor file, loading ONNX Runtime first if need be
    /// ([`init_runtime`](crate::init_runtime)).
    ///
    /// [`Device::Cuda`] registers ONNX Runtime's CUDA execution provider and fails if that
    /// cannot be done (no GPU library, no CUDA, no such device): it never falls back to the CPU
    /// silently. Without the `cuda` cargo feature, it is an error at once.
    ///
    /// `intra_threads` is the number of threads that work on one operator; `None` (or 0) is
    /// ONNX Runtime's default, one per physical core, for each session.
    ///
    /// The model must have the inputs `adjacency`, `op_onehot` and `node_mask` and the output
    /// `pred`; `node_features` and `p_good` are optional.
    pub fn load(model: &[u8], device: Device, intra_threads: Option<usize>) -> Result<Self, RuntimeError> {
        let session = session(model, device, intra_threads)?;
        let inputs: Vec<String> = session.inputs().iter().map(|input| input.name().to_string()).collect();
        let outputs: Vec<String> = session.outputs().iter().map(|output| output.name().to_string()).collect();
        let predictor = OrtPredictor { session, inputs, outputs };
        for input in [ADJACENCY, OP_ONEHOT, NODE_MASK] {
            if !predictor.has_input(input) {
                return Err(RuntimeError(format!("the model has no `{input}` input: not a predictor file")));
            }
        }
        if !predictor.has_output(PRED) {
            return Err(RuntimeError(format!("the model has no `{PRED}` output: not a predictor file")));
        }
        Ok(predictor)
    }

    /// Whether the model has an input of this name (`node_features` only when its search space
    /// has numeric node features).
    pub fn has_input(&self, name: &str) -> bool {
        self.inputs.iter().any(|input| input == name)
    }

    /// Whether the model has an output of this name (`p_good` only for two-stage predictors).
    pub fn has_output(&self, name: &str) -> bool {
        self.outputs.iter().any(|output| output == name)
    }

    /// The model's input names, in the model's order.
    pub fn input_names(&self) -> &[String] {
        &self.inputs
    }

    /// The model's output names, in the model's order (`["pred"]` or `["pred", "p_good"]`).
    pub fn output_names(&self) -> &[String] {
        &self.outputs
    }

    /// Scores one batch of `batch` graphs of `n` (padded) nodes each.
    ///
    /// Inputs are row-major `f32` buffers, passed to ONNX Runtime without copying:
    /// `adjacency` `[batch, n, n]`, `op_onehot` `[batch, n, c]`, `node_features` `[batch, n, f]`
    /// (exactly when the model has that input) and `node_mask` `[batch, n]`. The widths `c` and
    /// `f` are the buffer lengths divided by `batch · n`; ONNX Runtime checks every size against
    /// the model's. Returns `pred` `[batch]` and, when the model has it, `p_good` `[batch]`.
    ///
    /// A batch of 0 returns empty outputs without running the model. Batches may differ in
    /// size from call to call.
    pub fn run(
        &mut self,
        batch: usize,
        n: usize,
        adjacency: &[f32],
        op_onehot: &[f32],
        node_features: Option<&[f32]>,
        node_mask: &[f32],
    ) -> Result<(Vec<f32>, Option<Vec<f32>>), RuntimeError> {
        self.run_with_graph_features(batch, n, adjacency, op_onehot, node_features, node_mask, None)
    }

    /// [`OrtPredictor::run`] for a model that may have graph-level inputs: `graph_features`
    /// `[batch, g]` (standardised as the predictor's metadata says), given exactly when the model
    /// has that input.
    #[allow(clippy::too_many_arguments)]
    pub fn run_with_graph_features(
        &mut self,
        batch: usize,
        n: usize,
        adjacency: &[f32],
        op_onehot: &[f32],
        node_features: Option<&[f32]>,
        node_mask: &[f32],
        graph_features: Option<&[f32]>,
    ) -> Result<(Vec<f32>, Option<Vec<f32>>), RuntimeError> {
        let has_p_good = self.has_output(P_GOOD);
        if batch == 0 {
            return Ok((Vec::new(), has_p_good.then(Vec::new)));
        }
        if n == 0 {
            return Err(RuntimeError("a graph needs at least one node (n = 0)".into()));
        }
        let nodes =
            batch.checked_mul(n).ok_or_else(|| RuntimeError(format!("batch {batch} × {n} nodes is too large")))?;
        expect_len(ADJACENCY, adjacency.len(), nodes.checked_mul(n), "batch · n · n")?;
        expect_len(NODE_MASK, node_mask.len(), Some(nodes), "batch · n")?;
        let c = per_node_width(OP_ONEHOT, op_onehot.len(), nodes)?;

        let mut inputs: Vec<(&str, SessionInputValue<'_>)> = vec![
            (ADJACENCY, tensor(ADJACENCY, &[batch, n, n], adjacency)?),
            (OP_ONEHOT, tensor(OP_ONEHOT, &[batch, n, c], op_onehot)?),
            (NODE_MASK, tensor(NODE_MASK, &[batch, n], node_mask)?),
        ];
        if let Some(features) = self.optional_input(NODE_FEATURES, node_features, "node features")? {
            let f = per_node_width(NODE_FEATURES, features.len(), nodes)?;
            inputs.push((NODE_FEATURES, tensor(NODE_FEATURES, &[batch, n, f], features)?));
        }
        if let Some(values) = self.optional_input(GRAPH_FEATURES, graph_features, "graph-level inputs")? {
            let g = values.len() / batch;
            if g == 0 || g * batch != values.len() {
                return Err(RuntimeError(format!(
                    "`{GRAPH_FEATURES}` has {} values, not a positive multiple of batch = {batch}",
                    values.len()
                )));
            }
            inputs.push((GRAPH_FEATURES, tensor(GRAPH_FEATURES, &[batch, g], values)?));
        }

        // The calling thread computes part of every operator too.
        let _flush = np_subnormal::FlushToZero::enable();
        let outputs =
            self.session.run(inputs).map_err(|e| RuntimeError::new("ONNX Runtime failed to run the model", e))?;
        let pred = output(&outputs, PRED, batch)?;
        let p_good = if has_p_good { Some(output(&outputs, P_GOOD, batch)?) } else { None };
        Ok((pred, p_good))
    }

    /// `values` when the model has the input `name` and they were given, `None` when neither;
    /// an error naming `what` when only one side has them.
    fn optional_input<'a>(
        &self,
        name: &str,
        values: Option<&'a [f32]>,
        what: &str,
    ) -> Result<Option<&'a [f32]>, RuntimeError> {
        match (values, self.has_input(name)) {
            (Some(values), true) => Ok(Some(values)),
            (None, false) => Ok(None),
            (Some(_), false) => Err(RuntimeError(format!("{what} were given but the model has no `{name}` input"))),
            (None, true) => Err(RuntimeError(format!("the model needs its `{name}` input, which was not given"))),
        }
    }
}

/// An ONNX Runtime session for `model` on `device` (see [`OrtPredictor::load`]).
pub(crate) fn session(model: &[u8], device: Device, intra_threads: Option<usize>) -> Result<Session, RuntimeError> {
    // Before loading the library, so that a build without CUDA says so even without one.
    let execution_providers = execution_providers(device)?;
    let environment = runtime::environment()?;
    let mut builder =
        Session::builder(&environment).map_err(|e| RuntimeError::new("cannot create an ONNX Runtime session", e))?;
    // Our tools parse and write on their own threads while a batch runs: ONNX Runtime's
    // workers must sleep when idle rather than spin, or they take those threads' cores.
    builder = builder
        .with_intra_op_spinning(false)
        .map_err(|e| RuntimeError::new("cannot configure ONNX Runtime's thread pool", e))?;
    // Flush-to-zero and denormals-are-zero on ONNX Runtime's own threads: a model may hold
    // subnormal weights (an older file, another tool's), and on Intel cores every product with
    // one took the slow path (scoring 17× slower). The flags of our threads do not reach its
    // pool; the calling thread gets them in `run` (`np_subnormal`).
    builder = builder
        .with_flush_to_zero()
        .map_err(|e| RuntimeError::new("cannot set ONNX Runtime's flush-to-zero option", e))?;
    if let Some(threads) = intra_threads {
        builder = builder
            .with_intra_threads(threads)
            .map_err(|e| RuntimeError::new(format!("cannot use {threads} intra-op threads"), e))?;
    }
    if !execution_providers.is_empty() {
        builder = builder.with_execution_providers(execution_providers).map_err(|e| {
            RuntimeError::new(format!("cannot use {device} (it needs the onnxruntime-gpu library, CUDA and cuDNN)"), e)
        })?;
    }
    builder.commit_from_memory(model).map_err(|e| RuntimeError::new("ONNX Runtime cannot load the model", e))
}

/// The execution providers to register for `device`, besides the CPU one that is always there.
fn execution_providers(device: Device) -> Result<Vec<ExecutionProviderDispatch>, RuntimeError> {
    match device {
        Device::Cpu => Ok(Vec::new()),
        #[cfg(feature = "cuda")]
        Device::Cuda { device_id } => {
            // `error_on_failure`: by default ort only logs a failed registration and runs on the CPU.
            Ok(vec![ort::ep::CUDA::default().with_device_id(device_id).build().error_on_failure()])
        }
        #[cfg(not(feature = "cuda"))]
        Device::Cuda { .. } => Err(RuntimeError("built without CUDA support: rebuild with --features cuda".into())),
    }
}

/// A borrowed tensor over `data` (ONNX Runtime reads the caller's buffer in place).
pub(crate) fn tensor<'a>(name: &str, shape: &[usize], data: &'a [f32]) -> Result<SessionInputValue<'a>, RuntimeError> {
    let view = TensorRef::from_array_view((shape.to_vec(), data))
        .map_err(|e| RuntimeError::new(format!("input `{name}`"), e))?;
    Ok(view.into())
}

fn expect_len(name: &str, len: usize, expected: Option<usize>, formula: &str) -> Result<(), RuntimeError> {
    match expected {
        Some(expected) if expected == len => Ok(()),
        Some(expected) => Err(RuntimeError(format!("`{name}` has {len} values, expected {formula} = {expected}"))),
        None => Err(RuntimeError(format!("`{name}`: {formula} is too large"))),
    }
}

/// The last dimension of a `[batch, n, width]` buffer from its length.
fn per_node_width(name: &str, len: usize, nodes: usize) -> Result<usize, RuntimeError> {
    let width = len / nodes;
    if width == 0 || width * nodes != len {
        return Err(RuntimeError(format!("`{name}` has {len} values, not a positive multiple of batch · n = {nodes}")));
    }
    Ok(width)
}

/// Output `name` as `batch` values.
pub(crate) fn output(outputs: &SessionOutputs<'_>, name: &str, batch: usize) -> Result<Vec<f32>, RuntimeError> {
    let value = outputs.get(name).ok_or_else(|| RuntimeError(format!("the model returned no `{name}` output")))?;
    let (_, values) =
        value.try_extract_tensor::<f32>().map_err(|e| RuntimeError::new(format!("output `{name}`"), e))?;
    if values.len() != batch {
        return Err(RuntimeError(format!("output `{name}` has {} values for a batch of {batch}", values.len())));
    }
    Ok(values.to_vec())
}
