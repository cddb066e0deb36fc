// Embedded ICC profiles, read from the container bytes before any pixel is decoded, so the
// pipeline knows whether an image needs colour management (and colour pixels) before it asks
// the codec for gray. Reads only markers and chunk headers; hostile input never reads out of
// bounds and never inflates more than kMaxIccBytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "imgpipe/image.h"

namespace imgpipe::core {

// Real profiles are 0.5-4 KB (matrix/TRC) up to ~3 MB (CMYK press profiles with large LUTs);
// anything larger is ignored rather than handed to lcms2.
inline constexpr size_t kMaxIccBytes = 8u << 20;

struct IccExtraction {
  std::vector<uint8_t> icc;  // empty when the file has no usable profile
  std::string warning;       // set when the file has a profile that is ignored, and why
};

// Dispatches on `format`; formats whose decoder reports the colour itself (HEIF, AVIF) and GIF
// yield nothing.
IccExtraction ExtractIcc(std::span<const uint8_t> bytes, Format format);

// JPEG APP2 "ICC_PROFILE\0" segments, reassembled in sequence order. A set with a missing,
// repeated or out-of-range sequence number, or disagreeing counts, is ignored.
IccExtraction ExtractJpegIcc(std::span<const uint8_t> bytes);
// PNG iCCP (zlib), inflated by libspng under a kMaxIccBytes cap.
IccExtraction ExtractPngIcc(std::span<const uint8_t> bytes);
// WebP ICCP chunk of an extended (VP8X) file whose ICC flag is set.
IccExtraction ExtractWebpIcc(std::span<const uint8_t> bytes);

}  // namespace imgpipe::core
