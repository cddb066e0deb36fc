// WebP decoding: lossy, lossless, alpha, scaled decode, EXIF, animation, bad input.
#include <gtest/gtest.h>

#include <string>

#include "core/decode.h"
#include "testing/make_images.h"

namespace imgpipe::core {
namespace {

using testing::Bytes;
using testing::Compare;

constexpr uint32_t kW = 64;
constexpr uint32_t kH = 48;

Image MustDecode(const Bytes& webp, const DecodeRequest& request = {}) {
  auto image = DecodeWebp(webp, request);
  EXPECT_TRUE(image) << image.error().message;
  return image ? std::move(image).value() : Image{};
}

TEST(WebpDecodeTest, HeaderReportsSizeAndAlpha) {
  const Bytes opaque = testing::WebpLossy(testing::Gradient(kW, kH, 3), kW, kH, false);
  auto header = ReadWebpHeader(opaque);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->format, Format::kWebp);
  EXPECT_EQ(header->width, kW);
  EXPECT_EQ(header->height, kH);
  EXPECT_EQ(header->channels, 3);
  EXPECT_FALSE(header->has_alpha);
  EXPECT_FALSE(header->animated);
  const Bytes alpha = testing::WebpLossless(testing::Gradient(kW, kH, 4), kW, kH, true);
  header = ReadWebpHeader(alpha);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->channels, 4);
  EXPECT_TRUE(header->has_alpha);
}

TEST(WebpDecodeTest, LossyIsCloseToTheSource) {
  const Bytes rgb = testing::Gradient(kW, kH, 3);
  const Image image = MustDecode(testing::WebpLossy(rgb, kW, kH, false));
  ASSERT_EQ(image.channels, 3);
  ASSERT_EQ(image.width, kW);
  const auto diff = Compare(image, rgb);
  EXPECT_LT(diff.mean, 3.0);
  EXPECT_LE(diff.max, 24);
}

TEST(WebpDecodeTest, LosslessIsExact) {
  const Bytes rgb = testing::Gradient(kW, kH, 3);
  EXPECT_EQ(MustDecode(testing::WebpLossless(rgb, kW, kH, false)).pixels, rgb);
}

TEST(WebpDecodeTest, AlphaSurvivesLosslessAndLossy) {
  Bytes rgba = testing::Gradient(kW, kH, 4);
  for (size_t i = 3; i < rgba.size(); i += 4) rgba[i] = static_cast<uint8_t>(55 + (i / 4) % 200);
  const Image lossless = MustDecode(testing::WebpLossless(rgba, kW, kH, true));
  ASSERT_EQ(lossless.channels, 4);
  EXPECT_EQ(lossless.pixels, rgba);  // no fully transparent pixel: exact everywhere
  const Image lossy = MustDecode(testing::WebpLossy(rgba, kW, kH, true));
  ASSERT_EQ(lossy.channels, 4);
  int max_alpha_error = 0;
  for (size_t i = 3; i < rgba.size(); i += 4) {
    max_alpha_error = std::max(max_alpha_error, std::abs(lossy.pixels[i] - rgba[i]));
  }
  EXPECT_LE(max_alpha_error, 2);  // alpha is coded losslessly by default
}

TEST(WebpDecodeTest, ScaledDecodeKeepsTheMinimumAndTheAspect) {
  const Bytes webp = testing::WebpLossy(testing::Solid(800, 600, {30, 120, 220}), 800, 600, false);
  struct Case {
    uint32_t min_w, min_h, want_w, want_h;
  };
  for (const Case& c : {Case{200, 200, 267, 200}, Case{400, 100, 400, 300}, Case{0, 0, 800, 600},
                        Case{800, 600, 800, 600}, Case{900, 10, 800, 600}}) {
    DecodeRequest request;
    request.min_width = c.min_w;
    request.min_height = c.min_h;
    const Image image = MustDecode(webp, request);
    EXPECT_EQ(image.width, c.want_w) << c.min_w << "x" << c.min_h;
    EXPECT_EQ(image.height, c.want_h) << c.min_w << "x" << c.min_h;
    const uint8_t* p = testing::PixelAt(image, image.width / 2, image.height / 2);
    EXPECT_NEAR(p[0], 30, 4);
    EXPECT_NEAR(p[1], 120, 4);
    EXPECT_NEAR(p[2], 220, 4);
  }
}

