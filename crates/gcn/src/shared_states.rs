//! Inference that computes every distinct node state once, however many graphs share it.
//!
//! The GCN has no per-node or per-position parameters, so a node's state after layer `l` is a
//! function of its own input row and its `l`-hop neighbourhood only:
//!
//! ```text
//! V_{l+1}[i] = ½·ReLU(Σ_j Â[i,j]·(V_l·W_l)[j]) + ½·ReLU(Σ_j Ã[i,j]·(V_l·W'_l)[j])
//! ```
//!
//! is determined by the two lists of (state of `j` after layer `l`, weight) over the non-zero
//! entries of row `i` of Â and of Ã. Search spaces repeat these neighbourhoods massively: the
//! 423,624 NAS-Bench-101 cells have 2.97 million node rows (padded to 7), but only 1,594
//! distinct states after the first layer (a node's op and the ops next to it) and 903,000 after
//! the second; only the last layer's states are nearly all different. So
//! instead of multiplying every node row by the 144 × 288 layer weights, this pass gives each
//! distinct state an id ("hash-consing", the same refinement the Weisfeiler–Lehman test runs),
//! multiplies each distinct state once, and builds a node's next state from the ids of its
//! neighbours. Only the readout (a mean over a graph's nodes) and the fully connected layers
//! run once per graph.
//!
//! A state is identified by a 128-bit structural hash: of its input row, or of its neighbours'
//! hashes and weights, summed per row so that it needs no sorting. A node looks its state up
//! by a cheaper key, a hash of its neighbours' state ids and weights (ids stand for one
//! structural state each while the tables live; they are emptied together); only a state not
//! found gets its structural hash. Two different states would have to share all 128 bits of a
//! hash or key to be taken for one another; among the million or so states a table ever holds,
//! the chance of that is about 10⁻²⁷. Ids are handed out in the order states are first met, so
//! they cannot order a sum: a new state's value is summed over its neighbours in the order of
//! their structural hashes. It is
//! therefore computed from the neighbourhood alone, never from the graph or the history that
//! first produced it, and each row of a matrix product depends only on that row: a graph's
//! prediction does not depend on the other graphs of its batch, on what the tables already
//! hold, on sharding or on the thread count. The last layer's states are never shared, so
//! their sums run in the order of the graph's own rows: that depends on the line alone and
//! needs no sorting. It all agrees with [`GcnParams::logits`](crate::GcnParams::logits) to
//! float rounding (the sums run in another order).

use ndarray::{Array2, ArrayView2, s};

use crate::graph::GraphSample;
use crate::key_index::KeyIndex;
use crate::model::GcnParams;

/// A state's identity: a 128-bit structural hash of its input row, or of its neighbours'
/// identities and weights (see [`neighbourhood_hash`]).
type StateHash = u128;

/// What a state is looked up by: for an input row, its structural hash; for a later state,
/// a 128-bit hash of its neighbours' ids and weights (see [`neighbourhood_key`]).
type StateKey = u128;

/// States with ids `0..len`, looked up by their keys.
#[derive(Default)]
struct StateTable {
    /// Every state's id, found by its key.
    ids: KeyIndex,
    /// Each state's structural hash, which also orders sums over neighbours.
    hashes: Vec<StateHash>,
    /// One row per state: its value times the next layer's weights (`len × 2·hidden`). The
    /// values themselves are not kept: nothing else reads them.
    projected: Vec<f32>,
}

impl StateTable {
    fn len(&self) -> usize {
        self.hashes.len()
    }

    /// Forgets every state but keeps the memory for the next ones.
    fn clear(&mut self) {
        self.ids.clear();
        self.hashes.clear();
        self.projected.clear();
    }

    /// The id of the state found under `key`, and whether it is new (its projection must then
    /// be appended). A new state's structural hash comes from `structural_hash`.
    fn intern(&mut self, key: StateKey, structural_hash: impl FnOnce() -> StateHash) -> (u32, bool) {
        let next = u32::try_from(self.hashes.len()).expect("fewer than 2³² states between clears");
        let (id, new) = self.ids.find_or_insert(key, next);
        if new {
            self.hashes.push(structural_hash());
        }
        (id, new)
    }

    /// Makes room for `states` states at once, so that growing towards the bound never copies
    /// the table: doubling a 75 MB vector copied it and faulted in fresh pages every time,
    /// which this machine's kernel zeroes slowly (untouched capacity costs nothing).
    fn reserve(&mut self, states: usize, width: usize) {
        if self.projected.capacity() < states * width {
            self.projected.reserve_exact(states * width - self.projected.len());
            self.hashes.reserve_exact(states - self.hashes.len());
            self.ids.reserve(states);
        }
    }

