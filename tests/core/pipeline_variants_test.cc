// Several outputs of one input: each variant's shape, format and channels, byte equality with a
// single run where the decode scale is the same, and one failure failing the input.
#include <gtest/gtest.h>

#include "core/decode.h"
#include "imgpipe/pipeline.h"
#include "imgpipe/variants.h"
#include "testing/make_images.h"

namespace imgpipe {
namespace {

using testing::Bytes;

Variant Make(const char* name, uint32_t side, bool gray, OutputFormat format) {
  Variant variant{name, std::string(name) + "/", Options{}};
  variant.options.width = variant.options.height = side;
  variant.options.grayscale = gray;
  variant.options.format = format;
  return variant;
}

Header HeaderOf(const Encoded& encoded) {
  auto header = core::ReadHeader(encoded.bytes);
  return header.ok() ? *header : Header{};
}

TEST(ProcessVariantsTest, OneVariantIsExactlyProcess) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(900, 600, 3), 900, 600, 3);
  const Variant only{"x", "", Options{}};
  auto variants = ProcessVariants(jpeg, std::span(&only, 1));
  auto single = Process(jpeg, Options{});
  ASSERT_TRUE(variants.ok() && single.ok());
  ASSERT_EQ(variants->size(), 1u);
  EXPECT_EQ(variants->front().bytes, single->bytes);
}

TEST(ProcessVariantsTest, EachVariantHasItsOwnShapeFormatAndChannels) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(1200, 800, 3), 1200, 800, 3);
  std::vector<Variant> variants = {Make("thumb", 64, false, OutputFormat::kWebp),
                                   Make("large", 400, false, OutputFormat::kJpeg),
                                   Make("bw", 128, true, OutputFormat::kPng)};
  variants[1].options.fit = Fit::kInside;
  auto outputs = ProcessVariants(jpeg, variants);
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  ASSERT_EQ(outputs->size(), 3u);
  EXPECT_EQ((*outputs)[0].format, OutputFormat::kWebp);
  EXPECT_EQ((*outputs)[0].width, 64u);
  EXPECT_EQ((*outputs)[0].channels, 3);
  EXPECT_EQ(HeaderOf((*outputs)[0]).format, Format::kWebp);
  EXPECT_EQ((*outputs)[1].width, 400u);
  EXPECT_EQ((*outputs)[1].height, 267u);  // inside keeps 3:2
  EXPECT_EQ((*outputs)[1].channels, 3);
  EXPECT_EQ((*outputs)[2].channels, 1);
  EXPECT_EQ(HeaderOf((*outputs)[2]).format, Format::kPng);
  EXPECT_EQ(HeaderOf((*outputs)[2]).channels, 1);
  for (const Encoded& out : *outputs) {
    EXPECT_EQ(out.source.width, 1200u);
  }
}

TEST(ProcessVariantsTest, TheMostDemandingVariantMatchesItsOwnRun) {
  // The decode scale is set by the largest variant, so its output is the same as alone.
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(1600, 1200, 3), 1600, 1200, 3);
  const std::vector<Variant> variants = {Make("small", 100, true, OutputFormat::kJpeg),
                                         Make("big", 700, true, OutputFormat::kJpeg)};
  auto outputs = ProcessVariants(jpeg, variants);
  auto alone = Process(jpeg, variants[1].options);
  ASSERT_TRUE(outputs.ok() && alone.ok());
  EXPECT_EQ((*outputs)[1].bytes, alone->bytes);
}

TEST(ProcessVariantsTest, GrayAndColourVariantsFromOneColourDecodeMatchTheirOwnRuns) {
  // Same size, so the same decode scale: the gray one must equal a gray run, the colour one a
  // colour run, whichever order they come in.
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(640, 480, 3), 640, 480, 3);
  const std::vector<Variant> variants = {Make("gray", 200, true, OutputFormat::kPng),
                                         Make("colour", 200, false, OutputFormat::kPng),
                                         Make("gray2", 200, true, OutputFormat::kJpeg)};
  auto outputs = ProcessVariants(jpeg, variants);
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  for (size_t i = 0; i < variants.size(); ++i) {
    auto alone = Process(jpeg, variants[i].options);
    ASSERT_TRUE(alone.ok());
    EXPECT_EQ((*outputs)[i].channels, alone->channels) << variants[i].name;
  }
  // The colour decode's luma equals the codec's own Y plane only up to rounding, so gray PNG
  // output is compared by channels and shape above, and the colour one byte for byte.
  auto colour_alone = Process(jpeg, variants[1].options);
  EXPECT_EQ((*outputs)[1].bytes, colour_alone->bytes);
}

// A textured photo stand-in: a gradient with noise and slanted 10 px stripes, fine detail on
// which resampling from different scales shows (a plain gradient comes out alike from any
// scale).
Bytes TexturedGray(uint32_t width, uint32_t height) {
  Bytes pixels = testing::Gradient(width, height, 1);
  uint32_t state = 12345;
  for (uint8_t& p : pixels) {
    state = state * 1103515245u + 12345u;
    p = static_cast<uint8_t>((p + ((state >> 16) & 0xff)) / 2);
  }
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      if (((x + y / 3) / 5) % 2 == 0) {
        pixels[static_cast<size_t>(y) * width + x] /= 4;
      }
    }
  }
  return pixels;
}