TEST(WebpDecodeTest, ReadsEveryExifOrientation) {
  const Bytes rgb = testing::Gradient(16, 16, 3);
  const Bytes simple = testing::WebpLossless(rgb, 16, 16, false);
  for (int orientation = 1; orientation <= 8; ++orientation) {
    Bytes exif = testing::ExifTiff(orientation, orientation % 2 == 1);
    if (orientation == 8)
      exif.insert(exif.begin(), {'E', 'x', 'i', 'f', 0, 0});  // seen in the wild
    const Bytes webp = testing::WebpWithExif(simple, 16, 16, false, exif);
    auto header = ReadWebpHeader(webp);
    ASSERT_TRUE(header) << header.error().message;
    EXPECT_EQ(header->orientation, orientation);
    EXPECT_EQ(MustDecode(webp).pixels, rgb);
  }
}

TEST(WebpDecodeTest, AnimationYieldsTheFirstFrameOnItsCanvas) {
  const Bytes red = testing::WebpLossless(testing::Solid(20, 10, {255, 0, 0}), 20, 10, false);
  const Bytes blue = testing::WebpLossless(testing::Solid(kW, kH, {0, 0, 255}), kW, kH, false);
  const Bytes animation =
      testing::WebpAnimation(kW, kH, {{red, 8, 6, 20, 10}, {blue, 0, 0, kW, kH}});
  auto header = ReadWebpHeader(animation);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_TRUE(header->animated);
  EXPECT_EQ(header->width, kW);
  const Image image = MustDecode(animation);
  ASSERT_EQ(image.channels, 4);
  ASSERT_EQ(image.width, kW);
  ASSERT_EQ(image.height, kH);
  EXPECT_EQ(Bytes(testing::PixelAt(image, 8, 6), testing::PixelAt(image, 8, 6) + 4),
            (Bytes{255, 0, 0, 255}));
  EXPECT_EQ(Bytes(testing::PixelAt(image, 27, 15), testing::PixelAt(image, 27, 15) + 4),
            (Bytes{255, 0, 0, 255}));
  EXPECT_EQ(testing::PixelAt(image, 28, 15)[3], 0);  // outside the first frame: transparent
  EXPECT_EQ(testing::PixelAt(image, 0, 0)[3], 0);
  EXPECT_EQ(testing::PixelAt(image, 8, 16)[3], 0);
}

// The frame's share of a shrunk canvas: a 20x10 red frame at (8, 6) of a 64x48 canvas, asked for
// 16x12 (a quarter), lands on [2, 7) x [1, 4) of a 16x12 canvas; the rest stays transparent.
TEST(WebpDecodeTest, SmallFrameOnALargeCanvasIsShrunkOnLoad) {
  const Bytes red = testing::WebpLossless(testing::Solid(20, 10, {255, 0, 0}), 20, 10, false);
  const Bytes animation = testing::WebpAnimation(kW, kH, {{red, 8, 6, 20, 10}});
  DecodeRequest request;
  request.min_width = 16;
  request.min_height = 12;
  const Image image = MustDecode(animation, request);
  ASSERT_EQ(image.channels, 4);
  ASSERT_EQ(image.width, 16u);
  ASSERT_EQ(image.height, 12u);
  EXPECT_EQ(Bytes(testing::PixelAt(image, 3, 2), testing::PixelAt(image, 3, 2) + 4),
            (Bytes{255, 0, 0, 255}));
  EXPECT_EQ(testing::PixelAt(image, 1, 2)[3], 0);
  EXPECT_EQ(testing::PixelAt(image, 8, 2)[3], 0);
  EXPECT_EQ(testing::PixelAt(image, 3, 5)[3], 0);
  EXPECT_EQ(testing::PixelAt(image, 15, 11)[3], 0);
}

