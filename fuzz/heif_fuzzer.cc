// Fuzzes the HEIF/AVIF path: imgpipe's own container parser, which runs in the calling process
// on untrusted bytes and so must never crash, on every input; then, for inputs it accepts, the
// full decode through the isolated libheif worker under a ~1 MP limit, checking the Image
// contract of what comes back. A libheif crash is *expected* to surface as corrupt_image (the
// child dies, this process does not), so only imgpipe's own bugs abort here.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/decode.h"
#include "core/heif_boxes.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  auto container = imgpipe::core::ParseHeifContainer(bytes);
  if (!container) {
    return 0;
  }
  if (container->format != imgpipe::Format::kHeif && container->format != imgpipe::Format::kAvif) {
    std::abort();  // the parser accepted what the sniffer would not
  }
  auto header = imgpipe::core::ReadHeifHeader(bytes);
  if (!header || header->orientation != 1) {
    std::abort();
  }
  imgpipe::core::DecodeRequest request;
  request.limits.max_input_pixels = 1u << 20;
  auto image = imgpipe::core::DecodeHeif(bytes, request);
  if (!image) {
    return 0;
  }
  if (image->channels < 1 || image->channels > 4 || image->width != header->width ||
      image->height != header->height || image->pixels.size() != image->stride() * image->height) {
    std::abort();  // the decoder broke the Image contract or disagreed with the header
  }
  return 0;
}
