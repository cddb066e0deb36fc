// The pipeline's "read header" and "decode" steps (kSteps in pipeline.cc): read the header,
// then decode (shrinking on load where the codec can).
// Each format lives in its own file (jpeg_decode.cc, png_decode.cc, webp_decode.cc,
// gif_decode.cc, heif_decode.cc); this header is their shared contract, and formats.h their
// table.
#pragma once

#include <cstdint>
#include <span>

#include "imgpipe/byte_source.h"
#include "imgpipe/error.h"
#include "imgpipe/image.h"
#include "imgpipe/options.h"
#include "limits.h"

namespace imgpipe::core {

struct DecodeRequest {
  // The smallest size, in the *stored* orientation, that later steps need. A codec that can
  // shrink on load (JPEG DCT scaling 1/2, 1/4, 1/8; WebP's scaled decode) picks the largest
  // reduction whose output is still >= min_width x min_height. 0 means "full size".
  uint32_t min_width = 0;
  uint32_t min_height = 0;
  // The caller will convert to gray anyway: a decoder may return 1 (or 2, with alpha) channels
  // straight away, e.g. libjpeg's Y plane for YCbCr JPEGs, skipping colour conversion.
  bool gray = false;
  // Checked again at the codec boundary, after the codec has parsed its own header and before
  // it allocates the pixel buffer.
  Limits limits;
  // Checked inside the codecs' row and scan loops (limits.h); a decode still running at the
  // deadline stops with kDeadlineExceeded. nullopt: no deadline.
  Deadline deadline;
};

// Header of any supported format (dispatches on Sniff). Reads no pixel data.
Result<Header> ReadHeader(std::span<const uint8_t> bytes);

// Decodes to 8-bit interleaved pixels (1..4 channels, see Image). 16-bit samples are scaled to
// 8 bits (v * 255 / 65535, rounded), never clipped. CMYK/YCCK (incl. Adobe-inverted) become RGB,
// palette becomes RGB or RGBA (tRNS), gray+alpha stays 2 channels. Animated inputs yield
// the first frame. Image.orientation is NOT applied here; see orient.h.
Result<Image> Decode(std::span<const uint8_t> bytes, const Header& header,
                     const DecodeRequest& request);

// Receives a decoder's rows one at a time, top to bottom, in the stored orientation, for
// decoders that can stream (DecodePngRows). Start comes once, before the first row, with the
// size and the channel count (as in Image) of the rows to come; a row is only valid during
// the Row call.
class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual Status Start(uint32_t width, uint32_t height, int channels) = 0;
  virtual void Row(const uint8_t* row) = 0;
};

// Streams a PNG's rows into `sink` without holding its image: memory is a row or two. Returns
// false, having decoded nothing, when the PNG is Adam7-interlaced (its rows are final only after
// the last pass): decode it with DecodePng then, under Limits::max_interlaced_pixels.
Result<bool> DecodePngRows(std::span<const uint8_t> bytes, const DecodeRequest& request,
                           RowSink& sink);

// DecodePng and DecodePngRows for an input whose head is in memory and whose rest libspng pulls
// from `rest` as it decodes (within limits.max_input_bytes for both). The rows variant handles
// Adam7 itself: the whole image from the same decoder (the stream is read once), then its rows.
Result<Image> DecodePngStream(std::span<const uint8_t> head, ByteSource& rest,
                              const DecodeRequest& request);
Status DecodePngRowsStream(std::span<const uint8_t> head, ByteSource& rest,
                           const DecodeRequest& request, RowSink& sink);

// Per-format entry points used by Decode/ReadHeader (and by the fuzzers).
Result<Header> ReadJpegHeader(std::span<const uint8_t> bytes);
Result<Header> ReadPngHeader(std::span<const uint8_t> bytes);
Result<Header> ReadWebpHeader(std::span<const uint8_t> bytes);
Result<Header> ReadGifHeader(std::span<const uint8_t> bytes);
// HEIF and AVIF: the header comes from imgpipe's own bounded box parser (heif_boxes.h), the
// pixels from libheif, loaded on first use and run on an isolated worker process (heif_decode.cc).
Result<Header> ReadHeifHeader(std::span<const uint8_t> bytes);
Result<Image> DecodeJpeg(std::span<const uint8_t> bytes, const DecodeRequest& request);
// DecodeJpeg for an input whose first bytes, `head`, are in memory and whose rest the decoder
// pulls from `rest` as it needs it; head and rest together stay within limits.max_input_bytes.
Result<Image> DecodeJpegStream(std::span<const uint8_t> head, ByteSource& rest,
                               const DecodeRequest& request);
Result<Image> DecodePng(std::span<const uint8_t> bytes, const DecodeRequest& request);
Result<Image> DecodeWebp(std::span<const uint8_t> bytes, const DecodeRequest& request);
// A still lossy WebP from its streamed head (ReadInputHead) and the rest of the body, fed to
// libwebp's incremental decoder as it arrives and shrunk on load as DecodeWebp does. A body that
// ends early is kTruncatedImage, one over max_input_bytes kInputTooLarge, a failed read itself.
Result<Image> DecodeWebpStream(std::span<const uint8_t> head, ByteSource& rest,
                               const DecodeRequest& request);
Result<Image> DecodeGif(std::span<const uint8_t> bytes, const DecodeRequest& request);
// DecodeGif for an input whose head is in memory and whose rest giflib pulls from `rest` (within
// limits.max_input_bytes for both); nothing after the first frame's image data is read.
Result<Image> DecodeGifStream(std::span<const uint8_t> head, ByteSource& rest,
                              const DecodeRequest& request);
Result<Image> DecodeHeif(std::span<const uint8_t> bytes, const DecodeRequest& request);

}  // namespace imgpipe::core