    /// Appends the projections of new states' values (`rows × width`, flattened).
    fn project(&mut self, values: &[f32], width: usize, weights: &Array2<f32>) {
        let rows = values.len() / width;
        let values = ArrayView2::from_shape((rows, width), values).expect("rows of one width");
        crate::matmul::append_product(values, weights.view(), &mut self.projected);
    }
}

/// Forward passes of one network that remember node states across calls.
///
/// Only the states of the inputs and of the hidden layers are kept (the last layer's states
/// hardly repeat: they see most of a small graph, so they go straight into the readout). The
/// tables are emptied when one holds more than `max_states` states, which bounds memory on
/// streams of any length (about 1.3 kB per state at hidden size 144) and never changes a
/// result. On the NAS-Bench-101 space, a bound of 2¹⁶ states computes hardly more states than
/// an unbounded table: neighbouring lines share most of their states.
pub struct SharedStateForward<'p> {
    params: &'p GcnParams<f32>,
    /// Table 0 holds the distinct input rows; table `l + 1` the states after GCN layer `l`,
    /// for every layer but the last.
    tables: Vec<StateTable>,
    max_states: usize,
    /// Working memory of a pass, kept for the next one (growing it afresh for every batch
    /// was a twentieth of scoring).
    scratch: PassScratch,
}

/// The buffers a pass fills: cleared, never freed, between passes.
#[derive(Default)]
struct PassScratch {
    /// Each node's state id before the current layer, and after it.
    states: Vec<u32>,
    next_states: Vec<u32>,
    /// Values of the states first met in the current layer, one row each.
    fresh: Vec<f32>,
    /// The key of each node's next state.
    keys: Vec<StateKey>,
    along_entries: Vec<(StateHash, u32, u64)>,
    against_entries: Vec<(StateHash, u32, u64)>,
    neighbours: PassNeighbours,
}

/// Default bound on the states of one table (about 85 MB at hidden size 144).
pub const DEFAULT_MAX_STATES: usize = 1 << 16;

/// Bound up to which tables reserve their room in advance (beyond it they grow as needed).
const MAX_RESERVED_STATES: usize = 1 << 20;

/// Graphs per pass: the tables are checked against their bound between passes.
const GRAPHS_PER_PASS: usize = 4096;

impl<'p> SharedStateForward<'p> {
    pub fn new(params: &'p GcnParams<f32>) -> Self {
        Self::with_max_states(params, DEFAULT_MAX_STATES)
    }

    pub fn with_max_states(params: &'p GcnParams<f32>, max_states: usize) -> Self {
        let tables = (0..params.config.layers).map(|_| StateTable::default()).collect();
        SharedStateForward { params, tables, max_states, scratch: PassScratch::default() }
    }

    /// Distinct states currently held per table (inputs, then each hidden layer's output).
    pub fn state_counts(&self) -> Vec<usize> {
        self.tables.iter().map(StateTable::len).collect()
    }

    /// Output logits of `samples`, as [`GcnParams::logits`] computes them without dropout.
    /// Every sample's graph-level inputs must already be in the model's scale. Subnormals are
    /// flushed to zero on this thread meanwhile (`np_subnormal`): a model file may hold
    /// subnormal weights, and on Intel cores they made scoring 13–17× slower.
    pub fn logits(&mut self, samples: &[&GraphSample<f32>]) -> Vec<f32> {
        let _flush = np_subnormal::FlushToZero::enable();
        samples.chunks(GRAPHS_PER_PASS).flat_map(|pass| self.pass_logits(pass)).collect()
    }

