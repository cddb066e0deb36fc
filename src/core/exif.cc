// EXIF orientation from a TIFF structure. Only IFD0 holds tag 0x0112, so we read exactly one
// IFD and never follow next-IFD or sub-IFD offsets: hostile offset loops cannot happen, and
// every read is bounds-checked against the span.
#include "exif.h"

#include <cstddef>
#include <optional>

namespace imgpipe::core {
namespace {

constexpr uint16_t kOrientationTag = 0x0112;
constexpr uint16_t kTypeShort = 3;
constexpr size_t kIfdEntrySize = 12;

class TiffReader {
 public:
  TiffReader(std::span<const uint8_t> data, bool little_endian)
      : data_(data), little_endian_(little_endian) {}

  std::optional<uint16_t> U16(size_t at) const {
    if (at > data_.size() || data_.size() - at < 2) {
      return std::nullopt;
    }
    const uint16_t a = data_[at], b = data_[at + 1];
    return static_cast<uint16_t>(little_endian_ ? (a | b << 8) : (a << 8 | b));
  }

  std::optional<uint32_t> U32(size_t at) const {
    auto lo = U16(little_endian_ ? at : at + 2);
    auto hi = U16(little_endian_ ? at + 2 : at);
    if (!lo || !hi) {
      return std::nullopt;
    }
    return static_cast<uint32_t>(*hi) << 16 | *lo;
  }

 private:
  std::span<const uint8_t> data_;
  bool little_endian_;
};

}  // namespace

int ParseExifOrientation(std::span<const uint8_t> tiff) {
  if (tiff.size() < 8) {
    return 1;
  }
  bool little_endian;
  if (tiff[0] == 'I' && tiff[1] == 'I') {
    little_endian = true;
  } else if (tiff[0] == 'M' && tiff[1] == 'M') {
    little_endian = false;
  } else {
    return 1;
  }
  const TiffReader reader(tiff, little_endian);
  if (reader.U16(2) != 42) {
    return 1;
  }
  const auto ifd0 = reader.U32(4);
  if (!ifd0) {
    return 1;
  }
  const auto count = reader.U16(*ifd0);
  if (!count) {
    return 1;
  }
  for (size_t i = 0; i < *count; ++i) {
    // size_t arithmetic: ifd0 <= 2^32 and i*12 < 2^20, so no overflow on 64-bit targets.
    const size_t entry = static_cast<size_t>(*ifd0) + 2 + i * kIfdEntrySize;
    const auto tag = reader.U16(entry);
    if (!tag) {
      return 1;  // the IFD claims more entries than the block holds
    }
    if (*tag != kOrientationTag) {
      continue;
    }
    const auto type = reader.U16(entry + 2);
    const auto components = reader.U32(entry + 4);
    if (type != kTypeShort || components != 1) {
      return 1;
    }
    // A single SHORT sits left-justified in the 4-byte value field.
    const auto value = reader.U16(entry + 8);
    if (!value || *value < 1 || *value > 8) {
      return 1;
    }
    return *value;
  }
  return 1;
}

}  // namespace imgpipe::core
