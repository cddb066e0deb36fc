// The streaming path (decode + per-row steps + resize in the stored orientation, then orient
// and pad) gives the in-memory pipeline's pixels, for every orientation and fit.
#include "core/stream_step.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>

#include "core/color.h"
#include "core/orient.h"
#include "core/resize.h"
#include "testing/make_images.h"

namespace imgpipe::core {
namespace {

using testing::Bytes;

// What kInMemorySteps compute: decode, orient, flatten (JPEG output), grayscale, resize.
Image InMemory(const Bytes& png, const Header& header, const ResizePlan& plan,
               const Options& options) {
  auto decoded = DecodePng(png, {});
  EXPECT_TRUE(decoded);
  Image image = ApplyOrientation(std::move(decoded).value(), header.orientation);
  if (options.format == OutputFormat::kJpeg) {
    image = FlattenAlpha(std::move(image), options.background);
  }
  if (options.grayscale) {
    image = ToGray(std::move(image));
  }
  return ApplyPlan(image, plan, options.background);
}

int MaxDifference(const Image& a, const Image& b) {
  int worst = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    worst = std::max(worst, std::abs(a.pixels[i] - b.pixels[i]));
  }
  return worst;
}

struct Case {
  int orientation;
  Fit fit;
  OutputFormat format;
  bool grayscale;
};

class StreamStepTest : public ::testing::TestWithParam<Case> {};

TEST_P(StreamStepTest, MatchesTheInMemorySteps) {
  const Case c = GetParam();
  testing::PngSpec spec;
  spec.width = 97;
  spec.height = 61;
  spec.color_type = SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
  spec.exif = testing::ExifTiff(c.orientation);
  const Bytes png = testing::EncodePng(spec, testing::Gradient(97, 61, 4));
  auto header = ReadPngHeader(png);
  ASSERT_TRUE(header);
  ASSERT_EQ(header->orientation, c.orientation);
  Options options;
  options.width = 40;
  options.height = 17;
  options.fit = c.fit;
  options.format = c.format;
  options.grayscale = c.grayscale;
  options.background = {10, 200, 30};
  const bool swap = SwapsAxes(c.orientation);
  const ResizePlan plan = PlanResize(swap ? 61 : 97, swap ? 97 : 61, options);

  auto streamed = DecodeAndResizeRows(png, *header, plan, options, {});
  ASSERT_TRUE(streamed) << streamed.error().message;
  const Image expected = InMemory(png, *header, plan, options);
  ASSERT_EQ(streamed->width, expected.width);
  ASSERT_EQ(streamed->height, expected.height);
  ASSERT_EQ(streamed->channels, expected.channels);
  // Only the pass order and tap order of the resampler may differ: a level of rounding.
  EXPECT_LE(MaxDifference(*streamed, expected), 1);
}

std::vector<Case> Cases() {
  std::vector<Case> cases;
  for (int orientation = 1; orientation <= 8; ++orientation) {
    for (Fit fit : {Fit::kFill, Fit::kCover, Fit::kContain}) {
      cases.push_back({orientation, fit, OutputFormat::kJpeg, true});
    }
    cases.push_back({orientation, Fit::kCover, OutputFormat::kPng, false});
    cases.push_back({orientation, Fit::kInside, OutputFormat::kPng, true});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(All, StreamStepTest, ::testing::ValuesIn(Cases()));

// An Adam7 PNG cannot stream its rows but goes the same way after a whole-image decode.
TEST(StreamStepInterlacedTest, InterlacedPngGivesTheSameThumbnail) {
  testing::PngSpec spec;
  spec.width = 80;
  spec.height = 50;
  const Bytes pixels = testing::Gradient(80, 50, 3);
  const Bytes plain = testing::EncodePng(spec, pixels);
  spec.interlaced = true;
  const Bytes interlaced = testing::EncodePng(spec, pixels);
  Options options;
  options.width = options.height = 20;
  const ResizePlan plan = PlanResize(80, 50, options);
  auto a = DecodeAndResizeRows(plain, *ReadPngHeader(plain), plan, options, {});
  auto b = DecodeAndResizeRows(interlaced, *ReadPngHeader(interlaced), plan, options, {});
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->pixels, b->pixels);
  EXPECT_EQ(a->channels, 1);
}

}  // namespace
}  // namespace imgpipe::core
