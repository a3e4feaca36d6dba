//! A vector kernel for the detector's stride-2 depth-wise convolutions, which tract 0.23 runs
//! one output point at a time on x86-64.
//!
//! CenterFace halves its feature maps with 3×3 depth-wise convolutions at stride 2. tract's
//! x86-64 depth-wise kernel vectorises stride 1 only; at stride 2 it falls back to a scalar
//! loop that reached about 1 GFLOP/s and took about a quarter of a 640×480 pass: 137–142 ms
//! without this kernel, 101–114 ms with it (`cargo bench --bench stages -- detector`, run
//! alternately). tract picks these kernels from a registry any linked crate can add to
//! (`inventory`), preferring the one that needs the most capable instruction set: this one
//! needs AVX2, so it outranks tract's AVX kernel on the machines that have it, and hands every
//! stride but 2 back to that kernel.
//!
//! The arithmetic is tract's scalar loop's, in the same order — the bias, then one multiply
//! and one add per tap, no fused multiply-add — so every output is bit for bit what tract
//! computes without this kernel, and no detection can change because of it.

use std::arch::x86_64::*;
use tract_onnx::tract_core::tract_linalg::isa::{Arch, Isa, IsaReq};
use tract_onnx::tract_core::tract_linalg::routines::{Func, Routine, RoutineFactory};
use tract_onnx::tract_core::tract_linalg::x86_64::depthwise::depthwise_w_f32 as tract_kernel;

/// The name tract reports for this kernel.
pub(crate) const NAME: &str = "postsafe_avx2_depthwise_w_f32_stride2";

inventory::submit! {
    Routine {
        func: Func::DepthwiseW,
        arch: Some(Arch::X86_64),
        isa: IsaReq::ANY.needing(&[Isa::X86_64Avx2]),
        boost: 0,
        round_trip: false,
        factory: RoutineFactory::DepthwiseWF32 { name: NAME, run: depthwise_w_f32 },
    }
}

/// tract's `DepthwiseWF32` contract: `len` contiguous output points, point `i` being `bias`
/// plus every `taps[t] * input[offsets[t] + i * in_stride]`.
///
/// # Safety
/// `input.offset(offsets[t] + i * in_stride)` must be readable for every tap and every `i`
/// below `len`, `len` points writable from `output`, and the CPU must have AVX2 (tract calls
/// this only where it does).
unsafe fn depthwise_w_f32(
    input: *const f32,
    output: *mut f32,
    taps: &[f32],
    offsets: &[isize],
    bias: f32,
    len: usize,
    in_stride: isize,
) {
    unsafe {
        if in_stride == 2 {
            stride2(input, output, taps, offsets, bias, len)
        } else {
            tract_kernel(input, output, taps, offsets, bias, len, in_stride)
        }
    }
}

/// Eight output points from sixteen consecutive inputs, kept in the order one shuffle leaves
/// them in (points 0 1 4 5 2 3 6 7): every tap shares that order, so the accumulators are put
/// right once, at the store, instead of once per tap.
#[target_feature(enable = "avx2")]
unsafe fn even_lanes(p: *const f32) -> __m256 {
    unsafe { _mm256_shuffle_ps(_mm256_loadu_ps(p), _mm256_loadu_ps(p.add(8)), 0b10_00_10_00) }
}

/// Undoes [`even_lanes`]' order: swaps the middle two pairs of points.
#[target_feature(enable = "avx2")]
unsafe fn in_order(v: __m256) -> __m256 {
    _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), 0b11_01_10_00))
}

