// PNG decoding: every bit depth and colour type, tRNS, Adam7, 16-bit scaling, eXIf, bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

#include "core/decode.h"
#include "testing/make_images.h"

namespace imgpipe::core {
namespace {

using testing::Bytes;
using testing::PngSpec;

PngSpec Spec(uint32_t width, uint32_t height, uint8_t color_type, uint8_t bit_depth) {
  PngSpec spec;
  spec.width = width;
  spec.height = height;
  spec.color_type = color_type;
  spec.bit_depth = bit_depth;
  return spec;
}

Image MustDecode(const Bytes& png, const DecodeRequest& request = {}) {
  auto image = DecodePng(png, request);
  EXPECT_TRUE(image) << image.error().message;
  return image ? std::move(image).value() : Image{};
}

// Packs `depth`-bit values (depth 1, 2 or 4) MSB first, each row starting on a byte.
Bytes PackBits(const std::vector<uint8_t>& values, uint32_t width, uint32_t height, int depth) {
  const size_t row_bytes = (static_cast<size_t>(width) * depth + 7) / 8;
  Bytes out(row_bytes * height, 0);
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      const size_t bit = static_cast<size_t>(x) * depth;
      const int shift = 8 - depth - static_cast<int>(bit % 8);
      out[y * row_bytes + bit / 8] |= static_cast<uint8_t>(values[y * width + x] << shift);
    }
  }
  return out;
}

// 16-bit samples in host byte order, as libspng's SPNG_FMT_PNG expects for encoding.
Bytes Samples16(const std::vector<uint16_t>& samples) {
  Bytes out(samples.size() * 2);
  std::memcpy(out.data(), samples.data(), out.size());
  return out;
}

uint8_t Scale16(uint16_t v) { return static_cast<uint8_t>((v * 255u + 32767u) / 65535u); }

TEST(PngDecodeTest, HeaderReportsTheStoredFormat) {
  PngSpec spec = Spec(20, 10, SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, 16);
  const Bytes png = testing::EncodePng(spec, Bytes(20 * 10 * 4, 0x40));
  auto header = ReadPngHeader(png);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->format, Format::kPng);
  EXPECT_EQ(header->width, 20u);
  EXPECT_EQ(header->height, 10u);
  EXPECT_EQ(header->channels, 2);
  EXPECT_EQ(header->bit_depth, 16);
  EXPECT_TRUE(header->has_alpha);
  EXPECT_FALSE(header->animated);
}

TEST(PngDecodeTest, EightBitColourTypesAreExact) {
  struct Case {
    uint8_t color_type;
    int channels;
  };
  for (const Case& c :
       {Case{SPNG_COLOR_TYPE_GRAYSCALE, 1}, Case{SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, 2},
        Case{SPNG_COLOR_TYPE_TRUECOLOR, 3}, Case{SPNG_COLOR_TYPE_TRUECOLOR_ALPHA, 4}}) {
    const Bytes pixels = testing::Gradient(33, 17, c.channels);
    const Image image = MustDecode(testing::EncodePng(Spec(33, 17, c.color_type, 8), pixels));
    EXPECT_EQ(image.channels, c.channels);
    EXPECT_EQ(image.width, 33u);
    EXPECT_EQ(image.height, 17u);
    EXPECT_EQ(image.pixels, pixels) << "colour type " << int{c.color_type};
  }
}

TEST(PngDecodeTest, LowBitDepthGrayIsExpandedToFullRange) {
  for (int depth : {1, 2, 4}) {
    const int levels = 1 << depth;
    std::vector<uint8_t> values(13 * 5);
    for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<uint8_t>(i % levels);
    const Bytes png =
        testing::EncodePng(Spec(13, 5, SPNG_COLOR_TYPE_GRAYSCALE, static_cast<uint8_t>(depth)),
                           PackBits(values, 13, 5, depth));
    EXPECT_EQ(ReadPngHeader(png)->bit_depth, depth);
    const Image image = MustDecode(png);
    ASSERT_EQ(image.channels, 1);
    for (size_t i = 0; i < values.size(); ++i) {
      ASSERT_EQ(image.pixels[i], values[i] * 255 / (levels - 1)) << "depth " << depth;
    }
  }
}

