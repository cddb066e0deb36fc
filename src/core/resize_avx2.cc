// The resampler's AVX2 passes, hand-written with intrinsics. Each function carries
// target("avx2") and resize.cc calls them only when HasAvx2(), so the binary still runs on any
// x86-64. On other targets this file is empty.
#include "resize_isa.h"

#if defined(IMGPIPE_AVX2_KERNELS)
#include <immintrin.h>

namespace imgpipe::core {
namespace {

// AVX2: 16 taps per multiply-add (vpmovzxbw widens 16 source bytes at once), then the same
// four-output reduction. ~10 instructions per output at 16 taps against ~17 for SSE2.
template <uint32_t kTaps>
__attribute__((target("avx2"))) void GrayPassAvx2(const uint8_t* in, const AxisWeights& w,
                                                  uint8_t* out) {
  const size_t taps = kTaps != 0 ? kTaps : w.taps;  // a multiple of 8
  const uint32_t* first = w.first.data();
  const int16_t* weight = w.weights.data();
  uint32_t i = 0;
  for (; i + 4 <= w.count; i += 4) {
    __m128i acc[4];
    for (int j = 0; j < 4; ++j, weight += taps) {
      const uint8_t* src = in + first[i + j];
      __m256i sum = _mm256_setzero_si256();
      size_t k = 0;
      for (; k + 16 <= taps; k += 16) {
        const __m256i pixels =
            _mm256_cvtepu8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(src + k)));
        const __m256i weights = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(weight + k));
        sum = _mm256_add_epi32(sum, _mm256_madd_epi16(pixels, weights));
      }
      __m128i half = _mm_add_epi32(_mm256_castsi256_si128(sum), _mm256_extracti128_si256(sum, 1));
      if (k < taps) {  // the last 8 taps
        const __m128i pixels =
            _mm_cvtepu8_epi16(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(src + k)));
        const __m128i weights = _mm_loadu_si128(reinterpret_cast<const __m128i*>(weight + k));
        half = _mm_add_epi32(half, _mm_madd_epi16(pixels, weights));
      }
      acc[j] = half;
    }
    StoreFourSums(acc, out + i);
  }
  HorizontalPassGrayPadded(in, w, out, i);
}

// One tap pair of ResampleColumnsAvx2 over 32 samples (a lambda would not inherit the target).
__attribute__((target("avx2"), always_inline)) inline void Accumulate32(__m256i r0, __m256i r1,
                                                                        __m256i wp,
                                                                        __m256i acc[4]) {
  const __m256i zero = _mm256_setzero_si256();
  const __m256i lo = _mm256_unpacklo_epi8(r0, r1);
  const __m256i hi = _mm256_unpackhi_epi8(r0, r1);
  acc[0] = _mm256_add_epi32(acc[0], _mm256_madd_epi16(_mm256_unpacklo_epi8(lo, zero), wp));
  acc[1] = _mm256_add_epi32(acc[1], _mm256_madd_epi16(_mm256_unpackhi_epi8(lo, zero), wp));
  acc[2] = _mm256_add_epi32(acc[2], _mm256_madd_epi16(_mm256_unpacklo_epi8(hi, zero), wp));
  acc[3] = _mm256_add_epi32(acc[3], _mm256_madd_epi16(_mm256_unpackhi_epi8(hi, zero), wp));
}

}  // namespace

bool HasAvx2() {
  static const bool kHasAvx2 = __builtin_cpu_supports("avx2");
  return kHasAvx2;
}

void HorizontalPassGrayAvx2(const uint8_t* in, const AxisWeights& w, uint8_t* out) {
  // Fixed tap counts unroll fully, as in HorizontalPassGraySse2.
  switch (w.taps) {
    case 16:
      return GrayPassAvx2<16>(in, w, out);
    case 24:
      return GrayPassAvx2<24>(in, w, out);
    case 32:
      return GrayPassAvx2<32>(in, w, out);
    default:
      return GrayPassAvx2<0>(in, w, out);
  }
}

// ResampleColumnsSse2 at 32 samples per iteration. The byte unpacks and the packs are both
// per 128-bit lane, so samples come back out in order.
__attribute__((target("avx2"))) size_t ResampleColumnsAvx2(const uint8_t* const* rows,
                                                           const int16_t* weights, uint32_t taps,
                                                           size_t n, uint8_t* out) {
  const uint32_t pairs = taps / 2;
  if (pairs > kMaxColumnPairs) {
    return 0;
  }
  const bool odd = taps % 2 != 0;
  __m256i w[kMaxColumnPairs + 1];
  for (uint32_t p = 0; p < pairs + (odd ? 1 : 0); ++p) {
    w[p] = _mm256_set1_epi32(ColumnWeightPair(weights, taps, p));
  }
  const __m256i zero = _mm256_setzero_si256();
  const __m256i round = _mm256_set1_epi32(kRoundHalf);
  size_t x = 0;
  for (; x + 32 <= n; x += 32) {
    __m256i acc[4] = {round, round, round, round};
    for (uint32_t p = 0; p < pairs; ++p) {
      Accumulate32(
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[size_t{2} * p] + x)),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[size_t{2} * p + 1] + x)), w[p],
          acc);
    }
    if (odd) {
      Accumulate32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(rows[taps - 1] + x)), zero,
                   w[pairs], acc);
    }
    const __m256i lo = _mm256_packs_epi32(_mm256_srai_epi32(acc[0], kWeightBits),
                                          _mm256_srai_epi32(acc[1], kWeightBits));
    const __m256i hi = _mm256_packs_epi32(_mm256_srai_epi32(acc[2], kWeightBits),
                                          _mm256_srai_epi32(acc[3], kWeightBits));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + x), _mm256_packus_epi16(lo, hi));
  }
  return x;
}

}  // namespace imgpipe::core

#endif  // IMGPIPE_AVX2_KERNELS
