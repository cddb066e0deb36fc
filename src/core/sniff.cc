// Magic-byte sniffing. File names lie (a .jpg may be a PNG or a text file); the first bytes
// do not, so every later step trusts only this.
#include "sniff.h"

#include <algorithm>
#include <array>

#include "formats.h"
#include "heif_boxes.h"

namespace imgpipe::core {
namespace {

bool StartsWith(std::span<const uint8_t> bytes, std::span<const uint8_t> prefix, size_t at = 0) {
  return bytes.size() >= at + prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), bytes.begin() + static_cast<ptrdiff_t>(at));
}

constexpr std::array<uint8_t, 3> kJpeg = {0xFF, 0xD8, 0xFF};
constexpr std::array<uint8_t, 8> kPng = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
constexpr std::array<uint8_t, 4> kRiff = {'R', 'I', 'F', 'F'};
constexpr std::array<uint8_t, 4> kWebp = {'W', 'E', 'B', 'P'};
constexpr std::array<uint8_t, 6> kGif87 = {'G', 'I', 'F', '8', '7', 'a'};
constexpr std::array<uint8_t, 6> kGif89 = {'G', 'I', 'F', '8', '9', 'a'};

}  // namespace

bool LooksLikeJpeg(std::span<const uint8_t> bytes) { return StartsWith(bytes, kJpeg); }

bool LooksLikePng(std::span<const uint8_t> bytes) { return StartsWith(bytes, kPng); }

// RIFF <4-byte size> WEBP: the size field is not checked here; the codec validates it.
bool LooksLikeWebp(std::span<const uint8_t> bytes) {
  return StartsWith(bytes, kRiff) && StartsWith(bytes, kWebp, 8);
}

bool LooksLikeGif(std::span<const uint8_t> bytes) {
  return StartsWith(bytes, kGif87) || StartsWith(bytes, kGif89);
}

bool LooksLikeHeif(std::span<const uint8_t> bytes) { return ClassifyFtyp(bytes) == Format::kHeif; }

bool LooksLikeAvif(std::span<const uint8_t> bytes) { return ClassifyFtyp(bytes) == Format::kAvif; }

Format Sniff(std::span<const uint8_t> bytes) {
  for (const FormatEntry& entry : InputFormats()) {
    if (entry.matches(bytes)) {
      return entry.format;
    }
  }
  return Format::kUnknown;
}

}  // namespace imgpipe::core
