//! Validity and pruning of a cell given as a matrix and op names, following `nasbench`'s
//! `ModelSpec` (shape checks, then `_prune`) and `NASBench._check_spec` (limits judged on the
//! pruned cell). Each rule has its own error message.

use std::borrow::Cow;

use np_io::quoted;

use super::cell::{Cell, MAX_EDGES, MAX_VERTICES, Op};
use crate::{InvalidArchitecture, invalid};

/// The largest matrix accepted before pruning; rows are held as 64-bit masks.
pub const MAX_UNPRUNED_VERTICES: usize = 64;

/// A cell exactly as given, before pruning: rows as bit masks (bit j of row i = edge i → j).
/// Op names are borrowed where they can be (from the line's text, or the dataset's own names):
/// a string per op per line was a measurable part of reading a stream of cells.
#[derive(Debug, Clone)]
pub struct UnprunedSpec<'a> {
    pub rows: Vec<u64>,
    pub ops: Vec<Cow<'a, str>>,
}

impl<'a> UnprunedSpec<'a> {
    /// Checks the shape and 0/1 entries of `matrix` and that it matches `ops`.
    pub fn from_matrix<E: Copy + Into<i64>>(
        matrix: &[Vec<E>],
        ops: Vec<Cow<'a, str>>,
    ) -> Result<Self, InvalidArchitecture> {
        let n = matrix.len();
        if n == 0 {
            return invalid("adjacency is empty");
        }
        if n > MAX_UNPRUNED_VERTICES {
            return invalid(format!(
                "adjacency has {n} vertices; at most {MAX_UNPRUNED_VERTICES} are accepted before pruning"
            ));
        }
        let mut rows = vec![0u64; n];
        for (i, row) in matrix.iter().enumerate() {
            if row.len() != n {
                return invalid(format!("adjacency must be square: row {i} has {} entries, expected {n}", row.len()));
            }
            for (j, &entry) in row.iter().enumerate() {
                match entry.into() {
                    0 => {}
                    1 => rows[i] |= 1 << j,
                    other => return invalid(format!("adjacency[{i}][{j}] is {other}; entries must be 0 or 1")),
                }
            }
        }
        if ops.len() != n {
            return invalid(format!("adjacency is {n}×{n} but ops has {} entries", ops.len()));
        }
        for (i, row) in rows.iter().enumerate() {
            let below_or_on_diagonal = row & ((2u64 << i) - 1);
            if below_or_on_diagonal != 0 {
                let j = below_or_on_diagonal.trailing_zeros();
                return invalid(format!(
                    "adjacency has an edge {i}→{j} on or below the diagonal; NAS-Bench-101 cells are upper-triangular"
                ));
            }
        }
        Ok(UnprunedSpec { rows, ops })
    }

    pub fn vertex_count(&self) -> usize {
        self.rows.len()
    }

    /// Prunes and validates, returning the cell in the given vertex order (not yet canonical).
    pub fn prune_and_validate(&self) -> Result<Cell, InvalidArchitecture> {
        let kept = prune_unreachable(&self.rows)
            .ok_or_else(|| InvalidArchitecture("input is not connected to output".into()))?;
        let n = kept.len();
        if n > MAX_VERTICES {
            return invalid(format!("cell has {n} vertices after pruning (max {MAX_VERTICES})"));
        }
        let mut out_edges = [0u8; MAX_VERTICES];
        for (new_from, &old_from) in kept.iter().enumerate() {
            for (new_to, &old_to) in kept.iter().enumerate() {
                if self.rows[old_from] >> old_to & 1 == 1 {
                    out_edges[new_from] |= 1 << new_to;
                }
            }
        }
        let edges: u32 = out_edges.iter().map(|r| r.count_ones()).sum();
        if edges as usize > MAX_EDGES {
            return invalid(format!("cell has {edges} edges after pruning (max {MAX_EDGES})"));
        }
        let names: Vec<&str> = kept.iter().map(|&v| self.ops[v].as_ref()).collect();
        if names[0] != "input" {
            return invalid(format!("first op must be 'input', got {}", quoted(names[0])));
        }
        if names[n - 1] != "output" {
            return invalid(format!("last op must be 'output', got {}", quoted(names[n - 1])));
        }
        let mut ops = [Op::Output; MAX_VERTICES];
        ops[0] = Op::Input;
        for (position, name) in names.iter().enumerate().take(n - 1).skip(1) {
            match Op::from_name(name) {
                Some(op) if Op::INTERIOR.contains(&op) => ops[position] = op,
                _ => {
                    let allowed: Vec<&str> = Op::INTERIOR.iter().map(|op| op.name()).collect();
                    return invalid(format!(
                        "op {} at vertex {} is not allowed inside a cell (allowed: {})",
                        quoted(name),
                        kept[position],
                        allowed.join(", ")
                    ));
                }
            }
        }
        Ok(Cell::from_parts(n, &out_edges, &ops))
    }
}

