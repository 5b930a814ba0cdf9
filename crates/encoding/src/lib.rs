//! Fixed-size encodings of an architecture's graph view ([`np_spaces::ArchGraph`]).
//!
//! Everything here is computed from the graph view and the space's declared sizes (max nodes,
//! op vocabulary, node feature names), never from space-specific types: a new search space
//! gets both encodings for free.
//!
//! - [`GraphEncoding`] (`--format graph`): the GCN predictor's input. Node count, the
//!   adjacency padded to `max_nodes × max_nodes`, a one-hot op row per node (all-zero rows for
//!   padding), and numeric node features when the space has them. Padding nodes have no edges
//!   and no op, so a masked model sees exactly the real graph.
//! - [`flat_encoding`] (`--format flat`): one vector for tree and MLP models: the strict upper
//!   triangle of the padded adjacency (row-major; left out when the space's topology is
//!   fixed), then the one-hot op rows, then the node features, node by node.

mod graph_bits;
mod graph_text;

pub use graph_bits::GraphBits;
use np_spaces::{ArchGraph, SearchSpace};
use serde::{Deserialize, Serialize, Serializer};

/// The sizes an encoding is padded to, taken from a search space.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EncodingShape {
    pub max_nodes: usize,
    pub op_count: usize,
    pub feature_count: usize,
    pub fixed_topology: bool,
    /// The space's edge limit ([`SearchSpace::max_edges`]), checked on encodings read back.
    pub max_edges: Option<usize>,
}

impl EncodingShape {
    pub fn of<S: SearchSpace>(space: &S) -> Self {
        EncodingShape {
            max_nodes: space.max_nodes(),
            op_count: space.op_vocabulary().len(),
            feature_count: space.node_feature_names().len(),
            fixed_topology: space.fixed_topology(),
            max_edges: space.max_edges(),
        }
    }

    /// Length of [`flat_encoding`]'s vector.
    pub fn flat_len(&self) -> usize {
        let triangle = if self.fixed_topology { 0 } else { self.max_nodes * (self.max_nodes - 1) / 2 };
        triangle + self.max_nodes * (self.op_count + self.feature_count)
    }
}

/// The padded graph tensors of one architecture; (de)serialises as the record's `graph` field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphEncoding {
    pub nodes: usize,
    pub adjacency: Vec<Vec<u8>>,
    pub op_onehot: Vec<Vec<u8>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub node_features: Vec<Vec<f64>>,
}

impl GraphEncoding {
    pub fn new(graph: &ArchGraph, shape: &EncodingShape) -> Self {
        let n = graph.node_count();
        assert!(n <= shape.max_nodes, "graph has {n} nodes, space allows {}", shape.max_nodes);
        let mut adjacency = vec![vec![0u8; shape.max_nodes]; shape.max_nodes];
        let mut op_onehot = vec![vec![0u8; shape.op_count]; shape.max_nodes];
        let mut node_features =
            vec![vec![0.0; shape.feature_count]; if shape.feature_count > 0 { shape.max_nodes } else { 0 }];
        for i in 0..n {
            for (cell, &edge) in adjacency[i].iter_mut().zip(&graph.adjacency[i]) {
                *cell = edge as u8;
            }
            op_onehot[i][graph.ops[i]] = 1;
            if shape.feature_count > 0 {
                node_features[i].copy_from_slice(&graph.node_features[i]);
            }
        }
        GraphEncoding { nodes: n, adjacency, op_onehot, node_features }
    }
}

impl GraphEncoding {
    /// Checks that an encoding read from a record has the shape of `shape` (so a model trained
    /// for one space never silently reads another's tensors) and keeps the rules every space's
    /// encoder keeps: nodes in a topological order, so that each edge goes from a lower real
    /// node to a higher one (the adjacency is strictly upper-triangular, its padding empty);
    /// one op per real node, none on padding; at most the space's edge limit. A graph that
    /// breaks them is no architecture of the space, and a score for it would mean nothing.
    pub fn check_shape(&self, shape: &EncodingShape) -> Result<(), String> {
        let max = shape.max_nodes;
        if self.nodes == 0 || self.nodes > max {
            return Err(format!("graph has {} nodes; the space allows 1 to {max}", self.nodes));
        }
        if self.adjacency.len() != max || self.adjacency.iter().any(|row| row.len() != max) {
            return Err(format!("graph adjacency must be {max}×{max} (padded)"));
        }
        if self.adjacency.iter().flatten().any(|&bit| bit > 1) {
            return Err("graph adjacency entries must be 0 or 1".into());
        }
        let edges = || {
            self.adjacency
                .iter()
                .enumerate()
                .flat_map(|(i, row)| row.iter().enumerate().map(move |(j, &bit)| (i, j, bit)))
        };
        if let Some((i, j, _)) = edges().find(|&(i, j, bit)| bit == 1 && !(i < j && j < self.nodes)) {
            return Err(format!(
                "graph adjacency has an edge {i} → {j}; edges go from a lower to a higher node of the {} real ones (topological order)",
                self.nodes
            ));
        }
        let edge_count = edges().filter(|&(_, _, bit)| bit == 1).count();
        if let Some(limit) = shape.max_edges.filter(|&limit| edge_count > limit) {
            return Err(format!("graph has {edge_count} edges; the space allows at most {limit}"));
        }
        if self.op_onehot.len() != max || self.op_onehot.iter().any(|row| row.len() != shape.op_count) {
            return Err(format!("graph op_onehot must be {max}×{} (padded)", shape.op_count));
        }
        for (i, row) in self.op_onehot.iter().enumerate() {
            let ones = row.iter().filter(|&&bit| bit == 1).count();
            let expected = usize::from(i < self.nodes);
            if ones != expected || row.iter().any(|&bit| bit > 1) {
                return Err(format!("graph op_onehot row {i} must hold {expected} one(s)"));
            }
        }
        let features_ok = if shape.feature_count == 0 {
            self.node_features.is_empty()
        } else {
            self.node_features.len() == max
                && self
                    .node_features
                    .iter()
                    .all(|row| row.len() == shape.feature_count && row.iter().all(|x| x.is_finite()))
        };
        if !features_ok {
            return Err(format!("graph node_features must be {max}×{} finite numbers", shape.feature_count));
        }
        Ok(())
    }
}

