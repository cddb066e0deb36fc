// PNG through libspng: every bit depth and colour type, tRNS, Adam7, eXIf orientation.
// Rows come from libspng's progressive API one at a time (16-bit scaled to 8 bits per row), so a
// non-interlaced PNG can stream into the resampler without ever holding its image
// (DecodePngRows), and every decode stops at the deadline between rows.
#include <spng.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "decode.h"
#include "exif.h"
#include "imgpipe/byte_source.h"
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

// libspng's read callback for an input whose head is in memory and whose rest comes from a
// ByteSource: each call must fill exactly `length` bytes. A failed read or more bytes than the
// limit is kept in `failure` (libspng only hears SPNG_IO_ERROR) and becomes the decode's error.
struct PngStream {
  std::span<const uint8_t> head;
  ByteSource* rest = nullptr;
  uint64_t max_bytes = 0;
  uint64_t total = 0;  // bytes handed to libspng
  std::optional<Error> failure = {};

  static int Read(spng_ctx* /*ctx*/, void* user, void* dst, size_t length) {
    auto* self = static_cast<PngStream*>(user);
    auto* out = static_cast<uint8_t*>(dst);
    const size_t from_head = std::min(
        length, self->head.size() -
                    static_cast<size_t>(std::min<uint64_t>(self->total, self->head.size())));
    if (from_head > 0) {
      std::memcpy(out, self->head.data() + self->total, from_head);
    }
    size_t filled = from_head;
    while (filled < length) {
      auto got = self->rest->Read(std::span(out + filled, length - filled));
      if (!got.ok()) {
        self->failure = got.error();
        return SPNG_IO_ERROR;
      }
      if (*got == 0) {
        return SPNG_IO_EOF;
      }
      filled += *got;
    }
    self->total += length;
    if (self->total > self->max_bytes) {
      self->failure = StreamOverByteLimit(self->max_bytes);
      return SPNG_IO_ERROR;
    }
    return 0;
  }
};

