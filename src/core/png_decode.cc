// PNG through libspng: every bit depth and colour type, tRNS, Adam7, eXIf orientation.
// 8-bit and lower decode straight into the final buffer; 16-bit is scaled to 8 bits row by row.
#include <spng.h>

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "decode.h"
#include "exif.h"
#include "limits.h"

namespace imgpipe::core {
namespace {

// Ancillary chunks (text, ICC, ...) are held in memory by libspng and zTXt/iCCP inflate; a
// zlib bomb in a text chunk must not cost more than this.
constexpr size_t kMaxCachedChunkBytes = 16u << 20;
// libspng's limits are per side; the pixel product is our own CheckHeader's job.
constexpr uint32_t kMaxSide = 0x7FFFFFFF;

struct SpngFree {
  void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
};
using SpngPtr = std::unique_ptr<spng_ctx, SpngFree>;

Error SpngError(int code, const char* what) {
  // A buffer that ends early reads as SPNG_IO_EOF ("end of stream"); SPNG_EOF is the same
  // condition detected between chunks.
  if (code == SPNG_IO_EOF || code == SPNG_EOF) {
    return MakeError(ErrorCode::kTruncatedImage, "PNG data ends before the image does (truncated)");
  }
  return MakeError(ErrorCode::kCorruptImage,
                   std::string("corrupt PNG data (") + what + "): " + spng_strerror(code));
}

Result<SpngPtr> OpenPng(std::span<const uint8_t> bytes) {
  SpngPtr ctx(spng_ctx_new(0));
  if (!ctx) {
    return MakeError(ErrorCode::kInternal, "cannot allocate a PNG decoder");
  }
  spng_set_image_limits(ctx.get(), kMaxSide, kMaxSide);
  spng_set_chunk_limits(ctx.get(), bytes.size(), kMaxCachedChunkBytes);
  if (int rc = spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size()); rc != 0) {
    return SpngError(rc, "buffer");
  }
  return ctx;
}

int Orientation(spng_ctx* ctx) {
  spng_exif exif{};
  if (spng_get_exif(ctx, &exif) != 0 || exif.data == nullptr) {
    return 1;
  }
  std::span<const uint8_t> tiff(reinterpret_cast<const uint8_t*>(exif.data), exif.length);
  // The PNG spec says eXIf holds bare TIFF, but some writers keep JPEG's "Exif\0\0" prefix.
  if (tiff.size() >= 6 && std::memcmp(tiff.data(), "Exif\0\0", 6) == 0) {
    tiff = tiff.subspan(6);
  }
  return ParseExifOrientation(tiff);
}

Result<Header> ParseHeader(spng_ctx* ctx, bool* has_trns) {
  spng_ihdr ihdr{};
  if (int rc = spng_get_ihdr(ctx, &ihdr); rc != 0) {
    return SpngError(rc, "header");
  }
  spng_trns trns{};
  // Reads the chunks before the first IDAT, never image data.
  *has_trns = spng_get_trns(ctx, &trns) == 0;
  Header header;
  header.format = Format::kPng;
  header.width = ihdr.width;
  header.height = ihdr.height;
  header.bit_depth = ihdr.bit_depth;
  switch (ihdr.color_type) {
    case SPNG_COLOR_TYPE_GRAYSCALE:
      header.channels = 1;
      break;
    case SPNG_COLOR_TYPE_GRAYSCALE_ALPHA:
      header.channels = 2;
      break;
    case SPNG_COLOR_TYPE_TRUECOLOR:
    case SPNG_COLOR_TYPE_INDEXED:
      header.channels = 3;
      break;
    default:
      header.channels = 4;
      break;
  }
  header.has_alpha = header.channels == 2 || header.channels == 4 || *has_trns;
  header.orientation = Orientation(ctx);
  return header;
}

// The libspng output format for each input, and how many 8-bit channels we end up with.
struct OutputPlan {
  int format = SPNG_FMT_PNG;
  int flags = 0;
  int channels = 0;
  bool sixteen_bit = false;  // format yields host-endian 16-bit samples to scale down
};

OutputPlan PlanOutput(const spng_ihdr& ihdr, bool has_trns) {
  const bool deep = ihdr.bit_depth == 16;
  const int trns_flag = has_trns ? SPNG_DECODE_TRNS : 0;
  switch (ihdr.color_type) {
    case SPNG_COLOR_TYPE_GRAYSCALE:
      if (has_trns) {
        return {deep ? SPNG_FMT_GA16 : SPNG_FMT_GA8, trns_flag, 2, deep};
      }
      // G8 expands 1/2/4-bit gray to the full 0..255 range.
      return {deep ? SPNG_FMT_PNG : SPNG_FMT_G8, 0, 1, deep};
    case SPNG_COLOR_TYPE_GRAYSCALE_ALPHA:
      return {SPNG_FMT_PNG, 0, 2, deep};
    case SPNG_COLOR_TYPE_TRUECOLOR:
      if (has_trns) {
        return {deep ? SPNG_FMT_RGBA16 : SPNG_FMT_RGBA8, trns_flag, 4, deep};
      }
      return {deep ? SPNG_FMT_PNG : SPNG_FMT_RGB8, 0, 3, deep};
    case SPNG_COLOR_TYPE_INDEXED:
      return {has_trns ? SPNG_FMT_RGBA8 : SPNG_FMT_RGB8, trns_flag, has_trns ? 4 : 3, false};
    default:
      return {deep ? SPNG_FMT_PNG : SPNG_FMT_RGBA8, 0, 4, deep};
  }
}

// v * 255 / 65535, rounded: scaling keeps a mid-gray mid-gray (clipping would turn it white).
inline uint8_t To8Bit(uint16_t v) { return static_cast<uint8_t>((v * 255u + 32767u) / 65535u); }

void ScaleSamples(const uint16_t* in, uint8_t* out, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    out[i] = To8Bit(in[i]);
  }
}

