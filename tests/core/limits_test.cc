// Byte and pixel limits: 64-bit arithmetic, boundaries, and the wording of the refusal.
#include "core/limits.h"

#include <gtest/gtest.h>

#include <string>

namespace imgpipe::core {
namespace {

Header Sized(uint32_t width, uint32_t height) {
  Header header;
  header.width = width;
  header.height = height;
  return header;
}

TEST(LimitsTest, InputBytesBoundary) {
  Limits limits;
  limits.max_input_bytes = 1000;
  EXPECT_TRUE(CheckInputBytes(1000, limits));
  auto over = CheckInputBytes(1001, limits);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kInputTooLarge);
  EXPECT_EQ(over.error().message, "input is 1001 bytes, over the 1000 byte limit");
}

TEST(LimitsTest, DefaultsAreTheNamedConstants) {
  Limits limits;
  EXPECT_EQ(limits.max_input_bytes, kDefaultMaxInputBytes);
  EXPECT_EQ(limits.max_input_pixels, kDefaultMaxInputPixels);
  EXPECT_TRUE(CheckInputBytes(kDefaultMaxInputBytes, limits));
  EXPECT_FALSE(CheckInputBytes(kDefaultMaxInputBytes + 1, limits));
}

TEST(LimitsTest, HugeHeaderIsRefusedWithAClearMessage) {
  auto status = CheckHeader(Sized(60000, 60000), Limits{});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kTooManyPixels);
  EXPECT_EQ(status.error().message, "image is 60000x60000 = 3600 MP, over the 100 MP limit");
}

TEST(LimitsTest, PixelBoundaryIsInclusive) {
  Limits limits;
  limits.max_input_pixels = 12;
  EXPECT_TRUE(CheckHeader(Sized(4, 3), limits));
  EXPECT_TRUE(CheckHeader(Sized(12, 1), limits));
  auto over = CheckHeader(Sized(13, 1), limits);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kTooManyPixels);
  EXPECT_NE(over.error().message.find("13x1"), std::string::npos);
}

TEST(LimitsTest, ProductUses64Bits) {
  // 65536 * 65536 wraps to 0 in 32 bits; 0xFFFFFFFF^2 wraps to 1.
  Limits limits;
  EXPECT_FALSE(CheckHeader(Sized(65536, 65536), limits));
  EXPECT_FALSE(CheckHeader(Sized(0xFFFFFFFF, 0xFFFFFFFF), limits));
  limits.max_input_pixels = UINT64_MAX;
  EXPECT_TRUE(CheckHeader(Sized(0xFFFFFFFF, 0xFFFFFFFF), limits));
}

TEST(LimitsTest, ZeroSideIsCorrupt) {
  auto status = CheckHeader(Sized(0, 100), Limits{});
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kCorruptImage);
  EXPECT_FALSE(CheckHeader(Sized(100, 0), Limits{}));
}

TEST(LimitsTest, FractionalMegapixelsAreReadable) {
  Limits limits;
  limits.max_input_pixels = 1'500'000;
  auto status = CheckHeader(Sized(2000, 1000), limits);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().message, "image is 2000x1000 = 2 MP, over the 1.5 MP limit");
}

// libwebp decodes a lossless frame (and a lossy frame's alpha) into full-size buffers whatever
// the output size, so the check counts width*height against its own, lower limit, inclusive and in
// 64 bits.
TEST(LimitsTest, LosslessWebpBoundaryAndMessage) {
  Limits limits;
  EXPECT_EQ(limits.max_lossless_webp_pixels, kDefaultMaxLosslessWebpPixels);
  EXPECT_TRUE(CheckLosslessWebp(3840, 2160, WebpPlane::kLosslessFrame,
                                limits));  // a 4K screenshot passes the default
  auto over = CheckLosslessWebp(6000, 4000, WebpPlane::kLosslessFrame, limits);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kTooManyPixels);
  EXPECT_EQ(over.error().message,
            "lossless WebP 6000x4000 = 24 MP, over the 9 MP limit for lossless WebP "
            "(max_lossless_webp_pixels)");
  // The alpha of a lossy WebP is decoded whole too, under the same limit.
  EXPECT_TRUE(CheckLosslessWebp(3840, 2160, WebpPlane::kLossyAlpha, limits));
  over = CheckLosslessWebp(4000, 3000, WebpPlane::kLossyAlpha, limits);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().message,
            "lossy WebP 4000x3000 with a lossless alpha channel = 12 MP, over the 9 MP limit for "
            "lossless WebP (max_lossless_webp_pixels)");
  limits.max_lossless_webp_pixels = 12;
  EXPECT_TRUE(CheckLosslessWebp(4, 3, WebpPlane::kLosslessFrame, limits));
  EXPECT_FALSE(CheckLosslessWebp(13, 1, WebpPlane::kLosslessFrame, limits));
  // 65536 * 65536 wraps to 0 in 32 bits.
  EXPECT_FALSE(CheckLosslessWebp(65536, 65536, WebpPlane::kLosslessFrame, limits));
}

TEST(LimitsTest, LosslessWebpLimitIsItsOwn) {
  // Raising the interlaced or input limits must not let a large lossless WebP through.
  Limits limits;
  limits.max_interlaced_pixels = UINT64_MAX;
  limits.max_input_pixels = UINT64_MAX;
  limits.max_lossless_webp_pixels = 1'500'000;
  auto over = CheckLosslessWebp(2000, 1000, WebpPlane::kLosslessFrame, limits);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().message,
            "lossless WebP 2000x1000 = 2 MP, over the 1.5 MP limit for lossless WebP "
            "(max_lossless_webp_pixels)");
}

}  // namespace
}  // namespace imgpipe::core
