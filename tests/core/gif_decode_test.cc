// GIF decoding: first frame on the logical screen, transparency, interlace, many frames.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "core/decode.h"
#include "core/input_head.h"
#include "imgpipe/byte_source.h"
#include "imgpipe/pipeline.h"
#include "testing/failing_source.h"
#include "testing/make_images.h"

namespace imgpipe::core {
namespace {

using testing::Bytes;
using testing::GifFrame;

const std::vector<GifColorType> kPalette = {{0, 0, 0},   {255, 0, 0},     {0, 255, 0},
                                            {0, 0, 255}, {255, 255, 255}, {10, 20, 30}};

Image MustDecode(const Bytes& gif, const DecodeRequest& request = {}) {
  auto image = DecodeGif(gif, request);
  EXPECT_TRUE(image) << image.error().message;
  return image ? std::move(image).value() : Image{};
}

GifFrame Frame(uint32_t left, uint32_t top, uint32_t width, uint32_t height, int transparent = -1,
               bool interlaced = false) {
  GifFrame frame{left, top, width, height, interlaced, transparent, {}};
  frame.indices.resize(static_cast<size_t>(width) * height);
  // Each row a different colour (index y % 6) so row order mistakes show.
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      frame.indices[y * width + x] = static_cast<uint8_t>((x + y) % 6);
    }
  }
  return frame;
}

Bytes ExpectedRgb(const GifFrame& frame) {
  Bytes out;
  for (uint8_t index : frame.indices) {
    out.insert(out.end(), {kPalette[index].Red, kPalette[index].Green, kPalette[index].Blue});
  }
  return out;
}

TEST(GifDecodeTest, HeaderReportsTheLogicalScreen) {
  const Bytes gif = testing::EncodeGif(30, 20, kPalette, {Frame(0, 0, 30, 20)});
  auto header = ReadGifHeader(gif);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->format, Format::kGif);
  EXPECT_EQ(header->width, 30u);
  EXPECT_EQ(header->height, 20u);
  EXPECT_EQ(header->channels, 3);
  EXPECT_FALSE(header->has_alpha);
  EXPECT_FALSE(header->animated);
}

TEST(GifDecodeTest, OpaqueFullFrameIsExactRgb) {
  const GifFrame frame = Frame(0, 0, 30, 20);
  const Image image = MustDecode(testing::EncodeGif(30, 20, kPalette, {frame}));
  ASSERT_EQ(image.channels, 3);
  EXPECT_EQ(image.pixels, ExpectedRgb(frame));
}

TEST(GifDecodeTest, InterlacedRowsLandInPlace) {
  for (uint32_t height : {1u, 2u, 5u, 9u, 17u}) {
    GifFrame frame = Frame(0, 0, 7, height, -1, true);
    const Image image = MustDecode(testing::EncodeGif(7, height, kPalette, {frame}));
    EXPECT_EQ(image.pixels, ExpectedRgb(frame)) << "height " << height;
  }
}

TEST(GifDecodeTest, TransparencyGivesRgba) {
  const GifFrame frame = Frame(0, 0, 12, 6, /*transparent=*/2);
  const Bytes gif = testing::EncodeGif(12, 6, kPalette, {frame});
  auto header = ReadGifHeader(gif);
  ASSERT_TRUE(header);
  EXPECT_TRUE(header->has_alpha);
  EXPECT_EQ(header->channels, 4);
  const Image image = MustDecode(gif);
  ASSERT_EQ(image.channels, 4);
  for (size_t i = 0; i < frame.indices.size(); ++i) {
    const uint8_t* p = image.pixels.data() + 4 * i;
    if (frame.indices[i] == 2) {
      EXPECT_EQ(p[3], 0);
    } else {
      EXPECT_EQ(p[3], 255);
      EXPECT_EQ(p[0], kPalette[frame.indices[i]].Red);
      EXPECT_EQ(p[2], kPalette[frame.indices[i]].Blue);
    }
  }
}

TEST(GifDecodeTest, SmallFirstFrameIsPlacedOnATransparentScreen) {
  const GifFrame frame = Frame(5, 3, 4, 2);
  const Image image = MustDecode(testing::EncodeGif(12, 8, kPalette, {frame}));
  ASSERT_EQ(image.channels, 4);
  ASSERT_EQ(image.width, 12u);
  ASSERT_EQ(image.height, 8u);
  EXPECT_EQ(testing::PixelAt(image, 0, 0)[3], 0);
  EXPECT_EQ(testing::PixelAt(image, 4, 3)[3], 0);
  EXPECT_EQ(testing::PixelAt(image, 9, 3)[3], 0);
  const uint8_t* inside = testing::PixelAt(image, 6, 4);  // frame pixel (1, 1): index 2
  EXPECT_EQ(Bytes(inside, inside + 4), (Bytes{0, 255, 0, 255}));
}

