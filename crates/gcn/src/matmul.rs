//! Matrix products for training batches, without packing.
//!
//! A training step multiplies a few dozen node rows by 144 × 288 weight matrices. A general
//! matrix product (ndarray's, through `matrixmultiply`) first copies both operands into packed
//! panels; with so few rows, packing the weights costs as much as the arithmetic (it was 19% of
//! training time against 25% in the multiply kernel). Here the weights are read in place: for
//! `a·b`, each step of the inner loop loads contiguous pieces of one row of `b`, and for `a·bᵀ`,
//! of rows of both operands.
//!
//! `a·b` adds the products of each output element in increasing `k`, in blocks of 256 added
//! together, with fused multiply-adds: exactly what `matrixmultiply` does on a CPU with FMA, so
//! both give the same bits (tested). `a·bᵀ` sums eight lanes along `k` and then the lanes, in a
//! fixed order: its results differ from a sequential sum in the last bits, but never depend on
//! the sizes, the threads or the data's history. Without AVX2 and FMA, both fall back to
//! ndarray.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array2, ArrayView2, ArrayViewMut2};

/// `a·b` in `f32`.
pub fn product(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
    assert_eq!(a.ncols(), b.nrows(), "inner dimensions of a·b");
    let mut c = Array2::<f32>::uninit((a.nrows(), b.ncols()));
    let n = b.ncols() as isize;
    // SAFETY: `c` is `m × n` in standard layout; when the kernel runs, its first block of `k`
    // stores every element of `c` before any is read.
    unsafe {
        if product_in_place(a, b, c.as_mut_ptr().cast(), n) {
            return c.assume_init();
        }
    }
    a.dot(&b)
}

/// Appends the rows of `a·b` (`m × n`, row-major) to `out`. The kernel writes straight into the
/// vector's spare room: zero-filling it first cost a tenth of scoring (gigabytes of state
/// projections on the NAS-Bench-101 space, each written twice).
pub fn append_product(a: ArrayView2<f32>, b: ArrayView2<f32>, out: &mut Vec<f32>) {
    assert_eq!(a.ncols(), b.nrows(), "inner dimensions of a·b");
    let (m, n) = (a.nrows(), b.ncols());
    let start = out.len();
    out.reserve(m * n);
    // SAFETY: the spare room holds `m × n` elements from `start`, with row stride `n`; when
    // the kernel runs, its first block of `k` stores every one of them before any is read, so
    // they are all initialised when the length grows over them.
    unsafe {
        if product_in_place(a, b, out.as_mut_ptr().add(start), n as isize) {
            out.set_len(start + m * n);
            return;
        }
    }
    out.resize(start + m * n, 0.0);
    let mut c = ArrayViewMut2::from_shape((m, n), &mut out[start..]).expect("rows of b's width");
    general_mat_mul(1.0, &a, &b, 0.0, &mut c);
}

/// Runs the kernel for `a·b` into `c` when the CPU and `b`'s layout allow; false otherwise.
///
/// # Safety
/// `c` points at `a.nrows() × b.ncols()` writable elements with unit column stride and row
/// stride `c_row`.
unsafe fn product_in_place(a: ArrayView2<f32>, b: ArrayView2<f32>, c: *mut f32, c_row: isize) -> bool {
    #[cfg(target_arch = "x86_64")]
    if has_fma() && b.strides()[1] == 1 && !a.is_empty() && !b.is_empty() {
        let (m, k, n) = (a.nrows(), a.ncols(), b.ncols());
        let operands = NnOperands {
            a: a.as_ptr(),
            a_row: a.strides()[0],
            a_col: a.strides()[1],
            b: b.as_ptr(),
            b_row: b.strides()[0],
            c,
            c_row,
        };
        // SAFETY: the CPU has AVX2 and FMA; the pointers and strides describe `a` (m × k),
        // `b` (k × n, unit column stride) and, by the caller, `c` (m × n).
        unsafe { avx2::product_nn(m, k, n, &operands) };
        return true;
    }
    false
}

/// `a·bᵀ` in `f32`.
pub fn product_transposed(a: ArrayView2<f32>, b: ArrayView2<f32>) -> Array2<f32> {
    assert_eq!(a.ncols(), b.ncols(), "inner dimensions of a·bᵀ");
    #[cfg(target_arch = "x86_64")]
    if has_fma() && a.strides()[1] == 1 && b.strides()[1] == 1 && !a.is_empty() && !b.is_empty() {
        let (m, k, n) = (a.nrows(), a.ncols(), b.nrows());
        let mut c = Array2::<f32>::uninit((m, n));
        let operands = NtOperands {
            a: a.as_ptr(),
            a_row: a.strides()[0],
            b: b.as_ptr(),
            b_row: b.strides()[0],
            c: c.as_mut_ptr().cast(),
        };
        // SAFETY: the CPU has AVX2 and FMA; the pointers and strides describe `a` (m × k) and
        // `b` (n × k), both with unit column stride, and `c` (m × n, standard layout), of which
        // every element is stored once.
        unsafe {
            avx2::product_nt(m, k, n, &operands);
            return c.assume_init();
        }
    }
    a.dot(&b.t())
}

