// WebP through libwebp + libwebpdemux: lossy, lossless, alpha, EXIF orientation, libwebp's own
// scaled decode for shrink on load, and the first frame of an animation on its canvas.
#include <webp/decode.h>
#include <webp/demux.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "decode.h"
#include "exif.h"
#include "limits.h"

namespace imgpipe::core {
namespace {

struct DemuxDelete {
  void operator()(WebPDemuxer* demux) const { WebPDemuxDelete(demux); }
};
using DemuxPtr = std::unique_ptr<WebPDemuxer, DemuxDelete>;

// The first frame, released with its demuxer.
struct FirstFrame {
  WebPIterator iter{};
  FirstFrame() = default;
  FirstFrame(const FirstFrame&) = delete;
  FirstFrame& operator=(const FirstFrame&) = delete;
  ~FirstFrame() { WebPDemuxReleaseIterator(&iter); }
};

Error Truncated() {
  return MakeError(ErrorCode::kTruncatedImage, "WebP data ends before the image does (truncated)");
}

// True when the input holds every byte the RIFF header promises; a demuxer that still wants
// more is then looking at garbage, not at a short file.
bool HoldsWholeRiff(std::span<const uint8_t> bytes) {
  if (bytes.size() < 12) {
    return false;
  }
  const uint64_t riff_size =
      bytes[4] | bytes[5] << 8 | bytes[6] << 16 | static_cast<uint64_t>(bytes[7]) << 24;
  return bytes.size() >= riff_size + 8;
}

// Parses the RIFF container only (chunk headers, no pixel data).
Result<DemuxPtr> OpenWebp(std::span<const uint8_t> bytes) {
  WebPData data{bytes.data(), bytes.size()};
  WebPDemuxState state = WEBP_DEMUX_PARSE_ERROR;
  DemuxPtr demux(WebPDemuxPartial(&data, &state));
  if (demux && state == WEBP_DEMUX_DONE) {
    return demux;
  }
  if (state != WEBP_DEMUX_PARSE_ERROR && !HoldsWholeRiff(bytes)) {
    return Truncated();
  }
  return MakeError(ErrorCode::kCorruptImage, "corrupt WebP data: invalid RIFF/WebP structure");
}

int Orientation(const WebPDemuxer* demux) {
  WebPChunkIterator chunk{};
  int orientation = 1;
  if (WebPDemuxGetChunk(demux, "EXIF", 1, &chunk)) {
    std::span<const uint8_t> tiff(chunk.chunk.bytes, chunk.chunk.size);
    // Some writers keep JPEG's "Exif\0\0" prefix in the chunk; the spec says bare TIFF.
    if (tiff.size() >= 6 && std::memcmp(tiff.data(), "Exif\0\0", 6) == 0) {
      tiff = tiff.subspan(6);
    }
    orientation = ParseExifOrientation(tiff);
  }
  WebPDemuxReleaseChunkIterator(&chunk);
  return orientation;
}

Result<Header> ParseHeader(const WebPDemuxer* demux, FirstFrame* frame) {
  if (!WebPDemuxGetFrame(demux, 1, &frame->iter)) {
    return MakeError(ErrorCode::kCorruptImage, "corrupt WebP data: no image frame");
  }
  const uint32_t flags = WebPDemuxGetI(demux, WEBP_FF_FORMAT_FLAGS);
  Header header;
  header.format = Format::kWebp;
  header.width = WebPDemuxGetI(demux, WEBP_FF_CANVAS_WIDTH);
  header.height = WebPDemuxGetI(demux, WEBP_FF_CANVAS_HEIGHT);
  header.bit_depth = 8;
  header.has_alpha = (flags & ALPHA_FLAG) != 0 || frame->iter.has_alpha;
  header.channels = header.has_alpha ? 4 : 3;
  header.animated = WebPDemuxGetI(demux, WEBP_FF_FRAME_COUNT) > 1;
  header.orientation = Orientation(demux);
  return header;
}

// The smallest size keeping the aspect ratio that is still >= min on both axes.
void ScaledSize(uint32_t width, uint32_t height, const DecodeRequest& request, int* out_width,
                int* out_height) {
  *out_width = static_cast<int>(width);
  *out_height = static_cast<int>(height);
  if (request.min_width == 0 || request.min_height == 0) {
    return;
  }
  if (request.min_width >= width || request.min_height >= height) {
    return;
  }
  const uint64_t w = width, h = height, mw = request.min_width, mh = request.min_height;
  if (mw * h >= mh * w) {  // width is the binding side
    *out_width = static_cast<int>(mw);
    *out_height = static_cast<int>(std::min<uint64_t>(h, (h * mw + w - 1) / w));
  } else {
    *out_height = static_cast<int>(mh);
    *out_width = static_cast<int>(std::min<uint64_t>(w, (w * mh + h - 1) / h));
  }
}

Error DecodeError(VP8StatusCode status) {
  if (status == VP8_STATUS_NOT_ENOUGH_DATA) {
    return Truncated();
  }
  if (status == VP8_STATUS_UNSUPPORTED_FEATURE) {
    return MakeError(ErrorCode::kUnsupportedFormat, "WebP uses a feature libwebp cannot decode");
  }
  return MakeError(ErrorCode::kCorruptImage,
                   "corrupt WebP data (libwebp status " + std::to_string(status) + ")");
}

// Decodes the frame's bitstream into `out` (already sized), optionally scaled.
Status DecodeFrame(const WebPIterator& iter, WEBP_CSP_MODE mode, uint8_t* out, int stride,
                   size_t size, int scaled_width, int scaled_height) {
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) {
    return MakeError(ErrorCode::kInternal, "libwebp version mismatch");
  }
  if (scaled_width != iter.width || scaled_height != iter.height) {
    config.options.use_scaling = 1;
    config.options.scaled_width = scaled_width;
    config.options.scaled_height = scaled_height;
  }
  config.output.colorspace = mode;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = out;
  config.output.u.RGBA.stride = stride;
  config.output.u.RGBA.size = size;
  const VP8StatusCode status = WebPDecode(iter.fragment.bytes, iter.fragment.size, &config);
  WebPFreeDecBuffer(&config.output);
  if (status != VP8_STATUS_OK) {
    return DecodeError(status);
  }
  return OkStatus();
}

// The common case (every still image): the frame is the canvas, decoded straight into the
// output and shrunk on load.
Result<Image> DecodeCanvas(const WebPIterator& iter, const Header& header,
                           const DecodeRequest& request) {
  int width = 0, height = 0;
  ScaledSize(header.width, header.height, request, &width, &height);
  Image image;
  image.width = static_cast<uint32_t>(width);
  image.height = static_cast<uint32_t>(height);
  image.channels = header.has_alpha ? 4 : 3;
  image.pixels.resize(image.stride() * image.height);
  if (auto status =
          DecodeFrame(iter, header.has_alpha ? MODE_RGBA : MODE_RGB, image.pixels.data(),
                      static_cast<int>(image.stride()), image.pixels.size(), width, height);
      !status) {
    return status.error();
  }
  return image;
}

// A first frame smaller than the canvas: composited onto a transparent canvas, which for the
// first frame is just placing it (blending over nothing keeps the frame's pixels).
Result<Image> DecodeOntoCanvas(const WebPIterator& iter, const Header& header) {
  Image image;
  image.width = header.width;
  image.height = header.height;
  image.channels = 4;
  image.pixels.assign(image.stride() * image.height, 0);
  const size_t offset =
      static_cast<size_t>(iter.y_offset) * image.stride() + static_cast<size_t>(iter.x_offset) * 4;
  if (auto status = DecodeFrame(iter, MODE_RGBA, image.pixels.data() + offset,
                                static_cast<int>(image.stride()), image.pixels.size() - offset,
                                iter.width, iter.height);
      !status) {
    return status.error();
  }
  return image;
}

}  // namespace

