// JPEG decoding: every input kind, shrink on load, gray output, CMYK, EXIF, bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <string>

#include "core/decode.h"
#include "testing/make_images.h"

namespace imgpipe::core {
namespace {

using testing::Bytes;
using testing::Compare;
using testing::JpegSpec;

constexpr uint32_t kW = 64;
constexpr uint32_t kH = 48;

Image MustDecode(const Bytes& jpeg, const DecodeRequest& request = {}) {
  auto image = DecodeJpeg(jpeg, request);
  EXPECT_TRUE(image) << image.error().message;
  return image ? std::move(image).value() : Image{};
}

// Pillow's convert("L") luma, the reference for gray output.
Bytes Luma(const Bytes& rgb) {
  Bytes out(rgb.size() / 3);
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<uint8_t>(
        (rgb[3 * i] * 19595 + rgb[3 * i + 1] * 38470 + rgb[3 * i + 2] * 7471 + 0x8000) >> 16);
  }
  return out;
}

TEST(JpegDecodeTest, HeaderReportsSizeChannelsAndDepth) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(kW, kH, 3), kW, kH, 3);
  auto header = ReadJpegHeader(jpeg);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->format, Format::kJpeg);
  EXPECT_EQ(header->width, kW);
  EXPECT_EQ(header->height, kH);
  EXPECT_EQ(header->channels, 3);
  EXPECT_EQ(header->bit_depth, 8);
  EXPECT_EQ(header->orientation, 1);
  EXPECT_FALSE(header->has_alpha);
}

struct Subsampling {
  const char* name;
  int h;
  int v;
};

class JpegSubsamplingTest : public ::testing::TestWithParam<Subsampling> {};

TEST_P(JpegSubsamplingTest, BaselineAndProgressiveDecodeToTheEncodedColours) {
  const Bytes rgb = testing::Gradient(kW, kH, 3);
  for (bool progressive : {false, true}) {
    JpegSpec spec;
    spec.h_samp = GetParam().h;
    spec.v_samp = GetParam().v;
    spec.progressive = progressive;
    const Image image = MustDecode(testing::EncodeJpeg(rgb, kW, kH, 3, spec));
    ASSERT_EQ(image.width, kW);
    ASSERT_EQ(image.height, kH);
    ASSERT_EQ(image.channels, 3);
    const auto diff = Compare(image, rgb);
    EXPECT_LT(diff.mean, 2.0) << GetParam().name << " progressive=" << progressive;
    EXPECT_LE(diff.max, 16) << GetParam().name << " progressive=" << progressive;
  }
}

INSTANTIATE_TEST_SUITE_P(All, JpegSubsamplingTest,
                         ::testing::Values(Subsampling{"444", 1, 1}, Subsampling{"422", 2, 1},
                                           Subsampling{"420", 2, 2}),
                         [](const auto& info) { return std::string("s") + info.param.name; });

TEST(JpegDecodeTest, ArithmeticCodedJpegDecodes) {
  const Bytes rgb = testing::Gradient(kW, kH, 3);
  JpegSpec spec;
  spec.arithmetic = true;
  const Image image = MustDecode(testing::EncodeJpeg(rgb, kW, kH, 3, spec));
  EXPECT_LE(Compare(image, rgb).max, 16);
}

TEST(JpegDecodeTest, GrayscaleJpegGivesOneChannel) {
  const Bytes gray = testing::Gradient(kW, kH, 1);
  JpegSpec spec;
  spec.in_space = JCS_GRAYSCALE;
  spec.jpeg_space = JCS_GRAYSCALE;
  const Bytes jpeg = testing::EncodeJpeg(gray, kW, kH, 1, spec);
  EXPECT_EQ(ReadJpegHeader(jpeg)->channels, 1);
  for (bool want_gray : {false, true}) {
    DecodeRequest request;
    request.gray = want_gray;
    const Image image = MustDecode(jpeg, request);
    ASSERT_EQ(image.channels, 1);
    EXPECT_LE(Compare(image, gray).max, 4);
  }
}

TEST(JpegDecodeTest, GrayRequestReturnsLumaFromTheYPlane) {
  const Bytes rgb = testing::Gradient(kW, kH, 3);
  DecodeRequest request;
  request.gray = true;
  const Image image = MustDecode(testing::EncodeJpeg(rgb, kW, kH, 3), request);
  ASSERT_EQ(image.channels, 1);
  const auto diff = Compare(image, Luma(rgb));
  EXPECT_LT(diff.mean, 1.5);
  EXPECT_LE(diff.max, 6);
}