#[cfg(target_arch = "x86_64")]
fn has_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// Where `a` (any strides), `b` (rows of unit stride) and `c` (standard layout) of `a·b` are.
#[cfg(target_arch = "x86_64")]
struct NnOperands {
    a: *const f32,
    a_row: isize,
    a_col: isize,
    b: *const f32,
    b_row: isize,
    c: *mut f32,
    c_row: isize,
}

/// Where `a` and `b` (rows of unit stride) and `c` (standard layout, `n` columns) of `a·bᵀ` are.
#[cfg(target_arch = "x86_64")]
struct NtOperands {
    a: *const f32,
    a_row: isize,
    b: *const f32,
    b_row: isize,
    c: *mut f32,
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{NnOperands, NtOperands};

    /// Sums along `k` run in blocks of this many terms, as in `matrixmultiply`'s `f32` kernels.
    const K_BLOCK: usize = 256;
    /// Output rows and 8-lane column vectors of an `a·b` tile: 12 accumulators, 2 loads of `b`
    /// and one broadcast of `a` take 15 of the 16 vector registers. (With all 16 taken, the
    /// compiler keeps an accumulator on the stack and every step waits for it.)
    const NN_ROWS: usize = 6;
    const NN_VECTORS: usize = 2;
    /// Rows of `a` per pass over the columns (a multiple of `NN_ROWS`): 96 rows of 144 numbers
    /// are 55 kB, which stay in the L2 cache beside the weights while every column strip
    /// passes; without blocks, scoring's products of thousands of rows read `a` from memory
    /// once per strip.
    const NN_ROW_BLOCK: usize = 96;
    /// Rows of `a` and of `b` in an `a·bᵀ` tile (9 accumulators, 3 + 1 loads).
    const NT_A_ROWS: usize = 3;
    const NT_B_ROWS: usize = 3;

