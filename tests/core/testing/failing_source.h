// A ByteSource that serves `bytes` in pieces of `chunk` bytes and then breaks like a download
// cut off mid-body: the 11th read fails with kStorageError "connection reset". For the streamed
// decoders' tests: the source's own error must come back, not a codec's guess.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "imgpipe/byte_source.h"

namespace imgpipe::testing {

class FailingSource final : public ByteSource {
 public:
  FailingSource(std::span<const uint8_t> bytes, size_t chunk) : inner_(bytes, chunk) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    if (++reads_ > 10) {
      return MakeError(ErrorCode::kStorageError, "connection reset");
    }
    return inner_.Read(out);
  }

 private:
  MemorySource inner_;
  int reads_ = 0;
};

}  // namespace imgpipe::testing
