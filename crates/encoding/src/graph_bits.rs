//! A `graph` field read straight into bit rows, for scoring.
//!
//! Scoring reads each line's graph once, to build the model's input. The general reader
//! ([`GraphEncoding::from_json`](crate::GraphEncoding::from_json)) builds a vector per matrix
//! row (sixteen for a NAS-Bench-101 cell), which the shape check then walks again and the
//! model input is copied from. [`GraphBits::from_compact_json`] reads the compact layout that
//! `arch-encode` writes into two fixed arrays of bit rows, checking the shape on the way.
//! Anything else (another layout, another shape, node features, an entry other than 0 or 1, a
//! row the shape check would reject) gives `None`, and the caller goes the general way, which
//! accepts the text or words the error.

use crate::EncodingShape;
use crate::graph_text::Cursor;

/// Most nodes, and most ops, a [`GraphBits`] holds (one bit each in a `u64`).
pub const MAX_BIT_ROWS: usize = 64;

/// A padded graph of a space without node features, as bits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphBits {
    /// Real node count (the first `nodes` rows).
    pub nodes: usize,
    max_nodes: usize,
    op_count: usize,
    /// Row `i`: bit `j` for an edge i → j.
    adjacency: [u64; MAX_BIT_ROWS],
    /// Row `i`: bit `k` when node `i` has op `k` (no bit for a padding row).
    ops: [u64; MAX_BIT_ROWS],
}

impl GraphBits {
    /// The graph in `text` when it is the compact layout (`{"nodes":N,"adjacency":[[…]…],
    /// "op_onehot":[[…]…]}`, no spaces) and passes
    /// [`GraphEncoding::check_shape`](crate::GraphEncoding::check_shape) for `shape`; `None`
    /// otherwise.
    pub fn from_compact_json(text: &str, shape: &EncodingShape) -> Option<GraphBits> {
        let max = shape.max_nodes;
        if shape.feature_count > 0 || max > MAX_BIT_ROWS || shape.op_count > 64 {
            return None;
        }
        let mut text = Cursor { bytes: text.as_bytes(), at: 0 };
        text.expect(b"{\"nodes\":")?;
        let nodes = text.count()?;
        if nodes == 0 || nodes > max {
            return None;
        }
        let mut graph = GraphBits {
            nodes,
            max_nodes: max,
            op_count: shape.op_count,
            adjacency: [0; MAX_BIT_ROWS],
            ops: [0; MAX_BIT_ROWS],
        };
        text.expect(b",\"adjacency\":")?;
        read_bit_rows(&mut text, max, max, &mut graph.adjacency)?;
        text.expect(b",\"op_onehot\":")?;
        read_bit_rows(&mut text, max, shape.op_count, &mut graph.ops)?;
        text.expect(b"}")?;
        // One op per real node, none on padding rows.
        let one_op_each = graph.ops[..max].iter().enumerate().all(|(i, row)| row.count_ones() == u32::from(i < nodes));
        (text.at == text.bytes.len() && one_op_each && graph.keeps_the_edge_rules(shape)).then_some(graph)
    }

    /// The edge rules of [`GraphEncoding::check_shape`](crate::GraphEncoding::check_shape),
    /// two operations per row: every edge goes from a lower real node to a higher one, and
    /// there are no more than the space's limit.
    fn keeps_the_edge_rules(&self, shape: &EncodingShape) -> bool {
        let real_nodes = u64::MAX >> (MAX_BIT_ROWS - self.nodes);
        let mut edges = 0;
        for (i, &row) in self.adjacency[..self.max_nodes].iter().enumerate() {
            // Bits j with i < j < nodes (two shifts: one by 64 would overflow).
            let later_real_nodes = real_nodes & (u64::MAX << i << 1);
            if row & !later_real_nodes != 0 {
                return false;
            }
            edges += row.count_ones() as usize;
        }
        shape.max_edges.is_none_or(|limit| edges <= limit)
    }

    pub fn max_nodes(&self) -> usize {
        self.max_nodes
    }

    pub fn op_count(&self) -> usize {
        self.op_count
    }

    /// Whether the graph has the edge `from` → `to`.
    pub fn has_edge(&self, from: usize, to: usize) -> bool {
        self.adjacency[from] >> to & 1 == 1
    }

    /// Whether node `node` has op `op`.
    pub fn has_op(&self, node: usize, op: usize) -> bool {
        self.ops[node] >> op & 1 == 1
    }
}

