//! The benchmark's own spelling of a cell, the `arch` string that keys its tables:
//! `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.
//!
//! One `|`-delimited group per node 1, 2, 3 (joined by `+`), listing that node's incoming
//! edges as `op~i` for source nodes i = 0, 1, … in order (the API's `Structure.tostr` and
//! `str2structure`). We read only that exact layout: it is what every released table and
//! NASLib's converter write, so anything else is a typing slip worth reporting.
//!
//! The layout is the generic edge cell's ([`crate::declared::EdgeCellRules::text`]), which
//! writes and reads it for any node count.

use super::cell::Cell;
use crate::InvalidArchitecture;

/// The official string of `cell`.
pub fn arch_string(cell: &Cell) -> String {
    super::rules().text(&cell.ops)
}

/// The cell an official string spells, with a message saying where it departs from the
/// layout otherwise.
pub fn cell_from_arch_string(text: &str) -> Result<Cell, InvalidArchitecture> {
    let ops = super::rules().from_text(text).map_err(|e| InvalidArchitecture(format!("field {e}")))?;
    Ok(Cell { ops: ops.try_into().expect("one op per edge") })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONV_CELL: &str =
        "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|avg_pool_3x3~2|";

    #[test]
    fn strings_round_trip_for_every_cell() {
        for cell in Cell::all() {
            assert_eq!(cell_from_arch_string(&arch_string(&cell)), Ok(cell));
        }
        let cell = cell_from_arch_string(CONV_CELL).unwrap();
        assert_eq!(cell.ops, [3, 3, 3, 1, 3, 4]);
        assert_eq!(arch_string(&cell), CONV_CELL);
    }

    #[test]
    fn other_layouts_are_refused_saying_where() {
        let error = |text: &str| cell_from_arch_string(text).unwrap_err().0;
        assert!(error("|none~0|+|none~0|none~1|").contains("3 node groups"));
        assert!(error("none~0|+|none~0|none~1|+|none~0|none~1|none~2|").contains("node 1's group 'none~0|'"));
        assert!(error("|none~0|+|none~0|+|none~0|none~1|none~2|").contains("node 2 must list 2 input(s)"));
        assert!(error("|none~0|+|none~1|none~0|+|none~0|none~1|none~2|").contains("must come from node 0"));
        assert!(error("|none~0|+|none~0|none1|+|none~0|none~1|none~2|").contains("'none1' is not 'op~source'"));
        assert_eq!(
            error("|none~0|+|none~0|conv_3x3~1|+|none~0|none~1|none~2|"),
            "field 'arch': unknown op 'conv_3x3' (known: none, skip_connect, nor_conv_1x1, nor_conv_3x3, avg_pool_3x3)"
        );
        assert!(error("|none~0|+|none~0|none~1|+|none~0|none~1|none~2|\n").contains("node 3's group"));
    }
}
