//! Graph-level inputs: numbers per architecture (e.g. its zero-cost proxies) that the GCN reads
//! beside its graph, joined to the readout before the fully connected layer.
//!
//! Raw values span orders of magnitude (synflow ~10³⁰, grad_norm ~10¹), so each is first
//! transformed (by default the signed log `sign(x)·ln(1 + |x|)`), then standardised with the
//! training lines' mean and standard deviation. The predictor file stores the names, the
//! transform and the standardisation in its metadata; both are applied *before* the exported
//! graph, in `f64` ([`GraphFeatures::scale`]), and its `graph_features` input takes the
//! standardised values. Not inside the graph: a proxy of ~10³⁰ with a spread of a few percent
//! has a log of ~69 ± 0.05, and the `f32` rounding of that log (ONNX Runtime's and Rust's
//! differ by an ulp or two) becomes 10⁻⁴ after standardisation — enough to make the two
//! backends disagree beyond 10⁻⁵.

use ndarray::Array1;

/// The transform applied to each raw value before standardisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GraphTransform {
    /// The raw value.
    Identity,
    /// `sign(x)·ln(1 + |x|)`: keeps the sign and zero, compresses magnitudes.
    SignedLog1p,
}

impl GraphTransform {
    pub fn name(self) -> &'static str {
        match self {
            GraphTransform::Identity => "identity",
            GraphTransform::SignedLog1p => "signed_log1p",
        }
    }

    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "identity" => Ok(GraphTransform::Identity),
            "signed_log1p" => Ok(GraphTransform::SignedLog1p),
            other => Err(format!("unknown graph-feature transform '{other}' (identity or signed_log1p)")),
        }
    }

    /// The transformed value.
    pub fn apply(self, x: f64) -> f64 {
        match self {
            GraphTransform::Identity => x,
            GraphTransform::SignedLog1p => x.signum() * x.abs().ln_1p(),
        }
    }
}

/// What a trainer asks for: the feature names (dotted paths of a line) and the transform.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphFeatureRequest {
    pub names: Vec<String>,
    pub transform: GraphTransform,
}

/// The graph-level inputs of a trained predictor: names, transform and the standardisation
/// fitted on its training lines.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphFeatures {
    pub names: Vec<String>,
    pub transform: GraphTransform,
    /// Mean and standard deviation of each transformed value over the training lines (a
    /// constant feature gets 1, so it standardises to 0).
    pub mean: Vec<f64>,
    pub std: Vec<f64>,
}

impl GraphFeatures {
    /// Fits the standardisation on the raw values of the training lines.
    pub fn fit(request: &GraphFeatureRequest, raw: &[&Array1<f32>]) -> Result<Self, String> {
        let width = request.names.len();
        if let Some(row) = raw.iter().find(|row| row.len() != width) {
            return Err(format!("a training line has {} graph-level inputs, expected {width}", row.len()));
        }
        let n = raw.len().max(1) as f64;
        let mut mean = vec![0.0; width];
        let mut std = vec![0.0; width];
        for j in 0..width {
            let values: Vec<f64> = raw.iter().map(|row| request.transform.apply(row[j] as f64)).collect();
            let m = values.iter().sum::<f64>() / n;
            let s = (values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n).sqrt();
            mean[j] = m;
            // Rounding leaves a constant feature a spread of ~1e-16, not 0.
            std[j] = if s > 1e-9 * m.abs().max(1.0) && s.is_finite() { s } else { 1.0 };
        }
        Ok(GraphFeatures { names: request.names.clone(), transform: request.transform, mean, std })
    }

    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The network's inputs for one line's raw values: transformed, then standardised (in
    /// `f64`; the `f32` result is what the exported graph's `graph_features` input takes).
    pub fn scale(&self, raw: &Array1<f32>) -> Array1<f32> {
        Array1::from_shape_fn(raw.len(), |j| {
            ((self.transform.apply(raw[j] as f64) - self.mean[j]) / self.std[j]) as f32
        })
    }
}
