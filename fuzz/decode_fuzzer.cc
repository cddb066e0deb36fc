// Fuzzes the decode path as the pipeline runs it: sniff + header, then a full decode under a
// ~1 MP limit (so each input stays fast), touching every output pixel so a short buffer or
// uninitialised memory shows up under ASan/MSan.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/decode.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto header = imgpipe::core::ReadHeader(bytes);
  if (!header) return 0;
  imgpipe::core::DecodeRequest request;
  request.limits.max_input_pixels = 1u << 20;
  // Alternate shrink-on-load and gray on input parity so both code paths are fuzzed.
  if (size % 2 == 1) {
    request.min_width = header->width / 3 + 1;
    request.min_height = header->height / 3 + 1;
    request.gray = true;
  }
  auto image = imgpipe::core::Decode(bytes, *header, request);
  if (!image) return 0;
  if (image->channels < 1 || image->channels > 4 || image->width == 0 || image->height == 0 ||
      image->pixels.size() != image->stride() * image->height) {
    std::abort();  // a decoder broke the Image contract
  }
  unsigned sum = 0;
  for (uint8_t v : image->pixels) sum += v;
  // Keeps the loop from being optimised away.
  volatile unsigned sink = sum;
  (void)sink;
  return 0;
}
