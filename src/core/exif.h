// EXIF orientation, read from a TIFF-structured EXIF block (JPEG APP1 after "Exif\0\0",
// PNG eXIf, WebP EXIF chunk). Hostile input must never read out of bounds.
#pragma once

#include <cstdint>
#include <span>

namespace imgpipe::core {

// `tiff` starts at the TIFF header ("II*\0" or "MM\0*"). Returns 1..8, or 1 when the tag is
// absent, malformed or out of range.
int ParseExifOrientation(std::span<const uint8_t> tiff);

}  // namespace imgpipe::core