    fn pass_logits(&mut self, samples: &[&GraphSample<f32>]) -> Vec<f32> {
        if self.tables.iter().any(|t| t.len() > self.max_states) {
            self.tables.iter_mut().for_each(StateTable::clear);
        }
        // A table holds at most the bound plus one pass's nodes.
        let pass_nodes: usize = samples.iter().map(|s| s.max_nodes()).sum();
        let most_states = self.max_states.min(MAX_RESERVED_STATES) + pass_nodes;
        for (table, weights) in self.tables.iter_mut().zip(&self.params.gcn) {
            table.reserve(most_states, weights.ncols());
        }
        let config = &self.params.config;
        let hidden = config.hidden;
        let mut scratch = std::mem::take(&mut self.scratch);
        self.input_states(samples, &mut scratch);
        scratch.neighbours.fill(samples);
        let PassScratch { states, next_states, fresh, keys, along_entries, against_entries, neighbours } = &mut scratch;
        for layer in 1..config.layers {
            let (done, next) = self.tables.split_at_mut(layer);
            let previous = &done[layer - 1];
            let table = &mut next[0];
            fresh.clear();
            next_states.clear();
            // Every node's key first, starting the read of its slot; the lookups after them
            // then mostly find their slots in the cache.
            keys.clear();
            let mut node = 0;
            for (g, sample) in samples.iter().enumerate() {
                let n = sample.max_nodes();
                let graph_states = &states[g * n..(g + 1) * n];
                for _ in 0..n {
                    let (along, against) = neighbours.of_node(node);
                    node += 1;
                    let key = neighbourhood_key(along, against, graph_states);
                    table.ids.prefetch(key);
                    keys.push(key);
                }
            }
            let mut node = 0;
            for (g, sample) in samples.iter().enumerate() {
                let n = sample.max_nodes();
                let graph_states = &states[g * n..(g + 1) * n];
                for _ in 0..n {
                    let (along, against) = neighbours.of_node(node);
                    let key = keys[node];
                    node += 1;
                    let (id, new) =
                        table.intern(key, || neighbourhood_hash(along, against, graph_states, &previous.hashes));
                    if new {
                        // The value from the neighbourhood alone: sums in the order of the
                        // neighbours' hashes.
                        sorted_entries(along, graph_states, &previous.hashes, along_entries);
                        sorted_entries(against, graph_states, &previous.hashes, against_entries);
                        let entry = |&(_, _, entry): &(StateHash, u32, u64)| entry;
                        combine(
                            along_entries.iter().map(entry),
                            against_entries.iter().map(entry),
                            &previous.projected,
                            hidden,
                            fresh,
                        );
                    }
                    next_states.push(id);
                }
            }
            table.project(fresh, hidden, &self.params.gcn[layer]);
            std::mem::swap(states, next_states);
        }
        let logits = self.readout_logits(samples, states, neighbours);
        self.scratch = scratch;
        logits
    }

    /// Ids of the input rows into `scratch.states`, projecting new ones through the first
    /// layer's weights.
    fn input_states(&mut self, samples: &[&GraphSample<f32>], scratch: &mut PassScratch) {
        let width = self.params.config.input_width;
        let table = &mut self.tables[0];
        let PassScratch { states, fresh, .. } = scratch;
        states.clear();
        fresh.clear();
        for sample in samples {
            assert_eq!(sample.inputs.ncols(), width, "input rows of the model's width");
            for row in sample.inputs.rows() {
                let hash = hash_words(row.iter().map(|x| x.to_bits() as u64));
                let (id, new) = table.intern(hash, || hash);
                if new {
                    fresh.extend(row.iter());
                }
                states.push(id);
            }
        }
        table.project(fresh, width, &self.params.gcn[0]);
    }

    /// The last layer's state of each real node, averaged per graph, then the fully connected
    /// layers. `states` are the nodes' states before the last layer.
    fn readout_logits(&self, samples: &[&GraphSample<f32>], states: &[u32], neighbours: &PassNeighbours) -> Vec<f32> {
        let params = self.params;
        let hidden = params.config.hidden;
        let extra = params.config.graph_features;
        let previous = &self.tables[params.config.layers - 1];
        let mut fc_in = Array2::<f32>::zeros((samples.len(), hidden + extra));
        let mut value = Vec::with_capacity(hidden);
        for (g, sample) in samples.iter().enumerate() {
            let n = sample.max_nodes();
            let mut row = fc_in.row_mut(g);
            let weight = 1.0 / sample.nodes.max(1) as f32;
            let graph_states = &states[g * n..(g + 1) * n];
            // These states are not shared, so their sums need no canonical order: the rows'
            // own order is a function of the line alone.
            let entry = |&(j, bits): &Neighbour| ((graph_states[j as usize] as u64) << 32) | bits as u64;
            for i in 0..sample.nodes {
                let (along, against) = neighbours.of_node(g * n + i);
                value.clear();
                combine(along.iter().map(entry), against.iter().map(entry), &previous.projected, hidden, &mut value);
                let totals = row.as_slice_mut().expect("rows of a new array are contiguous");
                for (total, &x) in totals.iter_mut().zip(&value) {
                    *total += weight * x;
                }
            }
            assert_eq!(sample.graph_features.len(), extra, "graph-level inputs of the configured width");
            row.slice_mut(s![hidden..]).assign(&sample.graph_features);
        }
        let mut fc = fc_in.dot(&params.fc_weight) + &params.fc_bias;
        fc.mapv_inplace(|v| v.max(0.0));
        let logits = fc.dot(&params.out_weight) + params.out_bias[0];
        logits.to_vec()
    }
}