// A 4x2 frame at (8, 4) of a 32x16 screen, asked for 8x4 (a quarter): the frame's share of the
// shrunk screen is the 1x1 pixel (2, 1), resampled from the frame; the rest stays transparent.
TEST(GifDecodeTest, SmallFrameOnALargeScreenIsShrunkOnLoad) {
  GifFrame frame = Frame(8, 4, 4, 2);
  std::fill(frame.indices.begin(), frame.indices.end(), 3);  // blue
  DecodeRequest request;
  request.min_width = 8;
  request.min_height = 4;
  const Image image = MustDecode(testing::EncodeGif(32, 16, kPalette, {frame}), request);
  ASSERT_EQ(image.channels, 4);
  ASSERT_EQ(image.width, 8u);
  ASSERT_EQ(image.height, 4u);
  const uint8_t* inside = testing::PixelAt(image, 2, 1);
  EXPECT_EQ(Bytes(inside, inside + 4), (Bytes{0, 0, 255, 255}));
  EXPECT_EQ(testing::PixelAt(image, 1, 1)[3], 0);
  EXPECT_EQ(testing::PixelAt(image, 3, 1)[3], 0);
  EXPECT_EQ(testing::PixelAt(image, 2, 2)[3], 0);
}

// A full-screen interlaced frame shrunk on load keeps its row order: rows of solid colours
// (red top half, blue bottom half) come out red on top and blue at the bottom.
TEST(GifDecodeTest, InterlacedFrameShrunkOnLoadKeepsItsRowOrder) {
  GifFrame frame = Frame(0, 0, 16, 16, -1, /*interlaced=*/true);
  for (uint32_t y = 0; y < 16; ++y) {
    std::fill_n(frame.indices.begin() + static_cast<std::ptrdiff_t>(y) * 16, 16, y < 8 ? 1 : 3);
  }
  DecodeRequest request;
  request.min_width = 4;
  request.min_height = 4;
  const Image image = MustDecode(testing::EncodeGif(16, 16, kPalette, {frame}), request);
  ASSERT_EQ(image.channels, 3);
  ASSERT_EQ(image.width, 4u);
  EXPECT_EQ(Bytes(testing::PixelAt(image, 1, 0), testing::PixelAt(image, 1, 0) + 3),
            (Bytes{255, 0, 0}));
  EXPECT_EQ(Bytes(testing::PixelAt(image, 1, 3), testing::PixelAt(image, 1, 3) + 3),
            (Bytes{0, 0, 255}));
}

// The 35-byte case: a 10000x10000 logical screen around a 1x1 frame allocates no screen.
TEST(GifDecodeTest, HugeScreenAroundATinyFrameCostsOnlyTheRequestedSize) {
  GifFrame frame = Frame(0, 0, 1, 1);
  frame.indices = {1};
  DecodeRequest request;
  request.min_width = 256;
  request.min_height = 256;
  const long before = testing::PeakRssMiB();
  const auto start = std::chrono::steady_clock::now();
  const Image image = MustDecode(testing::EncodeGif(10000, 10000, kPalette, {frame}), request);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(200));
  EXPECT_LT(testing::PeakRssMiB() - before, 20);
  ASSERT_EQ(image.width, 256u);
  ASSERT_EQ(image.height, 256u);
  EXPECT_EQ(Bytes(testing::PixelAt(image, 0, 0), testing::PixelAt(image, 0, 0) + 4),
            (Bytes{255, 0, 0, 255}));
  EXPECT_EQ(testing::PixelAt(image, 1, 1)[3], 0);
}

TEST(GifDecodeTest, FrameOverhangingTheScreenIsClipped) {
  const GifFrame frame = Frame(6, 4, 10, 10);
  const Image image = MustDecode(testing::EncodeGif(8, 6, kPalette, {frame}));
  ASSERT_EQ(image.width, 8u);
  ASSERT_EQ(image.height, 6u);
  const uint8_t* corner = testing::PixelAt(image, 7, 5);  // frame pixel (1, 1)
  EXPECT_EQ(corner[1], 255);
  EXPECT_EQ(corner[3], 255);
}

TEST(GifDecodeTest, AnimationYieldsOnlyTheFirstFrame) {
  const GifFrame first = Frame(0, 0, 10, 10);
  GifFrame second = Frame(0, 0, 10, 10);
  std::fill(second.indices.begin(), second.indices.end(), 4);
  const Bytes gif = testing::EncodeGif(10, 10, kPalette, {first, second});
  auto header = ReadGifHeader(gif);
  ASSERT_TRUE(header);
  EXPECT_TRUE(header->animated);
  EXPECT_EQ(MustDecode(gif).pixels, ExpectedRgb(first));
}

