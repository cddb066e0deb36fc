// BoxShrink: block means, edge blocks, channels, and the claim that it stands in for JPEG's DCT
// scaling (factor 8 is the 1/8 decode up to rounding).
#include "core/box_shrink.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/decode.h"
#include "testing/make_images.h"

namespace imgpipe::core {
namespace {

using testing::Bytes;

Image Make(uint32_t width, uint32_t height, int channels, Bytes pixels) {
  Image image;
  image.width = width;
  image.height = height;
  image.channels = channels;
  image.pixels = std::move(pixels);
  return image;
}

Bytes Noise(size_t size, unsigned seed) {
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> sample(0, 255);
  Bytes pixels(size);
  for (uint8_t& p : pixels) {
    p = static_cast<uint8_t>(sample(random));
  }
  return pixels;
}

TEST(BoxShrinkTest, EachPixelIsItsBlocksRoundedMean) {
  // 4x2 gray, factor 2: blocks {0,1,4,5}, {2,3,6,7} scaled by 10.
  const Image source = Make(4, 2, 1, {0, 10, 20, 30, 40, 50, 60, 71});
  const Image out = BoxShrink(source, 2);
  ASSERT_EQ(out.width, 2u);
  ASSERT_EQ(out.height, 1u);
  EXPECT_EQ(out.pixels, (Bytes{25, 45}));  // (0+10+40+50)/4 = 25; (20+30+60+71)/4 = 45.25
}

TEST(BoxShrinkTest, EdgeBlocksAverageThePixelsTheyHave) {
  // 5x3, factor 4: the output is ceil: 2x1; the right block holds one column of three rows.
  Bytes pixels(15, 100);
  pixels[4] = 10;
  pixels[9] = 20;
  pixels[14] = 31;
  const Image out = BoxShrink(Make(5, 3, 1, pixels), 4);
  ASSERT_EQ(out.width, 2u);
  ASSERT_EQ(out.height, 1u);
  EXPECT_EQ(out.pixels[0], 100);
  EXPECT_EQ(out.pixels[1], 20);  // (10 + 20 + 31) / 3 = 20.3
}

TEST(BoxShrinkTest, ChannelsAreAveragedApart) {
  const Image source = Make(2, 2, 3, {255, 0, 10, 255, 0, 20, 255, 0, 30, 255, 0, 41});
  const Image out = BoxShrink(source, 2);
  ASSERT_EQ(out.pixels.size(), 3u);
  EXPECT_EQ(out.pixels, (Bytes{255, 0, 25}));
}

TEST(BoxShrinkTest, OnlyJpegsScalesShrink) {
  const Image source = Make(17, 9, 1, Noise(size_t{17} * 9, 1));
  EXPECT_EQ(BoxShrink(source, 1).pixels, source.pixels);
  const Image out = BoxShrink(source, 8);
  EXPECT_EQ(out.width, 3u);
  EXPECT_EQ(out.height, 2u);
  EXPECT_EQ(BoxShrink(source, 3).pixels, source.pixels);
  EXPECT_EQ(BoxShrink(source, 16).pixels, source.pixels);
}

TEST(BoxShrinkTest, MatchesTheDefinitionOnAnySizeAndChannelCount) {
  // The whole-block fast path and the edge blocks against a plain per-block mean.
  std::mt19937 random(3);
  for (int round = 0; round < 60; ++round) {
    const uint32_t width = 1 + random() % 70, height = 1 + random() % 40;
    const int channels = 1 + static_cast<int>(random() % 4);
    const uint32_t factor = 2u << (random() % 3);
    const Image source =
        Make(width, height, channels, Noise(static_cast<size_t>(width) * height * channels, round));
    const Image out = BoxShrink(source, factor);
    ASSERT_EQ(out.width, (width + factor - 1) / factor);
    ASSERT_EQ(out.height, (height + factor - 1) / factor);
    for (uint32_t oy = 0; oy < out.height; ++oy) {
      for (uint32_t ox = 0; ox < out.width; ++ox) {
        for (int c = 0; c < channels; ++c) {
          uint32_t sum = 0, count = 0;
          for (uint32_t y = oy * factor; y < std::min(height, (oy + 1) * factor); ++y) {
            for (uint32_t x = ox * factor; x < std::min(width, (ox + 1) * factor); ++x) {
              sum += testing::PixelAt(source, x, y)[c];
              ++count;
            }
          }
          ASSERT_EQ(testing::PixelAt(out, ox, oy)[c], (sum + count / 2) / count)
              << width << "x" << height << "x" << channels << " / " << factor;
        }
      }
    }
  }
}

TEST(BoxShrinkTest, FactorEightIsTheJpegEighthScaleDecodeUpToRounding) {
  // A block's DC coefficient is its mean, so the 1/8 DCT decode and the box mean of the full
  // decode agree but for the encoder's quantisation of the other coefficients (clamped pixels).
  const uint32_t width = 1600, height = 1200;
  Bytes pixels = testing::Gradient(width, height, 1);
  const Bytes noise = Noise(pixels.size(), 2);
  for (size_t i = 0; i < pixels.size(); ++i) {
    pixels[i] = static_cast<uint8_t>((pixels[i] + noise[i]) / 2);
  }
  const Bytes jpeg = testing::EncodeJpeg(pixels, width, height, 1, testing::GrayJpegSpec());
  DecodeRequest eighth;
  eighth.min_width = width / 8;
  eighth.min_height = height / 8;
  ASSERT_EQ(BoxShrinkFactor(width, height, eighth.min_width, eighth.min_height), 8u);
  auto scaled = DecodeJpeg(jpeg, eighth);
  auto full = DecodeJpeg(jpeg, DecodeRequest{});
  ASSERT_TRUE(scaled.ok() && full.ok());
  const Image shrunk = BoxShrink(*full, 8);
  ASSERT_EQ(shrunk.width, scaled->width);
  ASSERT_EQ(shrunk.height, scaled->height);
  const testing::Difference d = testing::Compare(shrunk, scaled->pixels);
  EXPECT_LE(d.mean, 0.6);
  EXPECT_LE(d.max, 3);
}

TEST(BoxShrinkFactorTest, LargestScaleStillCoveringTheRequest) {
  EXPECT_EQ(BoxShrinkFactor(4619, 2598, 0, 0), 1u);  // 0 means full size
  // The 2048 variant with its headroom asks 2356 columns; 1/2 gives 2310.
  EXPECT_EQ(BoxShrinkFactor(4619, 2598, 2356, 1), 1u);
  EXPECT_EQ(BoxShrinkFactor(4619, 2598, 578, 1), 8u);  // ceil(4619 / 8) = 578: just enough
  EXPECT_EQ(BoxShrinkFactor(4619, 2598, 579, 1), 4u);
  EXPECT_EQ(BoxShrinkFactor(4619, 2598, 1, 650), 4u);  // ceil(2598 / 4) = 650
  EXPECT_EQ(BoxShrinkFactor(4619, 2598, 1, 1300), 1u);
}

}  // namespace
}  // namespace imgpipe::core
