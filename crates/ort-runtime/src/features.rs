//! A predictor over one feature vector per architecture (tree predictors of `np-trees`) as an
//! ONNX Runtime session.

use ort::session::Session;

use crate::predictor::{output, session, tensor};
use crate::{Device, RuntimeError};

/// Names of the input and output, as `TreePredictor::to_onnx` (in `np-trees`) writes them.
const FEATURES: &str = "features";
const PRED: &str = "pred";

/// A model with the input `features` float32 `[batch, F]` and the output `pred` `[batch]` loaded
/// into ONNX Runtime. Like [`OrtPredictor`](crate::OrtPredictor), it runs from one thread at
/// a time.
#[derive(Debug)]
pub struct OrtFeaturePredictor {
    session: Session,
}

impl OrtFeaturePredictor {
    /// Loads a model from its bytes; `device` and `intra_threads` as for
    /// [`OrtPredictor::load`](crate::OrtPredictor::load).
    pub fn load(model: &[u8], device: Device, intra_threads: Option<usize>) -> Result<Self, RuntimeError> {
        let session = session(model, device, intra_threads)?;
        if !session.inputs().iter().any(|input| input.name() == FEATURES) {
            return Err(RuntimeError(format!("the model has no `{FEATURES}` input: not a feature predictor")));
        }
        if !session.outputs().iter().any(|output| output.name() == PRED) {
            return Err(RuntimeError(format!("the model has no `{PRED}` output: not a predictor file")));
        }
        Ok(OrtFeaturePredictor { session })
    }

    /// Scores `batch` row-major feature vectors of equal length (`features.len() / batch`
    /// each); returns `pred` `[batch]`. A batch of 0 returns nothing without running the model.
    pub fn run(&mut self, batch: usize, features: &[f32]) -> Result<Vec<f32>, RuntimeError> {
        if batch == 0 {
            return Ok(Vec::new());
        }
        let width = features.len() / batch;
        if width == 0 || width * batch != features.len() {
            return Err(RuntimeError(format!(
                "`{FEATURES}` has {} values, not a positive multiple of the batch {batch}",
                features.len()
            )));
        }
        let inputs = vec![(FEATURES, tensor(FEATURES, &[batch, width], features)?)];
        let outputs =
            self.session.run(inputs).map_err(|e| RuntimeError::new("ONNX Runtime failed to run the model", e))?;
        output(&outputs, PRED, batch)
    }
}
