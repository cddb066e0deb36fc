// Encoders: each output is decoded straight with libjpeg-turbo, libspng or libwebp (not with
// our own decoders) and checked for size, channel count and pixel closeness.
#include "core/encode.h"

#include <gtest/gtest.h>
#include <spng.h>
#include <webp/decode.h>

#include <csetjmp>
#include <cstdlib>
#include <memory>
#include <random>

// jpeglib.h needs FILE and size_t declared before it; keep this order.
// clang-format off
#include <cstdio>
#include <jpeglib.h>
// clang-format on

namespace imgpipe::core {
namespace {

Image Blank(uint32_t width, uint32_t height, int channels) {
  Image image{width, height, channels, {}};
  image.pixels.resize(image.stride() * height);
  return image;
}

// Smooth gradients (what JPEG is for) with an independent pattern per channel.
Image Gradient(uint32_t width, uint32_t height, int channels) {
  Image image = Blank(width, height, channels);
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        const uint32_t v = c == 0   ? x * 255 / width
                           : c == 1 ? y * 255 / height
                           : c == 2 ? (x + y) * 255 / (width + height)
                                    : 255 - x * 200 / width;
        image.row(y)[x * channels + c] = static_cast<uint8_t>(v);
      }
    }
  }
  return image;
}

double MeanAbsDiff(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  if (a.size() != b.size() || a.empty()) return 1e9;
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::abs(int{a[i]} - int{b[i]});
  return sum / static_cast<double>(a.size());
}

struct JpegInfo {
  Image image;
  int components = 0;
  int luma_h_sampling = 0;
  int luma_v_sampling = 0;
  bool ok = false;
};

struct JpegError {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
};

void JpegFail(j_common_ptr cinfo) {
  std::longjmp(reinterpret_cast<JpegError*>(cinfo->err)->jump, 1);
}

// Decodes with libjpeg into `info` (which outlives the setjmp frame).
void DecodeJpegInto(const std::vector<uint8_t>& bytes, JpegInfo* info) {
  jpeg_decompress_struct cinfo;
  JpegError error;
  cinfo.err = jpeg_std_error(&error.pub);
  error.pub.error_exit = JpegFail;
  if (setjmp(error.jump)) {
    jpeg_destroy_decompress(&cinfo);
    info->ok = false;
    return;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes.data(), bytes.size());
  jpeg_read_header(&cinfo, TRUE);
  info->components = cinfo.num_components;
  info->luma_h_sampling = cinfo.comp_info[0].h_samp_factor;
  info->luma_v_sampling = cinfo.comp_info[0].v_samp_factor;
  jpeg_start_decompress(&cinfo);
  info->image.width = cinfo.output_width;
  info->image.height = cinfo.output_height;
  info->image.channels = cinfo.output_components;
  info->image.pixels.resize(info->image.stride() * info->image.height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = info->image.row(cinfo.output_scanline);
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  info->ok = true;
}

Image DecodePng(const std::vector<uint8_t>& bytes, int* color_type) {
  std::unique_ptr<spng_ctx, decltype(&spng_ctx_free)> ctx(spng_ctx_new(0), spng_ctx_free);
  spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size());
  spng_ihdr ihdr{};
  if (spng_get_ihdr(ctx.get(), &ihdr) != 0) return Image{};
  *color_type = ihdr.color_type;
  const int channels = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE         ? 1
                       : ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA ? 2
                       : ihdr.color_type == SPNG_COLOR_TYPE_TRUECOLOR       ? 3
                                                                            : 4;
  Image image = Blank(ihdr.width, ihdr.height, channels);
  // SPNG_FMT_PNG: the PNG's own layout, which for 8-bit is our interleaved layout.
  if (spng_decode_image(ctx.get(), image.pixels.data(), image.pixels.size(), SPNG_FMT_PNG, 0) !=
      0) {
    return Image{};
  }
  return image;
}

Image DecodeWebp(const std::vector<uint8_t>& bytes, bool* has_alpha) {
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(bytes.data(), bytes.size(), &features) != VP8_STATUS_OK) return Image{};
  *has_alpha = features.has_alpha;
  int width = 0, height = 0;
  uint8_t* decoded = features.has_alpha
                         ? WebPDecodeRGBA(bytes.data(), bytes.size(), &width, &height)
                         : WebPDecodeRGB(bytes.data(), bytes.size(), &width, &height);
  if (decoded == nullptr) return Image{};
  Image image = Blank(static_cast<uint32_t>(width), static_cast<uint32_t>(height),
                      features.has_alpha ? 4 : 3);
  std::copy(decoded, decoded + image.pixels.size(), image.pixels.begin());
  WebPFree(decoded);
  return image;
}