/// The identity of the state a node with non-zero Â and Ã entries `along` and `against`
/// (neighbour's row in its graph, weight bits) gets, in a graph whose nodes have `states`
/// with `hashes` (indexed by state). Each row's hash is a sum over its entries, so it needs
/// no sorting: most nodes find their state already in the table, and only a new state sorts
/// its entries (for the order of its sums).
fn neighbourhood_hash(along: &[Neighbour], against: &[Neighbour], states: &[u32], hashes: &[StateHash]) -> StateHash {
    summed_over_rows(along, against, |half, seed, (j, bits)| {
        let state = hashes[states[j as usize] as usize];
        let (low, high) = (state as u64, (state >> 64) as u64);
        let (first, second) = if half == 0 { (low, high) } else { (high, low) };
        mix(mix(mix(seed, first), second), bits as u64)
    })
}

/// The key a node's next state is looked up by: a 128-bit hash of the (state id, weight) pairs
/// of its Â and Ã rows, one sum per row so that it needs no sorting.
///
/// Within the life of the tables (they are emptied together), a state id stands for one
/// structural state, so the pairs identify the neighbourhood as well as the neighbours'
/// structural hashes do; but each pair is one 64-bit word, mixed once per half of the key,
/// where [`neighbourhood_hash`] mixes 128-bit hashes three times. Most nodes find their state
/// already there; only a new state gets its structural hash.
fn neighbourhood_key(along: &[Neighbour], against: &[Neighbour], states: &[u32]) -> StateKey {
    summed_over_rows(along, against, |_, seed, (j, bits)| mix(seed, ((states[j as usize] as u64) << 32) | bits as u64))
}

/// A 128-bit hash of a node's Â and Ã entries: for each row and each 64-bit half, the row's
/// length plus `term(half, seed, entry)` summed over its entries (a sum needs no sorting), then
/// the two rows' sums folded together per half.
#[inline(always)]
fn summed_over_rows(along: &[Neighbour], against: &[Neighbour], term: impl Fn(usize, u64, Neighbour) -> u64) -> u128 {
    let row_sums = |row: &[Neighbour], seeds: [u64; 2]| {
        let mut sums = [row.len() as u64; 2];
        for &entry in row {
            for (half, (sum, seed)) in sums.iter_mut().zip(seeds).enumerate() {
                *sum = sum.wrapping_add(term(half, seed, entry));
            }
        }
        sums
    };
    let [along_low, along_high] = row_sums(along, SEEDS_ALONG);
    let [against_low, against_high] = row_sums(against, SEEDS_AGAINST);
    let low = mix(mix(SEEDS_NODE[0], along_low), against_low);
    let high = mix(mix(SEEDS_NODE[1], along_high), against_high);
    ((high as u128) << 64) | low as u128
}

/// One row's entries as (neighbour's hash, weight bits, `state << 32 | weight bits`), sorted:
/// the order of a new state's sums, a function of its neighbourhood alone.
fn sorted_entries(row: &[Neighbour], states: &[u32], hashes: &[StateHash], out: &mut Vec<(StateHash, u32, u64)>) {
    out.clear();
    for &(j, bits) in row {
        let state = states[j as usize];
        out.push((hashes[state as usize], bits, ((state as u64) << 32) | bits as u64));
    }
    out.sort_unstable();
}

/// A non-zero adjacency entry: (the neighbour's row in its graph, the weight's bits).
type Neighbour = (u32, u32);

/// The non-zero entries of every node's Â and Ã rows in a pass, as (neighbour's row in its
/// graph, weight bits): found once and read by every layer, instead of scanning the padded
/// rows (mostly zeros) at each.
#[derive(Default)]
struct PassNeighbours {
    entries: Vec<Neighbour>,
    /// Node `k` of the pass (graphs one after another, `max_nodes` each) has its Â entries at
    /// `starts[2k]..starts[2k + 1]` and its Ã entries at `starts[2k + 1]..starts[2k + 2]`.
    starts: Vec<usize>,
}

