//! The graph view: NAS-Bench-201's ops sit on edges, the Neural Predictor's GCN reads ops on
//! nodes, so each edge becomes a node.
//!
//! The Neural Predictor paper (Wen et al. 2020, Sec. 3.1) encodes a cell as a graph whose
//! nodes carry one-hot ops. The usual way to bring an edge-labelled cell to that form, and the
//! one GCN predictors on this space use (NASLib's GCN encoding, BRP-NAS), is the line graph:
//!
//! - node 0 is the cell's input, node 7 its output, and nodes 1–6 are the six edges in the
//!   official string's order, each carrying its op;
//! - an edge node i → j feeds every edge node leaving cell node j, and the edge nodes into
//!   cell node 3 feed the output; the edge nodes leaving cell node 0 read the input.
//!
//! The intermediate cell nodes 1 and 2 get no node of their own: they only sum their inputs
//! and have no op to one-hot, and a node each would put two more hops between input and
//! output for the GCN's few layers to cross. `none` edges keep their node, with op `none`,
//! rather than being dropped with their connections: so the graph has the same 8 nodes and
//! 10 edges for every cell (fixed topology, what distinguishes cells is the ops), and the
//! model can still learn that a `none` node cuts what flows through it. The space shows each
//! cell through its class representative's line graph ([`super::Nb201`]'s `graph`), so cells
//! computing one function share one graph.

use super::cell::{Cell, EDGE_COUNT};
use crate::ArchGraph;

/// The graph view's op vocabulary: the input, the five ops in the benchmark's order, the
/// output.
pub const OP_VOCABULARY: [&str; 7] =
    ["input", "none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3", "output"];

/// Input, one node per edge, output.
pub const GRAPH_NODES: usize = EDGE_COUNT + 2;

/// Edges of every graph: 3 from the input, 4 between edge nodes (0→1 feeds 1→2 and 1→3;
/// 0→2 and 1→2 feed 2→3), 3 into the output.
pub const GRAPH_EDGES: usize = 10;

/// The line graph of `cell`'s DAG, with the input and output nodes (the generic edge cell's,
/// [`crate::declared::EdgeCellRules::line_graph`]).
pub fn edge_node_graph(cell: &Cell) -> ArchGraph {
    super::rules().line_graph(&cell.ops)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_become_nodes_between_input_and_output() {
        let graph = edge_node_graph(&Cell { ops: [3, 0, 1, 2, 4, 1] });
        assert_eq!(graph.ops, vec![0, 4, 1, 2, 3, 5, 2, 6]);
        let edges: Vec<(usize, usize)> = (0..GRAPH_NODES)
            .flat_map(|i| (0..GRAPH_NODES).map(move |j| (i, j)))
            .filter(|&(i, j)| graph.adjacency[i][j])
            .collect();
        // Edge nodes: 1 = 0→1, 2 = 0→2, 3 = 1→2, 4 = 0→3, 5 = 1→3, 6 = 2→3.
        assert_eq!(edges, vec![(0, 1), (0, 2), (0, 4), (1, 3), (1, 5), (2, 6), (3, 6), (4, 7), (5, 7), (6, 7)]);
        assert_eq!(edges.len(), GRAPH_EDGES);
        assert!(edges.iter().all(|&(i, j)| i < j), "topological order");
    }

    #[test]
    fn every_cell_has_the_same_edges_and_its_own_ops() {
        let first = edge_node_graph(&Cell::at(0));
        let mut ops = std::collections::HashSet::new();
        for cell in Cell::all() {
            let graph = edge_node_graph(&cell);
            assert_eq!(graph.adjacency, first.adjacency);
            ops.insert(graph.ops);
        }
        assert_eq!(ops.len(), Cell::all().len());
    }
}
