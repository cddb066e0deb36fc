// Each instruction set's kernel against the portable one, called directly. resize_kernel_test.cc
// checks only the kernel that ResampleRow/ResampleColumns pick on this machine (AVX2 on most
// x86-64 hosts), so without this the SSE2 horizontal pass would never run on those hosts.
#include "core/resize_isa.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

namespace imgpipe::core {
namespace {

std::vector<uint8_t> Noise(size_t n, std::mt19937& rng) {
  std::vector<uint8_t> v(n);
  // Mostly extremes: black/white edges drive the bicubic's negative lobes out of 0..255.
  for (auto& p : v) {
    p = (rng() % 3 == 0) ? static_cast<uint8_t>(rng()) : (rng() % 2 ? 255 : 0);
  }
  return v;
}

using GrayPass = void (*)(const uint8_t*, const AxisWeights&, uint8_t*);

void ExpectGrayPassMatchesPortable(GrayPass pass, const char* name) {
  std::mt19937 rng(5);
  int compared = 0;
  for (uint32_t in_size = 1; in_size <= 300; in_size += 7) {
    for (uint32_t out_size : {1u, 3u, 4u, 5u, 17u, 64u, 81u}) {
      const AxisWeights w =
          ComputeAxisWeights(in_size, out_size, 0, out_size, kHorizontalTapMultiple);
      if (w.identity || w.taps % kHorizontalTapMultiple != 0) {
        continue;  // ResampleRow sends these elsewhere
      }
      const std::vector<uint8_t> in = Noise(in_size, rng);
      std::vector<uint8_t> expected(out_size, 0xAB);
      std::vector<uint8_t> actual(out_size, 0xCD);
      HorizontalPassGrayPadded(in.data(), w, expected.data());
      pass(in.data(), w, actual.data());
      ASSERT_EQ(actual, expected) << name << " " << in_size << " -> " << out_size << ", " << w.taps
                                  << " taps";
      ++compared;
    }
  }
  EXPECT_GT(compared, 100);
}

using ColumnPass = size_t (*)(const uint8_t* const*, const int16_t*, uint32_t, size_t, size_t,
                              uint8_t*);

void ExpectColumnPassMatchesPortable(ColumnPass pass, const char* name) {
  std::mt19937 rng(6);
  for (uint32_t taps = 1; taps <= 131; taps += taps < 12 ? 1 : 17) {
    for (size_t n : {size_t{1}, size_t{15}, size_t{16}, size_t{33}, size_t{100}, size_t{530}}) {
      std::vector<std::vector<uint8_t>> storage;
      std::vector<const uint8_t*> rows;
      for (uint32_t k = 0; k < taps; ++k) {
        storage.push_back(Noise(n, rng));
        rows.push_back(storage.back().data());
      }
      std::vector<int16_t> weights(taps);
      for (auto& w : weights) {
        w = static_cast<int16_t>(static_cast<int>(rng() % 24000) - 6000);
      }
      std::vector<uint8_t> expected(n, 0xAB);
      std::vector<uint8_t> actual(n, 0xCD);
      ResampleColumnsScalar(rows.data(), weights.data(), taps, 0, n, expected.data());
      const size_t done = pass(rows.data(), weights.data(), taps, 0, n, actual.data());
      ASSERT_LE(done, n);
      ResampleColumnsScalar(rows.data(), weights.data(), taps, done, n, actual.data());
      ASSERT_EQ(actual, expected) << name << " " << taps << " taps, " << n << " samples";
    }
  }
}

#if defined(__SSE2__)
TEST(ResizeIsaTest, Sse2MatchesPortable) {
  ExpectGrayPassMatchesPortable(HorizontalPassGraySse2, "SSE2");
  ExpectColumnPassMatchesPortable(ResampleColumnsSse2, "SSE2");
}
#endif

#if defined(IMGPIPE_AVX2_KERNELS)
TEST(ResizeIsaTest, Avx2MatchesPortable) {
  if (!HasAvx2()) {
    GTEST_SKIP() << "this CPU has no AVX2; the AVX2 kernels are never called here";
  }
  ExpectGrayPassMatchesPortable(HorizontalPassGrayAvx2, "AVX2");
  ExpectColumnPassMatchesPortable(
      [](const uint8_t* const* rows, const int16_t* weights, uint32_t taps, size_t x_begin,
         size_t n, uint8_t* out) -> size_t {
        return x_begin == 0 ? ResampleColumnsAvx2(rows, weights, taps, n, out) : x_begin;
      },
      "AVX2");
}
#endif

}  // namespace
}  // namespace imgpipe::core
