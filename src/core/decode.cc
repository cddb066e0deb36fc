// Dispatch on the sniffed format. Each codec file owns its own header parse, limit check and
// error translation; this file only routes and names what no codec can claim.
#include "decode.h"

#include "sniff.h"

namespace imgpipe::core {
namespace {

Error Empty() { return MakeError(ErrorCode::kEmptyInput, "input is empty (0 bytes)"); }

Error Unrecognised() {
  return MakeError(ErrorCode::kUnsupportedFormat,
                   "not a JPEG, PNG, WebP or GIF image (unrecognised magic bytes)");
}

}  // namespace

Result<Header> ReadHeader(std::span<const uint8_t> bytes) {
  if (bytes.empty()) {
    return Empty();
  }
  switch (Sniff(bytes)) {
    case Format::kJpeg:
      return ReadJpegHeader(bytes);
    case Format::kPng:
      return ReadPngHeader(bytes);
    case Format::kWebp:
      return ReadWebpHeader(bytes);
    case Format::kGif:
      return ReadGifHeader(bytes);
    case Format::kHeif:  // not sniffed yet: libheif is not wired in
    case Format::kAvif:
    case Format::kUnknown:
      break;
  }
  return Unrecognised();
}

Result<Image> Decode(std::span<const uint8_t> bytes, const Header& header,
                     const DecodeRequest& request) {
  if (bytes.empty()) {
    return Empty();
  }
  switch (header.format) {
    case Format::kJpeg:
      return DecodeJpeg(bytes, request);
    case Format::kPng:
      return DecodePng(bytes, request);
    case Format::kWebp:
      return DecodeWebp(bytes, request);
    case Format::kGif:
      return DecodeGif(bytes, request);
    case Format::kHeif:
    case Format::kAvif:
    case Format::kUnknown:
      break;
  }
  return Unrecognised();
}

}  // namespace imgpipe::core
