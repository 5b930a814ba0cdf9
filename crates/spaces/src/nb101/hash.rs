//! The NAS-Bench-101 module hash, reproduced bit for bit from `nasbench`'s
//! `graph_util.hash_module`. It is the dataset's architecture id, so it must match exactly.
//!
//! 1. Each vertex starts as md5 of the Python text of `(out_degree, in_degree, label)`,
//!    e.g. `(2, 0, -1)`, with labels -1 input, -2 output, else the op's index in
//!    [conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3].
//! 2. V rounds (V = vertex count): each vertex becomes md5 of its sorted in-neighbour hashes
//!    concatenated, `|`, its sorted out-neighbour hashes concatenated, `|`, its own hash.
//! 3. The id is md5 of the Python text of the sorted list of final hashes: `['0a…', '1b…']`.
//!
//! All digests are lowercase hex. The hash is a Weisfeiler-Lehman-style invariant, so it does
//! not depend on how the interior vertices are numbered.

use super::cell::{Cell, MAX_VERTICES};

type HexDigest = [u8; 32];

/// Lowercase hex of a digest. Branch-free per nibble and written as whole-array passes, so the
/// compiler turns it into vector code: the hash writes 24 million of these for the 423,624
/// cells, and a byte-table loop cost a third as much as the MD5 itself.
fn to_hex(digest: &[u8; 16]) -> HexDigest {
    let digit = |nibble: u8| nibble + b'0' + (nibble > 9) as u8 * (b'a' - b'0' - 10);
    let mut hex = [0u8; 32];
    for (pair, &byte) in hex.chunks_exact_mut(2).zip(digest) {
        pair[0] = digit(byte >> 4);
        pair[1] = digit(byte & 15);
    }
    hex
}

#[cfg(test)]
fn md5_hex(data: &[u8]) -> HexDigest {
    use md5::{Digest, Md5};
    to_hex(&Md5::digest(data).into())
}

/// Messages laid end to end, hashed together: the hash's cost is almost all MD5 over short
/// independent messages, which batch well. The buffers are kept per thread between calls:
/// regrowing megabytes of fresh memory for every chunk of lines cost as much as the MD5.
#[derive(Default)]
struct MessageBatch {
    bytes: Vec<u8>,
    ends: Vec<usize>,
    digests: Vec<[u8; 16]>,
}

impl MessageBatch {
    fn clear(&mut self) {
        self.bytes.clear();
        self.ends.clear();
    }

    fn end_message(&mut self) {
        self.ends.push(self.bytes.len());
    }

    /// Computes the MD5 digest of every message, in order, into `self.digests` (multi-buffer
    /// MD5, see `md5-batch`).
    fn hash(&mut self) {
        let mut start = 0;
        let messages: Vec<&[u8]> = self
            .ends
            .iter()
            .map(|&end| {
                let message = &self.bytes[start..end];
                start = end;
                message
            })
            .collect();
        self.digests.clear();
        self.digests.resize(messages.len(), [0u8; 16]);
        md5_batch::md5_many(&messages, &mut self.digests);
    }
}

thread_local! {
    static BATCH: std::cell::RefCell<MessageBatch> = std::cell::RefCell::default();
}

/// Out- and in-degrees up to this bound have their first-round digest in [`first_round_digest`]'s table.
const DEGREE_SLOTS: usize = MAX_VERTICES;
/// Hash labels -2 ..= 2.
const LABEL_SLOTS: usize = 5;

/// The first round's digest of a vertex: md5 of the Python text `(out, in, label)`. There are
/// only 245 of them, computed once.
fn first_round_digest(out_degree: usize, in_degree: usize, label: i8) -> HexDigest {
    static TABLE: std::sync::OnceLock<Vec<HexDigest>> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut batch = MessageBatch::default();
        for out in 0..DEGREE_SLOTS {
            for incoming in 0..DEGREE_SLOTS {
                for label in -2..=2 {
                    use std::io::Write;
                    write!(batch.bytes, "({out}, {incoming}, {label})").expect("writing to memory");
                    batch.end_message();
                }
            }
        }
        batch.hash();
        batch.digests.iter().map(to_hex).collect()
    });
    let slot = (out_degree * DEGREE_SLOTS + in_degree) * LABEL_SLOTS + (label + 2) as usize;
    table[slot]
}

/// A digest as two big-endian numbers: they sort as its text does.
fn order_key(digest: &HexDigest) -> (u128, u128) {
    let (high, low) = digest.split_at(16);
    (u128::from_be_bytes(high.try_into().expect("16 bytes")), u128::from_be_bytes(low.try_into().expect("16 bytes")))
}

/// The official NAS-Bench-101 hash of a (pruned) cell, as 32 lowercase hex digits.
pub fn module_hash(cell: &Cell) -> String {
    module_hashes(std::slice::from_ref(cell)).pop().expect("one hash per cell")
}

