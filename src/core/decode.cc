// Dispatch on the sniffed format through the format table (formats.h). Each codec file owns its
// own header parse, limit check and error translation; this file only routes and names what no
// codec can claim.
#include "decode.h"

#include "formats.h"
#include "sniff.h"

namespace imgpipe::core {
namespace {

Error Empty() { return MakeError(ErrorCode::kEmptyInput, "input is empty (0 bytes)"); }

Error Unrecognised() {
  return MakeError(ErrorCode::kUnsupportedFormat,
                   "not a " + InputFormatList() + " image (unrecognised magic bytes)");
}

}  // namespace

Result<Header> ReadHeader(std::span<const uint8_t> bytes) {
  if (bytes.empty()) {
    return Empty();
  }
  const FormatEntry* entry = FindFormat(Sniff(bytes));
  if (entry == nullptr) {
    return Unrecognised();
  }
  return entry->read_header(bytes);
}

Result<Image> Decode(std::span<const uint8_t> bytes, const Header& header,
                     const DecodeRequest& request) {
  if (bytes.empty()) {
    return Empty();
  }
  const FormatEntry* entry = FindFormat(header.format);
  if (entry == nullptr) {
    return Unrecognised();
  }
  return entry->decode(bytes, request);
}

}  // namespace imgpipe::core