TEST(PngDecodeTest, SixteenBitIsScaledNotClipped) {
  const std::vector<uint16_t> gray = {0, 257, 32768, 0x8080, 65535, 1000, 40000, 65280};
  const Image image =
      MustDecode(testing::EncodePng(Spec(4, 2, SPNG_COLOR_TYPE_GRAYSCALE, 16), Samples16(gray)));
  ASSERT_EQ(image.channels, 1);
  EXPECT_EQ(image.pixels[0], 0);
  EXPECT_EQ(image.pixels[1], 1);
  EXPECT_EQ(image.pixels[2], 128);  // 32768 -> 128
  EXPECT_EQ(image.pixels[3], 128);  // mid-gray stays mid-gray (Pillow's "L" clips it to 255)
  EXPECT_EQ(image.pixels[4], 255);  // 65535 -> 255
  for (size_t i = 0; i < gray.size(); ++i) EXPECT_EQ(image.pixels[i], Scale16(gray[i]));
}

TEST(PngDecodeTest, SixteenBitColourTypesAreScaled) {
  struct Case {
    uint8_t color_type;
    int channels;
  };
  for (const Case& c :
       {Case{SPNG_COLOR_TYPE_GRAYSCALE_ALPHA, 2}, Case{SPNG_COLOR_TYPE_TRUECOLOR, 3},
        Case{SPNG_COLOR_TYPE_TRUECOLOR_ALPHA, 4}}) {
    std::vector<uint16_t> samples(21 * 9 * c.channels);
    for (size_t i = 0; i < samples.size(); ++i) samples[i] = static_cast<uint16_t>(i * 977);
    const Image image =
        MustDecode(testing::EncodePng(Spec(21, 9, c.color_type, 16), Samples16(samples)));
    ASSERT_EQ(image.channels, c.channels);
    for (size_t i = 0; i < samples.size(); ++i) {
      ASSERT_EQ(image.pixels[i], Scale16(samples[i])) << "colour type " << int{c.color_type};
    }
  }
}

TEST(PngDecodeTest, PaletteWithAndWithoutTransparency) {
  PngSpec spec = Spec(6, 4, SPNG_COLOR_TYPE_INDEXED, 8);
  spec.palette = {{255, 0, 0, 0}, {0, 255, 0, 0}, {0, 0, 255, 0}};
  Bytes indices(6 * 4);
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<uint8_t>(i % 3);
  const Image opaque = MustDecode(testing::EncodePng(spec, indices));
  ASSERT_EQ(opaque.channels, 3);
  for (size_t i = 0; i < indices.size(); ++i) {
    const auto& entry = spec.palette[indices[i]];
    EXPECT_EQ(opaque.pixels[3 * i], entry.red);
    EXPECT_EQ(opaque.pixels[3 * i + 1], entry.green);
    EXPECT_EQ(opaque.pixels[3 * i + 2], entry.blue);
  }
  spec.has_trns = true;
  spec.trns.n_type3_entries = 2;
  spec.trns.type3_alpha[0] = 0;
  spec.trns.type3_alpha[1] = 128;  // entry 2 has no tRNS value: opaque
  const Bytes png = testing::EncodePng(spec, indices);
  EXPECT_TRUE(ReadPngHeader(png)->has_alpha);
  const Image image = MustDecode(png);
  ASSERT_EQ(image.channels, 4);
  const uint8_t expected_alpha[3] = {0, 128, 255};
  for (size_t i = 0; i < indices.size(); ++i) {
    EXPECT_EQ(image.pixels[4 * i + 3], expected_alpha[indices[i]]);
    EXPECT_EQ(image.pixels[4 * i + 1], spec.palette[indices[i]].green);
  }
}

TEST(PngDecodeTest, LowBitDepthPalette) {
  PngSpec spec = Spec(9, 3, SPNG_COLOR_TYPE_INDEXED, 2);
  spec.palette = {{10, 20, 30, 0}, {40, 50, 60, 0}, {70, 80, 90, 0}, {100, 110, 120, 0}};
  std::vector<uint8_t> indices(9 * 3);
  for (size_t i = 0; i < indices.size(); ++i) indices[i] = static_cast<uint8_t>((i * 7) % 4);
  const Image image = MustDecode(testing::EncodePng(spec, PackBits(indices, 9, 3, 2)));
  ASSERT_EQ(image.channels, 3);
  for (size_t i = 0; i < indices.size(); ++i) {
    EXPECT_EQ(image.pixels[3 * i], spec.palette[indices[i]].red);
  }
}