/// One numeric vector per architecture (see the crate docs for the layout).
pub fn flat_encoding(graph: &ArchGraph, shape: &EncodingShape) -> Vec<f64> {
    let encoded = GraphEncoding::new(graph, shape);
    let mut flat = Vec::with_capacity(shape.flat_len());
    if !shape.fixed_topology {
        for i in 0..shape.max_nodes {
            for j in i + 1..shape.max_nodes {
                flat.push(encoded.adjacency[i][j] as f64);
            }
        }
    }
    for row in &encoded.op_onehot {
        flat.extend(row.iter().map(|&bit| bit as f64));
    }
    for row in &encoded.node_features {
        flat.extend_from_slice(row);
    }
    flat
}

/// A flat vector that serialises integral values as integers (`1`, not `1.0`) to keep lines
/// short; readers treat both as numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct FlatVector(pub Vec<f64>);

impl Serialize for FlatVector {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for &x in &self.0 {
            if x.fract() == 0.0 && x.abs() < 9.0e15 {
                seq.serialize_element(&(x as i64))?;
            } else {
                seq.serialize_element(&x)?;
            }
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny_graph() -> ArchGraph {
        ArchGraph {
            ops: vec![0, 2, 1],
            adjacency: vec![vec![false, true, true], vec![false, false, true], vec![false, false, false]],
            node_features: vec![vec![]; 3],
        }
    }

    #[test]
    fn padding_rows_are_empty() {
        let shape =
            EncodingShape { max_nodes: 5, op_count: 3, feature_count: 0, fixed_topology: false, max_edges: None };
        let encoded = GraphEncoding::new(&tiny_graph(), &shape);
        assert_eq!(encoded.nodes, 3);
        assert_eq!(encoded.adjacency[0], vec![0, 1, 1, 0, 0]);
        assert!(encoded.adjacency[3..].iter().all(|row| row.iter().all(|&b| b == 0)));
        assert_eq!(encoded.op_onehot[1], vec![0, 0, 1]);
        assert_eq!(encoded.op_onehot[4], vec![0, 0, 0]);
    }

    #[test]
    fn flat_vector_has_the_declared_layout() {
        let shape =
            EncodingShape { max_nodes: 4, op_count: 3, feature_count: 0, fixed_topology: false, max_edges: None };
        let flat = flat_encoding(&tiny_graph(), &shape);
        assert_eq!(flat.len(), shape.flat_len());
        // Upper triangle of a 4x4 matrix: (0,1) (0,2) (0,3) (1,2) (1,3) (2,3).
        assert_eq!(&flat[..6], &[1.0, 1.0, 0.0, 1.0, 0.0, 0.0]);
        assert_eq!(&flat[6..9], &[1.0, 0.0, 0.0]);
        assert_eq!(&flat[15..18], &[0.0, 0.0, 0.0]);
    }

    #[test]
    fn graphs_against_the_rules_are_refused_naming_the_rule() {
        let shape =
            EncodingShape { max_nodes: 4, op_count: 2, feature_count: 0, fixed_topology: false, max_edges: Some(3) };
        let graph = |nodes: usize, edges: &[(usize, usize)]| {
            let mut adjacency = vec![vec![0u8; 4]; 4];
            for &(i, j) in edges {
                adjacency[i][j] = 1;
            }
            let op_onehot = (0..4).map(|i| if i < nodes { vec![1, 0] } else { vec![0, 0] }).collect();
            GraphEncoding { nodes, adjacency, op_onehot, node_features: vec![] }
        };
        assert_eq!(graph(3, &[(0, 1), (1, 2), (0, 2)]).check_shape(&shape), Ok(()));
        let against_the_order = "edges go from a lower to a higher node of the 3 real ones (topological order)";
        for (edges, edge) in [(&[(0, 1), (1, 0)][..], "1 → 0"), (&[(1, 1)], "1 → 1"), (&[(1, 3)], "1 → 3")] {
            let message = graph(3, edges).check_shape(&shape).unwrap_err();
            assert_eq!(message, format!("graph adjacency has an edge {edge}; {against_the_order}"));
        }
        let four_edges = graph(4, &[(0, 1), (1, 2), (2, 3), (0, 3)]);
        assert_eq!(four_edges.check_shape(&shape).unwrap_err(), "graph has 4 edges; the space allows at most 3");
        assert_eq!(four_edges.check_shape(&EncodingShape { max_edges: None, ..shape }), Ok(()));
    }
}
