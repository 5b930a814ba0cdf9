//! A `graph` field's JSON text, written and read fast in the layout `arch-encode` writes.
//!
//! The predictor reads one graph per line, 423,624 of them for the NAS-Bench-101 space, and
//! serde's generic visitors spend about a microsecond on each: two 7 × 7 and 7 × 5 matrices
//! of 0/1 entries, each element going through a sequence-access call and a number parser.
//! `arch-encode` always writes one compact layout (`{"nodes":N,"adjacency":[[…]…],
//! "op_onehot":[[…]…]}`, no spaces, 0/1 entries), so [`GraphEncoding::from_json`] reads that
//! layout byte by byte and hands anything else (spaces, another key order, node features,
//! entries other than `0` and `1`) to serde. Both give the same value for every text the fast
//! path accepts (tested), and serde gives the error message for every text it does not.

use np_spaces::ArchGraph;

use crate::{EncodingShape, GraphEncoding};

impl GraphEncoding {
    /// The encoding in `text` (a JSON object, as in a record's `graph` field).
    pub fn from_json(text: &str) -> Result<GraphEncoding, serde_json::Error> {
        match read_compact(text.as_bytes()) {
            Some(graph) => Ok(graph),
            None => serde_json::from_str(text),
        }
    }

    /// The encoding as compact JSON: the same text as `serde_json::to_string`, written directly
    /// (serde's writer copies each one-digit entry on its own, a tenth of `arch-encode`'s time).
    pub fn to_json(&self) -> String {
        if !self.node_features.is_empty() {
            return serde_json::to_string(self).expect("an encoding serialises");
        }
        let entries = self.adjacency.iter().chain(&self.op_onehot).map(Vec::len).sum::<usize>();
        let mut text = String::with_capacity(48 + 2 * entries + 4 * (self.adjacency.len() + self.op_onehot.len()));
        text.push_str("{\"nodes\":");
        text.push_str(&self.nodes.to_string());
        text.push_str(",\"adjacency\":");
        write_matrix(&mut text, &self.adjacency);
        text.push_str(",\"op_onehot\":");
        write_matrix(&mut text, &self.op_onehot);
        text.push('}');
        text
    }

    /// The text of `GraphEncoding::new(graph, shape).to_json()`, written straight from the
    /// graph: `arch-encode` writes one per line, and building the padded matrices first (two
    /// dozen small vectors) took as long as writing them.
    pub fn json_of(graph: &ArchGraph, shape: &EncodingShape) -> String {
        let n = graph.node_count();
        if shape.feature_count > 0 {
            return GraphEncoding::new(graph, shape).to_json();
        }
        assert!(n <= shape.max_nodes, "graph has {n} nodes, space allows {}", shape.max_nodes);
        let max = shape.max_nodes;
        let mut text = String::with_capacity(48 + 2 * max * (max + shape.op_count) + 4 * max);
        text.push_str("{\"nodes\":");
        text.push_str(&n.to_string());
        text.push_str(",\"adjacency\":");
        np_spaces::write_bit_matrix(&mut text, max, max, |i, j| i < n && graph.adjacency[i].get(j) == Some(&true));
        text.push_str(",\"op_onehot\":");
        np_spaces::write_bit_matrix(&mut text, max, shape.op_count, |i, k| i < n && graph.ops[i] == k);
        text.push('}');
        text
    }
}

fn write_matrix(text: &mut String, rows: &[Vec<u8>]) {
    text.push('[');
    for (i, row) in rows.iter().enumerate() {
        if i > 0 {
            text.push(',');
        }
        text.push('[');
        for (j, &entry) in row.iter().enumerate() {
            if j > 0 {
                text.push(',');
            }
            if entry < 10 {
                text.push(char::from(b'0' + entry));
            } else {
                text.push_str(&entry.to_string());
            }
        }
        text.push(']');
    }
    text.push(']');
}

/// The encoding, if `bytes` is exactly the compact layout without node features.
fn read_compact(bytes: &[u8]) -> Option<GraphEncoding> {
    let mut text = Cursor { bytes, at: 0 };
    text.expect(b"{\"nodes\":")?;
    let nodes = text.count()?;
    text.expect(b",\"adjacency\":")?;
    let adjacency = text.bit_matrix()?;
    text.expect(b",\"op_onehot\":")?;
    let op_onehot = text.bit_matrix()?;
    text.expect(b"}")?;
    (text.at == bytes.len()).then_some(GraphEncoding { nodes, adjacency, op_onehot, node_features: Vec::new() })
}

