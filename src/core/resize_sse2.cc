// The resampler's SSE2 passes, hand-written with intrinsics. SSE2 is baseline on x86-64, so
// there is no run-time check; on other targets this file is empty and resize_scalar.cc serves.
#include "resize_isa.h"

#if defined(__SSE2__)

namespace imgpipe::core {
namespace {

// The dot products of HorizontalPassGrayPadded, four outputs at a time. GCC's vectorized loop
// there reduces each output's 4-lane accumulator to a scalar on its own, which costs more
// than the multiply-adds at 16 taps (callgrind: ~42 instructions per output on the 943x530 ->
// 472x265 -> 256 thumbnail). Reducing four accumulators together with two transposing adds
// brings that to ~12. Integer sums in another order are the same sums: the output is
// bit-identical to the scalar pass (tests/core/resize_kernel_test.cc checks it).
// kChunks = taps / 8 when known at compile time (16 taps covers every thumbnail of a photo
// shrunk on load to 1-4x the output), 0 for any multiple of 8: a fixed count unrolls fully.
template <uint32_t kChunks>
void GrayPassSse2(const uint8_t* in, const AxisWeights& w, uint8_t* out) {
  const uint32_t chunks = kChunks != 0 ? kChunks : w.taps / 8;
  const size_t taps = static_cast<size_t>(chunks) * 8;
  const __m128i zero = _mm_setzero_si128();
  const uint32_t* first = w.first.data();
  const int16_t* weight = w.weights.data();
  uint32_t i = 0;
  for (; i + 4 <= w.count; i += 4) {
    __m128i acc[4];
    for (int j = 0; j < 4; ++j, weight += taps) {
      const uint8_t* src = in + first[i + j];
      __m128i sum = zero;
      for (uint32_t k = 0; k < chunks; ++k) {
        // 8 source bytes (first + taps <= in_size keeps them inside the row) widened to int16.
        const __m128i pixels = _mm_unpacklo_epi8(
            _mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + size_t{8} * k)), zero);
        const __m128i weights =
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(weight + size_t{8} * k));
        sum = _mm_add_epi32(sum, _mm_madd_epi16(pixels, weights));
      }
      acc[j] = sum;
    }
    StoreFourSums(acc, out + i);
  }
  HorizontalPassGrayPadded(in, w, out, i);
}

}  // namespace

void HorizontalPassGraySse2(const uint8_t* in, const AxisWeights& w, uint8_t* out) {
  static_assert(kHorizontalTapMultiple % 8 == 0, "the SSE2 pass loads 8 taps at a time");
  // Fixed tap counts unroll fully: 8..32 taps cover shrinks of up to ~7x after the decoder's
  // own shrink on load.
  switch (w.taps) {
    case 8:
      return GrayPassSse2<1>(in, w, out);
    case 16:
      return GrayPassSse2<2>(in, w, out);
    case 24:
      return GrayPassSse2<3>(in, w, out);
    case 32:
      return GrayPassSse2<4>(in, w, out);
    default:
      return GrayPassSse2<0>(in, w, out);
  }
}

// 16 samples per iteration with all taps accumulated in four registers, two taps per pmaddwd:
// the interleaved bytes (r0[i], r1[i]) widened to int16 pairs meet (w0, w1) pairs. GCC's
// vectorization of the scalar loop used pmullw/pmulhw and kept the accumulators in memory
// (~14 instructions per output sample at 5 taps); this is ~4. Covers [x_begin, n) in steps
// of 16 and returns where it stopped.
size_t ResampleColumnsSse2(const uint8_t* const* rows, const int16_t* weights, uint32_t taps,
                           size_t x_begin, size_t n, uint8_t* out) {
  const uint32_t pairs = taps / 2;
  if (pairs > kMaxColumnPairs) {
    return x_begin;
  }
  const bool odd = taps % 2 != 0;  // the last tap pairs with a zero row and a zero weight
  __m128i w[kMaxColumnPairs + 1];
  for (uint32_t p = 0; p < pairs + (odd ? 1 : 0); ++p) {
    w[p] = _mm_set1_epi32(ColumnWeightPair(weights, taps, p));
  }
  const __m128i zero = _mm_setzero_si128();
  const __m128i round = _mm_set1_epi32(kRoundHalf);
  size_t x = x_begin;
  for (; x + 16 <= n; x += 16) {
    __m128i a0 = round, a1 = round, a2 = round, a3 = round;
    auto accumulate = [&](__m128i r0, __m128i r1, __m128i wp) {
      const __m128i lo = _mm_unpacklo_epi8(r0, r1);  // r0[0] r1[0] r0[1] r1[1] ... r1[7]
      const __m128i hi = _mm_unpackhi_epi8(r0, r1);  // the same for samples 8..15
      a0 = _mm_add_epi32(a0, _mm_madd_epi16(_mm_unpacklo_epi8(lo, zero), wp));
      a1 = _mm_add_epi32(a1, _mm_madd_epi16(_mm_unpackhi_epi8(lo, zero), wp));
      a2 = _mm_add_epi32(a2, _mm_madd_epi16(_mm_unpacklo_epi8(hi, zero), wp));
      a3 = _mm_add_epi32(a3, _mm_madd_epi16(_mm_unpackhi_epi8(hi, zero), wp));
    };
    for (uint32_t p = 0; p < pairs; ++p) {
      accumulate(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[size_t{2} * p] + x)),
                 _mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[size_t{2} * p + 1] + x)),
                 w[p]);
    }
    if (odd) {
      accumulate(_mm_loadu_si128(reinterpret_cast<const __m128i*>(rows[taps - 1] + x)), zero,
                 w[pairs]);
    }
    const __m128i lo =
        _mm_packs_epi32(_mm_srai_epi32(a0, kWeightBits), _mm_srai_epi32(a1, kWeightBits));
    const __m128i hi =
        _mm_packs_epi32(_mm_srai_epi32(a2, kWeightBits), _mm_srai_epi32(a3, kWeightBits));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + x), _mm_packus_epi16(lo, hi));
  }
  return x;
}

}  // namespace imgpipe::core

#endif  // __SSE2__
