#include "imgpipe/byte_source.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "limits.h"

namespace imgpipe {
namespace {

constexpr size_t kReadChunk = size_t{64} * 1024;

}  // namespace

Result<size_t> MemorySource::Read(std::span<uint8_t> out) {
  const size_t n = std::min({out.size(), bytes_.size(), max_chunk_});
  if (n > 0) {
    std::memcpy(out.data(), bytes_.data(), n);
  }
  bytes_ = bytes_.subspan(n);
  return n;
}

Result<std::vector<uint8_t>> ReadAll(ByteSource& source, uint64_t max_bytes,
                                     std::vector<uint8_t> prefix) {
  std::vector<uint8_t> bytes = std::move(prefix);
  if (bytes.size() > max_bytes) {
    return core::StreamOverByteLimit(max_bytes);
  }
  if (const auto hint = source.RemainingHint()) {
    bytes.reserve(static_cast<size_t>(std::min<uint64_t>(bytes.size() + *hint, max_bytes + 1)));
  }
  uint8_t probe[4096];
  for (;;) {
    // Reads into the spare capacity, so a size hint that was right costs one allocation; with
    // none left, into `probe`, which finds the end without growing a buffer that is already
    // exactly the input's size.
    const size_t old_size = bytes.size();
    const size_t spare = std::min(bytes.capacity() - old_size, kReadChunk);
    if (spare > 0) {
      bytes.resize(old_size + spare);  // within the capacity: no reallocation
    }
    auto got =
        source.Read(spare > 0 ? std::span(bytes).subspan(old_size) : std::span<uint8_t>(probe));
    if (!got.ok()) {
      return got.error();
    }
    if (spare > 0) {
      bytes.resize(old_size + *got);
    }
    if (*got == 0) {
      return bytes;
    }
    if (old_size + *got > max_bytes) {
      return core::StreamOverByteLimit(max_bytes);
    }
    if (spare == 0) {
      bytes.insert(bytes.end(), probe, probe + *got);
    }
  }
}

}  // namespace imgpipe