TEST(PngDecodeTest, GrayAndRgbTransparencyKeysBecomeAlpha) {
  PngSpec gray = Spec(4, 1, SPNG_COLOR_TYPE_GRAYSCALE, 8);
  gray.has_trns = true;
  gray.trns.gray = 50;
  const Image g = MustDecode(testing::EncodePng(gray, Bytes{10, 50, 200, 50}));
  ASSERT_EQ(g.channels, 2);
  EXPECT_EQ(g.pixels, (Bytes{10, 255, 50, 0, 200, 255, 50, 0}));

  PngSpec rgb = Spec(2, 1, SPNG_COLOR_TYPE_TRUECOLOR, 8);
  rgb.has_trns = true;
  rgb.trns.red = 1;
  rgb.trns.green = 2;
  rgb.trns.blue = 3;
  const Image c = MustDecode(testing::EncodePng(rgb, Bytes{1, 2, 3, 1, 2, 4}));
  ASSERT_EQ(c.channels, 4);
  EXPECT_EQ(c.pixels, (Bytes{1, 2, 3, 0, 1, 2, 4, 255}));

  PngSpec deep = Spec(2, 1, SPNG_COLOR_TYPE_GRAYSCALE, 16);
  deep.has_trns = true;
  deep.trns.gray = 40000;
  const Image d = MustDecode(testing::EncodePng(deep, Samples16({40000, 32768})));
  ASSERT_EQ(d.channels, 2);
  EXPECT_EQ(d.pixels, (Bytes{Scale16(40000), 0, 128, 255}));
}

TEST(PngDecodeTest, InterlacedImagesDecodeLikeProgressiveOnes) {
  PngSpec spec = Spec(37, 29, SPNG_COLOR_TYPE_TRUECOLOR, 8);
  spec.interlaced = true;
  const Bytes rgb = testing::Gradient(37, 29, 3);
  EXPECT_EQ(MustDecode(testing::EncodePng(spec, rgb)).pixels, rgb);

  PngSpec deep = Spec(37, 29, SPNG_COLOR_TYPE_GRAYSCALE, 16);
  deep.interlaced = true;
  std::vector<uint16_t> samples(37 * 29);
  for (size_t i = 0; i < samples.size(); ++i) samples[i] = static_cast<uint16_t>(i * 61);
  const Image image = MustDecode(testing::EncodePng(deep, Samples16(samples)));
  ASSERT_EQ(image.channels, 1);
  for (size_t i = 0; i < samples.size(); ++i) ASSERT_EQ(image.pixels[i], Scale16(samples[i]));
}

// Adam7 needs the full image before any row is final, so it has its own lower pixel limit; a
// header over it is refused before the image buffer exists, with a message naming the limit.
// The same size without interlacing streams and stays allowed.
TEST(PngDecodeTest, InterlacedImagesHaveTheirOwnPixelLimit) {
  PngSpec spec = Spec(40, 30, SPNG_COLOR_TYPE_TRUECOLOR, 8);
  spec.interlaced = true;
  const Bytes png = testing::EncodePng(spec, testing::Gradient(40, 30, 3));
  DecodeRequest request;
  request.limits.max_interlaced_pixels = 1199;
  auto refused = DecodePng(png, request);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kTooManyPixels);
  EXPECT_EQ(refused.error().message,
            "interlaced (Adam7) PNG 40x30 = 0.0 MP, over the 0.0 MP limit for interlaced PNGs "
            "(max_interlaced_pixels)");
  request.limits.max_interlaced_pixels = 1200;
  EXPECT_TRUE(DecodePng(png, request));
  spec.interlaced = false;
  request.limits.max_interlaced_pixels = 1;
  EXPECT_TRUE(DecodePng(testing::EncodePng(spec, testing::Gradient(40, 30, 3)), request));
}

