//! The canonical text form of a declared node cell and its id, with their parsers.

use np_io::quoted;

use super::{NodeCell, NodeCellRules};
use crate::declared::common::{ID_ALPHABET, id_index};
use crate::nb101::spec::MAX_UNPRUNED_VERTICES;

impl NodeCellRules {
    /// The canonical text form: the non-input vertices in canonical order, joined by `+`, each
    /// written as its op then its sources, each after a `~` (vertex 0 is the input, vertex `i`
    /// the `i`-th written one), the last one `output`. NAS-Bench-101's cell 0 → 1 → 2 → output
    /// with a skip 0 → output reads
    /// `conv3x3-bn-relu~0+maxpool3x3~1+output~0~2`. An op whose name holds `~`, `+`, `,`, `#`,
    /// a quote or whitespace is written `#i` (its index in the spec's ops) so the text stays
    /// one unambiguous, comma-free word.
    pub fn text(&self, cell: &NodeCell) -> String {
        let n = cell.vertex_count();
        let mut text = String::new();
        for to in 1..n {
            if to > 1 {
                text.push('+');
            }
            if to == n - 1 {
                text.push_str("output");
            } else {
                let label = cell.labels[to - 1];
                match self.ops[label as usize].as_str() {
                    name if plain_name(name) => text.push_str(name),
                    _ => text.push_str(&format!("#{label}")),
                }
            }
            for from in (0..to).filter(|&from| cell.has_edge(from, to)) {
                text.push('~');
                text.push_str(&from.to_string());
            }
        }
        text
    }

    /// Reads a text form (see [`text`](Self::text)) in any vertex order whose sources come
    /// before their vertex, then prunes, validates and canonicalises it like
    /// [`from_matrix`](Self::from_matrix).
    pub fn from_text(&self, text: &str) -> Result<NodeCell, String> {
        let items: Vec<&str> = text.trim().split('+').collect();
        if text.trim().is_empty() {
            return Err("cell text is empty".into());
        }
        if items.len() + 1 > MAX_UNPRUNED_VERTICES {
            return Err(format!(
                "cell text has {} vertices; at most {MAX_UNPRUNED_VERTICES} are accepted",
                items.len() + 1
            ));
        }
        let mut rows = vec![0u64; items.len() + 1];
        let mut names: Vec<&str> = vec!["input"];
        for (i, item) in items.iter().enumerate() {
            let vertex = i + 1;
            let mut parts = item.split('~');
            let op = parts.next().unwrap_or_default();
            let name = match op.strip_prefix('#') {
                Some(index) => {
                    index.parse::<usize>().ok().and_then(|index| self.ops.get(index)).map(String::as_str).ok_or_else(
                        || format!("cell text: vertex {vertex} names op {}, which is not an op index", quoted(op)),
                    )?
                }
                None => op,
            };
            if name.is_empty() {
                return Err(format!("cell text: vertex {vertex} ({}) has no op name", quoted(item)));
            }
            names.push(name);
            for source in parts {
                let from: usize = source.parse().map_err(|_| {
                    format!(
                        "cell text: vertex {vertex} ({}) has source {}, not a vertex number",
                        quoted(name),
                        quoted(source)
                    )
                })?;
                if from >= vertex {
                    return Err(format!(
                        "cell text: vertex {vertex} ({}) has source {from}, which is not written before it",
                        quoted(name)
                    ));
                }
                if rows[from] >> vertex & 1 == 1 {
                    return Err(format!("cell text: vertex {vertex} ({}) names source {from} twice", quoted(name)));
                }
                rows[from] |= 1 << vertex;
            }
        }
        self.cell_from_rows(&rows, &names)
    }

    /// The canonical id: vertex count, `-`, the canonical adjacency code in hex, `-`, one
    /// character per interior op ([`ID_ALPHABET`] by the op's index in the spec; fixed width
    /// 2 beyond 62 ops), the last part left out (with its `-`) for a 2-vertex cell.
    /// NAS-Bench-101's conv3x3 → maxpool chain with a skip from input to output is `4-2d-02`.
    /// Equal exactly for isomorphic cells, since cells are canonical and the id is a one-to-one
    /// writing of the canonical form. Writing it costs nothing beyond
    /// the canonicalisation every cell went through when it was made (a search over topological
    /// orders: at most (n−2)! orders, 120 for NAS-Bench-101, 5,040 for 9 vertices).
    pub fn id(&self, cell: &NodeCell) -> String {
        let mut id = format!("{}-{:x}", cell.vertex_count(), cell.adjacency_code());
        if cell.vertex_count() > 2 {
            id.push('-');
            for &label in cell.interior_ops() {
                let mut chars = Vec::with_capacity(self.id_width);
                let mut rest = label as usize;
                for _ in 0..self.id_width {
                    chars.push(char::from(ID_ALPHABET[rest % ID_ALPHABET.len()]));
                    rest /= ID_ALPHABET.len();
                }
                id.extend(chars.into_iter().rev());
            }
        }
        id
    }

    /// The cell an id stands for; refuses ids that are not the canonical id of a valid cell.
    pub fn from_id(&self, id: &str) -> Result<NodeCell, String> {
        let bad = |why: &str| format!("id {}: {why}", quoted(id));
        let parts: Vec<&str> = id.split('-').collect();
        let n: usize = parts[0].parse().map_err(|_| bad("does not start with a vertex count"))?;
        if !(2..=self.max_vertices).contains(&n) || parts.len() != if n > 2 { 3 } else { 2 } {
            return Err(bad("is not vertex count-code-ops of this space"));
        }
        let code = u64::from_str_radix(parts[1], 16).map_err(|_| bad("has no hex adjacency code"))?;
        if code >> (n * (n - 1) / 2) != 0 {
            return Err(bad("has an adjacency code too large for its vertex count"));
        }
        let ops: Vec<char> = parts.get(2).map_or(Vec::new(), |ops| ops.chars().collect());
        if ops.len() != (n - 2) * self.id_width {
            return Err(bad("does not have one op per interior vertex"));
        }
        let mut names = vec!["input"];
        for chunk in ops.chunks(self.id_width) {
            let label =
                chunk.iter().try_fold(0usize, |acc, &c| id_index(c).map(|i| acc * ID_ALPHABET.len() + i as usize));
            names.push(label.and_then(|label| self.ops.get(label)).ok_or_else(|| bad("names an unknown op"))?);
        }
        names.push("output");
        let mut rows = vec![0u64; n];
        for to in 1..n {
            for (from, row) in rows.iter_mut().enumerate().take(to) {
                *row |= (code >> (to * (to - 1) / 2 + from) & 1) << to;
            }
        }
        let cell = self.cell_from_rows(&rows, &names).map_err(|e| bad(&e))?;
        if self.id(&cell) != id {
            return Err(bad("is not canonical"));
        }
        Ok(cell)
    }
}

/// Whether an op name can be written as itself in the text form.
fn plain_name(name: &str) -> bool {
    !name.is_empty() && !name.chars().any(|c| c.is_whitespace() || "~+,#\"'".contains(c))
}
