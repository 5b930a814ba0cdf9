//! NASLib's spelling of a cell: six op indices (its `op_indices`).
//!
//! NASLib (automl/NASLib, `search_spaces/nasbench201`) numbers the cell nodes from 1 and
//! lists the edges as (1,2), (1,3), (1,4), (2,3), (2,4), (3,4), i.e. by source node first,
//! where the official string goes by target node; and it orders the ops as `skip_connect,
//! none, nor_conv_3x3, nor_conv_1x1, avg_pool_3x3` (its `Identity, Zero, ReLUConvBN3x3,
//! ReLUConvBN1x1, AvgPool1x1`). Both orders differ from the benchmark's, so a tuple is
//! translated position by position and op by op.

use super::cell::{Cell, EDGE_COUNT, EDGES, OP_NAMES};
use crate::{InvalidArchitecture, invalid};

/// NASLib's op order, as names of the benchmark's ops.
pub const NASLIB_OPS: [&str; 5] = ["skip_connect", "none", "nor_conv_3x3", "nor_conv_1x1", "avg_pool_3x3"];

/// NASLib's edge order, with its 1-based node numbers.
pub const NASLIB_EDGES: [(usize, usize); EDGE_COUNT] = [(1, 2), (1, 3), (1, 4), (2, 3), (2, 4), (3, 4)];

/// For each NASLib tuple position, the edge of the official order it names.
fn official_edge(position: usize) -> usize {
    let (from, to) = NASLIB_EDGES[position];
    EDGES.iter().position(|&edge| edge == (from - 1, to - 1)).expect("NASLib's edges are the cell's edges")
}

/// The benchmark's op index of NASLib's op `index`.
fn official_op(naslib_index: usize) -> u8 {
    OP_NAMES.iter().position(|name| *name == NASLIB_OPS[naslib_index]).expect("NASLib's ops are the benchmark's") as u8
}

/// The cell of a NASLib tuple.
pub fn cell_from_naslib(tuple: &[i64]) -> Result<Cell, InvalidArchitecture> {
    if tuple.len() != EDGE_COUNT {
        return invalid(format!("a NASLib tuple has {EDGE_COUNT} op indices, got {}", tuple.len()));
    }
    let mut ops = [0u8; EDGE_COUNT];
    for (position, &index) in tuple.iter().enumerate() {
        if !(0..NASLIB_OPS.len() as i64).contains(&index) {
            return invalid(format!(
                "NASLib op index {index} at position {position} is not 0-4 ({})",
                NASLIB_OPS.iter().enumerate().map(|(i, name)| format!("{i} {name}")).collect::<Vec<_>>().join(", ")
            ));
        }
        ops[official_edge(position)] = official_op(index as usize);
    }
    Ok(Cell { ops })
}

/// The NASLib tuple of a cell.
pub fn naslib_tuple(cell: &Cell) -> [u8; EDGE_COUNT] {
    let mut tuple = [0u8; EDGE_COUNT];
    for (position, slot) in tuple.iter_mut().enumerate() {
        let name = cell.op_name(official_edge(position));
        *slot = NASLIB_OPS.iter().position(|known| *known == name).expect("five ops on both sides") as u8;
    }
    tuple
}

#[cfg(test)]
mod tests {
    use super::super::arch_string::arch_string;
    use super::*;

    #[test]
    fn tuples_and_cells_convert_both_ways() {
        for cell in Cell::all() {
            let tuple = naslib_tuple(&cell).map(i64::from);
            assert_eq!(cell_from_naslib(&tuple), Ok(cell));
        }
    }

    #[test]
    fn positions_and_op_indices_follow_naslib() {
        // Position 2 is edge (1,4), i.e. node 0 → node 3; op 2 is nor_conv_3x3.
        let cell = cell_from_naslib(&[1, 1, 2, 1, 1, 1]).unwrap();
        assert_eq!(arch_string(&cell), "|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|");
        // Position 3 is edge (2,3), node 1 → node 2; op 0 is skip_connect, 3 nor_conv_1x1, 4 avg_pool_3x3.
        let cell = cell_from_naslib(&[3, 4, 1, 0, 1, 1]).unwrap();
        assert_eq!(arch_string(&cell), "|nor_conv_1x1~0|+|avg_pool_3x3~0|skip_connect~1|+|none~0|none~1|none~2|");
    }

    #[test]
    fn bad_tuples_say_why() {
        assert!(cell_from_naslib(&[0; 5]).unwrap_err().0.contains("6 op indices, got 5"));
        assert!(cell_from_naslib(&[0, 0, 5, 0, 0, 0]).unwrap_err().0.starts_with("NASLib op index 5 at position 2"));
        assert!(cell_from_naslib(&[0, -1, 0, 0, 0, 0]).unwrap_err().0.starts_with("NASLib op index -1"));
    }
}