/// [`module_hash`] of many cells at once (faster: their rounds are hashed in one batch).
pub fn module_hashes(cells: &[Cell]) -> Vec<String> {
    BATCH.with(|batch| module_hashes_with(cells, &mut batch.borrow_mut()))
}

fn module_hashes_with(cells: &[Cell], batch: &mut MessageBatch) -> Vec<String> {
    let mut hashes: Vec<[HexDigest; MAX_VERTICES]> = cells
        .iter()
        .map(|cell| {
            let mut h = [[0u8; 32]; MAX_VERTICES];
            for (v, slot) in h.iter_mut().enumerate().take(cell.vertex_count()) {
                *slot = first_round_digest(cell.out_degree(v), cell.in_degree(v), cell.ops[v].hash_label());
            }
            h
        })
        .collect();
    // Each vertex's in- and out-neighbours as bit masks, found once for all rounds.
    let neighbourhoods: Vec<[[u8; 2]; MAX_VERTICES]> = cells
        .iter()
        .map(|cell| {
            let in_edges = cell.in_edges();
            std::array::from_fn(|v| [in_edges[v], cell.out_edges[v]])
        })
        .collect();

    // Round r updates every cell with more than r vertices (a cell of V vertices has V rounds).
    let mut neighbours = [0usize; MAX_VERTICES];
    let mut keys = [(0u128, 0u128); MAX_VERTICES];
    for round in 0..MAX_VERTICES {
        batch.clear();
        for ((cell, h), masks) in cells.iter().zip(&hashes).zip(&neighbourhoods) {
            let n = cell.vertex_count();
            if n <= round {
                continue;
            }
            for (key, digest) in keys.iter_mut().zip(&h[..n]) {
                *key = order_key(digest);
            }
            for (v, &vertex_masks) in masks.iter().enumerate().take(n) {
                for mut linked in vertex_masks {
                    // The set bits, lowest first: as many steps as neighbours, and no branch
                    // on each possible edge (those were mispredicted half the time).
                    let mut count = 0;
                    while linked != 0 {
                        neighbours[count] = linked.trailing_zeros() as usize;
                        count += 1;
                        linked &= linked - 1;
                    }
                    let neighbours = &mut neighbours[..count];
                    // Mostly zero to two vertices: an insertion sort on numbers, not bytes.
                    for i in 1..count {
                        let mut j = i;
                        while j > 0 && keys[neighbours[j - 1]] > keys[neighbours[j]] {
                            neighbours.swap(j - 1, j);
                            j -= 1;
                        }
                    }
                    neighbours.iter().for_each(|&w| batch.bytes.extend_from_slice(&h[w]));
                    batch.bytes.push(b'|');
                }
                batch.bytes.extend_from_slice(&h[v]);
                batch.end_message();
            }
        }
        if batch.ends.is_empty() {
            break;
        }
        batch.hash();
        // The new digests go straight into the cells' slots, as hex.
        let mut digests = batch.digests.iter();
        for (cell, h) in cells.iter().zip(hashes.iter_mut()) {
            if cell.vertex_count() > round {
                h.iter_mut().take(cell.vertex_count()).for_each(|slot| *slot = to_hex(digests.next().expect("digest")));
            }
        }
    }

    // Python's str() of the sorted list of str: ['a', 'b']
    batch.clear();
    for (cell, h) in cells.iter().zip(&mut hashes) {
        let sorted = &mut h[..cell.vertex_count()];
        sorted.sort_unstable_by_key(order_key);
        batch.bytes.push(b'[');
        for (i, digest) in sorted.iter().enumerate() {
            if i > 0 {
                batch.bytes.extend_from_slice(b", ");
            }
            batch.bytes.push(b'\'');
            batch.bytes.extend_from_slice(digest);
            batch.bytes.push(b'\'');
        }
        batch.bytes.push(b']');
        batch.end_message();
    }
    batch.hash();
    batch
        .digests
        .iter()
        .map(|digest| String::from_utf8(to_hex(digest).to_vec()).expect("hex digits are ASCII"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::super::cell::Op;
    use super::*;

    #[test]
    fn initial_label_text_matches_python_tuple() {
        // `md5sum` of the text `(1, 0, -1)`.
        assert_eq!(&md5_hex(b"(1, 0, -1)"), b"3bb65a81afada4c50c2c4630873f0a79");
    }

    #[test]
    fn smallest_cell_matches_the_reference_algorithm() {
        // input -> output; value from a direct transcription of the published algorithm.
        let single_edge = Cell::from_parts(2, &[0b10, 0], &[Op::Input, Op::Output]);
        assert_eq!(module_hash(&single_edge), "043721b9c7fe8c5fad811d47d83132ec");
    }
}