TEST(JpegDecodeTest, RgbJpegStaysRgbEvenWhenGrayIsRequested) {
  const Bytes rgb = testing::Gradient(kW, kH, 3);
  JpegSpec spec;
  spec.jpeg_space = JCS_RGB;
  DecodeRequest request;
  request.gray = true;  // only YCbCr has a luma plane to take
  const Image image = MustDecode(testing::EncodeJpeg(rgb, kW, kH, 3, spec), request);
  ASSERT_EQ(image.channels, 3);
  EXPECT_LE(Compare(image, rgb).max, 8);
}

// Ink amounts -> expected RGB for a naive (no ICC) conversion.
struct CmykCase {
  const char* name;
  J_COLOR_SPACE space;
  bool adobe;
};

class JpegCmykTest : public ::testing::TestWithParam<CmykCase> {};

TEST_P(JpegCmykTest, ConvertsToTheRightColour) {
  const CmykCase& param = GetParam();
  // Left half red ink (M+Y), right half 50% black. Adobe files store ink inverted.
  Bytes cmyk;
  for (uint32_t y = 0; y < kH; ++y) {
    for (uint32_t x = 0; x < kW; ++x) {
      const uint8_t ink[4] = {0, static_cast<uint8_t>(x < kW / 2 ? 255 : 0),
                              static_cast<uint8_t>(x < kW / 2 ? 255 : 0),
                              static_cast<uint8_t>(x < kW / 2 ? 0 : 128)};
      for (uint8_t v : ink) cmyk.push_back(param.adobe ? 255 - v : v);
    }
  }
  JpegSpec spec;
  spec.in_space = JCS_CMYK;
  spec.jpeg_space = param.space;
  spec.adobe_marker = param.adobe;
  spec.h_samp = spec.v_samp = 1;
  const Bytes jpeg = testing::EncodeJpeg(cmyk, kW, kH, 4, spec);
  EXPECT_EQ(ReadJpegHeader(jpeg)->channels, 4);
  const Image image = MustDecode(jpeg);
  ASSERT_EQ(image.channels, 3);
  const uint8_t* red = testing::PixelAt(image, 4, kH / 2);
  EXPECT_NEAR(red[0], 255, 6);
  EXPECT_NEAR(red[1], 0, 6);
  EXPECT_NEAR(red[2], 0, 6);
  const uint8_t* gray = testing::PixelAt(image, kW - 4, kH / 2);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(gray[c], 127, 6);
}

INSTANTIATE_TEST_SUITE_P(All, JpegCmykTest,
                         ::testing::Values(CmykCase{"Plain", JCS_CMYK, false},
                                           CmykCase{"AdobeInverted", JCS_CMYK, true},
                                           CmykCase{"Ycck", JCS_YCCK, true}),
                         [](const auto& info) { return std::string(info.param.name); });

class JpegShrinkTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    // A flat 12 MP photo-sized JPEG: cheap to encode, same header as a real 4000x3000 photo.
    JpegSpec spec;
    spec.quality = 75;
    large_ = new Bytes(
        testing::EncodeJpeg(testing::Solid(4000, 3000, {90, 140, 200}), 4000, 3000, 3, spec));
  }
  static void TearDownTestSuite() { delete large_; }
  static Image Shrink(uint32_t min_width, uint32_t min_height, bool gray = false) {
    DecodeRequest request;
    request.min_width = min_width;
    request.min_height = min_height;
    request.gray = gray;
    return MustDecode(*large_, request);
  }
  static Bytes* large_;
};
Bytes* JpegShrinkTest::large_ = nullptr;

TEST_F(JpegShrinkTest, PicksTheLargestReductionThatKeepsTheMinimum) {
  Image eighth = Shrink(256, 256);
  EXPECT_EQ(eighth.width, 500u);
  EXPECT_EQ(eighth.height, 375u);
  Image quarter = Shrink(600, 600);
  EXPECT_EQ(quarter.width, 1000u);
  EXPECT_EQ(quarter.height, 750u);
  Image half = Shrink(2000, 1500);
  EXPECT_EQ(half.width, 2000u);
  EXPECT_EQ(half.height, 1500u);
  Image full = Shrink(2001, 10);
  EXPECT_EQ(full.width, 4000u);
  EXPECT_EQ(full.height, 3000u);
}

