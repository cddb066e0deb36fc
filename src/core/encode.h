// The pipeline's "encode" step (kSteps in pipeline.cc). One file per format (jpeg_encode.cc,
// png_encode.cc, webp_encode.cc).
#pragma once

#include <cstdint>
#include <vector>

#include "imgpipe/error.h"
#include "imgpipe/image.h"
#include "imgpipe/options.h"

namespace imgpipe::core {

// JPEG takes 1 or 3 channels (callers flatten alpha first); quality 1..100, 4:2:0 for colour,
// like Pillow's default. PNG takes 1..4 channels. WebP takes 3 or 4 (gray is expanded).
Result<std::vector<uint8_t>> EncodeJpeg(const Image& image, int quality);
Result<std::vector<uint8_t>> EncodePng(const Image& image);
Result<std::vector<uint8_t>> EncodeWebp(const Image& image, int quality);
Result<std::vector<uint8_t>> Encode(const Image& image, OutputFormat format, int quality);

}  // namespace imgpipe::core
