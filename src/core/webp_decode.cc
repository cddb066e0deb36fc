// WebP through libwebp + libwebpdemux: lossy, lossless, alpha, EXIF orientation, libwebp's own
// scaled decode for shrink on load, and the first frame of an animation on its canvas.
#include <webp/decode.h>
#include <webp/demux.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "byte_order.h"
#include "canvas.h"
#include "decode.h"
#include "exif.h"
#include "input_head.h"
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
  const uint64_t riff_size = LittleEndian32(bytes, 4);
  return bytes.size() >= riff_size + 8;
}

// The container parsed (chunk headers, no pixel data). `whole` is false for a file that ends
// inside its first frame's data, which only ReadWebpHeader accepts: a streamed head
// (ReadInputHead) stops just past the frame header, and the decoder then judges the rest.
struct OpenedWebp {
  DemuxPtr demux;
  bool whole = false;
};

Result<OpenedWebp> OpenWebp(std::span<const uint8_t> bytes, bool allow_partial) {
  WebPData data{bytes.data(), bytes.size()};
  WebPDemuxState state = WEBP_DEMUX_PARSE_ERROR;
  DemuxPtr demux(WebPDemuxPartial(&data, &state));
  if (demux && state == WEBP_DEMUX_DONE) {
    return OpenedWebp{std::move(demux), true};
  }
  if (demux && allow_partial && state == WEBP_DEMUX_PARSED_HEADER) {
    return OpenedWebp{std::move(demux), false};
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

Result<Header> ParseHeader(const OpenedWebp& opened, FirstFrame* frame) {
  const WebPDemuxer* demux = opened.demux.get();
  if (!WebPDemuxGetFrame(demux, 1, &frame->iter)) {
    return opened.whole ? MakeError(ErrorCode::kCorruptImage, "corrupt WebP data: no image frame")
                        : Truncated();
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

Error ClaimsMoreThanItsChunk() {
  return MakeError(ErrorCode::kCorruptImage,
                   "corrupt WebP data: the bitstream claims more data than its chunk holds");
}

// Input handed to libwebp's incremental decoder per step. Between steps the deadline is
// checked; 64 KiB of compressed data decodes in well under a millisecond to a few ms.
constexpr size_t kIncrementalStep = size_t{64} * 1024;

struct IdecDelete {
  void operator()(WebPIDecoder* idec) const { WebPIDelete(idec); }
};

// libwebp's settings for decoding a frame of `width` x `height` into `out` (already sized),
// scaled by libwebp's own rescaler when the scaled size differs.
Result<WebPDecoderConfig> OutputConfig(WEBP_CSP_MODE mode, uint8_t* out, int stride, size_t size,
                                       int width, int height, int scaled_width, int scaled_height) {
  WebPDecoderConfig config;
  if (!WebPInitDecoderConfig(&config)) {
    return MakeError(ErrorCode::kInternal, "libwebp version mismatch");
  }
  if (scaled_width != width || scaled_height != height) {
    config.options.use_scaling = 1;
    config.options.scaled_width = scaled_width;
    config.options.scaled_height = scaled_height;
  }
  config.output.colorspace = mode;
  config.output.is_external_memory = 1;
  config.output.u.RGBA.rgba = out;
  config.output.u.RGBA.stride = stride;
  config.output.u.RGBA.size = size;
  return config;
}

// Decodes the frame's bitstream into `out` (already sized), optionally scaled by libwebp's own
// rescaler; with a deadline, through the incremental decoder so that a long decode stops at it. The
// decoder keeps only its working rows (lossy) and never an unscaled copy of the frame.
Status DecodeFrame(const WebPIterator& iter, WEBP_CSP_MODE mode, uint8_t* out, int stride,
                   size_t size, int scaled_width, int scaled_height, const Deadline& deadline) {
  auto made =
      OutputConfig(mode, out, stride, size, iter.width, iter.height, scaled_width, scaled_height);
  if (!made) {
    return made.error();
  }
  WebPDecoderConfig& config = *made;
  if (!deadline) {
    // Nothing to stop for: the one-shot decoder skips the incremental one's per-row state saves
    // (measured about 15% of a 16 MP lossy decode).
    const VP8StatusCode status = WebPDecode(iter.fragment.bytes, iter.fragment.size, &config);
    if (status == VP8_STATUS_NOT_ENOUGH_DATA) {
      return ClaimsMoreThanItsChunk();  // the demuxer found the chunk complete (DecodeWebp checks)
    }
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
    return ClaimsMoreThanItsChunk();
  }
  if (status != VP8_STATUS_OK) {
    return DecodeError(status);
  }
  return OkStatus();
}

// A lossless frame, or a lossy one with alpha, makes libwebp allocate full-size planes whatever
// the output scale: those come under max_lossless_webp_pixels, checked before decoding. A
// bitstream whose features cannot be read is left for the decoder to report.
Status CheckFullSizePlanes(const WebPIterator& iter, const Limits& limits) {
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(iter.fragment.bytes, iter.fragment.size, &features) != VP8_STATUS_OK) {
    return OkStatus();
  }
  constexpr int kLossless = 2;  // WebPBitstreamFeatures::format: 0 mixed, 1 lossy, 2 lossless
  if (features.format != kLossless && !features.has_alpha) {
    return OkStatus();
  }
  return CheckLosslessWebp(
      static_cast<uint32_t>(iter.width), static_cast<uint32_t>(iter.height),
      features.format == kLossless ? WebpPlane::kLosslessFrame : WebpPlane::kLossyAlpha, limits);
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
  auto opened = OpenWebp(bytes, /*allow_partial=*/true);
  if (!opened) {
    return opened.error();
  }
  FirstFrame frame;
  return ParseHeader(*opened, &frame);
}

Result<Image> DecodeWebp(std::span<const uint8_t> bytes, const DecodeRequest& request) {
  if (auto status = CheckInputBytes(bytes.size(), request.limits); !status) {
    return status.error();
  }
  auto opened = OpenWebp(bytes, /*allow_partial=*/false);
  if (!opened) {
    return opened.error();
  }
  FirstFrame frame;
  auto header = ParseHeader(*opened, &frame);
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

  if (auto status = CheckFullSizePlanes(iter, request.limits); !status) {
    return status.error();
  }

  const bool covers_canvas = static_cast<uint32_t>(iter.width) == header->width &&
                             static_cast<uint32_t>(iter.height) == header->height;
  return covers_canvas ? DecodeCanvas(iter, *header, request)
                       : DecodeOntoCanvas(iter, *header, request);
}

namespace {

// Feeds the incremental decoder in append mode: the file in blocks of kIncrementalStep bytes at
// fixed offsets, however the body's reads arrive. For a single-partition lossy frame (what
// encoders write) libwebp copies partition 0 aside and drops the token data it has decoded, so
// the compressed body is never held whole.
// - Fixed blocks, because libwebp's incremental decoder can judge a damaged bitstream
//   differently depending on where its input is split: the outcome must not depend on how the
//   network cut the body. They are the steps the in-memory path feeds it when there is a
//   deadline (DecodeFrame), so both paths of the Lambda function agree.
// - The 'VP8 ' chunk ends the RIFF (ScanWebpHead), and all of it must arrive, so a streamed file
//   is judged as DecodeWebp judges it in memory: a bitstream that wants more than its chunk is
//   corrupt, and a cut file is truncated even when its last bytes were not needed to finish the
//   rows. Nothing past the RIFF reaches libwebp, as nothing past it reaches the demuxer.
class StreamFeeder {
 public:
  StreamFeeder(std::span<const uint8_t> head, ByteSource& rest, const DecodeRequest& request)
      : head_(head), rest_(rest), request_(request), step_(kIncrementalStep) {
    block_.reserve(kIncrementalStep);
  }

  Status Run(WebPIDecoder* idec) {
    size_t frame_header_end = kRiffHeaderBytes;
    if (ScanWebpHead(head_, &frame_header_end) != WebpHeadScan::kComplete) {
      return MakeError(ErrorCode::kInternal, "a streamed WebP head must end in a lossy frame");
    }
    const uint64_t riff_end = kChunkHeaderBytes + LittleEndian32(head_, 4);
    std::span<const uint8_t> input = head_;  // arrived, not yet in block_
    received_ = head_.size();
    uint64_t fed = 0;  // bytes given to libwebp
    VP8StatusCode status = VP8_STATUS_SUSPENDED;
    while (status == VP8_STATUS_SUSPENDED) {
      const uint64_t room =
          std::min<uint64_t>(kIncrementalStep - block_.size(), riff_end - fed - block_.size());
      const size_t take = static_cast<size_t>(std::min<uint64_t>(input.size(), room));
      block_.insert(block_.end(), input.begin(), input.begin() + static_cast<long>(take));
      input = input.subspan(take);
      if (block_.size() == kIncrementalStep || fed + block_.size() == riff_end) {
        if (auto in_time = CheckDeadline(request_.deadline, "WebP decode"); !in_time) {
          return in_time;
        }
        status = WebPIAppend(idec, block_.data(), block_.size());
        fed += block_.size();
        block_.clear();
        if (status == VP8_STATUS_SUSPENDED && fed == riff_end) {
          return ClaimsMoreThanItsChunk();
        }
        continue;
      }
      auto got = Next();  // the block needs more than has arrived
      if (!got) {
        return got.error();
      }
      if (*got == 0) {
        return Truncated();
      }
      input = std::span(step_).first(*got);
    }
    if (status != VP8_STATUS_OK) {
      return DecodeError(status);
    }
    while (received_ < riff_end) {  // the bytes libwebp did not need to finish the rows
      auto got = Next();
      if (!got) {
        return got.error();
      }
      if (*got == 0) {
        return Truncated();
      }
    }
    return OkStatus();
  }

 private:
  static constexpr size_t kRiffHeaderBytes = 12;
  static constexpr size_t kChunkHeaderBytes = 8;

  // The next step of the body into step_: its size, 0 at the end; a failed read (a broken
  // download explains itself best) or more than max_input_bytes in all is an error.
  Result<size_t> Next() {
    auto got = rest_.Read(step_);
    if (!got.ok()) {
      return got.error();
    }
    received_ += *got;
    if (received_ > request_.limits.max_input_bytes) {
      return StreamOverByteLimit(request_.limits.max_input_bytes);
    }
    return got;
  }

  std::span<const uint8_t> head_;
  ByteSource& rest_;
  const DecodeRequest& request_;
  std::vector<uint8_t> step_;   // one read of the body
  std::vector<uint8_t> block_;  // the next block for libwebp, filling up
  uint64_t received_ = 0;       // bytes of the file read so far, the head's included
};

}  // namespace

Result<Image> DecodeWebpStream(std::span<const uint8_t> head, ByteSource& rest,
                               const DecodeRequest& request) {
  auto header = ReadWebpHeader(head);
  if (!header) {
    return header.error();
  }
  if (auto status = CheckHeader(*header, request.limits); !status) {
    return status.error();
  }
  Image image;
  ScaledSize(header->width, header->height, request, &image.width, &image.height);
  image.channels = header->has_alpha ? 4 : 3;
  image.pixels.resize(image.stride() * image.height);
  auto config = OutputConfig(header->has_alpha ? MODE_RGBA : MODE_RGB, image.pixels.data(),
                             static_cast<int>(image.stride()), image.pixels.size(),
                             static_cast<int>(header->width), static_cast<int>(header->height),
                             static_cast<int>(image.width), static_cast<int>(image.height));
  if (!config) {
    return config.error();
  }
  std::unique_ptr<WebPIDecoder, IdecDelete> idec(WebPIDecode(nullptr, 0, &*config));
  if (!idec) {
    return MakeError(ErrorCode::kCorruptImage, "corrupt WebP data: cannot start the decoder");
  }
  if (auto status = StreamFeeder(head, rest, request).Run(idec.get()); !status) {
    return status.error();
  }
  return image;
}

}  // namespace imgpipe::core
