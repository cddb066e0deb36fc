// WebP decoding: lossy, lossless, alpha, scaled decode, EXIF, animation, bad input, and the
// streamed lossy decode of the Lambda path.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "colour_fixtures.h"
#include "core/decode.h"
#include "core/input_head.h"
#include "imgpipe/byte_source.h"
#include "imgpipe/pipeline.h"
#include "testing/failing_source.h"
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

// libwebp holds a lossless frame, and a lossy frame's alpha, at full size: both are refused over
// max_lossless_webp_pixels before decoding, in memory and on the streamed path alike; lossy WebP
// without alpha is not.
TEST(WebpDecodeTest, LosslessAndAlphaComeUnderTheirOwnLimit) {
  DecodeRequest request;
  request.limits.max_lossless_webp_pixels = kW * kH - 1;
  const std::vector<std::pair<std::string, Bytes>> refused = {
      {"lossless", testing::WebpLossless(testing::Gradient(kW, kH, 3), kW, kH, false)},
      {"lossless alpha", testing::WebpLossless(testing::Gradient(kW, kH, 4), kW, kH, true)},
      {"lossy alpha", testing::WebpLossy(testing::Gradient(kW, kH, 4), kW, kH, true)}};
  for (const auto& [name, webp] : refused) {
    auto image = DecodeWebp(webp, request);
    ASSERT_FALSE(image) << name;
    EXPECT_EQ(image.error().code, ErrorCode::kTooManyPixels) << name;
    const std::string expected_start = name == "lossy alpha"
                                           ? "lossy WebP 64x48 with a lossless alpha channel = "
                                           : "lossless WebP 64x48 = ";
    EXPECT_EQ(image.error().message.rfind(expected_start, 0), 0u) << image.error().message;
    EXPECT_NE(image.error().message.find("(max_lossless_webp_pixels)"), std::string::npos);
    EXPECT_TRUE(DecodeWebp(webp, {})) << name;  // the default admits it

    Options options;
    options.limits.max_lossless_webp_pixels = kW * kH - 1;
    const Variant only{"", "", options};
    MemorySource source(webp, 9);
    auto streamed = ProcessVariants(source, std::span(&only, 1));
    ASSERT_FALSE(streamed) << name;
    EXPECT_EQ(streamed.error().code, ErrorCode::kTooManyPixels) << name;
  }
  const Bytes lossy = testing::WebpLossy(testing::Gradient(kW, kH, 3), kW, kH, false);
  EXPECT_TRUE(DecodeWebp(lossy, request));
  request.limits.max_lossless_webp_pixels = kW * kH;  // inclusive
  EXPECT_TRUE(DecodeWebp(refused.front().second, request));
}

// Streamed decode (the Lambda path): ReadInputHead's head, then DecodeWebpStream pulling the rest.
Result<Image> DecodeStreamed(const Bytes& webp, size_t chunk, const DecodeRequest& request = {}) {
  MemorySource source(webp, chunk);
  auto head = ReadInputHead(source, request.limits.max_input_bytes);
  if (!head) {
    return head.error();
  }
  if (!head->rest_pending) {
    return MakeError(ErrorCode::kInternal, "read whole, not streamed");
  }
  return DecodeWebpStream(head->bytes, source, request);
}

// A WebP up to this size (ReadInputHead's read and the decoder's step) is decoded from memory,
// not streamed.
constexpr size_t kFirstRead = size_t{64} * 1024;

// A gradient with pseudo-random grain, so the lossy body runs to many times the stream's steps.
Bytes PhotoLikeLossy(uint32_t width, uint32_t height) {
  Bytes rgb = testing::Gradient(width, height, 3);
  uint32_t state = 12345;
  for (uint8_t& v : rgb) {
    state = state * 1103515245u + 12345u;
    v = static_cast<uint8_t>(v / 2 + (state >> 25));
  }
  return testing::WebpLossy(rgb, width, height, false, 80);
}

// A VP8X wrapper with no flags at all around a simple file's chunks (some tools write it).
Bytes PlainVp8x(const Bytes& simple, uint32_t width, uint32_t height) {
  Bytes body;
  Bytes vp8x = {0, 0, 0, 0};
  testing::Put24(vp8x, width - 1);
  testing::Put24(vp8x, height - 1);
  testing::PutChunk(body, "VP8X", vp8x.data(), vp8x.size());
  const Bytes image = testing::WebpImageChunks(simple);
  body.insert(body.end(), image.begin(), image.end());
  return testing::Riff(body);
}

// The file with one more chunk after the image, inside the RIFF.
Bytes WithTrailingChunk(const Bytes& simple, const char* fourcc) {
  Bytes body(simple.begin() + 12, simple.end());
  const Bytes payload = {'<', 'x', '/', '>', 0};
  testing::PutChunk(body, fourcc, payload.data(), payload.size());
  return testing::Riff(body);
}

// Larger than kFirstRead, so that it streams (encoded once: it takes a while).
const Bytes& LargeLossy() {
  static const Bytes webp = PhotoLikeLossy(900, 700);
  return webp;
}