// A header may claim a 9999x9999 canvas around a 1x1 frame: the canvas is never allocated at
// its claimed size (400 MB of RGBA), only at the size asked for.
TEST(WebpDecodeTest, HugeCanvasAroundATinyFrameCostsOnlyTheRequestedSize) {
  const Bytes dot = testing::WebpLossless(testing::Solid(2, 2, {0, 255, 0}), 2, 2, false);
  const Bytes animation = testing::WebpAnimation(9999, 9999, {{dot, 0, 0, 2, 2}});
  DecodeRequest request;
  request.min_width = 256;
  request.min_height = 256;
  const long before = testing::PeakRssMiB();
  const Image image = MustDecode(animation, request);
  EXPECT_LT(testing::PeakRssMiB() - before, 20);
  ASSERT_EQ(image.width, 256u);
  ASSERT_EQ(image.height, 256u);
  EXPECT_EQ(testing::PixelAt(image, 0, 0)[1], 255);
  EXPECT_EQ(testing::PixelAt(image, 0, 0)[3], 255);
  EXPECT_EQ(testing::PixelAt(image, 1, 1)[3], 0);
}

TEST(WebpDecodeTest, FullCanvasFirstFrameIsExact) {
  const Bytes rgb = testing::Gradient(kW, kH, 3);
  const Bytes first = testing::WebpLossless(rgb, kW, kH, false);
  const Bytes second = testing::WebpLossless(testing::Solid(kW, kH, {1, 2, 3}), kW, kH, false);
  const Image image =
      MustDecode(testing::WebpAnimation(kW, kH, {{first, 0, 0, kW, kH}, {second, 0, 0, kW, kH}}));
  ASSERT_EQ(image.width, kW);
  const Bytes expected = [&] {
    Bytes out;
    for (size_t i = 0; i < rgb.size(); i += 3) {
      out.insert(out.end(), {rgb[i], rgb[i + 1], rgb[i + 2]});
      if (image.channels == 4) out.push_back(255);
    }
    return out;
  }();
  EXPECT_EQ(image.pixels, expected);
}

TEST(WebpDecodeTest, TruncatedDataIsAnError) {
  const Bytes full = testing::WebpLossy(testing::Gradient(128, 128, 3), 128, 128, false);
  const Bytes half(full.begin(), full.begin() + static_cast<long>(full.size() / 2));
  auto image = DecodeWebp(half, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kTruncatedImage);
  EXPECT_EQ(image.error().message, "WebP data ends before the image does (truncated)");
  auto header = ReadWebpHeader(Bytes(full.begin(), full.begin() + 16));
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kTruncatedImage);
}

TEST(WebpDecodeTest, CorruptDataIsCorruptImage) {
  Bytes webp = testing::WebpLossy(testing::Gradient(128, 128, 3), 128, 128, false);
  for (size_t i = 30; i < 60; ++i) webp[i] = 0xA5;  // the VP8 frame header and partition sizes
  auto image = DecodeWebp(webp, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kCorruptImage);
  Bytes bad_chunk = webp;
  bad_chunk[12] = 'X';  // unknown first chunk instead of VP8/VP8L/VP8X
  auto header = ReadWebpHeader(bad_chunk);
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kCorruptImage);
}

TEST(WebpDecodeTest, LimitsComeFromTheRequest) {
  const Bytes webp = testing::WebpLossless(testing::Gradient(kW, kH, 3), kW, kH, false);
  DecodeRequest request;
  request.limits.max_input_pixels = kW * kH - 1;
  auto image = DecodeWebp(webp, request);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kTooManyPixels);
  request = {};
  request.limits.max_input_bytes = 10;
  auto too_large = DecodeWebp(webp, request);
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code, ErrorCode::kInputTooLarge);
}

}  // namespace
}  // namespace imgpipe::core