TEST(EncodeJpegTest, ColourRoundTripIs420) {
  const Image image = Gradient(97, 61, 3);
  const auto bytes = EncodeJpeg(image, 90);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  ASSERT_GE(bytes->size(), 4u);
  EXPECT_EQ((*bytes)[0], 0xFF);
  EXPECT_EQ((*bytes)[1], 0xD8);
  JpegInfo info;
  DecodeJpegInto(*bytes, &info);
  ASSERT_TRUE(info.ok);
  EXPECT_EQ(info.image.width, 97u);
  EXPECT_EQ(info.image.height, 61u);
  EXPECT_EQ(info.components, 3);
  EXPECT_EQ(info.luma_h_sampling, 2);  // 4:2:0, like Pillow's default
  EXPECT_EQ(info.luma_v_sampling, 2);
  EXPECT_LT(MeanAbsDiff(info.image.pixels, image.pixels), 2.5);
}

TEST(EncodeJpegTest, GrayGivesOneComponent) {
  const Image image = Gradient(256, 256, 1);
  const auto bytes = EncodeJpeg(image, 75);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  JpegInfo info;
  DecodeJpegInto(*bytes, &info);
  ASSERT_TRUE(info.ok);
  EXPECT_EQ(info.components, 1);
  EXPECT_EQ(info.image.channels, 1);
  EXPECT_EQ(info.image.width, 256u);
  EXPECT_LT(MeanAbsDiff(info.image.pixels, image.pixels), 2.0);
}

TEST(EncodeJpegTest, QualityAffectsSizeAndError) {
  std::mt19937 rng(5);
  Image image = Gradient(128, 128, 3);
  for (auto& p : image.pixels)
    p = static_cast<uint8_t>(std::clamp(p + int(rng() % 41) - 20, 0, 255));
  const auto low = EncodeJpeg(image, 10);
  const auto mid = EncodeJpeg(image, 75);
  const auto high = EncodeJpeg(image, 100);
  ASSERT_TRUE(low.ok() && mid.ok() && high.ok());
  EXPECT_LT(low->size(), mid->size());
  EXPECT_LT(mid->size(), high->size());
  JpegInfo low_info, high_info;
  DecodeJpegInto(*low, &low_info);
  DecodeJpegInto(*high, &high_info);
  EXPECT_GT(MeanAbsDiff(low_info.image.pixels, image.pixels),
            MeanAbsDiff(high_info.image.pixels, image.pixels));
}

TEST(EncodeJpegTest, LargeOutputGrowsTheBuffer) {
  // Noise at q100 compresses badly, so the destination must grow several times.
  std::mt19937 rng(1);
  Image image = Blank(800, 600, 3);
  for (auto& p : image.pixels) p = static_cast<uint8_t>(rng());
  const auto bytes = EncodeJpeg(image, 100);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  EXPECT_GT(bytes->size(), 800u * 600u);
  JpegInfo info;
  DecodeJpegInto(*bytes, &info);
  ASSERT_TRUE(info.ok);
  EXPECT_EQ(info.image.width, 800u);
}

TEST(EncodeJpegTest, RefusesWhatJpegCannotHold) {
  EXPECT_EQ(EncodeJpeg(Gradient(4, 4, 4), 75).error().code, ErrorCode::kEncodeFailed);
  EXPECT_EQ(EncodeJpeg(Gradient(4, 4, 2), 75).error().code, ErrorCode::kEncodeFailed);
  EXPECT_EQ(EncodeJpeg(Image{}, 75).error().code, ErrorCode::kEncodeFailed);
  EXPECT_EQ(EncodeJpeg(Gradient(4, 4, 3), 0).error().code, ErrorCode::kInvalidOptions);
  EXPECT_EQ(EncodeJpeg(Gradient(4, 4, 3), 101).error().code, ErrorCode::kInvalidOptions);
  Image lying = Gradient(4, 4, 3);
  lying.height = 400;  // claims more rows than its buffer holds
  EXPECT_EQ(EncodeJpeg(lying, 75).error().code, ErrorCode::kEncodeFailed);
  const std::string message = EncodeJpeg(Gradient(4, 4, 4), 75).error().message;
  EXPECT_NE(message.find("4"), std::string::npos) << message;
}

