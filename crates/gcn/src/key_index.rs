//! A map from 128-bit state keys to state ids that can fetch a key's slot ahead of use.
//!
//! The shared-state forward pass looks up every node of a pass in a table of up to a hundred
//! thousand states: a few megabytes, so most lookups miss the cache, and a general-purpose
//! hash map gives no way to start those reads early. Here a slot's address is a function of
//! the key alone ([`KeyIndex::prefetch`]), so the pass computes every node's key first,
//! prefetching each slot, and looks them up afterwards, when the slots are in the cache.
//!
//! Open addressing with linear probing, at most three quarters full; a slot holds the whole key
//! beside its id, so a lookup reads one cache line (the keys are already well-mixed hashes, and
//! their low bits pick the slot).

/// A key's slot: 32 bytes, aligned so that none straddles two cache lines.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
struct Slot {
    key: u128,
    id: u32,
}

/// The id of an empty slot.
const EMPTY: u32 = u32::MAX;

const EMPTY_SLOT: Slot = Slot { key: 0, id: EMPTY };

#[derive(Default)]
pub(crate) struct KeyIndex {
    slots: Vec<Slot>,
    len: usize,
}

impl KeyIndex {
    #[cfg(test)]
    fn len(&self) -> usize {
        self.len
    }

    /// Forgets every key but keeps the memory.
    pub(crate) fn clear(&mut self) {
        self.slots.fill(EMPTY_SLOT);
        self.len = 0;
    }

    /// Makes room for `entries` keys in all, so that inserting up to there never resizes.
    pub(crate) fn reserve(&mut self, entries: usize) {
        let wanted = (entries + entries / 3 + 1).next_power_of_two().max(16);
        if wanted <= self.slots.len() {
            return;
        }
        let old = std::mem::replace(&mut self.slots, vec![EMPTY_SLOT; wanted]);
        for slot in old.into_iter().filter(|slot| slot.id != EMPTY) {
            let at = self.probe(slot.key);
            self.slots[at] = slot;
        }
    }

    /// The slot holding `key`, or the empty slot where it would go.
    #[inline]
    fn probe(&self, key: u128) -> usize {
        let mask = self.slots.len() - 1;
        let mut at = key as usize & mask;
        loop {
            let slot = &self.slots[at];
            if slot.id == EMPTY || slot.key == key {
                return at;
            }
            at = (at + 1) & mask;
        }
    }

    /// Starts reading the cache line where `key`'s lookup begins.
    #[inline]
    pub(crate) fn prefetch(&self, key: u128) {
        #[cfg(target_arch = "x86_64")]
        if !self.slots.is_empty() {
            let at = key as usize & (self.slots.len() - 1);
            // SAFETY: a prefetch only hints the cache; the address is inside the slots anyway.
            unsafe {
                use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
                _mm_prefetch::<_MM_HINT_T0>(self.slots.as_ptr().add(at).cast());
            }
        }
    }

    /// The id stored under `key`, or `new_id` stored now (then `true`: the key was not there).
    #[inline]
    pub(crate) fn find_or_insert(&mut self, key: u128, new_id: u32) -> (u32, bool) {
        assert!(new_id != EMPTY, "fewer than 2³² - 1 ids");
        if 4 * (self.len + 1) > 3 * self.slots.len() {
            self.reserve(self.len + 1);
        }
        let at = self.probe(key);
        let slot = &mut self.slots[at];
        if slot.id != EMPTY {
            return (slot.id, false);
        }
        *slot = Slot { key, id: new_id };
        self.len += 1;
        (new_id, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys with chosen low bits, so that they collide on slots.
    fn key(high: u64, low: u64) -> u128 {
        ((high as u128) << 64) | low as u128
    }

    #[test]
    fn finds_what_it_stored_across_collisions_growth_and_clearing() {
        let mut index = KeyIndex::default();
        for round in 0..2 {
            // Every key has low bits 0..8 (eight-way collisions), and the index grows from empty.
            let keys: Vec<u128> = (0..1000u64).map(|i| key(i + 1000 * round, i % 8)).collect();
            for (i, &k) in keys.iter().enumerate() {
                assert_eq!(index.find_or_insert(k, i as u32), (i as u32, true));
            }
            assert_eq!(index.len(), keys.len());
            for (i, &k) in keys.iter().enumerate() {
                index.prefetch(k);
                assert_eq!(index.find_or_insert(k, 99_999), (i as u32, false));
            }
            index.clear();
            assert_eq!(index.len(), 0);
            assert_eq!(index.find_or_insert(keys[0], 7), (7, true));
            index.clear();
        }
    }

    #[test]
    fn reserving_keeps_the_entries() {
        let mut index = KeyIndex::default();
        for i in 0..100u64 {
            index.find_or_insert(key(i, i * 0x9e37_79b9), i as u32);
        }
        index.reserve(100_000);
        for i in 0..100u64 {
            assert_eq!(index.find_or_insert(key(i, i * 0x9e37_79b9), 5_000), (i as u32, false));
        }
    }
}