TEST_F(JpegShrinkTest, ZeroMinimumMeansFullSize) {
  Image image = Shrink(0, 0);
  EXPECT_EQ(image.width, 4000u);
  EXPECT_EQ(image.height, 3000u);
}

TEST_F(JpegShrinkTest, ShrunkPixelsKeepTheirColour) {
  Image image = Shrink(256, 256);
  ASSERT_EQ(image.channels, 3);
  const uint8_t* p = testing::PixelAt(image, 250, 180);
  EXPECT_NEAR(p[0], 90, 3);
  EXPECT_NEAR(p[1], 140, 3);
  EXPECT_NEAR(p[2], 200, 3);
  Image gray = Shrink(256, 256, true);
  ASSERT_EQ(gray.channels, 1);
  EXPECT_EQ(gray.width, 500u);
  EXPECT_NEAR(gray.pixels[0], (90 * 19595 + 140 * 38470 + 200 * 7471 + 0x8000) >> 16, 3);
}

TEST(JpegDecodeTest, ReadsEveryExifOrientation) {
  const Bytes rgb = testing::Gradient(16, 16, 3);
  for (int orientation = 1; orientation <= 8; ++orientation) {
    for (bool big_endian : {false, true}) {
      JpegSpec spec;
      spec.exif_tiff = testing::ExifTiff(orientation, big_endian);
      const Bytes jpeg = testing::EncodeJpeg(rgb, 16, 16, 3, spec);
      auto header = ReadJpegHeader(jpeg);
      ASSERT_TRUE(header) << header.error().message;
      EXPECT_EQ(header->orientation, orientation) << "big_endian=" << big_endian;
    }
  }
}

TEST(JpegDecodeTest, HostileExifDoesNotBreakTheImage) {
  Bytes tiff = testing::ExifTiff(6);
  tiff[4] = tiff[5] = tiff[6] = tiff[7] = 0xFF;  // IFD0 offset past the end
  JpegSpec spec;
  spec.exif_tiff = tiff;
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(16, 16, 3), 16, 16, 3, spec);
  auto header = ReadJpegHeader(jpeg);
  ASSERT_TRUE(header);
  EXPECT_EQ(header->orientation, 1);
  EXPECT_EQ(MustDecode(jpeg).width, 16u);
}

TEST(JpegDecodeTest, TruncatedDataIsAnErrorNotAGrayImage) {
  const Bytes rgb = testing::Gradient(256, 192, 3);
  for (bool progressive : {false, true}) {
    JpegSpec spec;
    spec.progressive = progressive;
    const Bytes full = testing::EncodeJpeg(rgb, 256, 192, 3, spec);
    for (double keep : {0.6, 0.9}) {
      const Bytes cut(full.begin(), full.begin() + static_cast<long>(full.size() * keep));
      ASSERT_TRUE(ReadJpegHeader(cut)) << "the header is intact";
      auto image = DecodeJpeg(cut, {});
      ASSERT_FALSE(image) << "progressive=" << progressive << " keep=" << keep;
      EXPECT_EQ(image.error().code, ErrorCode::kTruncatedImage);
      EXPECT_EQ(image.error().message, "JPEG data ends before the image does (truncated)");
    }
  }
  const Bytes full = testing::EncodeJpeg(rgb, 256, 192, 3);
  const Bytes header_cut(full.begin(), full.begin() + 40);
  auto header = ReadJpegHeader(header_cut);
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kTruncatedImage);
  auto image = DecodeJpeg(Bytes{0xFF, 0xD8, 0xFF, 0x00, 0x01, 0x02, 0x03}, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kTruncatedImage);
}

TEST(JpegDecodeTest, MissingEoiAloneIsAccepted) {
  const Bytes rgb = testing::Gradient(kW, kH, 3);
  for (bool progressive : {false, true}) {
    JpegSpec spec;
    spec.progressive = progressive;
    Bytes jpeg = testing::EncodeJpeg(rgb, kW, kH, 3, spec);
    ASSERT_EQ(jpeg.back(), JPEG_EOI);
    jpeg.pop_back();  // drop FF D9 (pop_back: GCC 12 misreads resize(size() - 2) as overflow)
    jpeg.pop_back();
    const Image image = MustDecode(jpeg);
    EXPECT_EQ(image.width, kW);
    EXPECT_LE(Compare(image, rgb).max, 16) << "progressive=" << progressive;
  }
}

