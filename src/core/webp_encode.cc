// WebP encoding with libwebp's simple lossy API. WebP has no gray mode, so gray is expanded to
// RGB (and gray+alpha to RGBA); alpha is kept.
#include <webp/encode.h>

#include <memory>
#include <string>

#include "encode.h"

namespace imgpipe::core {
namespace {

constexpr uint32_t kMaxWebpSide = WEBP_MAX_DIMENSION;  // 16383

Error Fail(const std::string& reason) {
  return MakeError(ErrorCode::kEncodeFailed, "WebP encode failed: " + reason);
}

struct WebpDeleter {
  void operator()(uint8_t* p) const { WebPFree(p); }
};

// Gray (1 channel) -> RGB, gray+alpha (2) -> RGBA. Colour input is used as it is.
std::vector<uint8_t> ExpandGray(const Image& image) {
  const size_t pixels = static_cast<size_t>(image.width) * image.height;
  const int out_channels = image.channels == 1 ? 3 : 4;
  std::vector<uint8_t> out(pixels * out_channels);
  const uint8_t* in = image.pixels.data();
  uint8_t* o = out.data();
  for (size_t i = 0; i < pixels; ++i) {
    const uint8_t v = in[i * image.channels];
    o[0] = o[1] = o[2] = v;
    if (out_channels == 4) {
      o[3] = in[i * 2 + 1];
    }
    o += out_channels;
  }
  return out;
}

}  // namespace

Result<std::vector<uint8_t>> EncodeWebp(const Image& image, int quality) {
  if (quality < 1 || quality > 100) {
    return MakeError(
        ErrorCode::kInvalidOptions,
        "Expected an integer 1..100 for quality but received " + std::to_string(quality));
  }
  if (image.channels < 1 || image.channels > 4) {
    return Fail("WebP holds 1..4 channels but the image has " + std::to_string(image.channels));
  }
  if (image.width == 0 || image.height == 0 || image.width > kMaxWebpSide ||
      image.height > kMaxWebpSide) {
    return Fail("size " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                " is outside 1..16383 per side");
  }
  if (image.pixels.size() < image.stride() * image.height) {
    return Fail("pixel buffer is smaller than its size says");
  }

  std::vector<uint8_t> expanded;
  const uint8_t* pixels = image.pixels.data();
  int channels = image.channels;
  if (channels <= 2) {
    expanded = ExpandGray(image);
    pixels = expanded.data();
    channels = channels == 1 ? 3 : 4;
  }
  const int stride = static_cast<int>(image.width) * channels;
  uint8_t* output = nullptr;
  const size_t size =
      channels == 3
          ? WebPEncodeRGB(pixels, static_cast<int>(image.width), static_cast<int>(image.height),
                          stride, static_cast<float>(quality), &output)
          : WebPEncodeRGBA(pixels, static_cast<int>(image.width), static_cast<int>(image.height),
                           stride, static_cast<float>(quality), &output);
  std::unique_ptr<uint8_t, WebpDeleter> owned(output);
  if (size == 0 || output == nullptr) {
    return Fail("libwebp returned no data");
  }
  return std::vector<uint8_t>(output, output + size);
}

}  // namespace imgpipe::core