TEST(EncodePngTest, LosslessRoundTripForEveryChannelCount) {
  std::mt19937 rng(2);
  const int expected_type[5] = {0, SPNG_COLOR_TYPE_GRAYSCALE, SPNG_COLOR_TYPE_GRAYSCALE_ALPHA,
                                SPNG_COLOR_TYPE_TRUECOLOR, SPNG_COLOR_TYPE_TRUECOLOR_ALPHA};
  for (int channels = 1; channels <= 4; ++channels) {
    Image image = Blank(33, 17, channels);
    for (auto& p : image.pixels) p = static_cast<uint8_t>(rng());
    const auto bytes = EncodePng(image);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    int color_type = -1;
    const Image decoded = DecodePng(*bytes, &color_type);
    EXPECT_EQ(color_type, expected_type[channels]);
    EXPECT_EQ(decoded.width, 33u);
    EXPECT_EQ(decoded.height, 17u);
    EXPECT_EQ(decoded.channels, channels);
    EXPECT_EQ(decoded.pixels, image.pixels) << "channels " << channels;
  }
}

TEST(EncodePngTest, RefusesBadImages) {
  EXPECT_EQ(EncodePng(Image{}).error().code, ErrorCode::kEncodeFailed);
  Image five = Blank(2, 2, 5);
  EXPECT_EQ(EncodePng(five).error().code, ErrorCode::kEncodeFailed);
}

TEST(EncodeWebpTest, ColourRoundTrip) {
  const Image image = Gradient(80, 50, 3);
  const auto bytes = EncodeWebp(image, 90);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  bool has_alpha = true;
  const Image decoded = DecodeWebp(*bytes, &has_alpha);
  EXPECT_FALSE(has_alpha);
  ASSERT_EQ(decoded.width, 80u);
  ASSERT_EQ(decoded.height, 50u);
  EXPECT_LT(MeanAbsDiff(decoded.pixels, image.pixels), 3.0);
}

TEST(EncodeWebpTest, GrayIsExpandedToRgb) {
  const Image image = Gradient(64, 40, 1);
  const auto bytes = EncodeWebp(image, 90);
  ASSERT_TRUE(bytes.ok()) << bytes.error().message;
  bool has_alpha = true;
  const Image decoded = DecodeWebp(*bytes, &has_alpha);
  ASSERT_EQ(decoded.channels, 3);
  ASSERT_EQ(decoded.width, 64u);
  double sum = 0;
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    for (int c = 0; c < 3; ++c) sum += std::abs(decoded.pixels[i * 3 + c] - image.pixels[i]);
  }
  EXPECT_LT(sum / (3.0 * image.pixels.size()), 3.0);
}

TEST(EncodeWebpTest, AlphaIsKept) {
  for (int channels : {2, 4}) {
    Image image = Gradient(48, 48, channels);
    // Alpha ramps left to right so a dropped alpha channel would show.
    for (uint32_t y = 0; y < 48; ++y) {
      for (uint32_t x = 0; x < 48; ++x) image.row(y)[x * channels + channels - 1] = x * 5;
    }
    const auto bytes = EncodeWebp(image, 90);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    bool has_alpha = false;
    const Image decoded = DecodeWebp(*bytes, &has_alpha);
    ASSERT_TRUE(has_alpha) << channels;
    ASSERT_EQ(decoded.channels, 4);
    double alpha_error = 0;
    for (size_t i = 0; i < 48u * 48u; ++i) {
      alpha_error +=
          std::abs(decoded.pixels[i * 4 + 3] - image.pixels[i * channels + channels - 1]);
    }
    EXPECT_LT(alpha_error / (48.0 * 48.0), 2.0) << channels;
  }
}

TEST(EncodeWebpTest, RefusesBadInput) {
  EXPECT_EQ(EncodeWebp(Image{}, 75).error().code, ErrorCode::kEncodeFailed);
  EXPECT_EQ(EncodeWebp(Blank(16384, 1, 3), 75).error().code, ErrorCode::kEncodeFailed);
  EXPECT_EQ(EncodeWebp(Gradient(4, 4, 3), 0).error().code, ErrorCode::kInvalidOptions);
}

TEST(EncodeTest, DispatchesOnFormat) {
  const Image image = Gradient(20, 10, 3);
  const auto jpeg = Encode(image, OutputFormat::kJpeg, 75);
  const auto png = Encode(image, OutputFormat::kPng, 75);
  const auto webp = Encode(image, OutputFormat::kWebp, 75);
  ASSERT_TRUE(jpeg.ok() && png.ok() && webp.ok());
  EXPECT_EQ((*jpeg)[0], 0xFF);
  EXPECT_EQ(std::string(png->begin() + 1, png->begin() + 4), "PNG");
  EXPECT_EQ(std::string(webp->begin() + 8, webp->begin() + 12), "WEBP");
  EXPECT_EQ(Encode(image, static_cast<OutputFormat>(9), 75).error().code,
            ErrorCode::kInvalidOptions);
}

}  // namespace
}  // namespace imgpipe::core