/// The stride-2 case. A block of eight points reads sixteen inputs, one past the last point's
/// own, which is the next point's: so a block runs only while a point follows it, and the
/// last points of a run go through the scalar loop.
#[target_feature(enable = "avx2")]
unsafe fn stride2(
    input: *const f32,
    output: *mut f32,
    taps: &[f32],
    offsets: &[isize],
    bias: f32,
    len: usize,
) {
    unsafe {
        let biasv = _mm256_set1_ps(bias);
        let mut i = 0usize;
        // Four accumulators give the adder independent chains; each tap's broadcast is paid
        // once per 32 points.
        while i + 32 < len {
            let (mut a0, mut a1, mut a2, mut a3) = (biasv, biasv, biasv, biasv);
            for (tap, offset) in taps.iter().zip(offsets) {
                let k = _mm256_set1_ps(*tap);
                let p = input.offset(*offset).add(2 * i);
                a0 = _mm256_add_ps(a0, _mm256_mul_ps(even_lanes(p), k));
                a1 = _mm256_add_ps(a1, _mm256_mul_ps(even_lanes(p.add(16)), k));
                a2 = _mm256_add_ps(a2, _mm256_mul_ps(even_lanes(p.add(32)), k));
                a3 = _mm256_add_ps(a3, _mm256_mul_ps(even_lanes(p.add(48)), k));
            }
            _mm256_storeu_ps(output.add(i), in_order(a0));
            _mm256_storeu_ps(output.add(i + 8), in_order(a1));
            _mm256_storeu_ps(output.add(i + 16), in_order(a2));
            _mm256_storeu_ps(output.add(i + 24), in_order(a3));
            i += 32;
        }
        while i + 8 < len {
            let mut acc = biasv;
            for (tap, offset) in taps.iter().zip(offsets) {
                let x = even_lanes(input.offset(*offset).add(2 * i));
                acc = _mm256_add_ps(acc, _mm256_mul_ps(x, _mm256_set1_ps(*tap)));
            }
            _mm256_storeu_ps(output.add(i), in_order(acc));
            i += 8;
        }
        for i in i..len {
            let mut sum = bias;
            for (tap, offset) in taps.iter().zip(offsets) {
                sum += tap * *input.offset(*offset + 2 * i as isize);
            }
            *output.add(i) = sum;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tract_onnx::tract_core::tract_linalg::routines::best_for;

    /// tract's own scalar loop, written out: what every output must equal bit for bit.
    fn scalar(
        input: &[f32],
        centre: usize,
        taps: &[f32],
        offsets: &[isize],
        len: usize,
        stride: usize,
    ) -> Vec<f32> {
        (0..len)
            .map(|i| {
                taps.iter().zip(offsets).fold(0.25, |sum, (tap, offset)| {
                    sum + tap * input[(centre as isize + offset) as usize + i * stride]
                })
            })
            .collect()
    }

    #[test]
    fn stride_two_matches_tracts_scalar_loop_bit_for_bit() {
        if !is_x86_feature_detected!("avx2") {
            return;
        }
        for stride in [1usize, 2, 3] {
            for taps in [1usize, 2, 3, 4, 6, 9] {
                for len in [0usize, 1, 7, 8, 9, 16, 17, 31, 32, 33, 40, 41, 79, 80, 159, 160] {
                    let k: Vec<f32> = (0..taps).map(|t| (t as f32 * 0.7).sin()).collect();
                    // Taps laid out like a 3-wide kernel's rows, one row apart.
                    let row = 400isize;
                    let offsets: Vec<isize> =
                        (0..taps as isize).map(|t| (t / 3 - 1) * row + t % 3 - 1).collect();
                    let centre = row as usize + 1;
                    // The input ends exactly at the last element the run may read.
                    let end = offsets.iter().max().map_or(0, |&o| (centre as isize + o) as usize)
                        + len.saturating_sub(1) * stride
                        + 1;
                    let input: Vec<f32> = (0..end).map(|i| (i as f32 * 0.37).cos() * 3.0).collect();
                    let mut out = vec![0f32; len];
                    unsafe {
                        depthwise_w_f32(
                            input.as_ptr().add(centre),
                            out.as_mut_ptr(),
                            &k,
                            &offsets,
                            0.25,
                            len,
                            stride as isize,
                        )
                    };
                    let expected = scalar(&input, centre, &k, &offsets, len, stride);
                    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&out), bits(&expected), "stride {stride}, {taps} taps, {len} points");
                }
            }
        }
    }

    #[test]
    fn tract_runs_this_kernel_where_the_cpu_has_avx2() {
        let isa = tract_onnx::tract_core::tract_linalg::isa::native();
        let chosen = best_for(Func::DepthwiseW, tract_onnx::prelude::DatumType::F32, &isa)
            .map(|routine| routine.name());
        if isa.has(Isa::X86_64Avx2) {
            assert_eq!(chosen, Some(NAME));
        } else {
            assert_ne!(chosen, Some(NAME));
        }
    }
}
