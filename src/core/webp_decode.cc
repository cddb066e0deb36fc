// WebP through libwebp + libwebpdemux: lossy, lossless, alpha, EXIF orientation, libwebp's own
// scaled decode for shrink on load, and the first frame of an animation on its canvas.
#include <webp/decode.h>
#include <webp/demux.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>

#include "canvas.h"
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

// Input handed to libwebp's incremental decoder per step. Between steps the deadline is
// checked; 64 KiB of compressed data decodes in well under a millisecond to a few ms.
constexpr size_t kIncrementalStep = size_t{64} * 1024;

struct IdecDelete {
  void operator()(WebPIDecoder* idec) const { WebPIDelete(idec); }
};

// Decodes the frame's bitstream into `out` (already sized), optionally scaled by libwebp's own
// rescaler; with a deadline, through the incremental decoder so that a long decode stops at it. The
// decoder keeps only its working rows (lossy) and never an unscaled copy of the frame.
Status DecodeFrame(const WebPIterator& iter, WEBP_CSP_MODE mode, uint8_t* out, int stride,
                   size_t size, int scaled_width, int scaled_height, const Deadline& deadline) {
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
  if (!deadline) {
    // Nothing to stop for: the one-shot decoder skips the incremental one's per-row state saves
    // (measured about 15% of a 16 MP lossy decode).
    const VP8StatusCode status = WebPDecode(iter.fragment.bytes, iter.fragment.size, &config);
    return status == VP8_STATUS_OK ? OkStatus() : Status(DecodeError(status));
  }
  std::unique_ptr<WebPIDecoder, IdecDelete> idec(WebPIDecode(nullptr, 0, &config));
  if (!idec) {
    return MakeError(ErrorCode::kCorruptImage, "corrupt WebP data: cannot start the decoder");
  }
  VP8StatusCode status = VP8_STATUS_SUSPENDED;
  for (size_t fed = 0; status == VP8_STATUS_SUSPENDED && fed < iter.fragment.size;) {
    if (auto in_time = CheckDeadline(deadline, "WebP decode"); !in_time) {
      return in_time;
    }
    fed = std::min(iter.fragment.size, fed + kIncrementalStep);
    status = WebPIUpdate(idec.get(), iter.fragment.bytes, fed);
  }
  if (status == VP8_STATUS_SUSPENDED) {
    // The demuxer found the frame's chunk complete (DecodeWebp checks), so a bitstream that
    // still wants more claims data its own chunk does not hold.
    return MakeError(ErrorCode::kCorruptImage,
                     "corrupt WebP data: the bitstream claims more data than its chunk holds");
  }
  if (status != VP8_STATUS_OK) {
    return DecodeError(status);
  }
  return OkStatus();
}

// The common case (every still image): the frame is the canvas, decoded straight into the
// output and shrunk on load.
Result<Image> DecodeCanvas(const WebPIterator& iter, const Header& header,
                           const DecodeRequest& request) {
  Image image;
  ScaledSize(header.width, header.height, request, &image.width, &image.height);
  image.channels = header.has_alpha ? 4 : 3;
  image.pixels.resize(image.stride() * image.height);
  if (auto status = DecodeFrame(iter, header.has_alpha ? MODE_RGBA : MODE_RGB, image.pixels.data(),
                                static_cast<int>(image.stride()), image.pixels.size(),
                                static_cast<int>(image.width), static_cast<int>(image.height),
                                request.deadline);
      !status) {
    return status.error();
  }
  return image;
}

// A first frame smaller than the canvas: composited onto a transparent canvas, which for the
// first frame is just placing it (blending over nothing keeps the frame's pixels). The canvas
// is shrunk on load like a still image and the frame is decoded by libwebp's scaler straight
// into its share of it (canvas.h), so a tiny frame on a 9999x9999 canvas never costs the canvas.
Result<Image> DecodeOntoCanvas(const WebPIterator& iter, const Header& header,
                               const DecodeRequest& request) {
  const FramePlacement placement =
      PlaceFrame(header.width, header.height, static_cast<uint32_t>(iter.x_offset),
                 static_cast<uint32_t>(iter.y_offset), static_cast<uint32_t>(iter.width),
                 static_cast<uint32_t>(iter.height), request);
  Image image;
  image.width = placement.canvas_width;
  image.height = placement.canvas_height;
  image.channels = 4;
  image.pixels.assign(image.stride() * image.height, 0);
  const size_t offset =
      static_cast<size_t>(placement.y) * image.stride() + static_cast<size_t>(placement.x) * 4;
  if (auto status = DecodeFrame(iter, MODE_RGBA, image.pixels.data() + offset,
                                static_cast<int>(image.stride()), image.pixels.size() - offset,
                                static_cast<int>(placement.width),
                                static_cast<int>(placement.height), request.deadline);
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
  return covers_canvas ? DecodeCanvas(iter, *header, request)
                       : DecodeOntoCanvas(iter, *header, request);
}

}  // namespace imgpipe::core
