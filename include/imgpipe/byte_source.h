// The input as a pull-based stream of bytes. The pipeline reads an input through a ByteSource as
// its decoder needs the bytes, so a body arriving over the network is decoded while it downloads
// and is never held whole (the Lambda function's S3 GetObject body implements it in aws);
// MemorySource serves inputs that are in memory already (the CLI, tests).
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "imgpipe/error.h"

namespace imgpipe {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to out.size() bytes into `out`; 0 only at the end of the input. An error (a broken
  // download, a timeout, a body over its limit) ends the input, and the pipeline fails with it.
  virtual Result<size_t> Read(std::span<uint8_t> out) = 0;
  // The number of bytes still to come when known (an HTTP Content-Length), so a reader that must
  // hold everything allocates once instead of doubling past the limit.
  virtual std::optional<uint64_t> RemainingHint() const { return std::nullopt; }
};

// A span served in pieces of at most `max_chunk` bytes (tests use 1 to put a chunk boundary
// everywhere). The bytes must outlive the source.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::span<const uint8_t> bytes,
                        size_t max_chunk = std::numeric_limits<size_t>::max())
      : bytes_(bytes), max_chunk_(max_chunk == 0 ? 1 : max_chunk) {}
  Result<size_t> Read(std::span<uint8_t> out) override;
  std::optional<uint64_t> RemainingHint() const override { return bytes_.size(); }

 private:
  std::span<const uint8_t> bytes_;  // what is left
  size_t max_chunk_;
};

// `prefix` followed by the rest of `source`, in one buffer: for decoders that need the whole
// file (HEIF, and lossless, alpha, animated or EXIF-tagged WebP). Fails with kInputTooLarge as soon
// as more than `max_bytes` arrive, so the buffer never holds more than max_bytes plus one read.
Result<std::vector<uint8_t>> ReadAll(ByteSource& source, uint64_t max_bytes,
                                     std::vector<uint8_t> prefix = {});

}  // namespace imgpipe
