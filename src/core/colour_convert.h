// The pipeline's "colour" step (kSteps in pipeline.cc), between orient and flatten: converts
// pixels described by an embedded ICC profile or HEIF nclx code points to sRGB with lcms2, so
// grayscale and resize work on sRGB like they do for untagged images. Output is always sRGB.
//
// A source colour (ResolveColour) is cached by profile bytes; the transforms it builds, one per
// pixel layout, are immutable and used by many threads at once (lcms2's per-transform
// one-pixel cache is disabled for that).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "imgpipe/image.h"

namespace imgpipe::core {

// How the pixels handed to a transform are laid out, 8 bits per sample. Alpha is copied.
// kCmykInverted is what Adobe writers store (0 = full ink); both CMYK layouts output RGB.
enum class PixelLayout { kGray, kGrayAlpha, kRgb, kRgba, kCmyk, kCmykInverted };

int InputChannels(PixelLayout layout);
int OutputChannels(PixelLayout layout);  // CMYK -> 3, every other layout keeps its count

// One lcms2 transform to sRGB (gray sources to a gray with the sRGB tone curve).
class ColourTransform {
 public:
  ColourTransform(void* lcms_transform, PixelLayout layout);
  ~ColourTransform();
  ColourTransform(const ColourTransform&) = delete;
  ColourTransform& operator=(const ColourTransform&) = delete;

  // Converts `pixels` pixels from `in` to `out` (the buffers may not overlap). A span of one
  // row or part of a row is fine: this is how a row-streaming decoder feeds the resizer.
  void Convert(const uint8_t* in, uint8_t* out, size_t pixels) const;
  PixelLayout layout() const { return layout_; }

 private:
  void* transform_;  // cmsHTRANSFORM, owned
  PixelLayout layout_;
};

enum class ColourSpace { kGray, kRgb, kCmyk };
const char* ColourSpaceName(ColourSpace space);  // "gray", "RGB", "CMYK"

// The colour of the source pixels: an opened profile, or one built from nclx code points.
class SourceColour {
 public:
  virtual ~SourceColour() = default;
  virtual ColourSpace space() const = 0;
  // The transform for pixels in `layout`, built on first use and kept; nullptr when the layout
  // does not fit the profile's colour space or lcms2 cannot link the profile to sRGB.
  virtual const ColourTransform* TransformFor(PixelLayout layout) const = 0;
};

struct ColourResolution {
  // Null when the pixels are to be taken as sRGB: untagged, tagged sRGB (or a profile whose
  // conversion moves no colour by more than one level), or a profile that is ignored.
  std::shared_ptr<const SourceColour> source;
  std::string warning;  // why a profile or nclx tag was ignored; empty otherwise
};

// Opens (or finds in the cache) what `tag` describes. Never fails: anything broken becomes a
// null source with a warning.
ColourResolution ResolveColour(const ColourTag& tag);

// True when `space` can describe pixels with `channels` channels (1/2 gray, 3/4 colour; CMYK
// only for the JPEG decoder's 4-channel CMYK, which it converts itself).
bool SpaceFitsChannels(ColourSpace space, int channels);

// Converts `image` (1-4 channels) to sRGB in place, row by row. On a layout the source cannot
// describe, the pixels stay as they are and a warning is added.
Image ConvertToSrgb(Image image, const SourceColour& source, std::vector<std::string>* warnings);

// The transform for the JPEG decoder's CMYK rows, when `jpeg` embeds a usable CMYK profile;
// `keep` holds the source alive for as long as the returned pointer is used.
const ColourTransform* JpegCmykTransform(std::span<const uint8_t> jpeg, bool adobe_inverted,
                                         std::shared_ptr<const SourceColour>* keep);

// The cache of resolved sources, keyed by a hash of the profile bytes (or the nclx code
// points) and compared in full; least recently used entries go first.
inline constexpr size_t kColourCacheEntries = 16;
struct ColourCacheStats {
  uint64_t hits = 0;
  uint64_t misses = 0;
  size_t entries = 0;
};
ColourCacheStats GetColourCacheStats();

}  // namespace imgpipe::core
