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