// The default: a 12 MP interlaced header passes, 12.1 MP (4:3) is refused before allocating.
TEST(PngDecodeTest, DefaultInterlacedLimitIsTwelveMegapixels) {
  PngSpec spec = Spec(8, 8, SPNG_COLOR_TYPE_TRUECOLOR, 8);
  spec.interlaced = true;
  const Bytes png = testing::EncodePng(spec, testing::Gradient(8, 8, 3));
  auto refused = DecodePng(testing::PatchPngSize(png, 4020, 3015), {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kTooManyPixels);
  EXPECT_NE(refused.error().message.find("over the 12 MP limit for interlaced PNGs"),
            std::string::npos)
      << refused.error().message;
}

TEST(PngDecodeTest, ReadsEveryExifOrientation) {
  for (int orientation = 1; orientation <= 8; ++orientation) {
    PngSpec spec = Spec(4, 4, SPNG_COLOR_TYPE_GRAYSCALE, 8);
    spec.exif = testing::ExifTiff(orientation, orientation % 2 == 0);
    const Bytes png = testing::EncodePng(spec, Bytes(16, 7));
    auto header = ReadPngHeader(png);
    ASSERT_TRUE(header) << header.error().message;
    EXPECT_EQ(header->orientation, orientation);
    EXPECT_EQ(MustDecode(png).pixels, Bytes(16, 7));
  }
}

TEST(PngDecodeTest, TruncatedDataIsAnError) {
  const Bytes full =
      testing::EncodePng(Spec(64, 64, SPNG_COLOR_TYPE_TRUECOLOR, 8), testing::Gradient(64, 64, 3));
  const Bytes half(full.begin(), full.begin() + static_cast<long>(full.size() / 2));
  ASSERT_TRUE(ReadPngHeader(half));
  auto image = DecodePng(half, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kTruncatedImage);
  EXPECT_EQ(image.error().message, "PNG data ends before the image does (truncated)");
  const Bytes no_end(full.begin(), full.end() - 12);  // every pixel, no IEND
  auto missing_iend = DecodePng(no_end, {});
  ASSERT_TRUE(missing_iend) << "every pixel is there: " << missing_iend.error().message;
  EXPECT_EQ(missing_iend->pixels, testing::Gradient(64, 64, 3));
  const Bytes header_cut(full.begin(), full.begin() + 20);
  auto header = ReadPngHeader(header_cut);
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kTruncatedImage);
}

TEST(PngDecodeTest, CorruptDataIsCorruptImage) {
  Bytes png =
      testing::EncodePng(Spec(64, 64, SPNG_COLOR_TYPE_TRUECOLOR, 8), testing::Gradient(64, 64, 3));
  png[png.size() / 2] ^= 0x5A;  // inside IDAT: CRC (and likely zlib) mismatch
  auto image = DecodePng(png, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kCorruptImage);
  EXPECT_EQ(image.error().message.rfind("corrupt PNG data", 0), 0u) << image.error().message;

  Bytes bad_ihdr = testing::EncodePng(Spec(4, 4, SPNG_COLOR_TYPE_GRAYSCALE, 8), Bytes(16, 0));
  bad_ihdr[24] = 3;  // bit depth 3 does not exist (CRC now wrong too)
  auto header = ReadPngHeader(bad_ihdr);
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kCorruptImage);
}

TEST(PngDecodeTest, HugeHeaderIsRefusedBeforeAllocatingAndFast) {
  const Bytes small =
      testing::EncodePng(Spec(8, 8, SPNG_COLOR_TYPE_TRUECOLOR, 8), testing::Gradient(8, 8, 3));
  const Bytes huge = testing::PatchPngSize(small, 60000, 60000);
  auto header = ReadPngHeader(huge);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->width, 60000u);
  const long rss_before = testing::PeakRssMiB();
  const auto start = std::chrono::steady_clock::now();
  auto image = DecodePng(huge, {});
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kTooManyPixels);
  EXPECT_EQ(image.error().message, "image is 60000x60000 = 3600 MP, over the 100 MP limit");
  // A real 3600 MP decode would allocate ~10 GB and take minutes; refusing takes microseconds.
  EXPECT_LT(elapsed, std::chrono::milliseconds(200));
  // Alone (as ctest runs it) this is "under 50 MB"; after other tests, "no new peak".
  EXPECT_LE(testing::PeakRssMiB(), std::max(rss_before, 50L));
}

TEST(PngDecodeTest, LimitsComeFromTheRequest) {
  const Bytes png = testing::EncodePng(Spec(10, 10, SPNG_COLOR_TYPE_GRAYSCALE, 8), Bytes(100, 1));
  DecodeRequest request;
  request.limits.max_input_pixels = 99;
  auto image = DecodePng(png, request);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kTooManyPixels);
  request.limits.max_input_pixels = 100;
  EXPECT_TRUE(DecodePng(png, request));
}

}  // namespace
}  // namespace imgpipe::core