    /// # Safety
    /// AVX2 and FMA are available; the operands describe valid `m × k`, `k × n` and `m × n`
    /// matrices.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn product_nn(m: usize, k: usize, n: usize, at: &NnOperands) {
        let mut k_start = 0;
        while k_start < k {
            let depth = K_BLOCK.min(k - k_start);
            let block = NnOperands {
                // SAFETY: `k_start < k`, inside both operands.
                a: unsafe { at.a.offset(k_start as isize * at.a_col) },
                b: unsafe { at.b.offset(k_start as isize * at.b_row) },
                ..*at
            };
            let accumulate = k_start > 0;
            // Six-row tiles, then the leftover rows in one tile as wide as the registers allow
            // (a tile of one row and two vectors would wait on its two sums at every step).
            // Row blocks that stay in the cache while every column strip passes over them.
            let full = m - m % NN_ROWS;
            unsafe {
                for first in (0..full).step_by(NN_ROW_BLOCK) {
                    let last = (first + NN_ROW_BLOCK).min(full);
                    nn_rows::<NN_ROWS, NN_VECTORS>(first, last, n, depth, &block, accumulate);
                }
                match m - full {
                    1 => nn_rows::<1, 6>(full, m, n, depth, &block, accumulate),
                    2 => nn_rows::<2, 4>(full, m, n, depth, &block, accumulate),
                    3 => nn_rows::<3, 3>(full, m, n, depth, &block, accumulate),
                    4 => nn_rows::<4, 2>(full, m, n, depth, &block, accumulate),
                    5 => nn_rows::<5, 2>(full, m, n, depth, &block, accumulate),
                    _ => {}
                }
            }
            k_start += depth;
        }
    }

    /// Rows `first .. last` (a multiple of `R` of them), all `n` columns, in tiles of `R` rows and
    /// `V` vectors; each strip of columns runs down all the rows while it is in the cache.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn nn_rows<const R: usize, const V: usize>(
        first: usize,
        last: usize,
        n: usize,
        depth: usize,
        at: &NnOperands,
        accumulate: bool,
    ) {
        let mut j = 0;
        while j + 8 * V <= n {
            for i in (first..last).step_by(R) {
                unsafe { nn_tile::<R, V>(i, j, depth, at, accumulate) };
            }
            j += 8 * V;
        }
        while j + 8 <= n {
            for i in (first..last).step_by(R) {
                unsafe { nn_tile::<R, 1>(i, j, depth, at, accumulate) };
            }
            j += 8;
        }
        for column in j..n {
            for i in first..last {
                unsafe { nn_element(i, column, depth, at, accumulate) };
            }
        }
    }

    /// Rows `i .. i + R`, columns `j .. j + 8·V`: per element, fused multiply-adds in
    /// increasing `k`, then stored (`+ 0`, as `matrixmultiply` computes `1·ab + 0`) or added.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn nn_tile<const R: usize, const V: usize>(
        i: usize,
        j: usize,
        depth: usize,
        at: &NnOperands,
        accumulate: bool,
    ) {
        unsafe {
            let mut sums = [[_mm256_setzero_ps(); V]; R];
            let a = at.a.offset(i as isize * at.a_row);
            let b = at.b.add(j);
            for p in 0..depth {
                let b_row = b.offset(p as isize * at.b_row);
                let mut b_vectors = [_mm256_setzero_ps(); V];
                for (v, vector) in b_vectors.iter_mut().enumerate() {
                    *vector = _mm256_loadu_ps(b_row.add(8 * v));
                }
                for (r, row_sums) in sums.iter_mut().enumerate() {
                    let a_value = _mm256_set1_ps(*a.offset(r as isize * at.a_row + p as isize * at.a_col));
                    for (sum, vector) in row_sums.iter_mut().zip(&b_vectors) {
                        *sum = _mm256_fmadd_ps(a_value, *vector, *sum);
                    }
                }
            }
            for (r, row_sums) in sums.iter().enumerate() {
                let c_row = at.c.offset((i + r) as isize * at.c_row).add(j);
                for (v, sum) in row_sums.iter().enumerate() {
                    let out = c_row.add(8 * v);
                    let base = if accumulate { _mm256_loadu_ps(out) } else { _mm256_setzero_ps() };
                    _mm256_storeu_ps(out, _mm256_add_ps(*sum, base));
                }
            }
        }
    }

    /// One element of `a·b` (columns beyond the last full vector), in the same order.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn nn_element(i: usize, j: usize, depth: usize, at: &NnOperands, accumulate: bool) {
        unsafe {
            let mut sum = 0.0f32;
            for p in 0..depth {
                let a_value = *at.a.offset(i as isize * at.a_row + p as isize * at.a_col);
                sum = a_value.mul_add(*at.b.offset(p as isize * at.b_row + j as isize), sum);
            }
            let out = at.c.offset(i as isize * at.c_row + j as isize);
            *out = sum + if accumulate { *out } else { 0.0 };
        }
    }

    /// # Safety
    /// AVX2 and FMA are available; the operands describe valid `m × k`, `n × k` and `m × n`
    /// matrices.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn product_nt(m: usize, k: usize, n: usize, at: &NtOperands) {
        let full = m - m % NT_A_ROWS;
        unsafe {
            nt_rows::<NT_A_ROWS, NT_B_ROWS>(0, full, k, n, at);
            match m - full {
                1 => nt_rows::<1, 8>(full, m, k, n, at),
                2 => nt_rows::<2, 4>(full, m, k, n, at),
                _ => {}
            }
        }
    }

    /// Output rows `first .. last` (a multiple of `RA` of them), all `n` columns, in tiles of
    /// `RA × RB`; each group of `b`'s rows runs down all of `a` while it is in the cache.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn nt_rows<const RA: usize, const RB: usize>(
        first: usize,
        last: usize,
        k: usize,
        n: usize,
        at: &NtOperands,
    ) {
        let mut j = 0;
        while j + RB <= n {
            for i in (first..last).step_by(RA) {
                unsafe { nt_tile::<RA, RB>(i, j, k, n, at) };
            }
            j += RB;
        }
        for column in j..n {
            for i in (first..last).step_by(RA) {
                unsafe { nt_tile::<RA, 1>(i, column, k, n, at) };
            }
        }
    }

    /// Output rows `i .. i + RA`, columns `j .. j + RB`: eight partial sums per element along
    /// `k` (fused multiply-adds), the lanes added in a fixed order, then the leftover terms
    /// one by one.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn nt_tile<const RA: usize, const RB: usize>(i: usize, j: usize, k: usize, n: usize, at: &NtOperands) {
        unsafe {
            let mut sums = [[_mm256_setzero_ps(); RB]; RA];
            let a = at.a.offset(i as isize * at.a_row);
            let b = at.b.offset(j as isize * at.b_row);
            let vector_end = k - k % 8;
            let mut p = 0;
            while p < vector_end {
                let mut a_vectors = [_mm256_setzero_ps(); RA];
                for (r, vector) in a_vectors.iter_mut().enumerate() {
                    *vector = _mm256_loadu_ps(a.offset(r as isize * at.a_row).add(p));
                }
                for q in 0..RB {
                    let b_vector = _mm256_loadu_ps(b.offset(q as isize * at.b_row).add(p));
                    for (row_sums, a_vector) in sums.iter_mut().zip(&a_vectors) {
                        row_sums[q] = _mm256_fmadd_ps(*a_vector, b_vector, row_sums[q]);
                    }
                }
                p += 8;
            }
            for (r, row_sums) in sums.iter().enumerate() {
                for (q, sum) in row_sums.iter().enumerate() {
                    let mut total = lane_sum(*sum);
                    let (a_row, b_row) = (a.offset(r as isize * at.a_row), b.offset(q as isize * at.b_row));
                    for p in vector_end..k {
                        total = (*a_row.add(p)).mul_add(*b_row.add(p), total);
                    }
                    *at.c.add((i + r) * n + j + q) = total;
                }
            }
        }
    }

    /// The eight lanes added pairwise: (0+4, 1+5, 2+6, 3+7), then halves, then the last pair.
    #[target_feature(enable = "avx2,fma")]
    #[inline]
    unsafe fn lane_sum(v: __m256) -> f32 {
        let quarter = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps::<1>(v));
        let half = _mm_add_ps(quarter, _mm_movehl_ps(quarter, quarter));
        _mm_cvtss_f32(_mm_add_ss(half, _mm_shuffle_ps::<0b01>(half, half)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, s};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn random(rows: usize, cols: usize, rng: &mut ChaCha8Rng) -> Array2<f32> {
        // Some exact zeros, as after a ReLU.
        Array2::from_shape_simple_fn((rows, cols), || {
            if rng.random::<f32>() < 0.2 { 0.0 } else { rng.random::<f32>() - 0.5 }
        })
    }

    fn close(a: &Array2<f32>, b: &Array2<f32>, tolerance: f32) -> bool {
        a.shape() == b.shape() && a.iter().zip(b).all(|(x, y)| (x - y).abs() <= tolerance)
    }

    /// Sizes around every tile and block edge (8, 24, 4, 3, 256).
    const SIZES: [(usize, usize, usize); 10] = [
        (1, 1, 1),
        (3, 5, 7),
        (4, 144, 288),
        (20, 144, 288),
        (41, 5, 288),
        (7, 300, 33),
        (5, 257, 24),
        (2, 9, 130),
        (13, 288, 144),
        (23, 288, 144),
    ];

    #[test]
    fn a_times_b_has_the_bits_of_matrixmultiply_on_fma_machines() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        for (m, k, n) in SIZES {
            let (a, b) = (random(m, k, &mut rng), random(k, n, &mut rng));
            let ours = product(a.view(), b.view());
            let reference = a.dot(&b);
            if cfg!(target_arch = "x86_64") && std::arch::is_x86_feature_detected!("fma") {
                assert_eq!(ours, reference, "{m}×{k}·{k}×{n}");
            } else {
                assert!(close(&ours, &reference, 1e-5));
            }
            // A transposed view as the left operand (the weight gradients' form).
            let a_transposed = random(k, m, &mut rng);
            assert_eq!(product(a_transposed.t(), b.view()), a_transposed.t().dot(&b), "transposed a, {m}×{k}·{k}×{n}");
        }
    }

    #[test]
    fn appended_products_follow_what_was_there() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        for (m, k, n) in SIZES {
            let (a, b) = (random(m, k, &mut rng), random(k, n, &mut rng));
            let mut out = vec![7.0; 5];
            append_product(a.view(), b.view(), &mut out);
            assert_eq!(out[..5], [7.0; 5]);
            assert_eq!(out[5..], product(a.view(), b.view()).as_slice().unwrap()[..], "{m}×{k}·{k}×{n}");
        }
        let mut out = vec![1.0];
        append_product(Array2::<f32>::zeros((0, 3)).view(), Array2::zeros((3, 4)).view(), &mut out);
        assert_eq!(out, [1.0]);
    }

    #[test]
    fn a_times_b_transposed_matches_a_plain_sum_and_ignores_the_tile_position() {
        let mut rng = ChaCha8Rng::seed_from_u64(2);
        for (m, k, n) in SIZES {
            let (a, b) = (random(m, k, &mut rng), random(n, k, &mut rng));
            let ours = product_transposed(a.view(), b.view());
            let reference = a.dot(&b.t());
            assert!(close(&ours, &reference, 1e-5 * k as f32), "{m}×{k}·({n}×{k})ᵀ");
            // Each element depends only on its two rows, not on where the tiles fall.
            if m > 1 && n > 1 {
                let corner = product_transposed(a.slice(s![1.., ..]), b.slice(s![1.., ..]));
                assert_eq!(corner, ours.slice(s![1.., 1..]), "shifted tiles, {m}×{k}·({n}×{k})ᵀ");
            }
        }
    }
}
