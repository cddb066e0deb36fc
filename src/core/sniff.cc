// Magic-byte sniffing. File names lie (a .jpg may be a PNG or a text file); the first bytes
// do not, so every later step trusts only this.
#include "sniff.h"

#include <algorithm>
#include <array>

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

Format Sniff(std::span<const uint8_t> bytes) {
  if (StartsWith(bytes, kJpeg)) {
    return Format::kJpeg;
  }
  if (StartsWith(bytes, kPng)) {
    return Format::kPng;
  }
  // RIFF <4-byte size> WEBP: the size field is not checked here; the codec validates it.
  if (StartsWith(bytes, kRiff) && StartsWith(bytes, kWebp, 8)) {
    return Format::kWebp;
  }
  if (StartsWith(bytes, kGif87) || StartsWith(bytes, kGif89)) {
    return Format::kGif;
  }
  return Format::kUnknown;
}

}  // namespace imgpipe::core
