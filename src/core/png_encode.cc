// PNG encoding with libspng: 8-bit gray, gray+alpha, RGB or RGBA, zlib's default level (6, as
// Pillow) and libspng's adaptive per-row filter choice.
#include <spng.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "encode.h"

namespace imgpipe::core {
namespace {

struct ContextDeleter {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};
struct MallocDeleter {
  void operator()(void* p) const { std::free(p); }
};

Error Fail(const std::string& reason) {
  return MakeError(ErrorCode::kEncodeFailed, "PNG encode failed: " + reason);
}

uint8_t ColorType(int channels) {
  switch (channels) {
    case 1:
      return SPNG_COLOR_TYPE_GRAYSCALE;
    case 2:
      return SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
    case 3:
      return SPNG_COLOR_TYPE_TRUECOLOR;
    default:
      return SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
  }
}

}  // namespace

Result<std::vector<uint8_t>> EncodePng(const Image& image) {
  if (image.channels < 1 || image.channels > 4) {
    return Fail("PNG holds 1..4 channels but the image has " + std::to_string(image.channels));
  }
  // PNG allows 2^31-1 per side; our images are far smaller, but refuse 0 explicitly.
  if (image.width == 0 || image.height == 0 || image.width > INT32_MAX ||
      image.height > INT32_MAX) {
    return Fail("size " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                " is not encodable");
  }
  const size_t bytes = image.stride() * image.height;
  if (image.pixels.size() < bytes) {
    return Fail("pixel buffer is smaller than its size says");
  }

  std::unique_ptr<spng_ctx, ContextDeleter> ctx(spng_ctx_new(SPNG_CTX_ENCODER));
  if (!ctx) {
    return Fail("out of memory");
  }
  spng_set_option(ctx.get(), SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = image.width;
  ihdr.height = image.height;
  ihdr.bit_depth = 8;
  ihdr.color_type = ColorType(image.channels);
  int rc = spng_set_ihdr(ctx.get(), &ihdr);
  if (rc == 0) {
    rc = spng_encode_image(ctx.get(), image.pixels.data(), bytes, SPNG_FMT_PNG,
                           SPNG_ENCODE_FINALIZE);
  }
  if (rc != 0) {
    return Fail(spng_strerror(rc));
  }
  size_t length = 0;
  std::unique_ptr<void, MallocDeleter> buffer(spng_get_png_buffer(ctx.get(), &length, &rc));
  if (!buffer || rc != 0) {
    return Fail(rc != 0 ? spng_strerror(rc) : "no output buffer");
  }
  const auto* data = static_cast<const uint8_t*>(buffer.get());
  return std::vector<uint8_t>(data, data + length);
}

}  // namespace imgpipe::core