Image DecodePng(const Encoded& encoded) {
  auto image = core::Decode(encoded.bytes, HeaderOf(encoded), core::DecodeRequest{});
  return image.ok() ? std::move(*image) : Image{};
}

TEST(ProcessVariantsTest, ASmallVariantBesideALargeOneGetsThePixelsItWouldAlone) {
  // Alone, the 100 px thumbnail decodes at 1/8 and the 700 px variant at full size (1/2 is short
  // of its headroom). Together they share the full decode, and the thumbnail is box-averaged to
  // 1/8 first: the same pixels as its own run up to rounding. Resampled from the full decode
  // instead, it differs by 3.95 levels (mean; 0.12 shrunk) on this texture.
  const uint32_t width = 1600, height = 1200;
  const Bytes jpeg =
      testing::EncodeJpeg(TexturedGray(width, height), width, height, 1, testing::GrayJpegSpec());
  for (const bool gray : {true, false}) {
    const std::vector<Variant> variants = {Make("thumb", 100, gray, OutputFormat::kPng),
                                           Make("large", 700, gray, OutputFormat::kPng),
                                           Make("thumb2", 100, gray, OutputFormat::kPng)};
    auto outputs = ProcessVariants(jpeg, variants);
    auto alone = Process(jpeg, variants[0].options);
    ASSERT_TRUE(outputs.ok() && alone.ok());
    const Image together = DecodePng((*outputs)[0]);
    const Image own = DecodePng(*alone);
    ASSERT_EQ(together.width, 100u);
    const testing::Difference d = testing::Compare(together, own.pixels);
    EXPECT_LE(d.mean, 0.5) << "gray " << gray;
    EXPECT_LE(d.max, 3) << "gray " << gray;
    // The second thumbnail reads the same shrunk copy.
    EXPECT_EQ((*outputs)[2].bytes, (*outputs)[0].bytes);
  }
}

TEST(ProcessVariantsTest, AVariantSharingAHalfScaleDecodeIsShrunkByTheRest) {
  // Fill 500 of 2400x1600 scales to 750x500 and asks 863x575 with the headroom: 1/2. The 100 px
  // thumbnail asks 173x115: 1/8 alone, so it is shrunk by 4 from the shared half-scale decode.
  const uint32_t width = 2400, height = 1600;
  const Bytes jpeg =
      testing::EncodeJpeg(TexturedGray(width, height), width, height, 1, testing::GrayJpegSpec());
  const std::vector<Variant> variants = {Make("large", 500, true, OutputFormat::kPng),
                                         Make("thumb", 100, true, OutputFormat::kPng)};
  auto outputs = ProcessVariants(jpeg, variants);
  auto alone = Process(jpeg, variants[1].options);
  auto large_alone = Process(jpeg, variants[0].options);
  ASSERT_TRUE(outputs.ok() && alone.ok() && large_alone.ok());
  EXPECT_EQ((*outputs)[0].bytes, large_alone->bytes);
  const testing::Difference d =
      testing::Compare(DecodePng((*outputs)[1]), DecodePng(*alone).pixels);
  EXPECT_LE(d.mean, 0.5);
  EXPECT_LE(d.max, 3);
}

TEST(ProcessVariantsTest, AlphaIsFlattenedOnlyForTheJpegVariant) {
  testing::PngSpec spec;
  spec.width = spec.height = 64;
  spec.color_type = SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
  const Bytes png = testing::EncodePng(spec, testing::Solid(64, 64, {10, 20, 30, 0}));
  const std::vector<Variant> variants = {Make("keep", 32, false, OutputFormat::kPng),
                                         Make("flat", 32, false, OutputFormat::kJpeg),
                                         Make("keep2", 16, false, OutputFormat::kWebp)};
  auto outputs = ProcessVariants(png, variants);
  ASSERT_TRUE(outputs.ok()) << outputs.error().message;
  EXPECT_EQ((*outputs)[0].channels, 4);
  EXPECT_EQ((*outputs)[1].channels, 3);
  EXPECT_EQ((*outputs)[2].channels, 4);  // the JPEG variant did not flatten the shared pixels
}

TEST(ProcessVariantsTest, ABadInputFailsEveryVariantAtOnce) {
  const std::vector<Variant> variants = {Make("a", 10, true, OutputFormat::kJpeg),
                                         Make("b", 20, true, OutputFormat::kJpeg)};
  const Bytes junk = {'n', 'o', 't', ' ', 'a', 'n', ' ', 'i', 'm', 'a', 'g', 'e'};
  auto outputs = ProcessVariants(junk, variants);
  ASSERT_FALSE(outputs.ok());
  EXPECT_EQ(outputs.error().code, ErrorCode::kUnsupportedFormat);
}

TEST(ProcessVariantsTest, APassedDeadlineStopsBeforeTheFirstStep) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(64, 64, 3), 64, 64, 3);
  const std::vector<Variant> variants = {Make("a", 10, true, OutputFormat::kJpeg)};
  auto outputs = ProcessVariants(jpeg, variants, Clock::now() - std::chrono::seconds(1));
  ASSERT_FALSE(outputs.ok());
  EXPECT_EQ(outputs.error().code, ErrorCode::kDeadlineExceeded);
}

TEST(ProcessVariantsTest, NoVariantIsRefused) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(8, 8, 3), 8, 8, 3);
  EXPECT_EQ(ProcessVariants(jpeg, std::span<const Variant>()).error().code,
            ErrorCode::kInvalidOptions);
}

}  // namespace
}  // namespace imgpipe
