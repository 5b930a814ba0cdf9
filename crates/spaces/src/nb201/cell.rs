//! What a NAS-Bench-201 cell is: six edges of a four-node DAG, one op each, and the id text
//! that names a cell.
//!
//! Source: Dong & Yang, "NAS-Bench-201: Extending the Scope of Reproducible Neural Architecture
//! Search" (ICLR 2020), Sec. 2.1: a cell has 4 nodes; node 0 is the cell's input, node 3 its
//! output, and each node is the sum of its incoming edges, every edge i → j (i < j) applying
//! one of five ops. 5^6 = 15,625 cells, every one of them an entry of the benchmark.

/// Nodes of the cell DAG: the input, two intermediate sums, the output.
pub const CELL_NODES: usize = 4;

/// Edges of the cell DAG.
pub const EDGE_COUNT: usize = 6;

/// The five ops, in the order of the benchmark's own op list (the API's `NAS_BENCH_201`
/// search space): an op's position is its digit in the id.
pub const OP_NAMES: [&str; 5] = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];

/// The op that outputs zeros: the edge is absent from the computation.
pub const NONE: u8 = 0;

/// The op that passes its input through unchanged.
pub const SKIP_CONNECT: u8 = 1;

/// The edges (from, to) in the order of the official `arch` string: node 1's input, then
/// node 2's inputs from nodes 0 and 1, then node 3's from nodes 0, 1 and 2.
pub const EDGES: [(usize, usize); EDGE_COUNT] = [(0, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)];

/// Every cell of the benchmark.
pub const CELL_COUNT: usize = 15_625;

/// One cell: `ops[k]` is the op (index into [`OP_NAMES`]) of edge `EDGES[k]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Cell {
    pub ops: [u8; EDGE_COUNT],
}

impl Cell {
    /// The cell whose ops, read as base-5 digits in edge order, spell `position`
    /// (`0..CELL_COUNT`): the inverse of [`Cell::position`].
    pub fn at(position: usize) -> Cell {
        assert!(position < CELL_COUNT, "cell position {position} out of range");
        let mut ops = [0u8; EDGE_COUNT];
        let mut rest = position;
        for op in ops.iter_mut().rev() {
            *op = (rest % OP_NAMES.len()) as u8;
            rest /= OP_NAMES.len();
        }
        Cell { ops }
    }

    /// The cell's place in the enumeration (its id read as a base-5 number). Not the
    /// benchmark's `index`, which only its table knows.
    pub fn position(&self) -> usize {
        self.ops.iter().fold(0, |position, &op| position * OP_NAMES.len() + op as usize)
    }

    /// All 15,625 cells in increasing id order.
    pub fn all() -> Vec<Cell> {
        (0..CELL_COUNT).map(Cell::at).collect()
    }

    /// The id: one digit per edge in the `arch` string's order, the op's position in
    /// [`OP_NAMES`] (`"000000"` is the all-`none` cell). Fixed by the cell alone, short, and
    /// read back by eye against the string.
    pub fn id_text(&self) -> String {
        self.ops.iter().map(|&op| char::from(b'0' + op)).collect()
    }

    /// The op name of edge `k`.
    pub fn op_name(&self, edge: usize) -> &'static str {
        OP_NAMES[self.ops[edge] as usize]
    }
}

/// The op index of `name`, if it is one of the five.
pub fn op_index(name: &str) -> Option<u8> {
    OP_NAMES.iter().position(|known| *known == name).map(|i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_cells_are_inverse_and_follow_the_id() {
        let all = Cell::all();
        assert_eq!(all.len(), CELL_COUNT);
        for (position, cell) in all.iter().enumerate() {
            assert_eq!(cell.position(), position);
        }
        assert!(all.windows(2).all(|w| w[0].id_text() < w[1].id_text()), "ids increase with position");
        assert_eq!(Cell::at(0).id_text(), "000000");
        assert_eq!(Cell::at(CELL_COUNT - 1).id_text(), "444444");
        assert_eq!(Cell { ops: [3, 0, 1, 2, 4, 1] }.id_text(), "301241");
    }

    #[test]
    fn edges_run_forward_grouped_by_their_target() {
        assert!(EDGES.iter().all(|&(from, to)| from < to && to < CELL_NODES));
        assert!(EDGES.windows(2).all(|w| (w[0].1, w[0].0) < (w[1].1, w[1].0)));
        assert_eq!(op_index("nor_conv_3x3"), Some(3));
        assert_eq!(op_index("conv3x3"), None);
    }
}
