// One flat options struct for the whole pipeline, validated once at the edge (CLI flags,
// Lambda environment). Everything downstream may assume a validated Options.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "imgpipe/error.h"

namespace imgpipe {

// How the source is mapped onto the target WxH box.
enum class Fit {
  kFill,     // exactly WxH, aspect ratio ignored (the tutorial's Image.resize behaviour)
  kCover,    // exactly WxH, aspect kept, centre crop of the overflow
  kContain,  // fits inside WxH, aspect kept, padded with the background colour to exactly WxH
  kInside,   // fits inside WxH, aspect kept, no padding (output may be smaller than WxH)
};

enum class OutputFormat { kJpeg, kPng, kWebp };

// How much a codec may shrink on load (sharp's fastShrinkOnLoad). `fast` lets JPEG's DCT scaling
// land just above the target, the cheapest decode; `accurate` leaves the resampler a larger
// reduction, which keeps fine textures (foliage, water) close to a full-resolution resize.
enum class ShrinkOnLoad { kFast, kAccurate };

struct Rgb {
  uint8_t r = 255;
  uint8_t g = 255;
  uint8_t b = 255;

  friend bool operator==(const Rgb&, const Rgb&) = default;
};

// Largest accepted target side: the JPEG and WebP formats cap a side at 16383 (WebP) pixels.
inline constexpr uint32_t kMaxTargetSide = 16383;
// Named defaults for the limits checked right after the header is read.
inline constexpr uint64_t kDefaultMaxInputBytes = 64ull << 20;      // 64 MiB
inline constexpr uint64_t kDefaultMaxInputPixels = 100'000'000ull;  // 100 MP
// Progressive JPEG keeps every DCT coefficient of the image (2 bytes each) whatever the output
// scale: 3 bytes per pixel for 4:2:0 colour. 16 MP of that is 48 MB, which keeps the whole
// process under 64 MB. Other samplings count their own coefficient share (limits.h).
inline constexpr uint64_t kDefaultMaxProgressivePixels = 16'000'000ull;
// Interlaced PNG and GIF: an Adam7 PNG needs its full 8-bit image (up to 4 bytes per pixel) before
// any row is final, 12 MP is at most 48 MB, under 64 MB for the whole process; an interlaced GIF
// frame holds a byte per pixel until its last pass.
inline constexpr uint64_t kDefaultMaxInterlacedPixels = 12'000'000ull;
// Lossless WebP (VP8L): libwebp holds the whole frame as 32-bit ARGB whatever the output scale
// (LZ77 back-references can reach any earlier pixel), and a lossy WebP's alpha, a lossless image
// itself, at up to 5 bytes a pixel. 9 MP keeps the whole process under 64 MB on the Lambda path
// for both, noise included (a 12 MP lossless noise photo peaked at 68.4 MiB, its 13.4 MiB body
// read whole; a 10 MP one with noise alpha at 68.8); a 4K screenshot (8.3 MP) passes.
inline constexpr uint64_t kDefaultMaxLosslessWebpPixels = 9'000'000ull;

// The largest per-image time limit (Limits::max_seconds): a day.
inline constexpr double kMaxSecondsLimit = 86400;

// Limits are parameters at the codec boundary: decoders refuse before allocating pixels.
struct Limits {
  uint64_t max_input_bytes = kDefaultMaxInputBytes;    // compressed input size; 0 is invalid
  uint64_t max_input_pixels = kDefaultMaxInputPixels;  // width*height from the header; 0 invalid
  uint64_t max_progressive_pixels = kDefaultMaxProgressivePixels;  // progressive JPEG; 0 invalid
  uint64_t max_interlaced_pixels =
      kDefaultMaxInterlacedPixels;  // interlaced PNG and GIF; 0 invalid
  uint64_t max_lossless_webp_pixels =
      kDefaultMaxLosslessWebpPixels;  // lossless and alpha WebP; 0 invalid
  // Per-image time limit in seconds (the CLI's --max-seconds), checked inside the decoders
  // like the caller's deadline; 0 means none.
  double max_seconds = 0;

  friend bool operator==(const Limits&, const Limits&) = default;
};

struct Options {
  uint32_t width = 256;   // target width in pixels, 1..kMaxTargetSide
  uint32_t height = 256;  // target height in pixels, 1..kMaxTargetSide
  Fit fit = Fit::kFill;
  bool without_enlargement = false;  // never upscale; an already-small image keeps its size
  OutputFormat format = OutputFormat::kJpeg;
  int quality = 75;       // JPEG/WebP quality 1..100 (75 is Pillow's default, as in the tutorial)
  bool grayscale = true;  // ITU-R 601 luma, like Pillow's convert("L")
  Rgb background;         // alpha is flattened onto this; also the `contain` padding colour
  ShrinkOnLoad shrink_on_load = ShrinkOnLoad::kFast;
  Limits limits;

  // Field by field: the option table's test checks its defaults give exactly Options{}.
  friend bool operator==(const Options&, const Options&) = default;
};

// Validates every field; the message names the field and the bad value.
Status Validate(const Options& options);

// Parsers used by the CLI and the Lambda environment. Each returns a message of the form
// `Expected WxH with 1..16383 for size but received "0x5"`.
struct Size {
  uint32_t width = 0;
  uint32_t height = 0;
};
Result<Size> ParseSize(std::string_view text);                  // "256x256"
Result<Size> ParseNewImageSize(std::string_view json);          // "[256, 256]", field "size"
Result<Fit> ParseFit(std::string_view text);                    // fill|cover|contain|inside
Result<OutputFormat> ParseOutputFormat(std::string_view text);  // jpeg|jpg|png|webp
Result<int> ParseQuality(std::string_view text);                // 1..100
Result<Rgb> ParseColor(std::string_view text);  // "#rrggbb", "rrggbb", "white", "black"
Result<uint64_t> ParsePositive(std::string_view field, std::string_view text);
Result<bool> ParseBool(std::string_view field, std::string_view text);  // true/false/1/0/yes/no
Result<ShrinkOnLoad> ParseShrinkOnLoad(std::string_view text);          // fast|accurate
Result<double> ParseSeconds(std::string_view field, std::string_view text);  // "2", "0.5"

const char* FitName(Fit fit);
const char* ShrinkOnLoadName(ShrinkOnLoad mode);    // "fast", "accurate"
const char* OutputFormatName(OutputFormat format);  // "jpeg", "png", "webp"
const char* OutputExtension(OutputFormat format);   // "jpg", "png", "webp"
const char* OutputMimeType(OutputFormat format);    // "image/jpeg", ...

}  // namespace imgpipe
