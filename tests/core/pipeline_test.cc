// The whole pipeline through the public API: order of steps, deadline, limits, shapes.
#include "imgpipe/pipeline.h"

#include <gtest/gtest.h>

#include "core/decode.h"
#include "testing/make_images.h"

namespace imgpipe {
namespace {

using testing::Bytes;

Result<Image> DecodeOutput(const Encoded& encoded) {
  auto header = core::ReadHeader(encoded.bytes);
  if (!header.ok()) return header.error();
  return core::Decode(encoded.bytes, *header, core::DecodeRequest{});
}

TEST(PipelineTest, TutorialJobGivesA256SquareGrayJpeg) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(800, 600, 3), 800, 600, 3);
  auto out = Process(jpeg, Options{});
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->format, OutputFormat::kJpeg);
  EXPECT_EQ(out->width, 256u);
  EXPECT_EQ(out->height, 256u);
  EXPECT_EQ(out->channels, 1);
  EXPECT_EQ(out->source.format, Format::kJpeg);
  EXPECT_EQ(out->source.width, 800u);
  auto decoded = DecodeOutput(*out);
  ASSERT_TRUE(decoded.ok()) << decoded.error().message;
  EXPECT_EQ(decoded->channels, 1);
  EXPECT_EQ(decoded->width, 256u);
  EXPECT_GE(out->timings.decode_ms, 0.0);
  EXPECT_GE(out->timings.encode_ms, 0.0);
}

TEST(PipelineTest, ColourOutputKeepsThreeChannels) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(300, 200, 3), 300, 200, 3);
  Options options;
  options.grayscale = false;
  options.format = OutputFormat::kPng;
  auto out = Process(jpeg, options);
  ASSERT_TRUE(out.ok()) << out.error().message;
  auto decoded = DecodeOutput(*out);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->channels, 3);
}

TEST(PipelineTest, PngOutputKeepsAlphaAndJpegFlattensIt) {
  testing::PngSpec spec;
  spec.width = 64;
  spec.height = 64;
  spec.color_type = SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
  const Bytes png = testing::EncodePng(spec, testing::Solid(64, 64, {0, 0, 0, 0}));
  Options options;
  options.width = options.height = 32;
  options.format = OutputFormat::kPng;
  auto with_alpha = Process(png, options);
  ASSERT_TRUE(with_alpha.ok()) << with_alpha.error().message;
  EXPECT_EQ(with_alpha->channels, 2);  // gray + alpha

  options.format = OutputFormat::kJpeg;  // fully transparent black on the white background
  auto flat = Process(png, options);
  ASSERT_TRUE(flat.ok()) << flat.error().message;
  auto decoded = DecodeOutput(*flat);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(decoded->channels, 1);
  EXPECT_GE(decoded->pixels[decoded->pixels.size() / 2], 250);
}

TEST(PipelineTest, OrientationIsAppliedBeforeFitting) {
  // Stored landscape 200x100 with orientation 6 (rotate 90 CW) is a 100x200 portrait.
  testing::JpegSpec spec;
  spec.exif_tiff = testing::ExifTiff(6);
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(200, 100, 3), 200, 100, 3, spec);
  Options options;
  options.fit = Fit::kInside;
  options.width = options.height = 100;
  auto out = Process(jpeg, options);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->width, 50u);
  EXPECT_EQ(out->height, 100u);
  EXPECT_EQ(out->source.orientation, 6);
}

TEST(PipelineTest, ContainPadsToTheExactBox) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(400, 100, 3), 400, 100, 3);
  Options options;
  options.fit = Fit::kContain;
  auto out = Process(jpeg, options);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->width, 256u);
  EXPECT_EQ(out->height, 256u);
}

TEST(PipelineTest, PassedDeadlineStopsBeforeTheFirstStep) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(64, 64, 3), 64, 64, 3);
  auto out = Process(jpeg, Options{}, Clock::now() - std::chrono::milliseconds(1));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_FALSE(IsPermanent(out.error().code));
}

TEST(PipelineTest, LimitsAreCheckedBeforeDecoding) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(100, 100, 3), 100, 100, 3);
  Options options;
  options.limits.max_input_pixels = 9999;
  auto pixels = Process(jpeg, options);
  ASSERT_FALSE(pixels.ok());
  EXPECT_EQ(pixels.error().code, ErrorCode::kTooManyPixels);

  options = Options{};
  options.limits.max_input_bytes = jpeg.size() - 1;
  auto bytes = Process(jpeg, options);
  ASSERT_FALSE(bytes.ok());
  EXPECT_EQ(bytes.error().code, ErrorCode::kInputTooLarge);
}

TEST(PipelineTest, BadInputsAreErrorsNotCrashes) {
  EXPECT_EQ(Process({}, Options{}).error().code, ErrorCode::kEmptyInput);
  const Bytes text = {'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd', '\n'};
  EXPECT_EQ(Process(text, Options{}).error().code, ErrorCode::kUnsupportedFormat);
  Bytes truncated = testing::EncodeJpeg(testing::Gradient(256, 256, 3), 256, 256, 3);
  truncated.resize(truncated.size() / 2);
  auto out = Process(truncated, Options{});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kTruncatedImage);
}

TEST(PipelineTest, ProbeReadsTheHeaderOnly) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(123, 45, 3), 123, 45, 3);
  auto header = Probe(jpeg);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->width, 123u);
  EXPECT_EQ(header->height, 45u);
  EXPECT_EQ(Probe({}).error().code, ErrorCode::kEmptyInput);
}

}  // namespace
}  // namespace imgpipe