Result<Header> ReadWebpHeader(std::span<const uint8_t> bytes) {
  auto demux = OpenWebp(bytes);
  if (!demux) {
    return demux.error();
  }
  FirstFrame frame;
  return ParseHeader(demux->get(), &frame);
}

Result<Image> DecodeWebp(std::span<const uint8_t> bytes, const DecodeRequest& request) {
  if (auto status = CheckInputBytes(bytes.size(), request.limits); !status) {
    return status.error();
  }
  auto demux = OpenWebp(bytes);
  if (!demux) {
    return demux.error();
  }
  FirstFrame frame;
  auto header = ParseHeader(demux->get(), &frame);
  if (!header) {
    return header.error();
  }
  if (auto status = CheckHeader(*header, request.limits); !status) {
    return status.error();
  }
  const WebPIterator& iter = frame.iter;
  if (!iter.complete) {
    return Truncated();
  }
  if (iter.width <= 0 || iter.height <= 0 || iter.x_offset < 0 || iter.y_offset < 0 ||
      static_cast<uint64_t>(iter.x_offset) + static_cast<uint64_t>(iter.width) > header->width ||
      static_cast<uint64_t>(iter.y_offset) + static_cast<uint64_t>(iter.height) > header->height) {
    return MakeError(ErrorCode::kCorruptImage, "corrupt WebP data: frame outside the canvas");
  }

  const bool covers_canvas = static_cast<uint32_t>(iter.width) == header->width &&
                             static_cast<uint32_t>(iter.height) == header->height;
  return covers_canvas ? DecodeCanvas(iter, *header, request) : DecodeOntoCanvas(iter, *header);
}

}  // namespace imgpipe::core
