// Private to the resampler's kernel files: one implementation of the two 1-D passes per
// instruction set (resize_scalar.cc, resize_sse2.cc, resize_avx2.cc), chosen by ResampleRow and
// ResampleColumns in resize.cc. Every implementation computes the same integer sums, so all of
// them give bit-identical bytes (tests/core/resize_kernel_test.cc checks the one the machine
// runs against a plain reference).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "resize_kernel.h"

#if defined(__SSE2__)
#include <emmintrin.h>  // SSE2 is baseline on x86-64: no runtime dispatch needed
#endif
// AVX2 kernels are compiled with a function target attribute (not -mavx2 on the file, which
// would let AVX2 copies of inline library code leak into the baseline path) and picked at run
// time, so the binary still runs on any x86-64 (every AWS Lambda x86 host has AVX2).
#if defined(__SSE2__) && defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define IMGPIPE_AVX2_KERNELS 1
#endif

namespace imgpipe::core {

inline constexpr int32_t kRoundHalf = 1 << (kWeightBits - 1);

inline uint8_t ClampToByte(int32_t v) {
  v >>= kWeightBits;  // arithmetic shift (defined in C++20): negative ringing stays negative
  return static_cast<uint8_t>(v < 0 ? 0 : (v > 255 ? 255 : v));
}

// Gray with taps padded to a multiple of kHorizontalTapMultiple (the thumbnail hot path): a
// plain int16 x int16 dot product whose trip count is a whole number of 16-byte vectors, so
// GCC's vectorized loop (pmaddwd) runs and its scalar epilogue never does. Measured on the
// 500x375 -> 256x375 pass: 0.52 ms with 8-tap padding (the vector loop wants 16 bytes and
// fell back to scalar), 0.20 ms with 16. It is the whole pass where there is no SSE2, and the
// SIMD passes finish their last 1-3 outputs (from `from`) with it. Inline so that each kernel
// file compiles its own copy at -O3.
inline void HorizontalPassGrayPadded(const uint8_t* in, const AxisWeights& w, uint8_t* out,
                                     uint32_t from = 0) {
  const uint32_t taps = w.taps;
  const int16_t* weight = w.weights.data() + static_cast<size_t>(from) * taps;
  for (uint32_t i = from; i < w.count; ++i, weight += taps) {
    const uint8_t* src = in + w.first[i];
    int32_t acc = kRoundHalf;
    const uint32_t whole = taps & ~(kHorizontalTapMultiple - 1);
    for (uint32_t k = 0; k < whole; ++k) {
      acc += static_cast<int32_t>(weight[k]) * static_cast<int32_t>(static_cast<int16_t>(src[k]));
    }
    out[i] = ClampToByte(acc);
  }
}

// resize_scalar.cc: portable C++ that GCC's loop vectorizer handles at -O3.
// Horizontal pass for any channel count 1..4 and any tap count.
void HorizontalPassScalar(const uint8_t* in, int channels, const AxisWeights& w, uint8_t* out);
// Vertical pass over samples [x_begin, n).
void ResampleColumnsScalar(const uint8_t* const* rows, const int16_t* weights, uint32_t taps,
                           size_t x_begin, size_t n, uint8_t* out);

#if defined(__SSE2__)
// Writes round(acc[j] summed over its 4 lanes) clamped to a byte, for j = 0..3, to out[0..3].
// Transpose-and-add: lane j of `sums` is the full sum of acc[j]. Shared by the SSE2 and AVX2
// horizontal passes.
inline void StoreFourSums(const __m128i acc[4], uint8_t* out) {
  const __m128i s01 =
      _mm_add_epi32(_mm_unpacklo_epi32(acc[0], acc[1]), _mm_unpackhi_epi32(acc[0], acc[1]));
  const __m128i s23 =
      _mm_add_epi32(_mm_unpacklo_epi32(acc[2], acc[3]), _mm_unpackhi_epi32(acc[2], acc[3]));
  __m128i sums = _mm_add_epi32(_mm_unpacklo_epi64(s01, s23), _mm_unpackhi_epi64(s01, s23));
  sums = _mm_srai_epi32(_mm_add_epi32(sums, _mm_set1_epi32(kRoundHalf)), kWeightBits);
  // Saturating packs clamp to 0..255 exactly like ClampToByte.
  sums = _mm_packus_epi16(_mm_packs_epi32(sums, sums), sums);
  const int32_t four = _mm_cvtsi128_si32(sums);
  std::memcpy(out, &four, sizeof four);
}

// The SIMD vertical passes multiply interleaved (r0[i], r1[i]) source bytes by (w0, w1) weight
// pairs, broadcast once per call into at most kMaxColumnPairs registers' worth of stack. Beyond
// that (more than 129 taps: a shrink of over ~32x that the codec could not do on load) they do
// nothing and the portable loop takes over.
inline constexpr uint32_t kMaxColumnPairs = 64;

// Tap pair p of `weights` as the int32 (w0 | w1 << 16) that pmaddwd takes; the odd last tap
// pairs with a zero weight (and the kernels give it a zero row).
inline int32_t ColumnWeightPair(const int16_t* weights, uint32_t taps, uint32_t p) {
  const uint32_t k = 2 * p;
  const uint32_t w0 = static_cast<uint16_t>(weights[k]);
  const uint32_t w1 = k + 1 < taps ? static_cast<uint16_t>(weights[k + 1]) : 0;
  return static_cast<int32_t>(w0 | (w1 << 16));
}

// resize_sse2.cc. Gray horizontal pass; w.taps is a multiple of 8.
void HorizontalPassGraySse2(const uint8_t* in, const AxisWeights& w, uint8_t* out);
// Vertical pass over [x_begin, n) in steps of 16; returns where it stopped.
size_t ResampleColumnsSse2(const uint8_t* const* rows, const int16_t* weights, uint32_t taps,
                           size_t x_begin, size_t n, uint8_t* out);
#endif

#if defined(IMGPIPE_AVX2_KERNELS)
// resize_avx2.cc. Call these only when HasAvx2().
bool HasAvx2();
// Gray horizontal pass; w.taps is a multiple of 8.
void HorizontalPassGrayAvx2(const uint8_t* in, const AxisWeights& w, uint8_t* out);
// Vertical pass over [0, n) in steps of 32; returns the samples done.
size_t ResampleColumnsAvx2(const uint8_t* const* rows, const int16_t* weights, uint32_t taps,
                           size_t n, uint8_t* out);
#endif

}  // namespace imgpipe::core