/// The vertices on some path from the input (vertex 0) to the output (the last vertex), in
/// increasing order, or `None` when there is no such path. As in `nasbench`'s `_prune`, a
/// vertex is kept when it is both forward-reachable from the input and backward-reachable from
/// the output.
pub fn prune_unreachable(rows: &[u64]) -> Option<Vec<usize>> {
    let n = rows.len();
    let mut from_input = 1u64;
    for (v, row) in rows.iter().enumerate() {
        if from_input >> v & 1 == 1 {
            from_input |= row;
        }
    }
    let mut to_output = 1u64 << (n - 1);
    for v in (0..n).rev() {
        if rows[v] & to_output != 0 {
            to_output |= 1 << v;
        }
    }
    let kept = from_input & to_output;
    if n < 2 || kept >> (n - 1) & 1 == 0 || kept & 1 == 0 {
        return None;
    }
    Some((0..n).filter(|&v| kept >> v & 1 == 1).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(matrix: &[&[i64]], ops: &[&str]) -> Result<Cell, InvalidArchitecture> {
        let matrix: Vec<Vec<i64>> = matrix.iter().map(|r| r.to_vec()).collect();
        UnprunedSpec::from_matrix(&matrix, ops.iter().map(|&s| Cow::Borrowed(s)).collect())?.prune_and_validate()
    }

    #[test]
    fn prunes_dangling_vertices() {
        // Vertex 2 has no path to the output, vertex 1 is unreachable from the input.
        let cell = spec(
            &[&[0, 0, 1, 1], &[0, 0, 0, 1], &[0, 0, 0, 0], &[0, 0, 0, 0]],
            &["input", "bogus-op", "conv3x3-bn-relu", "output"],
        )
        .unwrap();
        assert_eq!(cell.vertex_count(), 2);
        assert_eq!(cell.edge_count(), 1);
    }

    #[test]
    fn each_rule_has_its_own_message() {
        let io = ["input", "output"];
        let e = |r: Result<Cell, InvalidArchitecture>| r.unwrap_err().0;
        assert_eq!(e(spec(&[&[0, 1], &[0]], &io)), "adjacency must be square: row 1 has 1 entries, expected 2");
        assert_eq!(e(spec(&[&[0, 2], &[0, 0]], &io)), "adjacency[0][1] is 2; entries must be 0 or 1");
        assert_eq!(e(spec(&[&[0, 1], &[0, 0]], &["input"])), "adjacency is 2×2 but ops has 1 entries");
        assert!(e(spec(&[&[0, 1], &[1, 0]], &io)).contains("upper-triangular"));
        assert_eq!(e(spec(&[&[0, 0], &[0, 0]], &io)), "input is not connected to output");
        assert_eq!(
            e(spec(&[&[0, 1], &[0, 0]], &["conv1x1-bn-relu", "output"])),
            "first op must be 'input', got 'conv1x1-bn-relu'"
        );
        assert_eq!(e(spec(&[&[0, 1], &[0, 0]], &["input", "input"])), "last op must be 'output', got 'input'");
        let unknown = e(spec(&[&[0, 1, 0], &[0, 0, 1], &[0, 0, 0]], &["input", "conv5x5", "output"]));
        assert!(unknown.starts_with("op 'conv5x5' at vertex 1 is not allowed"), "{unknown}");
    }

    #[test]
    fn limits_are_judged_after_pruning() {
        // Ten edges, but a dangling vertex removes two of them.
        let mut matrix = vec![vec![0i64; 8]; 8];
        for (i, j) in [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 7), (0, 7), (1, 7), (0, 6), (1, 6)] {
            matrix[i][j] = 1;
        }
        let mut ops = vec![Cow::Borrowed("conv3x3-bn-relu"); 8];
        ops[0] = "input".into();
        ops[7] = "output".into();
        let cell = UnprunedSpec::from_matrix(&matrix, ops.clone()).unwrap().prune_and_validate().unwrap();
        assert_eq!((cell.vertex_count(), cell.edge_count()), (7, 8));
        matrix[2][7] = 1;
        matrix[3][7] = 1;
        let error = UnprunedSpec::from_matrix(&matrix, ops).unwrap().prune_and_validate().unwrap_err();
        assert_eq!(error.0, "cell has 10 edges after pruning (max 9)");
    }
}