TEST(GifDecodeTest, ThousandsOfFramesCostOneFrame) {
  std::vector<GifFrame> frames(3000, Frame(0, 0, 16, 16));
  const Bytes gif = testing::EncodeGif(16, 16, kPalette, frames);
  const auto start = std::chrono::steady_clock::now();
  auto header = ReadGifHeader(gif);
  const Image image = MustDecode(gif);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(header);
  EXPECT_TRUE(header->animated);
  EXPECT_EQ(image.pixels, ExpectedRgb(frames[0]));
  EXPECT_LT(elapsed, std::chrono::milliseconds(200));
  // Proof that nothing past the second frame is read: cut the file there and it still works
  // (DGifSlurp would fail on the broken tail).
  const Bytes cut(gif.begin(), gif.begin() + static_cast<long>(gif.size() / 2));
  auto header_of_cut = ReadGifHeader(cut);
  ASSERT_TRUE(header_of_cut) << header_of_cut.error().message;
  EXPECT_TRUE(header_of_cut->animated);
  EXPECT_EQ(MustDecode(cut).pixels, ExpectedRgb(frames[0]));
}

TEST(GifDecodeTest, TruncatedDataIsAnError) {
  const Bytes full = testing::EncodeGif(64, 64, kPalette, {Frame(0, 0, 64, 64)});
  const Bytes half(full.begin(), full.begin() + static_cast<long>(full.size() / 2));
  auto image = DecodeGif(half, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kTruncatedImage);
  EXPECT_EQ(image.error().message, "GIF data ends before the image does (truncated)");
  const Bytes in_pixels(full.begin(), full.end() - 40);
  auto late = DecodeGif(in_pixels, {});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, ErrorCode::kTruncatedImage);
  auto header = ReadGifHeader(Bytes(full.begin(), full.begin() + 8));
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kTruncatedImage);
}

TEST(GifDecodeTest, NoImageIsCorrupt) {
  Bytes gif = testing::EncodeGif(4, 4, kPalette, {});
  auto image = DecodeGif(gif, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kCorruptImage);
}

TEST(GifDecodeTest, HugeScreenIsRefusedBeforeAllocating) {
  Bytes gif = testing::EncodeGif(4, 4, kPalette, {Frame(0, 0, 4, 4)});
  gif[6] = gif[7] = gif[8] = gif[9] = 0xFF;  // logical screen 65535x65535
  auto header = ReadGifHeader(gif);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->width, 65535u);
  auto image = DecodeGif(gif, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kTooManyPixels);
  EXPECT_NE(image.error().message.find("65535x65535"), std::string::npos);
}

// Streamed decode (the Lambda path): ReadInputHead's head, then DecodeGifStream pulling the rest.
Result<Image> DecodeStreamed(const Bytes& gif, size_t chunk, const DecodeRequest& request = {}) {
  MemorySource source(gif, chunk);
  auto head = ReadInputHead(source, request.limits.max_input_bytes);
  if (!head) {
    return head.error();
  }
  EXPECT_TRUE(head->rest_pending);
  return DecodeGifStream(head->bytes, source, request);
}

TEST(GifStreamTest, StreamedDecodeEqualsInMemory) {
  const std::vector<std::pair<std::string, Bytes>> cases = {
      {"plain", testing::EncodeGif(30, 20, kPalette, {Frame(0, 0, 30, 20)})},
      {"transparent", testing::EncodeGif(12, 6, kPalette, {Frame(0, 0, 12, 6, 2)})},
      {"interlaced", testing::EncodeGif(7, 13, kPalette, {Frame(0, 0, 7, 13, -1, true)})},
      {"canvas larger", testing::EncodeGif(12, 8, kPalette, {Frame(5, 3, 4, 2)})},
      {"animated",
       testing::EncodeGif(10, 10, kPalette, {Frame(0, 0, 10, 10), Frame(2, 2, 5, 5, 1)})}};
  for (const auto& [name, gif] : cases) {
    const Image expected = MustDecode(gif);
    for (size_t chunk : {size_t{1}, size_t{7}, gif.size()}) {
      auto streamed = DecodeStreamed(gif, chunk);
      ASSERT_TRUE(streamed) << name << ": " << streamed.error().message;
      EXPECT_EQ(streamed->width, expected.width) << name;
      EXPECT_EQ(streamed->channels, expected.channels) << name;
      EXPECT_EQ(streamed->pixels, expected.pixels) << name << " chunk " << chunk;
    }
  }
}