Status Decode16(spng_ctx* ctx, const spng_ihdr& ihdr, const OutputPlan& plan, Image* image) {
  const size_t samples = image->stride();
  if (ihdr.interlace_method == SPNG_INTERLACE_NONE) {
    // One 16-bit row at a time: no full-size 16-bit copy of the image.
    std::vector<uint16_t> row(samples);
    if (int rc =
            spng_decode_image(ctx, nullptr, 0, plan.format, plan.flags | SPNG_DECODE_PROGRESSIVE);
        rc != 0) {
      return SpngError(rc, "image");
    }
    int rc = 0;
    do {
      spng_row_info info{};
      if (rc = spng_get_row_info(ctx, &info); rc != 0) {
        break;
      }
      rc = spng_decode_row(ctx, row.data(), samples * 2);
      if (rc != 0 && rc != SPNG_EOI) {
        break;
      }
      if (info.row_num < image->height) {
        ScaleSamples(row.data(), image->row(info.row_num), samples);
      }
    } while (rc == 0);
    if (rc != SPNG_EOI) {
      return SpngError(rc, "image rows");
    }
    return OkStatus();
  }
  // Adam7 passes land all over the image, so a full 16-bit image is needed here (rare input).
  std::vector<uint16_t> full(samples * image->height);
  if (int rc = spng_decode_image(ctx, full.data(), full.size() * 2, plan.format, plan.flags);
      rc != 0) {
    return SpngError(rc, "image");
  }
  ScaleSamples(full.data(), image->pixels.data(), full.size());
  return OkStatus();
}

}  // namespace

Result<Header> ReadPngHeader(std::span<const uint8_t> bytes) {
  auto ctx = OpenPng(bytes);
  if (!ctx) {
    return ctx.error();
  }
  bool has_trns = false;
  return ParseHeader(ctx->get(), &has_trns);
}

Result<Image> DecodePng(std::span<const uint8_t> bytes, const DecodeRequest& request) {
  if (auto status = CheckInputBytes(bytes.size(), request.limits); !status) {
    return status.error();
  }
  auto ctx = OpenPng(bytes);
  if (!ctx) {
    return ctx.error();
  }
  bool has_trns = false;
  auto header = ParseHeader(ctx->get(), &has_trns);
  if (!header) {
    return header.error();
  }
  if (auto status = CheckHeader(*header, request.limits); !status) {
    return status.error();
  }

  spng_ihdr ihdr{};
  if (int rc = spng_get_ihdr(ctx->get(), &ihdr); rc != 0) {
    return SpngError(rc, "header");
  }
  const OutputPlan plan = PlanOutput(ihdr, has_trns);
  Image image;
  image.width = ihdr.width;
  image.height = ihdr.height;
  image.channels = plan.channels;

  size_t expected = 0;
  if (int rc = spng_decoded_image_size(ctx->get(), plan.format, &expected); rc != 0) {
    return SpngError(rc, "size");
  }
  const size_t bytes_per_sample = plan.sixteen_bit ? 2 : 1;
  if (expected != image.stride() * image.height * bytes_per_sample) {
    return MakeError(ErrorCode::kInternal, "libspng output size disagrees with the PNG header");
  }
  image.pixels.resize(image.stride() * image.height);
  if (plan.sixteen_bit) {
    if (auto status = Decode16(ctx->get(), ihdr, plan, &image); !status) {
      return status.error();
    }
    return image;
  }
  if (int rc = spng_decode_image(ctx->get(), image.pixels.data(), image.pixels.size(), plan.format,
                                 plan.flags);
      rc != 0) {
    return SpngError(rc, "image");
  }
  return image;
}

}  // namespace imgpipe::core
