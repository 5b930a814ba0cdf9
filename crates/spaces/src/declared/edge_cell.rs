//! The rules of a declared edge-op cell: its edges, and which cells compute the same function.
//!
//! Nodes 0 … n−1, node 0 the input and node n−1 the output; every edge i → j with i < j carries
//! one op. Edges are ordered by target, then source ((0,1), (0,2), (1,2), (0,3), …), which is
//! NAS-Bench-201's order, so a cell is its ops in that order.
//!
//! Equivalence follows the NATS-Bench rule NAS-Bench-201's classes use (`nb201::classes`),
//! written for any node count and any names of the cutting and identity ops: node 0 is `0`;
//! every later node is the `+`-join, sorted, of one term per incoming edge: `#` (zero) when
//! the edge's op is the cut or its source is exactly `#`, the source's text when the op is the
//! identity, `(` source `)@` op otherwise; the output node's text is the class key. Equal keys
//! always mean the same function; the rule stops short of the full algebra on purpose, so its
//! classes are the ones published work counts.

use super::spec::EdgeCellSpec;
use crate::ArchGraph;
use crate::rng::{SpaceRng, uniform_below};

/// The text a cut-off input is written as.
const ZERO: &str = "#";

/// A declared edge-op cell's structure: node count, edge order and special ops.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeCellRules {
    pub nodes: usize,
    /// Op names; a cell holds one index into them per edge.
    pub ops: Vec<String>,
    /// The edges, by target then source.
    pub edges: Vec<(usize, usize)>,
    pub cut: Option<u8>,
    pub identity: Option<u8>,
}

impl EdgeCellRules {
    /// The rules of a checked spec ([`super::SpaceSpec::check`]).
    pub fn of(spec: &EdgeCellSpec) -> Self {
        let index = |name: &Option<String>| {
            name.as_ref().map(|name| spec.ops.iter().position(|op| op == name).expect("a checked spec") as u8)
        };
        let edges = (1..spec.nodes).flat_map(|to| (0..to).map(move |from| (from, to))).collect();
        EdgeCellRules {
            nodes: spec.nodes,
            ops: spec.ops.clone(),
            edges,
            cut: index(&spec.cut),
            identity: index(&spec.identity),
        }
    }

    /// The class key of a cell given as one op index per edge (see the module docs).
    pub fn class_key(&self, cell: &[u8]) -> String {
        assert_eq!(cell.len(), self.edges.len(), "one op per edge");
        let mut nodes: Vec<String> = Vec::with_capacity(self.nodes);
        nodes.push("0".to_string());
        for target in 1..self.nodes {
            let mut terms: Vec<String> = self
                .edges
                .iter()
                .zip(cell)
                .filter(|((_, to), _)| *to == target)
                .map(|(&(from, _), &op)| self.edge_term(op, &nodes[from]))
                .collect();
            terms.sort_unstable();
            nodes.push(terms.join("+"));
        }
        nodes.pop().expect("the output node")
    }

    /// What an edge with `op` contributes to its target's sum, given its source's text.
    fn edge_term(&self, op: u8, source: &str) -> String {
        if Some(op) == self.cut || source == ZERO {
            ZERO.to_string()
        } else if Some(op) == self.identity {
            source.to_string()
        } else {
            format!("({source})@{}", self.ops[op as usize])
        }
    }
}

/// A term of a sum in the full algebra of a cell: the input, or an op applied to a nonzero sum.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Term {
    Input,
    Apply(u8, Vec<Term>),
}

impl EdgeCellRules {
    /// The cell's output in the full algebra, as a sorted multiset of terms (zero being the
    /// empty sum): zero terms dropped, a node with no nonzero input zero, an op applied to zero
    /// zero, sums passed on by the identity flattened into their new sum. Coarser than
    /// [`EdgeCellRules::class_key`]: equal outputs, same function, and every class of the key
    /// lies inside one of these (on NAS-Bench-201: 4,930 against 6,466). The graph view shows
    /// a cell through the smallest cell of this coarser class, as `nb201`'s does.
    pub fn function_key(&self, cell: &[u8]) -> Vec<Term> {
        let mut nodes: Vec<Vec<Term>> = vec![vec![Term::Input]];
        for target in 1..self.nodes {
            let mut sum = Vec::new();
            for (&(from, to), &op) in self.edges.iter().zip(cell) {
                if to != target || Some(op) == self.cut || nodes[from].is_empty() {
                    continue;
                }
                if Some(op) == self.identity {
                    sum.extend(nodes[from].iter().cloned());
                } else {
                    sum.push(Term::Apply(op, nodes[from].clone()));
                }
            }
            sum.sort();
            nodes.push(sum);
        }
        nodes.pop().expect("the output node")
    }

    /// The graph view of a cell: its line graph. Node 0 is the cell's input, nodes 1…E its
    /// edges in edge order each carrying its op (graph op `op + 1`), node E+1 its output
    /// (graph op `ops + 1`); an edge node i → j feeds every edge node leaving j, the edge
    /// nodes leaving node 0 read the input, and those into the last node feed the output. Cut
    /// edges keep their node, so every cell has the same edges (`nb201`'s docs say why).
    pub fn line_graph(&self, cell: &[u8]) -> ArchGraph {
        let nodes = self.edges.len() + 2;
        let output = nodes - 1;
        let mut adjacency = vec![vec![false; nodes]; nodes];
        for (edge, &(from, to)) in self.edges.iter().enumerate() {
            if from == 0 {
                adjacency[0][edge + 1] = true;
            }
            if to == self.nodes - 1 {
                adjacency[edge + 1][output] = true;
            }
            for (next, &(next_from, _)) in self.edges.iter().enumerate() {
                if next_from == to {
                    adjacency[edge + 1][next + 1] = true;
                }
            }
        }
        let mut ops = vec![0];
        ops.extend(cell.iter().map(|&op| op as usize + 1));
        ops.push(self.ops.len() + 1);
        ArchGraph { ops, adjacency, node_features: vec![Vec::new(); nodes] }
    }