TEST(GifStreamTest, HeadEndsAtTheFirstFramesData) {
  const Bytes gif = testing::EncodeGif(30, 20, kPalette, {Frame(0, 0, 30, 20, 2)});
  size_t pos = 0;
  ASSERT_EQ(ScanGifHead(gif, &pos), GifHeadScan::kComplete);
  EXPECT_LT(pos, gif.size());
  // Every prefix short of the head asks for more; the head alone parses as the header.
  for (size_t n = 0; n < pos; ++n) {
    size_t at = 0;
    EXPECT_EQ(ScanGifHead(std::span(gif).first(n), &at), GifHeadScan::kNeedMore) << n;
  }
  auto header = ReadGifHeader(std::span(gif).first(pos));
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_TRUE(header->has_alpha);
  const Bytes trailer_first = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0, 0x3B};
  pos = 0;
  EXPECT_EQ(ScanGifHead(trailer_first, &pos), GifHeadScan::kNoImage);
}

TEST(GifStreamTest, TruncatedStreamIsTruncatedImage) {
  const Bytes gif = testing::EncodeGif(30, 20, kPalette, {Frame(0, 0, 30, 20)});
  size_t pos = 0;
  ASSERT_EQ(ScanGifHead(gif, &pos), GifHeadScan::kComplete);
  const Bytes cut(gif.begin(), gif.begin() + static_cast<long>(pos + 5));
  auto image = DecodeStreamed(cut, 1);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kTruncatedImage) << image.error().message;
}

TEST(GifStreamTest, OverTheByteLimitIsInputTooLarge) {
  const Bytes gif = testing::EncodeGif(30, 20, kPalette, {Frame(0, 0, 30, 20)});
  size_t pos = 0;
  ASSERT_EQ(ScanGifHead(gif, &pos), GifHeadScan::kComplete);
  MemorySource source(gif, 1);
  auto head = ReadInputHead(source, gif.size());
  ASSERT_TRUE(head && head->rest_pending);
  DecodeRequest request;
  request.limits.max_input_bytes = pos + 3;
  auto image = DecodeGifStream(head->bytes, source, request);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kInputTooLarge) << image.error().message;
}

TEST(GifStreamTest, SourceErrorIsTheError) {
  const Bytes gif = testing::EncodeGif(30, 20, kPalette, {Frame(0, 0, 30, 20)});
  size_t pos = 0;
  ASSERT_EQ(ScanGifHead(gif, &pos), GifHeadScan::kComplete);
  testing::FailingSource rest(std::span<const uint8_t>(gif).subspan(pos), 1);
  auto image = DecodeGifStream(std::span(gif).first(pos), rest, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kStorageError) << image.error().message;
  EXPECT_EQ(image.error().message, "connection reset");
}

TEST(GifStreamTest, AnimatedStreamStopsAfterTheFirstFrame) {
  std::vector<GifFrame> frames(50, Frame(0, 0, 20, 20));
  const Bytes gif = testing::EncodeGif(20, 20, kPalette, frames);
  MemorySource source(gif, 1);
  auto head = ReadInputHead(source, gif.size());
  ASSERT_TRUE(head && head->rest_pending);
  auto image = DecodeGifStream(head->bytes, source, {});
  ASSERT_TRUE(image) << image.error().message;
  ASSERT_TRUE(source.RemainingHint());
  EXPECT_GT(*source.RemainingHint(), gif.size() / 2);
}

TEST(GifStreamTest, InterlacedOverTheLimitIsRefused) {
  const Bytes gif = testing::EncodeGif(40, 40, kPalette, {Frame(0, 0, 40, 40, -1, true)});
  DecodeRequest request;
  request.limits.max_interlaced_pixels = 1000;
  for (bool streamed : {false, true}) {
    auto image = streamed ? DecodeStreamed(gif, 1, request) : DecodeGif(gif, request);
    ASSERT_FALSE(image);
    EXPECT_EQ(image.error().code, ErrorCode::kTooManyPixels);
    EXPECT_NE(image.error().message.find("max_interlaced_pixels"), std::string::npos)
        << image.error().message;
  }
  request.limits.max_interlaced_pixels = 1600;
  EXPECT_TRUE(DecodeGif(gif, request));
}

TEST(GifStreamTest, PipelineStreamedEqualsInMemory) {
  const Bytes gif = testing::EncodeGif(30, 20, kPalette, {Frame(0, 0, 30, 20, 2)});
  const Variant only{"", "", Options{}};
  auto in_memory = ProcessVariants(gif, std::span(&only, 1));
  MemorySource source(gif, 1);
  auto streamed = ProcessVariants(source, std::span(&only, 1));
  ASSERT_TRUE(in_memory) << in_memory.error().message;
  ASSERT_TRUE(streamed) << streamed.error().message;
  EXPECT_EQ(in_memory->front().bytes, streamed->front().bytes);
}

}  // namespace
}  // namespace imgpipe::core
