// Encoder dispatch on the requested output format.
#include "encode.h"

#include <string>

namespace imgpipe::core {

Result<std::vector<uint8_t>> Encode(const Image& image, OutputFormat format, int quality) {
  switch (format) {
    case OutputFormat::kJpeg:
      return EncodeJpeg(image, quality);
    case OutputFormat::kPng:
      return EncodePng(image);  // lossless: quality does not apply
    case OutputFormat::kWebp:
      return EncodeWebp(image, quality);
  }
  return MakeError(ErrorCode::kInvalidOptions,
                   "Expected one of jpeg, png, webp for format but received " +
                       std::to_string(static_cast<int>(format)));
}

}  // namespace imgpipe::core