/// A `rows × columns` matrix of 0/1 entries into `bits` (row `i`, bit `j`); `None` for any
/// other size or entry.
fn read_bit_rows(text: &mut Cursor<'_>, rows: usize, columns: usize, bits: &mut [u64; MAX_BIT_ROWS]) -> Option<()> {
    let mut fits = true;
    let (found, used) = np_spaces::scan_digit_matrix(&text.bytes[text.at..], |item| match item {
        np_spaces::MatrixItem::Entry { row, column, digit } => {
            if row < rows && column < columns && digit <= 1 {
                bits[row] |= u64::from(digit) << column;
            } else {
                fits = false;
            }
        }
        np_spaces::MatrixItem::RowEnd { length, .. } => fits &= length == columns,
    })?;
    text.at += used;
    (fits && found == rows).then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::GraphEncoding;

    fn nb101() -> EncodingShape {
        EncodingShape { max_nodes: 3, op_count: 2, feature_count: 0, fixed_topology: false, max_edges: Some(2) }
    }

    #[test]
    fn reads_what_the_general_reader_reads() {
        let text = r#"{"nodes":2,"adjacency":[[0,1,0],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]}"#;
        let bits = GraphBits::from_compact_json(text, &nb101()).expect("compact and of this shape");
        let general = GraphEncoding::from_json(text).unwrap();
        general.check_shape(&nb101()).unwrap();
        assert_eq!(bits.nodes, general.nodes);
        for i in 0..3 {
            for j in 0..3 {
                assert_eq!(bits.has_edge(i, j), general.adjacency[i][j] == 1, "edge {i} → {j}");
            }
            for k in 0..2 {
                assert_eq!(bits.has_op(i, k), general.op_onehot[i][k] == 1, "op {k} of node {i}");
            }
        }
    }

    #[test]
    fn leaves_every_other_text_to_the_general_reader() {
        for text in [
            // Another layout, which the general reader accepts.
            r#"{ "nodes":2,"adjacency":[[0,1,0],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]}"#,
            // Shapes the shape check rejects: a row too short, a missing row, too many nodes,
            // no nodes, an entry 2, two ops on a node, an op on a padding row.
            r#"{"nodes":2,"adjacency":[[0,1],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]}"#,
            r#"{"nodes":2,"adjacency":[[0,1,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]}"#,
            r#"{"nodes":4,"adjacency":[[0,1,0],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]}"#,
            r#"{"nodes":0,"adjacency":[[0,0,0],[0,0,0],[0,0,0]],"op_onehot":[[0,0],[0,0],[0,0]]}"#,
            r#"{"nodes":2,"adjacency":[[0,2,0],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]}"#,
            r#"{"nodes":2,"adjacency":[[0,1,0],[0,0,0],[0,0,0]],"op_onehot":[[1,1],[0,1],[0,0]]}"#,
            r#"{"nodes":2,"adjacency":[[0,1,0],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[1,0]]}"#,
            // Edges against the topological order: below the diagonal, on it, to or from a
            // padding node; more edges than the space's limit.
            r#"{"nodes":3,"adjacency":[[0,1,0],[1,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[1,0]]}"#,
            r#"{"nodes":3,"adjacency":[[0,1,0],[0,1,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[1,0]]}"#,
            r#"{"nodes":2,"adjacency":[[0,1,1],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]}"#,
            r#"{"nodes":3,"adjacency":[[0,1,1],[0,0,1],[0,0,0]],"op_onehot":[[1,0],[0,1],[1,0]]}"#,
            // Not JSON; JSON with white space after it (which the general reader accepts).
            r#"{"nodes":2,"adjacency":[[0,1,0],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]"#,
            r#"{"nodes":2,"adjacency":[[0,1,0],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]} "#,
        ] {
            assert_eq!(GraphBits::from_compact_json(text, &nb101()), None, "{text}");
            let general =
                GraphEncoding::from_json(text).map_err(|e| e.to_string()).and_then(|g| g.check_shape(&nb101()));
            assert_eq!(general.is_ok(), text.starts_with("{ ") || text.ends_with(' '), "{text}");
        }
    }

    #[test]
    fn a_space_with_node_features_is_left_to_the_general_reader() {
        let shape = EncodingShape { feature_count: 1, ..nb101() };
        let text = r#"{"nodes":2,"adjacency":[[0,1,0],[0,0,0],[0,0,0]],"op_onehot":[[1,0],[0,1],[0,0]]}"#;
        assert_eq!(GraphBits::from_compact_json(text, &shape), None);
    }
}
