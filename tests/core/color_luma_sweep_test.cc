// ToGray's RGB path runs in chunks through a vectorized kernel (AVX2 clone on x86-64): sweep
// sizes across the chunk boundary (512 pixels) with a seeded RNG and compare every pixel with
// Pillow's formula, L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16.
#include <gtest/gtest.h>

#include <cstdint>
#include <random>

#include "core/color.h"

namespace imgpipe::core {
namespace {

TEST(ColorLumaSweep, EveryPixelMatchesPillowsFormulaAcrossChunkBoundaries) {
  std::mt19937 rng(7);
  for (uint32_t width : {1u, 7u, 31u, 511u, 512u, 513u, 1000u, 1537u}) {
    for (uint32_t height : {1u, 3u}) {
      Image rgb{width, height, 3, {}};
      rgb.pixels.resize(rgb.stride() * height);
      for (auto& p : rgb.pixels) p = static_cast<uint8_t>(rng());
      const Image source = rgb;
      const Image gray = ToGray(std::move(rgb));
      ASSERT_EQ(gray.channels, 1);
      ASSERT_EQ(gray.pixels.size(), static_cast<size_t>(width) * height);
      for (size_t i = 0; i < gray.pixels.size(); ++i) {
        const uint32_t r = source.pixels[3 * i], g = source.pixels[3 * i + 1],
                       b = source.pixels[3 * i + 2];
        ASSERT_EQ(gray.pixels[i], (r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
            << width << "x" << height << " pixel " << i;
      }
    }
  }
}

}  // namespace
}  // namespace imgpipe::core