impl PassNeighbours {
    /// The entries of `samples`' nodes, replacing what was there.
    fn fill(&mut self, samples: &[&GraphSample<f32>]) {
        self.entries.clear();
        self.starts.clear();
        self.starts.push(0);
        for sample in samples {
            for i in 0..sample.max_nodes() {
                for adjacency in [&sample.forward_adjacency, &sample.backward_adjacency] {
                    for (j, &weight) in adjacency.row(i).iter().enumerate() {
                        if weight != 0.0 {
                            self.entries.push((j as u32, weight.to_bits()));
                        }
                    }
                    self.starts.push(self.entries.len());
                }
            }
        }
    }

    /// The Â and Ã entries of node `k` of the pass.
    fn of_node(&self, k: usize) -> (&[Neighbour], &[Neighbour]) {
        let s = &self.starts[2 * k..2 * k + 3];
        (&self.entries[s[0]..s[1]], &self.entries[s[1]..s[2]])
    }
}

// Digits of π, different for every use so that the halves and the rows hash differently.
const SEEDS_ALONG: [u64; 2] = [0x243f_6a88_85a3_08d3, 0x1319_8a2e_0370_7344];
const SEEDS_AGAINST: [u64; 2] = [0xa409_3822_299f_31d0, 0x082e_fa98_ec4e_6c89];
const SEEDS_NODE: [u64; 2] = [0x4528_21e6_38d0_1377, 0xbe54_66cf_34e9_0c6c];
const SEEDS_INPUT: [u64; 2] = [0xc0ac_29b7_c97c_50dd, 0x3f84_d5b5_b547_0917];

/// Folds `word` into `hash` (the SplitMix64 finaliser: every input bit affects every output bit).
fn mix(hash: u64, word: u64) -> u64 {
    let mut z = (hash ^ word.wrapping_mul(0x9e37_79b9_7f4a_7c15)).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The identity of an input row, from its numbers' bits in order.
fn hash_words(words: impl Iterator<Item = u64>) -> StateHash {
    let [mut low, mut high] = SEEDS_INPUT;
    for word in words {
        low = mix(low, word);
        high = mix(high, word);
    }
    ((high as u128) << 64) | low as u128
}

/// Appends a state's value: `½·ReLU(Σ w·P_along[s]) + ½·ReLU(Σ w·P_against[s])` over
/// (state `s`, weight `w`) entries (`s << 32 | w`'s bits), summed in the order given.
///
/// Scoring spends a fifth of its time here, so on CPUs with AVX2 the same code runs compiled
/// for it (8 lanes instead of 4; no fused multiply-adds, so the same bits either way).
fn combine(
    along: impl Iterator<Item = u64>,
    against: impl Iterator<Item = u64>,
    projected: &[f32],
    hidden: usize,
    out: &mut Vec<f32>,
) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU was just seen to support AVX2.
        unsafe { combine_avx2(along, against, projected, hidden, out) };
        return;
    }
    combine_portable(along, against, projected, hidden, out);
}

/// # Safety
/// The CPU supports AVX2.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn combine_avx2(
    along: impl Iterator<Item = u64>,
    against: impl Iterator<Item = u64>,
    projected: &[f32],
    hidden: usize,
    out: &mut Vec<f32>,
) {
    combine_portable(along, against, projected, hidden, out);
}

/// [`combine`]'s body, inlined into each of its compilations.
#[inline(always)]
fn combine_portable(
    along: impl Iterator<Item = u64>,
    against: impl Iterator<Item = u64>,
    projected: &[f32],
    hidden: usize,
    out: &mut Vec<f32>,
) {
    let width = 2 * hidden;
    // Both sums in `out`'s tail, then the value where the first sum was.
    let start = out.len();
    out.resize(start + width, 0.0);
    let (forward, backward) = out[start..].split_at_mut(hidden);
    add_weighted_rows(along, projected, width, forward);
    add_weighted_rows(against, &projected[hidden..], width, backward);
    for (f, &b) in forward.iter_mut().zip(backward.iter()) {
        *f = 0.5 * f.max(0.0) + 0.5 * b.max(0.0);
    }
    out.truncate(start + hidden);
}

/// Adds `w·row(s)` to `total` for each entry (`s << 32 | w`'s bits), where row `s` is the
/// `total.len()` values at `rows[s·stride..]`.
#[inline(always)]
fn add_weighted_rows(entries: impl Iterator<Item = u64>, rows: &[f32], stride: usize, total: &mut [f32]) {
    let width = total.len();
    for entry in entries {
        let start = (entry >> 32) as usize * stride;
        let weight = f32::from_bits(entry as u32);
        for (t, &x) in total.iter_mut().zip(&rows[start..start + width]) {
            *t += weight * x;
        }
    }
}