TEST(JpegDecodeTest, CorruptDataIsCorruptImage) {
  Bytes jpeg = testing::EncodeJpeg(testing::Gradient(kW, kH, 3), kW, kH, 3);
  // Find SOF0 and set an impossible component count.
  for (size_t i = 2; i + 10 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
      jpeg[i + 9] = 0;
      break;
    }
  }
  auto header = ReadJpegHeader(jpeg);
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kCorruptImage);
  EXPECT_EQ(header.error().message.rfind("corrupt JPEG data: ", 0), 0u) << header.error().message;
  auto no_image = DecodeJpeg(Bytes{0xFF, 0xD8, 0xFF, 0xD9}, {});  // SOI then EOI
  ASSERT_FALSE(no_image);
  EXPECT_EQ(no_image.error().code, ErrorCode::kCorruptImage);
}

// Repeats a progressive JPEG's first scan (SOS header + entropy data) `copies` more times, the
// way hostile files burn CPU: libjpeg only warns about the bogus progression and carries on.
Bytes RepeatFirstScan(const Bytes& jpeg, int copies) {
  size_t sos = 0;
  for (size_t i = 2; i + 1 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xDA) {
      sos = i;
      break;
    }
  }
  size_t end = sos + 2;
  end += static_cast<size_t>(jpeg[end] << 8 | jpeg[end + 1]);
  while (end + 1 < jpeg.size() &&
         !(jpeg[end] == 0xFF && jpeg[end + 1] != 0x00 && (jpeg[end + 1] & 0xF8) != 0xD0)) {
    ++end;
  }
  const Bytes scan(jpeg.begin() + static_cast<long>(sos), jpeg.begin() + static_cast<long>(end));
  Bytes out(jpeg.begin(), jpeg.begin() + static_cast<long>(end));
  for (int i = 0; i < copies; ++i) out.insert(out.end(), scan.begin(), scan.end());
  out.insert(out.end(), jpeg.begin() + static_cast<long>(end), jpeg.end());
  return out;
}

TEST(JpegDecodeTest, ProgressiveScanFloodIsRefused) {
  JpegSpec spec;
  spec.progressive = true;
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(16, 16, 3), 16, 16, 3, spec);
  EXPECT_TRUE(DecodeJpeg(RepeatFirstScan(jpeg, 20), {})) << "a few bogus scans still decode";
  auto image = DecodeJpeg(RepeatFirstScan(jpeg, 600), {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kCorruptImage);
  EXPECT_NE(image.error().message.find("more than 500 scans"), std::string::npos)
      << image.error().message;
}

TEST(JpegDecodeTest, TwelveBitJpegIsUnsupportedNotCorrupt) {
  Bytes jpeg = testing::EncodeJpeg(testing::Gradient(16, 16, 3), 16, 16, 3);
  for (size_t i = 2; i + 4 < jpeg.size(); ++i) {
    if (jpeg[i] == 0xFF && jpeg[i + 1] == 0xC0) {
      jpeg[i + 4] = 12;  // SOF0 sample precision
      break;
    }
  }
  auto header = ReadJpegHeader(jpeg);
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kUnsupportedFormat);
  EXPECT_NE(header.error().message.find("12"), std::string::npos) << header.error().message;
}

