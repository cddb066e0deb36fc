// FlattenAlpha and ToGray: exact arithmetic checks, including Pillow's convert("L") values.
#include "core/color.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace imgpipe::core {
namespace {

Image MakeImage(uint32_t width, uint32_t height, int channels, std::vector<uint8_t> pixels) {
  return Image{width, height, channels, std::move(pixels)};
}

// Pillow's ImagingConvert RGB->L (libImaging/Convert.c, L24 macro).
uint8_t PillowL(int r, int g, int b) {
  return static_cast<uint8_t>((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
}

TEST(ToGrayTest, MatchesPillowOnKnownColours) {
  // Values printed by python3-pil 9.4: Image.new("RGB", (1, 1), c).convert("L").getpixel((0, 0))
  const Image out = ToGray(
      MakeImage(6, 1, 3, {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 12, 200, 99}));
  ASSERT_EQ(out.channels, 1);
  ASSERT_EQ(out.pixels.size(), 6u);
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{76, 150, 29, 255, 0, 132}));
}

TEST(ToGrayTest, FormulaOnRandomPixels) {
  std::mt19937 rng(7);
  Image image{64, 33, 3, {}};
  image.pixels.resize(image.stride() * image.height);
  for (auto& p : image.pixels) p = static_cast<uint8_t>(rng());
  const Image out = ToGray(image);
  ASSERT_EQ(out.pixels.size(), 64u * 33u);
  for (size_t i = 0; i < out.pixels.size(); ++i) {
    ASSERT_EQ(out.pixels[i],
              PillowL(image.pixels[3 * i], image.pixels[3 * i + 1], image.pixels[3 * i + 2]))
        << i;
  }
}

TEST(ToGrayTest, KeepsAlpha) {
  const Image out = ToGray(MakeImage(2, 1, 4, {255, 0, 0, 7, 10, 20, 30, 200}));
  ASSERT_EQ(out.channels, 2);
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{76, 7, PillowL(10, 20, 30), 200}));
}

TEST(ToGrayTest, GrayIsUnchanged) {
  const Image gray = MakeImage(2, 1, 1, {3, 4});
  EXPECT_EQ(ToGray(gray).pixels, gray.pixels);
  const Image gray_alpha = MakeImage(1, 1, 2, {3, 4});
  EXPECT_EQ(ToGray(gray_alpha).pixels, gray_alpha.pixels);
  EXPECT_EQ(ToGray(gray_alpha).channels, 2);
}

TEST(LumaTest, UsesTheSameFormula) {
  EXPECT_EQ(Luma(Rgb{255, 255, 255}), 255);
  EXPECT_EQ(Luma(Rgb{0, 0, 0}), 0);
  EXPECT_EQ(Luma(Rgb{255, 0, 0}), 76);
  EXPECT_EQ(Luma(Rgb{12, 200, 99}), PillowL(12, 200, 99));
}

TEST(FlattenAlphaTest, OpaqueKeepsColourTransparentGivesBackground) {
  const Rgb background{10, 20, 30};
  const Image out = FlattenAlpha(
      MakeImage(3, 1, 4, {200, 100, 50, 255, 200, 100, 50, 0, 200, 100, 50, 128}), background);
  ASSERT_EQ(out.channels, 3);
  ASSERT_EQ(out.pixels.size(), 9u);
  EXPECT_EQ(out.pixels[0], 200);
  EXPECT_EQ(out.pixels[1], 100);
  EXPECT_EQ(out.pixels[2], 50);
  EXPECT_EQ(out.pixels[3], 10);
  EXPECT_EQ(out.pixels[4], 20);
  EXPECT_EQ(out.pixels[5], 30);
  // 128/255 of the way: round((200*128 + 10*127) / 255) = 105, etc.
  EXPECT_EQ(out.pixels[6], 105);
  EXPECT_EQ(out.pixels[7], 60);
  EXPECT_EQ(out.pixels[8], 40);
}

TEST(FlattenAlphaTest, ExactRoundingForEveryAlpha) {
  Image image{256, 1, 4, {}};
  for (int a = 0; a < 256; ++a) {
    image.pixels.insert(image.pixels.end(), {255, 0, 77, static_cast<uint8_t>(a)});
  }
  const Image out = FlattenAlpha(image, Rgb{0, 255, 200});
  for (int a = 0; a < 256; ++a) {
    auto expect = [a](int c, int bg) {
      return static_cast<int>(std::lround((c * a + bg * (255 - a)) / 255.0));
    };
    EXPECT_EQ(out.pixels[3 * a + 0], expect(255, 0)) << a;
    EXPECT_EQ(out.pixels[3 * a + 1], expect(0, 255)) << a;
    EXPECT_EQ(out.pixels[3 * a + 2], expect(77, 200)) << a;
  }
}

TEST(FlattenAlphaTest, GrayAlphaUsesBackgroundLuma) {
  const Rgb background{255, 0, 0};  // luma 76
  const Image out = FlattenAlpha(MakeImage(2, 1, 2, {200, 0, 200, 255}), background);
  ASSERT_EQ(out.channels, 1);
  EXPECT_EQ(out.pixels, (std::vector<uint8_t>{76, 200}));
}

TEST(FlattenAlphaTest, NoAlphaIsUnchanged) {
  const Image rgb = MakeImage(1, 1, 3, {1, 2, 3});
  EXPECT_EQ(FlattenAlpha(rgb, Rgb{}).pixels, rgb.pixels);
  EXPECT_EQ(FlattenAlpha(rgb, Rgb{}).channels, 3);
}

}  // namespace
}  // namespace imgpipe::core
