// The resampler's two 1-D kernels against a plain integer reference written from their
// contract in resize_kernel.h. The SIMD paths (SSE2 on x86-64) must give bit-identical bytes:
// they only reorder integer sums. Sizes sweep 1..80 with a seeded RNG so every vector tail
// (samples % 16, outputs % 4, an odd last tap) is exercised.
#include "core/resize_kernel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

namespace imgpipe::core {
namespace {

uint8_t Clamp(int32_t sum) {
  const int32_t v = (sum + (1 << (kWeightBits - 1))) >> kWeightBits;
  return static_cast<uint8_t>(std::clamp(v, 0, 255));
}

std::vector<uint8_t> Noise(size_t n, std::mt19937& rng) {
  std::vector<uint8_t> v(n);
  // Mostly extremes: black/white edges drive the bicubic's negative lobes out of 0..255.
  for (auto& p : v) p = (rng() % 3 == 0) ? static_cast<uint8_t>(rng()) : (rng() % 2 ? 255 : 0);
  return v;
}

TEST(ResizeKernel, RowMatchesReferenceForEveryChannelCountAndSize) {
  std::mt19937 rng(1234);
  for (int channels = 1; channels <= 4; ++channels) {
    for (uint32_t in_size = 1; in_size <= 80; ++in_size) {
      for (uint32_t out_size : {1u, 2u, 3u, 5u, 7u, 16u, 17u, 33u, 64u, 81u}) {
        const uint32_t tap_multiple = channels == 1 ? kHorizontalTapMultiple : 1;
        const AxisWeights w = ComputeAxisWeights(in_size, out_size, 0, out_size, tap_multiple);
        const std::vector<uint8_t> in = Noise(static_cast<size_t>(in_size) * channels, rng);
        std::vector<uint8_t> out(static_cast<size_t>(out_size) * channels, 0xAB);
        ResampleRow(in.data(), channels, w, out.data());
        for (uint32_t i = 0; i < out_size; ++i) {
          for (int c = 0; c < channels; ++c) {
            int32_t sum = 0;
            for (uint32_t k = 0; k < w.taps; ++k) {
              sum += w.weights[static_cast<size_t>(i) * w.taps + k] *
                     in[(static_cast<size_t>(w.first[i]) + k) * channels + c];
            }
            ASSERT_EQ(out[static_cast<size_t>(i) * channels + c], Clamp(sum))
                << "channels " << channels << " " << in_size << " -> " << out_size << " at " << i;
          }
        }
      }
    }
  }
}

TEST(ResizeKernel, ColumnsMatchReferenceForEveryTapCountAndWidth) {
  std::mt19937 rng(99);
  for (uint32_t taps = 1; taps <= 12; ++taps) {
    for (size_t n = 1; n <= 80; ++n) {
      std::vector<std::vector<uint8_t>> storage;
      std::vector<const uint8_t*> rows;
      for (uint32_t k = 0; k < taps; ++k) storage.push_back(Noise(n, rng));
      for (const auto& r : storage) rows.push_back(r.data());
      // Real weights of a downscale with this many taps, including negative lobes.
      const AxisWeights w = ComputeAxisWeights(taps * 3, 3, 1, 1);
      std::vector<int16_t> weights(taps, 0);
      std::copy_n(w.weights.begin(), std::min<size_t>(taps, w.weights.size()), weights.begin());
      weights[taps / 2] = static_cast<int16_t>(weights[taps / 2] + 700);  // breaks symmetry
      std::vector<uint8_t> out(n, 0xAB);
      ResampleColumns(rows.data(), weights.data(), taps, n, out.data());
      for (size_t i = 0; i < n; ++i) {
        int32_t sum = 0;
        for (uint32_t k = 0; k < taps; ++k) sum += weights[k] * rows[k][i];
        ASSERT_EQ(out[i], Clamp(sum)) << taps << " taps, width " << n << ", sample " << i;
      }
    }
  }
}

}  // namespace
}  // namespace imgpipe::core
