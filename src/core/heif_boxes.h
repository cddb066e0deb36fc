// The HEIF/AVIF container (ISO BMFF boxes), read by imgpipe's own bounded parser in the calling
// process: the brands for sniffing, and the primary image's size, transforms, depth, alpha and
// grid for the header and the limits. libheif only ever sees a file that passed this parser,
// and only on an isolated worker process (heif_decode.cc), so a hostile container is refused
// without running libheif at all. Every read is bounds-checked and no offset is followed outside
// the `meta` box.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "imgpipe/error.h"
#include "imgpipe/image.h"

namespace imgpipe::core {

// kAvif when the leading `ftyp` box names avif or avis (major or compatible brand), kHeif when
// it names a HEIF image or sequence brand, kUnknown otherwise (including no `ftyp` first).
Format ClassifyFtyp(std::span<const uint8_t> bytes);

struct HeifContainer {
  Format format = Format::kUnknown;
  std::string major_brand;
  bool has_movie = false;    // a `moov` box: an image sequence track next to (or instead of) meta
  std::string primary_type;  // item type of the primary image: "hvc1", "av01", "grid", ...
  uint32_t ispe_width = 0;   // the primary image's coded size (`ispe`), before any transform
  uint32_t ispe_height = 0;
  // Container transforms, which libheif applies while decoding (exactly once).
  int rotation_ccw = 0;   // `irot`: 0, 90, 180 or 270 degrees anticlockwise
  bool mirrored = false;  // `imir`
  bool cropped = false;   // `clap`
  uint32_t width = 0;     // the size libheif returns: after `clap`, then `irot`
  uint32_t height = 0;
  int bit_depth = 8;  // luma bits (`pixi`, else the codec configuration box)
  bool monochrome = false;
  bool has_alpha = false;   // an `auxl` alpha plane refers to the primary image
  uint32_t grid_tiles = 0;  // `dimg` references of a grid primary image
  uint32_t tile_width = 0;  // the first tile's `ispe`
  uint32_t tile_height = 0;
  // The primary image's ICC profile (`colr` of type prof or rICC), for `imgpipe info`; empty
  // when there is none or it is over kMaxHeifIccBytes. The pixels' colour tag comes from libheif
  // in the worker, with the decoded image (heif_decode.cc), not from here.
  std::vector<uint8_t> icc = {};
};

inline constexpr size_t kMaxHeifIccBytes = 4u << 20;

// kTruncatedImage when a box runs past the end of the data, kCorruptImage for malformed boxes or
// a missing primary image / `ispe`, kUnsupportedFormat for a pure image sequence (no `meta`).
Result<HeifContainer> ParseHeifContainer(std::span<const uint8_t> bytes);

}  // namespace imgpipe::core
