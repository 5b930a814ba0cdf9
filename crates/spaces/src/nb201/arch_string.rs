//! The benchmark's own spelling of a cell, the `arch` string that keys its tables:
//! `|op~0|+|op~0|op~1|+|op~0|op~1|op~2|`.
//!
//! One `|`-delimited group per node 1, 2, 3 (joined by `+`), listing that node's incoming
//! edges as `op~i` for source nodes i = 0, 1, … in order (the API's `Structure.tostr` and
//! `str2structure`). We read only that exact layout: it is what every released table and
//! NASLib's converter write, so anything else is a typing slip worth reporting.

use np_io::quoted;

use super::cell::{CELL_NODES, Cell, EDGE_COUNT, OP_NAMES, op_index};
use crate::{InvalidArchitecture, invalid};

/// The official string of `cell`.
pub fn arch_string(cell: &Cell) -> String {
    let mut text = String::with_capacity(96);
    let mut edge = 0;
    for node in 1..CELL_NODES {
        if node > 1 {
            text.push('+');
        }
        text.push('|');
        for source in 0..node {
            text.push_str(cell.op_name(edge));
            text.push('~');
            text.push(char::from(b'0' + source as u8));
            text.push('|');
            edge += 1;
        }
    }
    text
}

/// The cell an official string spells, with a message saying where it departs from the
/// layout otherwise.
pub fn cell_from_arch_string(text: &str) -> Result<Cell, InvalidArchitecture> {
    let groups: Vec<&str> = text.split('+').collect();
    if groups.len() != CELL_NODES - 1 {
        return invalid(format!(
            "field 'arch' must have {} node groups joined by '+' (|op~0|+|op~0|op~1|+|op~0|op~1|op~2|), got {}",
            CELL_NODES - 1,
            groups.len()
        ));
    }
    let mut ops = [0u8; EDGE_COUNT];
    let mut edge = 0;
    for (group, node) in groups.iter().zip(1..) {
        let Some(inner) = group.strip_prefix('|').and_then(|rest| rest.strip_suffix('|')) else {
            return invalid(format!("field 'arch': node {node}'s group {} must start and end with '|'", quoted(group)));
        };
        let inputs: Vec<&str> = inner.split('|').collect();
        if inputs.len() != node {
            return invalid(format!("field 'arch': node {node} must list {node} input(s), got {}", quoted(group)));
        }
        for (source, input) in inputs.iter().enumerate() {
            let Some((name, from)) = input.rsplit_once('~') else {
                return invalid(format!("field 'arch': {} is not 'op~source'", quoted(input)));
            };
            if from != source.to_string() {
                return invalid(format!(
                    "field 'arch': node {node}'s input {} must come from node {source} (inputs are listed ~0, ~1, … in order)",
                    quoted(input)
                ));
            }
            ops[edge] = op_index(name).ok_or_else(|| {
                InvalidArchitecture(format!(
                    "field 'arch': unknown op {} (known: {})",
                    quoted(name),
                    OP_NAMES.join(", ")
                ))
            })?;
            edge += 1;
        }
    }
    Ok(Cell { ops })
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
