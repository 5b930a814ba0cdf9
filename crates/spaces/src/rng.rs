//! Seeded randomness that stays reproducible across thread counts, shards and crate versions.
//!
//! Every sampled item `i` of a stream gets its own ChaCha8 stream (`seed`, stream `i`), so
//! item `i` is the same whether it is drawn alone, in a shard, or on another thread. Bounded
//! integers are drawn by our own [`uniform_below`] rather than `rand`'s range sampling, whose
//! algorithm may change between `rand` releases; ChaCha8's output is fixed by its
//! specification, so a seed means the same architectures forever.

use rand::{RngCore, SeedableRng};
pub use rand_chacha::ChaCha8Rng as SpaceRng;

/// The generator for item `index` of the stream seeded with `seed`.
pub fn item_rng(seed: u64, index: u64) -> SpaceRng {
    let mut rng = SpaceRng::seed_from_u64(seed);
    rng.set_stream(index);
    rng
}

/// The generator for a whole stream (e.g. one permutation shared by all shards).
pub fn stream_rng(seed: u64) -> SpaceRng {
    SpaceRng::seed_from_u64(seed)
}

/// A uniform integer in `0..bound` (bound > 0), by Lemire's multiply-and-reject method.
pub fn uniform_below(rng: &mut SpaceRng, bound: u64) -> u64 {
    assert!(bound > 0, "uniform_below needs a positive bound");
    let threshold = bound.wrapping_neg() % bound;
    loop {
        let product = rng.next_u64() as u128 * bound as u128;
        if (product as u64) >= threshold {
            return (product >> 64) as u64;
        }
    }
}

/// Positions `start..end` of a seeded permutation of `0..population`: a partial Fisher–Yates
/// shuffle drawing the first `end` positions, so a shorter draw is a prefix of a longer one and
/// every shard sees the same permutation. Spaces use it to sample uniformly without
/// replacement from their enumeration.
pub fn permutation_prefix(seed: u64, population: usize, start: usize, end: usize) -> Vec<usize> {
    assert!(start <= end && end <= population);
    let mut rng = stream_rng(seed);
    let mut indices: Vec<u32> = (0..population as u32).collect();
    for i in 0..end {
        let j = i + uniform_below(&mut rng, (population - i) as u64) as usize;
        indices.swap(i, j);
    }
    indices[start..end].iter().map(|&i| i as usize).collect()
}

/// A uniform integer in `0..bound` that depends only on `seed` and `key` (e.g. which repeat of
/// an architecture's training runs a benchmark answers with): the key's FNV-1a hash picks the
/// stream, so the draw is the same whatever the line order, sharding or process.
pub fn keyed_below(seed: u64, key: &str, bound: u64) -> u64 {
    let stream = key.bytes().fold(0xcbf29ce484222325u64, |h, b| (h ^ b as u64).wrapping_mul(0x100000001b3));
    uniform_below(&mut item_rng(seed, stream), bound)
}

/// True with probability `p` (53-bit resolution).
pub fn bernoulli(rng: &mut SpaceRng, p: f64) -> bool {
    let unit = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    unit < p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uniform_below_covers_the_range_evenly() {
        let mut rng = stream_rng(7);
        let mut counts = [0u32; 5];
        for _ in 0..50_000 {
            counts[uniform_below(&mut rng, 5) as usize] += 1;
        }
        for count in counts {
            assert!((9_000..11_000).contains(&count), "{counts:?}");
        }
    }

    #[test]
    fn item_streams_are_independent_of_each_other() {
        let a: Vec<u64> = (0..3).map(|_| item_rng(1, 0).next_u64()).collect();
        assert_eq!(a[0], a[1]);
        assert_ne!(item_rng(1, 0).next_u64(), item_rng(1, 1).next_u64());
        assert_ne!(item_rng(1, 0).next_u64(), item_rng(2, 0).next_u64());
    }
}
