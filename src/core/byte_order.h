// Fixed-width integers read from byte buffers, for the container walkers (RIFF chunk sizes are
// little-endian).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace imgpipe::core {

// The little-endian 32-bit value at bytes[at..at+3]; the caller has checked that they exist.
inline uint64_t LittleEndian32(std::span<const uint8_t> bytes, size_t at) {
  return bytes[at] | bytes[at + 1] << 8 | bytes[at + 2] << 16 |
         static_cast<uint64_t>(bytes[at + 3]) << 24;
}

}  // namespace imgpipe::core
