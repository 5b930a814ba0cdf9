//! A small, seeded byte mutator for the fuzz targets' quick run in `cargo test`.
//!
//! libFuzzer mutates with coverage feedback for minutes; `make test` has seconds and no
//! instrumented build. There, each seed gets a fixed number of mutated copies from this
//! mutator, the same copies on every machine (the generator is seeded), so a failure names an
//! input anyone can replay. The edits are libFuzzer's simpler ones: bit flips, random and
//! "interesting" bytes, insertions, deletions, duplicated ranges, splices with another seed,
//! and tokens that the project's formats treat specially (numbers beyond `f64`, escapes,
//! brackets).

use rand::{Rng, RngCore};

/// Byte values near format boundaries.
const INTERESTING_BYTES: [u8; 16] =
    [0, 1, 0x7f, 0x80, 0xff, b'"', b'\\', b'{', b'}', b'[', b']', b',', b':', b' ', b'\n', b'9'];

/// Pieces of text that parsers of this project treat specially.
const TOKENS: [&str; 20] = [
    " ",
    "\"",
    "\\u0000",
    "\\ud800",
    "\\\"",
    "1e999",
    "-0",
    "0.5",
    "18446744073709551616",
    "-9223372036854775809",
    "null",
    "true",
    "[[",
    "]]",
    "{\"a\": [1, 2]}",
    ",",
    "\"graph\":",
    "\"flat\":",
    "\"space\":",
    "NaN",
];

/// One mutated copy of `input`: one to four edits; `others` are splice partners.
pub fn mutate(input: &[u8], others: &[&[u8]], rng: &mut impl RngCore) -> Vec<u8> {
    let mut bytes = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        edit(&mut bytes, others, rng);
    }
    bytes
}

/// A position in `bytes`, an end included when `end` is true.
fn position(bytes: &[u8], end: bool, rng: &mut impl RngCore) -> usize {
    rng.random_range(0..bytes.len() + usize::from(end))
}

fn edit(bytes: &mut Vec<u8>, others: &[&[u8]], rng: &mut impl RngCore) {
    let choice = if bytes.is_empty() { 3 } else { rng.random_range(0..9) };
    match choice {
        0 => {
            let at = position(bytes, false, rng);
            bytes[at] ^= 1 << rng.random_range(0..8);
        }
        1 => {
            let at = position(bytes, false, rng);
            bytes[at] = rng.random();
        }
        2 => {
            let at = position(bytes, false, rng);
            bytes[at] = INTERESTING_BYTES[rng.random_range(0..INTERESTING_BYTES.len())];
        }
        3 => {
            let at = position(bytes, true, rng);
            let count = rng.random_range(1..=4);
            let inserted: Vec<u8> = (0..count).map(|_| rng.random()).collect();
            bytes.splice(at..at, inserted);
        }
        4 => {
            let at = position(bytes, false, rng);
            let end = (at + rng.random_range(1..=16)).min(bytes.len());
            bytes.drain(at..end);
        }
        5 => {
            let at = position(bytes, false, rng);
            let end = (at + rng.random_range(1..=32)).min(bytes.len());
            let copy = bytes[at..end].to_vec();
            let to = position(bytes, true, rng);
            bytes.splice(to..to, copy);
        }
        6 => {
            let at = position(bytes, true, rng);
            let token = TOKENS[rng.random_range(0..TOKENS.len())];
            bytes.splice(at..at, token.bytes());
        }
        7 => {
            // Replace a run of digits, where numbers are: lengths, counts, widths.
            let at = position(bytes, false, rng);
            let Some(start) = bytes[at..].iter().position(u8::is_ascii_digit).map(|i| at + i) else { return };
            let end = bytes[start..].iter().position(|b| !b.is_ascii_digit()).map_or(bytes.len(), |i| start + i);
            let digits = ["0", "7", "65", "4294967296", "99999999999999999999"][rng.random_range(0..5)];
            bytes.splice(start..end, digits.bytes());
        }
        _ => {
            let Some(&other) = others.get(rng.random_range(0..others.len().max(1))) else { return };
            if other.is_empty() {
                return;
            }
            let from = position(other, false, rng);
            let end = (from + rng.random_range(1..=64)).min(other.len());
            let to = position(bytes, true, rng);
            bytes.splice(to..to, other[from..end].iter().copied());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn the_same_seed_gives_the_same_copies_and_copies_differ() {
        let input = br#"{"a": [1, 2], "b": "x"}"#;
        let copies = |seed| {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            (0..50).map(|_| mutate(input, &[b"other"], &mut rng)).collect::<Vec<_>>()
        };
        assert_eq!(copies(3), copies(3));
        let distinct: std::collections::HashSet<Vec<u8>> = copies(3).into_iter().collect();
        assert!(distinct.len() > 40, "{} distinct copies of 50", distinct.len());
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert!(!mutate(b"", &[], &mut rng).is_empty(), "an empty input grows");
    }
}