// The whole input in memory (`stream` null), or `stream`'s head and rest.
Result<SpngPtr> OpenPng(std::span<const uint8_t> bytes, PngStream* stream = nullptr) {
  SpngPtr ctx(spng_ctx_new(0));
  if (!ctx) {
    return MakeError(ErrorCode::kInternal, "cannot allocate a PNG decoder");
  }
  spng_set_image_limits(ctx.get(), kMaxSide, kMaxSide);
  // libspng bounds an inflated iCCP or zTXt by the chunk size limit too, so a limit of the file's
  // own size refused a small icon carrying a 17 KB profile (deflated to 7 KB) as corrupt; the
  // cache limit is what bounds a zlib bomb.
  const uint64_t chunk_limit = std::max<uint64_t>(
      stream != nullptr ? stream->max_bytes : bytes.size(), kMaxCachedChunkBytes);
  spng_set_chunk_limits(ctx.get(), static_cast<size_t>(std::min<uint64_t>(chunk_limit, 0x7FFFFFFF)),
                        kMaxCachedChunkBytes);
  const int rc = stream != nullptr ? spng_set_png_stream(ctx.get(), PngStream::Read, stream)
                                   : spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size());
  if (rc != 0) {
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

// Adam7's seven passes: pass p holds the columns start[p], start[p] + delta[p], ...
constexpr uint32_t kAdam7XStart[7] = {0, 4, 0, 2, 0, 1, 0};
constexpr uint32_t kAdam7XDelta[7] = {8, 8, 4, 4, 2, 2, 1};

// An open PNG ready for progressive decoding: the header checked against the limits and
// libspng set up to hand out rows one at a time (spng_decode_row).
struct PngDecoder {
  SpngPtr ctx;
  spng_ihdr ihdr{};
  OutputPlan plan;
  size_t row_bytes = 0;  // one decoded row in libspng's output format
  bool interlaced() const { return ihdr.interlace_method != SPNG_INTERLACE_NONE; }
};

Result<PngDecoder> StartDecoder(std::span<const uint8_t> bytes, const DecodeRequest& request,
                                PngStream* stream = nullptr) {
  if (auto status = CheckInputBytes(bytes.size(), request.limits); !status) {
    return status.error();
  }
  auto ctx = OpenPng(bytes, stream);
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
  PngDecoder decoder;
  decoder.ctx = std::move(ctx).value();
  if (int rc = spng_get_ihdr(decoder.ctx.get(), &decoder.ihdr); rc != 0) {
    return SpngError(rc, "header");
  }
  if (decoder.interlaced()) {
    if (auto status = CheckInterlacedPng(header->width, header->height, request.limits); !status) {
      return status.error();
    }
  }
  decoder.plan = PlanOutput(decoder.ihdr, has_trns);
  const size_t bytes_per_sample = decoder.plan.sixteen_bit ? 2 : 1;
  decoder.row_bytes = static_cast<size_t>(header->width) * decoder.plan.channels * bytes_per_sample;
  size_t expected = 0;
  if (int rc = spng_decoded_image_size(decoder.ctx.get(), decoder.plan.format, &expected);
      rc != 0) {
    return SpngError(rc, "size");
  }
  if (expected != decoder.row_bytes * header->height) {
    return MakeError(ErrorCode::kInternal, "libspng output size disagrees with the PNG header");
  }
  if (int rc = spng_decode_image(decoder.ctx.get(), nullptr, 0, decoder.plan.format,
                                 decoder.plan.flags | SPNG_DECODE_PROGRESSIVE);
      rc != 0) {
    return SpngError(rc, "image");
  }
  return decoder;
}

// Decodes every row (of every pass, for Adam7) in file order. `row(info, decoded)` gets each one
// in libspng's output format; for an interlaced row only the pass's columns are valid. The
// deadline is checked before each row.
template <typename RowFn>
Status DecodeRows(PngDecoder& decoder, const Deadline& deadline, RowFn row) {
  std::vector<uint8_t> decoded(decoder.row_bytes);
  int rc = 0;
  do {
    if (auto status = CheckDeadline(deadline, "PNG decode"); !status) {
      return status;
    }
    spng_row_info info{};
    if (rc = spng_get_row_info(decoder.ctx.get(), &info); rc != 0) {
      break;
    }
    rc = spng_decode_row(decoder.ctx.get(), decoded.data(), decoded.size());
    if (rc != 0 && rc != SPNG_EOI) {
      break;
    }
    row(info, decoded.data());
  } while (rc == 0);
  if (rc != SPNG_EOI) {
    return SpngError(rc, "image rows");
  }
  return OkStatus();
}

// One decoded row as 8-bit samples: 8-bit rows as they are, 16-bit ones scaled into `scratch`.
const uint8_t* EightBitRow(const PngDecoder& decoder, const uint8_t* decoded,
                           std::vector<uint8_t>& scratch) {
  if (!decoder.plan.sixteen_bit) {
    return decoded;
  }
  scratch.resize(decoder.row_bytes / 2);
  ScaleSamples(reinterpret_cast<const uint16_t*>(decoded), scratch.data(), scratch.size());
  return scratch.data();
}

// Copies the columns of Adam7 pass `pass` from a decoded row into the image row.
void CopyPassColumns(const uint8_t* row, int pass, uint32_t width, int channels, uint8_t* out) {
  const size_t c = static_cast<size_t>(channels);
  for (uint32_t x = kAdam7XStart[pass]; x < width; x += kAdam7XDelta[pass]) {
    std::memcpy(out + x * c, row + x * c, c);
  }
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

namespace {

// The whole image from an open decoder (Adam7 or not).
Result<Image> DecodeWhole(PngDecoder& decoder, const DecodeRequest& request) {
  Image image;
  image.width = decoder.ihdr.width;
  image.height = decoder.ihdr.height;
  image.channels = decoder.plan.channels;
  image.pixels.resize(image.stride() * image.height);
  std::vector<uint8_t> scratch;
  auto status =
      DecodeRows(decoder, request.deadline, [&](const spng_row_info& info, const uint8_t* decoded) {
        const uint8_t* row = EightBitRow(decoder, decoded, scratch);
        if (info.row_num >= image.height) {
          return;
        }
        if (decoder.interlaced()) {
          CopyPassColumns(row, info.pass, image.width, image.channels, image.row(info.row_num));
        } else {
          std::memcpy(image.row(info.row_num), row, image.stride());
        }
      });
  if (!status) {
    return status.error();
  }
  return image;
}

// The rows of a non-interlaced PNG from an open decoder into `sink`.
Status StreamRows(PngDecoder& decoder, const DecodeRequest& request, RowSink& sink) {
  if (auto status = sink.Start(decoder.ihdr.width, decoder.ihdr.height, decoder.plan.channels);
      !status) {
    return status;
  }
  std::vector<uint8_t> scratch;
  return DecodeRows(decoder, request.deadline, [&](const spng_row_info&, const uint8_t* decoded) {
    sink.Row(EightBitRow(decoder, decoded, scratch));
  });
}

// A stream's own failure (a broken download, the byte limit) explains libspng's error best.
Error StreamError(const PngStream& stream, const Error& error) {
  return stream.failure ? *stream.failure : error;
}

}  // namespace

Result<Image> DecodePng(std::span<const uint8_t> bytes, const DecodeRequest& request) {
  auto decoder = StartDecoder(bytes, request);
  if (!decoder) {
    return decoder.error();
  }
  return DecodeWhole(*decoder, request);
}

Result<bool> DecodePngRows(std::span<const uint8_t> bytes, const DecodeRequest& request,
                           RowSink& sink) {
  auto decoder = StartDecoder(bytes, request);
  if (!decoder) {
    return decoder.error();
  }
  if (decoder->interlaced()) {
    return false;  // Adam7 rows are not final until the last pass: DecodePng holds the image
  }
  if (auto status = StreamRows(*decoder, request, sink); !status) {
    return status.error();
  }
  return true;
}

Result<Image> DecodePngStream(std::span<const uint8_t> head, ByteSource& rest,
                              const DecodeRequest& request) {
  PngStream stream{head, &rest, request.limits.max_input_bytes, 0, {}};
  auto decoder = StartDecoder(head, request, &stream);
  if (!decoder) {
    return StreamError(stream, decoder.error());
  }
  auto image = DecodeWhole(*decoder, request);
  if (!image) {
    return StreamError(stream, image.error());
  }
  return image;
}

Status DecodePngRowsStream(std::span<const uint8_t> head, ByteSource& rest,
                           const DecodeRequest& request, RowSink& sink) {
  PngStream stream{head, &rest, request.limits.max_input_bytes, 0, {}};
  auto decoder = StartDecoder(head, request, &stream);
  if (!decoder) {
    return StreamError(stream, decoder.error());
  }
  if (!decoder->interlaced()) {
    if (auto status = StreamRows(*decoder, request, sink); !status) {
      return StreamError(stream, status.error());
    }
    return OkStatus();
  }
  // Adam7 from the same decoder (the stream cannot be read twice): the whole image under
  // max_interlaced_pixels (checked in StartDecoder), then its rows.
  auto image = DecodeWhole(*decoder, request);
  if (!image) {
    return StreamError(stream, image.error());
  }
  if (auto status = sink.Start(image->width, image->height, image->channels); !status) {
    return status;
  }
  for (uint32_t y = 0; y < image->height; ++y) {
    sink.Row(image->row(y));
  }
  return OkStatus();
}

}  // namespace imgpipe::core
