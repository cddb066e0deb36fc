// Value types that flow between pipeline steps.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace imgpipe {

// Input formats are recognised by magic bytes only, never by file name.
// HEIF (HEVC-coded) and AVIF (AV1-coded) share one container and one library (libheif).
enum class Format { kUnknown, kJpeg, kPng, kWebp, kGif, kHeif, kAvif };

const char* FormatName(Format format);  // "jpeg", "png", "webp", "gif", "heif", "avif", "unknown"

// How the container describes the pixels' colour, for the colour step that converts to sRGB.
// Empty (no ICC profile, no code points) means untagged, which is treated as sRGB.
struct ColourTag {
  std::vector<uint8_t> icc;  // an embedded ICC profile, as stored
  // ITU-T H.273 code points (HEIF/AVIF `colr` of type nclx); 0 when the container has none.
  uint16_t cicp_primaries = 0;
  uint16_t cicp_transfer = 0;
  uint16_t cicp_matrix = 0;
  bool empty() const { return icc.empty() && cicp_primaries == 0 && cicp_transfer == 0; }
};

// What the header says, read before any pixel buffer is allocated.
struct Header {
  Format format = Format::kUnknown;
  uint32_t width = 0;   // stored (pre-orientation) width in pixels
  uint32_t height = 0;  // stored (pre-orientation) height in pixels
  int channels = 0;     // channels as stored: 1 gray, 2 gray+alpha, 3 colour, 4 colour+alpha/CMYK
  int bit_depth = 0;    // bits per sample as stored (1..16)
  int orientation = 1;  // EXIF orientation 1..8; 1 when absent or invalid
  bool has_alpha = false;
  bool animated = false;  // more than one frame; only the first is used
  // HEIF/AVIF only (empty or 0 otherwise), for `imgpipe info` and the grid limits.
  std::string brand;        // the `ftyp` major brand, e.g. "heic", "avif", "mif1"
  uint32_t grid_tiles = 0;  // tiles of a grid (tiled) primary image; 0 when not a grid
  uint32_t tile_width = 0;  // one tile's size from its `ispe`
  uint32_t tile_height = 0;
};

// 8-bit interleaved pixels, rows packed with no padding (stride = width * channels).
// channels: 1 = gray, 2 = gray+alpha, 3 = RGB, 4 = RGBA. Alpha is straight (not premultiplied).
struct Image {
  uint32_t width = 0;
  uint32_t height = 0;
  int channels = 0;
  std::vector<uint8_t> pixels;
  ColourTag colour = {};  // what the decoder found; the colour step converts and clears it

  size_t stride() const { return static_cast<size_t>(width) * static_cast<size_t>(channels); }
  uint8_t* row(uint32_t y) { return pixels.data() + stride() * y; }
  const uint8_t* row(uint32_t y) const { return pixels.data() + stride() * y; }
  bool has_alpha() const { return channels == 2 || channels == 4; }
};

}  // namespace imgpipe