TEST(WebpStreamTest, StreamedDecodeEqualsInMemory) {
  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"simple", LargeLossy()},
      {"odd size", PhotoLikeLossy(901, 613)},
      {"vp8x without flags", PlainVp8x(LargeLossy(), 900, 700)}};
  DecodeRequest scaled;
  scaled.min_width = 120;
  scaled.min_height = 80;
  for (const auto& [name, webp] : cases) {
    for (const DecodeRequest& request : {DecodeRequest{}, scaled}) {
      const Image expected = MustDecode(webp, request);
      for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}, webp.size()}) {
        auto streamed = DecodeStreamed(webp, chunk, request);
        ASSERT_TRUE(streamed) << name << ": " << streamed.error().message;
        EXPECT_EQ(streamed->width, expected.width) << name;
        EXPECT_EQ(streamed->height, expected.height) << name;
        EXPECT_EQ(streamed->channels, expected.channels) << name;
        EXPECT_EQ(streamed->pixels, expected.pixels) << name << " chunk " << chunk;
      }
    }
  }
}

TEST(WebpStreamTest, HeadEndsAtTheLossyFrameHeader) {
  const Bytes webp = PhotoLikeLossy(64, 48);
  size_t pos = 12;
  ASSERT_EQ(ScanWebpHead(webp, &pos), WebpHeadScan::kComplete);
  EXPECT_EQ(pos, size_t{12 + 8 + 10});  // RIFF header, 'VP8 ' chunk header, frame header
  for (size_t n = 12; n < pos; ++n) {
    size_t at = 12;
    EXPECT_EQ(ScanWebpHead(std::span(webp).first(n), &at), WebpHeadScan::kNeedMore) << n;
  }
  // The head alone gives the same header as the whole file.
  auto from_head = ReadWebpHeader(std::span(webp).first(pos));
  auto whole = ReadWebpHeader(webp);
  ASSERT_TRUE(from_head) << from_head.error().message;
  ASSERT_TRUE(whole);
  EXPECT_EQ(from_head->width, whole->width);
  EXPECT_EQ(from_head->height, whole->height);
  EXPECT_EQ(from_head->channels, whole->channels);
  EXPECT_EQ(from_head->orientation, whole->orientation);
}

TEST(WebpStreamTest, WhatMustBeReadWholeIsReadWhole) {
  const Bytes rgba = testing::Gradient(kW, kH, 4);
  const Bytes exif = testing::ExifTiff(6);
  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"lossless", testing::WebpLossless(testing::Gradient(kW, kH, 3), kW, kH, false)},
      {"lossy with alpha", testing::WebpLossy(rgba, kW, kH, true)},
      {"exif", testing::WebpWithExif(PhotoLikeLossy(kW, kH), kW, kH, false, exif)},
      {"chunk after the image", WithTrailingChunk(PhotoLikeLossy(kW, kH), "XMP ")},
      {"animated", testing::WebpAnimation(kW, kH,
                                          {{PhotoLikeLossy(kW, kH), 0, 0, kW, kH},
                                           {PhotoLikeLossy(kW, kH), 0, 0, kW, kH}})}};
  for (const auto& [name, webp] : cases) {
    size_t pos = 12;
    EXPECT_EQ(ScanWebpHead(webp, &pos), WebpHeadScan::kWhole) << name;
    MemorySource source(webp, 5);
    auto head = ReadInputHead(source, webp.size());
    ASSERT_TRUE(head) << name;
    EXPECT_FALSE(head->rest_pending) << name;
    EXPECT_EQ(head->bytes, webp) << name;
    EXPECT_TRUE(DecodeWebp(webp, {})) << name;  // read whole, and decoded as in memory
  }
  // A streamed lossy file is not read whole.
  const Bytes& lossy = LargeLossy();
  MemorySource source(lossy, 5);
  auto head = ReadInputHead(source, lossy.size());
  ASSERT_TRUE(head);
  EXPECT_TRUE(head->rest_pending);
  EXPECT_LT(head->bytes.size(), lossy.size());
}

TEST(WebpStreamTest, SmallFileIsDecodedFromMemory) {
  const Bytes small = PhotoLikeLossy(64, 48);
  ASSERT_LT(small.size(), kFirstRead);
  MemorySource source(small, 5);
  auto head = ReadInputHead(source, small.size());
  ASSERT_TRUE(head);
  EXPECT_FALSE(head->rest_pending);
  EXPECT_EQ(head->bytes, small);
  const Bytes& large = LargeLossy();
  ASSERT_GT(large.size(), kFirstRead);
  MemorySource large_source(large);
  head = ReadInputHead(large_source, large.size());
  ASSERT_TRUE(head);
  EXPECT_TRUE(head->rest_pending);
}