TEST(JpegDecodeTest, HugeHeaderIsRefusedBeforeAllocatingAndFast) {
  const Bytes small = testing::EncodeJpeg(testing::Gradient(16, 16, 3), 16, 16, 3);
  const Bytes huge = testing::PatchJpegSize(small, 60000, 60000);
  auto header = ReadJpegHeader(huge);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->width, 60000u);
  EXPECT_EQ(header->height, 60000u);
  for (bool progressive : {false, true}) {
    JpegSpec spec;
    spec.progressive = progressive;
    const Bytes patched = testing::PatchJpegSize(
        testing::EncodeJpeg(testing::Gradient(16, 16, 3), 16, 16, 3, spec), 60000, 60000);
    const long rss_before = testing::PeakRssMiB();
    const auto start = std::chrono::steady_clock::now();
    auto image = DecodeJpeg(patched, {});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_FALSE(image);
    EXPECT_EQ(image.error().code, ErrorCode::kTooManyPixels);
    EXPECT_EQ(image.error().message, "image is 60000x60000 = 3600 MP, over the 100 MP limit");
    // A real 3600 MP decode would allocate ~10 GB and take minutes; refusing takes microseconds.
    EXPECT_LT(elapsed, std::chrono::milliseconds(200));
    // Alone (as ctest runs it) this is "under 50 MB"; after other tests, "no new peak".
    EXPECT_LE(testing::PeakRssMiB(), std::max(rss_before, 50L));
  }
}

TEST(JpegDecodeTest, LimitsComeFromTheRequest) {
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(kW, kH, 3), kW, kH, 3);
  DecodeRequest request;
  request.limits.max_input_pixels = uint64_t{kW} * kH;
  EXPECT_TRUE(DecodeJpeg(jpeg, request));
  request.limits.max_input_pixels -= 1;
  auto too_many = DecodeJpeg(jpeg, request);
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, ErrorCode::kTooManyPixels);
  request = {};
  request.limits.max_input_bytes = jpeg.size() - 1;
  auto too_large = DecodeJpeg(jpeg, request);
  ASSERT_FALSE(too_large);
  EXPECT_EQ(too_large.error().code, ErrorCode::kInputTooLarge);
}

// Progressive JPEG keeps every DCT coefficient: it has its own limit, counted at 3 bytes of
// coefficients per pixel (4:2:0 colour), and the message names the limit. A baseline file of
// the same size is not affected.
TEST(JpegDecodeTest, ProgressiveHasItsOwnPixelLimit) {
  JpegSpec progressive;
  progressive.progressive = true;
  const Bytes jpeg = testing::EncodeJpeg(testing::Gradient(64, 48, 3), 64, 48, 3, progressive);
  DecodeRequest request;
  request.limits.max_progressive_pixels = 3071;  // 4:2:0 64x48: 4608 bytes / 3 = 3072 "pixels"
  auto refused = DecodeJpeg(jpeg, request);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kTooManyPixels);
  EXPECT_NE(refused.error().message.find("progressive JPEG 64x48 needs 0 MiB of DCT coefficients"),
            std::string::npos)
      << refused.error().message;
  EXPECT_NE(refused.error().message.find("limit for progressive JPEGs (max_progressive_pixels)"),
            std::string::npos);
  request.limits.max_progressive_pixels = 3072;
  EXPECT_TRUE(DecodeJpeg(jpeg, request));
  request.limits.max_progressive_pixels = 1;
  EXPECT_TRUE(DecodeJpeg(testing::EncodeJpeg(testing::Gradient(64, 48, 3), 64, 48, 3), request));
}

// 4:4:4 holds twice the coefficients of 4:2:0: at the default 16 MP limit a 12 MP 4:2:0
// progressive JPEG passes and a 12 MP 4:4:4 one (72 MB of coefficients) is refused, both from
// the header alone.
TEST(JpegDecodeTest, ProgressiveLimitCountsTheSampling) {
  JpegSpec spec;
  spec.progressive = true;
  const Bytes s420 = testing::PatchJpegSize(
      testing::EncodeJpeg(testing::Gradient(16, 16, 3), 16, 16, 3, spec), 4000, 3000);
  spec.h_samp = spec.v_samp = 1;
  const Bytes s444 = testing::PatchJpegSize(
      testing::EncodeJpeg(testing::Gradient(16, 16, 3), 16, 16, 3, spec), 4000, 3000);
  DecodeRequest request;
  request.min_width = request.min_height = 256;
  auto refused = DecodeJpeg(s444, request);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::kTooManyPixels);
  EXPECT_NE(refused.error().message.find("needs 68 MiB of DCT coefficients (24 MP"),
            std::string::npos)
      << refused.error().message;
  // The patched file holds only 16x16 of data; what matters is that the limit let it through.
  auto allowed = DecodeJpeg(s420, request);
  EXPECT_TRUE(allowed.ok() || allowed.error().code != ErrorCode::kTooManyPixels)
      << allowed.error().message;
}

}  // namespace
}  // namespace imgpipe::core
