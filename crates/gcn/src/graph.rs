//! The model's input for one architecture: node inputs and the two normalised adjacencies.

use ndarray::{Array1, Array2};

use crate::Real;

/// One architecture, padded to `max_nodes` rows.
///
/// Padding rows have zero inputs and only a self-loop, so they are never connected to a real
/// node: real nodes see exactly the real graph, and the readout averages real nodes only. That
/// is why padding to any size leaves predictions unchanged.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphSample<F> {
    /// Real node count (the first `nodes` rows).
    pub nodes: usize,
    /// Node inputs, `max_nodes × input_width`: one-hot op, then numeric node features.
    pub inputs: Array2<F>,
    /// Â = row-normalised (A + I): messages along edges (a node hears its successors).
    pub forward_adjacency: Array2<F>,
    /// Ã = row-normalised (Aᵀ + I): messages against edges (a node hears its predecessors).
    pub backward_adjacency: Array2<F>,
    /// Graph-level inputs joined to the readout (empty unless the model has some).
    pub graph_features: Array1<F>,
}

impl<F: Real> GraphSample<F> {
    /// Builds the tensors from a padded adjacency (`max × max`, 0/1) and node inputs
    /// (`max × width`), of which the first `nodes` rows are real.
    pub fn new(nodes: usize, adjacency: &Array2<F>, inputs: Array2<F>) -> Self {
        let max_nodes = adjacency.nrows();
        assert_eq!(adjacency.ncols(), max_nodes, "adjacency must be square");
        Self::from_adjacency_fn(nodes, max_nodes, |i, j| adjacency[[i, j]], inputs)
    }

    /// [`GraphSample::new`] with the adjacency given entry by entry (`edge(i, j)` for i → j):
    /// callers that hold it in another form need not build a matrix first.
    pub fn from_adjacency_fn(
        nodes: usize,
        max_nodes: usize,
        edge: impl Fn(usize, usize) -> F,
        inputs: Array2<F>,
    ) -> Self {
        assert_eq!(inputs.nrows(), max_nodes, "one input row per node");
        assert!(nodes <= max_nodes);
        GraphSample {
            nodes,
            inputs,
            forward_adjacency: normalised_with_self_loops(max_nodes, &edge),
            backward_adjacency: normalised_with_self_loops(max_nodes, |i, j| edge(j, i)),
            graph_features: Array1::zeros(0),
        }
    }

    /// The same graph with these graph-level inputs.
    pub fn with_graph_features(mut self, values: Array1<F>) -> Self {
        self.graph_features = values;
        self
    }

    pub fn max_nodes(&self) -> usize {
        self.inputs.nrows()
    }

    /// The real nodes plus any padding node that is not inert: the smallest count such that
    /// every later row has a zero input and no edge but its self-loop. Those later rows stay
    /// exactly zero through every layer, so a forward pass may leave them out.
    pub fn active_nodes(&self) -> usize {
        let n = self.max_nodes();
        let busy = |i: usize| {
            self.inputs.row(i).iter().any(|&x| x != F::zero())
                || (0..n).any(|j| {
                    j != i
                        && (self.forward_adjacency[[i, j]] != F::zero() || self.forward_adjacency[[j, i]] != F::zero())
                })
        };
        (self.nodes..n).rev().find(|&i| busy(i)).map_or(self.nodes, |i| i + 1)
    }

    /// The same graph padded to `max_nodes` rows (for tests of padding invariance).
    pub fn padded_to(&self, max_nodes: usize) -> Self {
        let old = self.max_nodes();
        assert!(max_nodes >= old);
        let mut adjacency = Array2::<F>::zeros((max_nodes, max_nodes));
        let identity = Array2::<F>::eye(old);
        // Recover A from Â's sparsity pattern: any non-zero off-diagonal entry is an edge.
        for i in 0..old {
            for j in 0..old {
                if i != j && self.forward_adjacency[[i, j]] != F::zero() && identity[[i, j]] == F::zero() {
                    adjacency[[i, j]] = F::one();
                }
            }
        }
        let mut inputs = Array2::<F>::zeros((max_nodes, self.inputs.ncols()));
        inputs.slice_mut(ndarray::s![..old, ..]).assign(&self.inputs);
        GraphSample::new(self.nodes, &adjacency, inputs).with_graph_features(self.graph_features.clone())
    }
}

/// Row-normalised (M + I) for the `n × n` matrix M with entries `at(i, j)`, filled row by row
/// in place (scoring builds two per line: no identity, sum or copy temporaries).
fn normalised_with_self_loops<F: Real>(n: usize, at: impl Fn(usize, usize) -> F) -> Array2<F> {
    let mut values = Vec::with_capacity(n * n);
    for i in 0..n {
        let start = values.len();
        values.extend((0..n).map(|j| if i == j { at(i, j) + F::one() } else { at(i, j) }));
        let row = &mut values[start..];
        let sum: F = row.iter().copied().sum();
        if sum != F::zero() {
            row.iter_mut().for_each(|x| *x = *x / sum);
        }
    }
    Array2::from_shape_vec((n, n), values).expect("n × n values")
}

impl GraphSample<f32> {
    /// From the fields of `arch-encode --format graph`: node count, padded 0/1 adjacency,
    /// one-hot op rows and (possibly empty) numeric node features.
    pub fn from_encoding(
        nodes: usize,
        adjacency: &[Vec<u8>],
        op_onehot: &[Vec<u8>],
        node_features: &[Vec<f64>],
    ) -> Self {
        let max_nodes = adjacency.len();
        let ops = op_onehot.first().map_or(0, Vec::len);
        let features = node_features.first().map_or(0, Vec::len);
        let inputs = Array2::from_shape_fn((max_nodes, ops + features), |(i, k)| {
            if k < ops { op_onehot[i][k] as f32 } else { node_features[i][k - ops] as f32 }
        });
        GraphSample::from_adjacency_fn(nodes, max_nodes, |i, j| adjacency[i][j] as f32, inputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(nodes: usize, max_nodes: usize) -> (Array2<f32>, Array2<f32>) {
        let mut adjacency = Array2::zeros((max_nodes, max_nodes));
        for i in 1..nodes {
            adjacency[[i - 1, i]] = 1.0;
        }
        let mut inputs = Array2::zeros((max_nodes, 2));
        for i in 0..nodes {
            inputs[[i, i % 2]] = 1.0;
        }
        (adjacency, inputs)
    }

    #[test]
    fn inert_padding_is_not_active() {
        let (adjacency, inputs) = chain(3, 7);
        assert_eq!(GraphSample::new(3, &adjacency, inputs).active_nodes(), 3);
    }

    #[test]
    fn a_padding_node_with_an_edge_or_an_input_stays_active() {
        let (mut adjacency, inputs) = chain(3, 7);
        adjacency[[1, 5]] = 1.0;
        assert_eq!(GraphSample::new(3, &adjacency, inputs).active_nodes(), 6);
        let (adjacency, mut inputs) = chain(3, 7);
        inputs[[4, 0]] = 1.0;
        assert_eq!(GraphSample::new(3, &adjacency, inputs).active_nodes(), 5);
    }
}