// Damaged and cut files (random bytes overwritten, random cuts, random read sizes) stream to the
// same outcome as in memory: the same error code, or the same pixels.
TEST(WebpStreamTest, DamagedFilesStreamAsTheyDecodeInMemory) {
  const Bytes& original = LargeLossy();
  std::mt19937 rng(20261202);
  DecodeRequest request;
  request.min_width = 200;
  request.min_height = 150;
  for (int round = 0; round < 40; ++round) {
    Bytes webp = original;
    for (uint32_t i = 0, n = 1 + rng() % 4; i < n; ++i) {
      webp[30 + rng() % (webp.size() - 30)] = static_cast<uint8_t>(rng());
    }
    if (round % 4 == 0) {
      webp.resize(30 + rng() % (webp.size() - 30));
    }
    auto in_memory = DecodeWebp(webp, request);
    MemorySource source(webp, 1 + rng() % 5000);
    auto head = ReadInputHead(source, webp.size());
    ASSERT_TRUE(head) << round;
    auto streamed = head->rest_pending ? DecodeWebpStream(head->bytes, source, request)
                                       : DecodeWebp(head->bytes, request);
    ASSERT_EQ(in_memory.ok(), streamed.ok())
        << round << ": " << (in_memory.ok() ? streamed : in_memory).error().message;
    if (in_memory.ok()) {
      EXPECT_EQ(in_memory->pixels, streamed->pixels) << round;
    } else {
      EXPECT_EQ(in_memory.error().code, streamed.error().code)
          << round << ": " << in_memory.error().message << " | " << streamed.error().message;
    }
  }
}

TEST(WebpStreamTest, TruncatedStreamIsTruncatedImage) {
  const Bytes& webp = LargeLossy();
  for (size_t keep : {size_t{40}, webp.size() / 2, webp.size() - 1}) {
    const Bytes cut(webp.begin(), webp.begin() + static_cast<long>(keep));
    auto image = DecodeStreamed(cut, 100);
    ASSERT_FALSE(image) << keep;
    EXPECT_EQ(image.error().code, ErrorCode::kTruncatedImage) << keep;
    EXPECT_EQ(image.error().message, "WebP data ends before the image does (truncated)");
  }
}

TEST(WebpStreamTest, OverTheByteLimitIsInputTooLarge) {
  const Bytes& webp = LargeLossy();
  MemorySource source(webp, 64);
  auto head = ReadInputHead(source, webp.size());
  ASSERT_TRUE(head && head->rest_pending);
  DecodeRequest request;
  request.limits.max_input_bytes = webp.size() / 2;
  auto image = DecodeWebpStream(head->bytes, source, request);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kInputTooLarge) << image.error().message;
  EXPECT_EQ(image.error().message,
            "input is over the " + std::to_string(webp.size() / 2) + " byte limit");
}

TEST(WebpStreamTest, SourceErrorIsTheError) {
  const Bytes& webp = LargeLossy();
  size_t pos = 12;
  ASSERT_EQ(ScanWebpHead(webp, &pos), WebpHeadScan::kComplete);
  testing::FailingSource rest(std::span<const uint8_t>(webp).subspan(pos), 16);
  auto image = DecodeWebpStream(std::span(webp).first(pos), rest, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kStorageError) << image.error().message;
  EXPECT_EQ(image.error().message, "connection reset");
}

TEST(WebpStreamTest, CorruptBitstreamIsCorruptImage) {
  Bytes webp = LargeLossy();
  for (size_t i = 30; i < 60; ++i) webp[i] = 0xA5;  // partition sizes and the first modes
  auto image = DecodeStreamed(webp, 64);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kCorruptImage) << image.error().message;
}

TEST(WebpStreamTest, PassedDeadlineStopsTheDecode) {
  const Bytes& webp = LargeLossy();
  DecodeRequest request;
  request.deadline = std::chrono::steady_clock::now() - std::chrono::milliseconds(1);
  auto image = DecodeStreamed(webp, 1024, request);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_NE(image.error().message.find("WebP decode"), std::string::npos) << image.error().message;
}

// Through ProcessVariants(ByteSource&), untagged and with an ICC profile (its ICCP chunk is in
// the head, so the profile is applied as in memory).
TEST(WebpStreamTest, PipelineStreamedEqualsInMemory) {
  const Bytes& lossy = LargeLossy();
  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"untagged", lossy},
      {"tagged", testing::WebpWithIcc(lossy, 900, 700, testing::SwappedRedGreenProfile())}};
  Options colour;
  colour.grayscale = false;
  const Variant variants[] = {{"", "", Options{}}, {"colour", "", colour}};
  for (const auto& [name, webp] : cases) {
    for (size_t count : {size_t{1}, size_t{2}}) {
      const std::span<const Variant> chosen(variants, count);
      auto in_memory = ProcessVariants(webp, chosen);
      MemorySource source(webp, 100);
      auto streamed = ProcessVariants(source, chosen);
      ASSERT_TRUE(in_memory) << name << ": " << in_memory.error().message;
      ASSERT_TRUE(streamed) << name << ": " << streamed.error().message;
      ASSERT_EQ(in_memory->size(), streamed->size());
      for (size_t i = 0; i < count; ++i) {
        EXPECT_EQ((*in_memory)[i].bytes, (*streamed)[i].bytes) << name << " variant " << i;
        EXPECT_EQ((*in_memory)[i].warnings, (*streamed)[i].warnings) << name;
      }
    }
  }
}

}  // namespace
}  // namespace imgpipe::core
