// Part of the pipeline's "read header" step (kSteps in pipeline.cc): recognise the format
// from magic bytes only (never the file name).
#pragma once

#include <cstdint>
#include <span>

#include "imgpipe/image.h"

namespace imgpipe::core {

// The first row of InputFormats() (formats.h) whose magic test matches; Format::kUnknown when
// none does.
Format Sniff(std::span<const uint8_t> bytes);

// The magic tests of the format table.
bool LooksLikeJpeg(std::span<const uint8_t> bytes);  // FF D8 FF
bool LooksLikePng(std::span<const uint8_t> bytes);   // 89 'PNG' 0D 0A 1A 0A
bool LooksLikeWebp(std::span<const uint8_t> bytes);  // 'RIFF' <size> 'WEBP'
bool LooksLikeGif(std::span<const uint8_t> bytes);   // 'GIF87a' / 'GIF89a'
// An ISO BMFF `ftyp` box first, whose major or compatible brands name an AV1 image (avif,
// avis) for AVIF, or else a HEIF image or sequence brand (heic, heix, hevc, heim, heis, mif1,
// msf1, ...) for HEIF. See heif_boxes.h.
bool LooksLikeHeif(std::span<const uint8_t> bytes);
bool LooksLikeAvif(std::span<const uint8_t> bytes);

}  // namespace imgpipe::core
