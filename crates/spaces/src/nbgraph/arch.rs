//! What a NAS-Bench-Graph architecture is, and the integer code that keys the benchmark tables.
//!
//! Source: Qin et al., "NAS-Bench-Graph" (NeurIPS 2022), Sec. 3.1, and the `nas-bench-graph`
//! package's `architecture.py` (`link_list`, `gnn_list`, `hash_arch`).

/// Computing nodes per architecture.
pub const NODES: usize = 4;

/// The nine operations, in the package's order: an op's position is its digit in the code.
pub const OP_NAMES: [&str; 9] = ["gat", "gcn", "gin", "cheb", "sage", "arma", "graph", "fc", "skip"];

/// The op that passes its input through unchanged; the canonical form moves these around.
pub const SKIP: u8 = 8;

/// The ops evaluated on the `proteins` dataset (gcn, sage, arma, fc, skip: the package's
/// `gnn_list_proteins`, and exactly the ops found in its table's keys).
pub const PROTEINS_OPS: [u8; 5] = [1, 4, 5, 7, 8];

/// Every op, for the full space.
pub const ALL_OPS: [u8; 9] = [0, 1, 2, 3, 4, 5, 6, 7, 8];

/// The nine link patterns that canonical architectures use, in the order of their leading code
/// digit. Every one of the 24 possible link lists is relabelled onto one of these.
pub const LINK_PATTERNS: [[u8; NODES]; 9] = [
    [0, 0, 0, 0],
    [0, 0, 0, 1],
    [0, 0, 1, 1],
    [0, 0, 1, 2],
    [0, 0, 1, 3],
    [0, 1, 1, 1],
    [0, 1, 1, 2],
    [0, 1, 2, 2],
    [0, 1, 2, 3],
];

/// Codes are read digit by digit: the package's base is the op count plus one, i.e. 10.
const CODE_BASE: u32 = OP_NAMES.len() as u32 + 1;

/// One architecture: `link[i]` is the input of computing node `i + 1` (0 is the raw input,
/// `j` is computing node `j`), `ops[i]` its op (index into [`OP_NAMES`]). Nodes nobody reads
/// feed the output. The space hands out only canonical ones (see `canonical`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GnnArch {
    pub link: [u8; NODES],
    pub ops: [u8; NODES],
}

impl GnnArch {
    /// True when every node reads the input or an earlier node: the 24 lists the package
    /// accepts (1 · 2 · 3 · 4 choices).
    pub fn link_is_valid(link: &[u8; NODES]) -> bool {
        link.iter().enumerate().all(|(node, &input)| input as usize <= node)
    }

    /// The all-skip architecture is the identity and has no table entry.
    pub fn is_all_skip(&self) -> bool {
        self.ops.iter().all(|&op| op == SKIP)
    }

    /// Whether computing node `node` (0-based) is the input of another node.
    pub fn has_successor(&self, node: usize) -> bool {
        self.link.iter().any(|&input| input as usize == node + 1)
    }

    /// The table code, `pattern · 10^4 + Σ ops[i] · 10^(3−i)` (the package's `hash_arch`), or
    /// `None` when the link list is not one of the nine patterns.
    pub fn code(&self) -> Option<u32> {
        let pattern = LINK_PATTERNS.iter().position(|pattern| *pattern == self.link)?;
        Some(self.ops.iter().fold(pattern as u32, |code, &op| code * CODE_BASE + op as u32))
    }

    /// The architecture whose digits `code` spells, when they are a pattern index and four op
    /// indices; whether it is canonical is for the caller to check.
    pub fn from_code(code: u64) -> Option<GnnArch> {
        let base = CODE_BASE as u64;
        let mut rest = code;
        let mut ops = [0u8; NODES];
        for op in ops.iter_mut().rev() {
            let digit = rest % base;
            if digit >= OP_NAMES.len() as u64 {
                return None;
            }
            *op = digit as u8;
            rest /= base;
        }
        let link = *LINK_PATTERNS.get(usize::try_from(rest).ok()?)?;
        Some(GnnArch { link, ops })
    }
}

/// The op index of `name`, if it is one of the nine.
pub fn op_index(name: &str) -> Option<u8> {
    OP_NAMES.iter().position(|known| *known == name).map(|i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_pattern_digit_then_one_digit_per_op() {
        let arch = GnnArch { link: [0, 1, 2, 3], ops: [8, 8, 1, 1] };
        assert_eq!(arch.code(), Some(88811));
        assert_eq!(GnnArch { link: [0, 0, 0, 0], ops: [1, 1, 1, 1] }.code(), Some(1111));
        assert_eq!(GnnArch::from_code(88811), Some(arch));
        assert_eq!(GnnArch::from_code(1111), Some(GnnArch { link: [0, 0, 0, 0], ops: [1, 1, 1, 1] }));
    }

    #[test]
    fn codes_with_impossible_digits_decode_to_nothing() {
        assert_eq!(GnnArch::from_code(90000), None, "pattern digit 9");
        assert_eq!(GnnArch::from_code(10009), None, "op digit 9");
        assert_eq!(GnnArch::from_code(1_000_000), None);
        assert_eq!(GnnArch { link: [0, 1, 0, 0], ops: [0; 4] }.code(), None, "not a pattern");
    }

    #[test]
    fn there_are_24_valid_link_lists() {
        let mut count = 0;
        for code in 0..256u32 {
            let link = [code & 3, (code >> 2) & 3, (code >> 4) & 3, (code >> 6) & 3].map(|v| v as u8);
            count += GnnArch::link_is_valid(&link) as usize;
        }
        assert_eq!(count, 24);
        assert!(LINK_PATTERNS.iter().all(GnnArch::link_is_valid));
    }
}
