// Names of the input formats, as printed by `imgpipe info` and used in error messages.
#include "imgpipe/image.h"

namespace imgpipe {

const char* FormatName(Format format) {
  switch (format) {
    case Format::kJpeg:
      return "jpeg";
    case Format::kPng:
      return "png";
    case Format::kWebp:
      return "webp";
    case Format::kGif:
      return "gif";
    case Format::kHeif:
      return "heif";
    case Format::kAvif:
      return "avif";
    case Format::kUnknown:
      break;
  }
  return "unknown";
}

}  // namespace imgpipe
