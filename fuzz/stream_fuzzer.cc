// Fuzzes the streamed input path (ProcessVariants over a ByteSource: the JPEG, PNG, GIF and WebP
// heads, the decoders pulling the rest) against the same bytes in memory: both must agree on
// success and output, or fail with the same error code, whatever the chunk size (from the first
// byte). Runs under a ~1 MP limit so each input stays fast.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "imgpipe/byte_source.h"
#include "imgpipe/pipeline.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const size_t chunk = 1 + data[0] % 17;
  const std::span<const uint8_t> bytes(data + 1, size - 1);
  imgpipe::Options options;
  options.limits.max_input_pixels = 1u << 20;
  const imgpipe::Variant only{"", "", options};
  auto in_memory = imgpipe::ProcessVariants(bytes, std::span(&only, 1));
  imgpipe::MemorySource source(bytes, chunk);
  auto streamed = imgpipe::ProcessVariants(source, std::span(&only, 1));
  if (in_memory.ok() != streamed.ok()) std::abort();
  if (in_memory.ok()) {
    if (in_memory->front().bytes != streamed->front().bytes) std::abort();
  } else if (in_memory.error().code != streamed.error().code) {
    std::abort();
  }
  return 0;
}