    /// NAS-Bench-201's regularized-evolution edit (its authors' `R_EA.py`) for any node count:
    /// a target node uniform among nodes 1…n−1, one of its incoming edges uniform, that edge's
    /// op set to one of the others, uniform. Changes `cell` in place.
    pub fn mutate(&self, cell: &mut [u8], rng: &mut SpaceRng) {
        let node = 1 + uniform_below(rng, self.nodes as u64 - 1) as usize;
        let source = uniform_below(rng, node as u64) as usize;
        let edge = node * (node - 1) / 2 + source;
        let mut op = uniform_below(rng, self.ops.len() as u64 - 1) as u8;
        if op >= cell[edge] {
            op += 1;
        }
        cell[edge] = op;
    }

    /// The official NAS-Bench-201 string layout for any node count: one `|`-delimited group
    /// per node after the input, joined by `+`, each listing `op~source` for sources 0, 1, …
    pub fn text(&self, cell: &[u8]) -> String {
        let mut text = String::with_capacity(24 * self.edges.len());
        let mut edge = 0;
        for node in 1..self.nodes {
            if node > 1 {
                text.push('+');
            }
            text.push('|');
            for source in 0..node {
                text.push_str(&self.ops[cell[edge] as usize]);
                text.push('~');
                text.push_str(&source.to_string());
                text.push('|');
                edge += 1;
            }
        }
        text
    }

    /// The cell [`EdgeCellRules::text`] spells, with a message saying where the text departs
    /// from the layout otherwise.
    pub fn from_text(&self, text: &str) -> Result<Vec<u8>, String> {
        let groups: Vec<&str> = text.split('+').collect();
        if groups.len() != self.nodes - 1 {
            return Err(format!(
                "'arch' must have {} node groups joined by '+' (|op~0|+|op~0|op~1|+…), got {}",
                self.nodes - 1,
                groups.len()
            ));
        }
        let mut cell = Vec::with_capacity(self.edges.len());
        for (group, node) in groups.iter().zip(1..) {
            let Some(inner) = group.strip_prefix('|').and_then(|rest| rest.strip_suffix('|')) else {
                return Err(format!(
                    "'arch': node {node}'s group {} must start and end with '|'",
                    np_io::quoted(group)
                ));
            };
            let inputs: Vec<&str> = inner.split('|').collect();
            if inputs.len() != node {
                return Err(format!("'arch': node {node} must list {node} input(s), got {}", np_io::quoted(group)));
            }
            for (source, input) in inputs.iter().enumerate() {
                let Some((name, from)) = input.rsplit_once('~') else {
                    return Err(format!("'arch': {} is not 'op~source'", np_io::quoted(input)));
                };
                if from != source.to_string() {
                    return Err(format!(
                        "'arch': node {node}'s input {} must come from node {source} (inputs are listed ~0, ~1, … in order)",
                        np_io::quoted(input)
                    ));
                }
                let Some(op) = self.ops.iter().position(|known| known == name) else {
                    return Err(format!("'arch': unknown op {} (known: {})", np_io::quoted(name), self.ops.join(", ")));
                };
                cell.push(op as u8);
            }
        }
        Ok(cell)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::declared::SpaceSpec;
    use crate::nb201::cell::{Cell, EDGES};
    use crate::nb201::classes::{PUBLISHED_CLASS_COUNT, class_key};

    fn nb201_rules() -> EdgeCellRules {
        let text = r#"{"name": "nb201-like", "family": "edge-cell",
            "edge-cell": {"nodes": 4, "ops": ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"],
                          "cut": "none", "identity": "skip_connect"}}"#;
        EdgeCellRules::of(SpaceSpec::from_json(text).unwrap().edge_cell.as_ref().unwrap())
    }

    /// NAS-Bench-201 (whose `nb201` space uses these rules) gets NATS-Bench's published count.
    #[test]
    fn nas_bench_201_declared_gives_the_published_classes() {
        let rules = nb201_rules();
        assert_eq!(rules.edges, EDGES);
        let mut keys = std::collections::HashSet::new();
        for cell in Cell::all() {
            let key = rules.class_key(&cell.ops);
            assert_eq!(key, class_key(&cell), "{}", cell.id_text());
            keys.insert(key);
        }
        assert_eq!(keys.len(), PUBLISHED_CLASS_COUNT);
    }

    #[test]
    fn the_full_algebra_counts_nas_bench_201_functions_and_texts_read_back() {
        let rules = nb201_rules();
        let mut functions = std::collections::HashSet::new();
        for cell in Cell::all() {
            functions.insert(rules.function_key(&cell.ops));
            let text = rules.text(&cell.ops);
            assert_eq!(text, crate::nb201::arch_string::arch_string(&cell));
            assert_eq!(rules.from_text(&text).unwrap(), cell.ops.to_vec());
        }
        assert_eq!(functions.len(), crate::nb201::classes::FUNCTION_COUNT);
        assert!(rules.from_text("|none~0|+|none~0|none~1|").unwrap_err().contains("3 node groups"));
        assert!(rules.from_text("|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|").unwrap_err().contains("unknown op"));
    }

    #[test]
    fn without_special_ops_every_cell_is_its_own_class() {
        let mut rules = nb201_rules();
        (rules.cut, rules.identity) = (None, None);
        let keys: std::collections::HashSet<String> = Cell::all().iter().map(|c| rules.class_key(&c.ops)).collect();
        assert_eq!(keys.len(), 15_625);
    }
}