/// A position in a graph field's text, for the readers of its compact layout.
pub(crate) struct Cursor<'t> {
    pub(crate) bytes: &'t [u8],
    pub(crate) at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    pub(crate) fn expect(&mut self, literal: &[u8]) -> Option<()> {
        let end = self.at + literal.len();
        (self.bytes.get(self.at..end)? == literal).then(|| self.at = end)
    }

    /// A non-negative integer as JSON writes it (no sign, no leading zero), of at most nine
    /// digits so that it cannot overflow.
    pub(crate) fn count(&mut self) -> Option<usize> {
        let start = self.at;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        let digits = &self.bytes[start..self.at];
        if digits.is_empty() || digits.len() > 9 || (digits.len() > 1 && digits[0] == b'0') {
            return None;
        }
        Some(digits.iter().fold(0, |n, &d| n * 10 + usize::from(d - b'0')))
    }

    /// `[[b,…],…]` with every entry `0` or `1` (empty rows and an empty matrix allowed).
    fn bit_matrix(&mut self) -> Option<Vec<Vec<u8>>> {
        let (rows, used) = np_spaces::digit_matrix(&self.bytes[self.at..])?;
        if rows.iter().flatten().any(|&bit| bit > 1) {
            return None;
        }
        self.at += used;
        Some(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(text: &str) -> (Option<GraphEncoding>, Result<GraphEncoding, String>) {
        (read_compact(text.as_bytes()), serde_json::from_str(text).map_err(|e| e.to_string()))
    }

    #[test]
    fn the_compact_layout_reads_as_serde_reads_it() {
        for text in [
            r#"{"nodes":2,"adjacency":[[0,1,0],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]}"#,
            r#"{"nodes":0,"adjacency":[],"op_onehot":[]}"#,
            r#"{"nodes":12,"adjacency":[[],[1]],"op_onehot":[[1,1,1]]}"#,
        ] {
            let (fast, slow) = both(text);
            assert_eq!(fast.as_ref(), Some(&slow.unwrap()), "{text}");
            assert_eq!(GraphEncoding::from_json(text).ok(), fast);
        }
    }

    #[test]
    fn written_text_is_serdes() {
        let graphs = [
            GraphEncoding {
                nodes: 2,
                adjacency: vec![vec![0, 1], vec![0, 0]],
                op_onehot: vec![vec![1, 0]; 2],
                node_features: vec![],
            },
            GraphEncoding { nodes: 0, adjacency: vec![], op_onehot: vec![vec![]], node_features: vec![] },
            GraphEncoding { nodes: 310, adjacency: vec![vec![10, 255, 9]], op_onehot: vec![], node_features: vec![] },
            GraphEncoding {
                nodes: 1,
                adjacency: vec![vec![0]],
                op_onehot: vec![vec![1]],
                node_features: vec![vec![0.5, -2.0]],
            },
        ];
        for graph in graphs {
            let text = graph.to_json();
            assert_eq!(text, serde_json::to_string(&graph).unwrap());
            assert_eq!(GraphEncoding::from_json(&text).unwrap(), graph);
        }
    }

    /// And what every space writes keeps the rules its readers check.
    #[test]
    fn text_written_from_the_graph_is_the_encodings() {
        use np_spaces::{SearchSpace, SpaceVisitor, with_space};
        use rand::SeedableRng;
        struct Check;
        impl SpaceVisitor for Check {
            type Output = ();
            fn visit<S: SearchSpace>(self, space: &S) {
                let shape = EncodingShape::of(space);
                let mut rng = np_spaces::SpaceRng::seed_from_u64(11);
                for _ in 0..300 {
                    let graph = space.graph(&space.sample(&mut rng));
                    let encoding = GraphEncoding::new(&graph, &shape);
                    let text = GraphEncoding::json_of(&graph, &shape);
                    assert_eq!(text, encoding.to_json());
                    assert_eq!(encoding.check_shape(&shape), Ok(()), "{}: {text}", space.name());
                    let compact = crate::GraphBits::from_compact_json(&text, &shape);
                    assert_eq!(compact.is_some(), shape.feature_count == 0, "{}: {text}", space.name());
                }
            }
        }
        for name in np_spaces::SPACE_NAMES {
            with_space(name, Check).unwrap();
        }
    }

    #[test]
    fn other_texts_go_to_serde() {
        for text in [
            r#"{ "nodes":2,"adjacency":[[0,1]],"op_onehot":[[1]]}"#,
            r#"{"adjacency":[[0,1]],"nodes":2,"op_onehot":[[1]]}"#,
            r#"{"nodes":2,"adjacency":[[0,2]],"op_onehot":[[1]]}"#,
            r#"{"nodes":2,"adjacency":[[0,1]],"op_onehot":[[1]],"node_features":[[0.5]]}"#,
            r#"{"nodes":02,"adjacency":[[0,1]],"op_onehot":[[1]]}"#,
            r#"{"nodes":2,"adjacency":[[0,1],],"op_onehot":[[1]]}"#,
            r#"{"nodes":2,"adjacency":[[0,1]],"op_onehot":[[1]]} "#,
            r#"{"nodes":1234567890,"adjacency":[],"op_onehot":[]}"#,
            r#"{"nodes":2,"adjacency":[[0,1"#,
        ] {
            let (fast, slow) = both(text);
            assert_eq!(fast, None, "{text}");
            assert_eq!(GraphEncoding::from_json(text).map_err(|e| e.to_string()), slow, "{text}");
        }
    }
}
