// The deadline inside the codecs: a decode that would run past it stops with
// kDeadlineExceeded, from libjpeg's progress monitor and the row loops of libspng, libwebp and
// giflib, and the pipeline answers within a fraction of a second of the deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>

#include "core/decode.h"
#include "imgpipe/pipeline.h"
#include "testing/make_images.h"
#include "testing/many_scans_jpeg.h"

namespace imgpipe::core {
namespace {

using std::chrono::milliseconds;
using testing::Bytes;

// Big enough that the 491 scans take over a second to decode, small enough to encode quickly.
constexpr uint32_t kSide = 2000;

const Bytes& ManyScansJpeg() {
  static const Bytes kJpeg = testing::ManyScansGrayJpeg(kSide, kSide);
  return kJpeg;
}

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// The 490-refinement-scan case. Without a deadline the decode takes some time T (measured first,
// since the machine's speed varies); with a deadline at T / 4 the pipeline answers
// deadline_exceeded within 0.5 s of the deadline, having stopped inside libjpeg.
TEST(DeadlineTest, ManyScanProgressiveJpegStopsAtTheDeadline) {
  const Bytes& jpeg = ManyScansJpeg();
  Options options;
  const auto full_start = Clock::now();
  auto full = Process(jpeg, options);
  const double full_seconds = SecondsSince(full_start);
  ASSERT_TRUE(full.ok()) << full.error().message;
  ASSERT_GT(full_seconds, 0.05) << "the fixture decodes too fast to test a deadline inside it";

  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                    std::chrono::duration<double>(full_seconds / 4));
  auto result = Process(jpeg, options, deadline);
  const double late = SecondsSince(deadline);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kDeadlineExceeded) << result.error().message;
  EXPECT_NE(result.error().message.find("JPEG decode"), std::string::npos)
      << result.error().message;
  EXPECT_LT(late, 0.5);
  std::printf(
      "many-scan %ux%u JPEG (%zu bytes): full decode %.2f s, stopped %.3f s after a "
      "deadline at a quarter of it\n",
      kSide, kSide, jpeg.size(), full_seconds, late);
}

TEST(DeadlineTest, MaxSecondsLimitsOneImageLikeADeadline) {
  const Bytes& jpeg = ManyScansJpeg();
  Options options;
  options.limits.max_seconds = 0.02;  // well under the decode's time (checked above: > 0.05 s)
  const auto start = Clock::now();
  auto result = Process(jpeg, options);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_LT(SecondsSince(start), 0.02 + 0.5);
}

// Each codec checks inside its own loops: with a deadline already past, a decode that would
// otherwise succeed stops.
DecodeRequest Expired() {
  DecodeRequest request;
  request.deadline = Clock::now() - milliseconds(1);
  return request;
}

TEST(DeadlineTest, PngRowLoopChecksTheDeadline) {
  testing::PngSpec spec;
  spec.width = 64;
  spec.height = 64;
  const Bytes png = testing::EncodePng(spec, testing::Gradient(64, 64, 3));
  ASSERT_TRUE(DecodePng(png, {}).ok());
  auto image = DecodePng(png, Expired());
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kDeadlineExceeded);
}

TEST(DeadlineTest, WebpIncrementalDecodeChecksTheDeadline) {
  const Bytes webp = testing::WebpLossy(testing::Gradient(64, 64, 3), 64, 64, false);
  ASSERT_TRUE(DecodeWebp(webp, {}).ok());
  auto image = DecodeWebp(webp, Expired());
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kDeadlineExceeded);
}

TEST(DeadlineTest, GifLineLoopChecksTheDeadline) {
  testing::GifFrame frame{0, 0, 8, 8, false, -1, Bytes(64, 1)};
  const Bytes gif = testing::EncodeGif(8, 8, {{0, 0, 0}, {255, 0, 0}}, {frame});
  ASSERT_TRUE(DecodeGif(gif, {}).ok());
  auto image = DecodeGif(gif, Expired());
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kDeadlineExceeded);
}

TEST(DeadlineTest, JpegProgressMonitorChecksTheDeadline) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(64, 64, 3), 64, 64, 3);
  ASSERT_TRUE(DecodeJpeg(jpeg, {}).ok());
  auto image = DecodeJpeg(jpeg, Expired());
  ASSERT_FALSE(image.ok());
  EXPECT_EQ(image.error().code, ErrorCode::kDeadlineExceeded);
}

}  // namespace
}  // namespace imgpipe::core
