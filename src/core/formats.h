// The one table of input formats: name, magic test, header reader, decoder, file extensions and
// MIME type. The sniffer, the decode dispatch, the "not a JPEG, PNG, ..." message, the CLI help
// and `--list-formats` all derive from it; the Terraform suffix filter, local/lib/config.js and
// scripts/demo.sh are tested against it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "decode.h"
#include "imgpipe/error.h"
#include "imgpipe/image.h"

namespace imgpipe::core {

struct FormatEntry {
  Format format;
  std::string_view display_name;                    // "JPEG", as users read it in messages and help
  bool (*matches)(std::span<const uint8_t> bytes);  // magic-byte test, never the file name
  Result<Header> (*read_header)(std::span<const uint8_t> bytes);
  Result<Image> (*decode)(std::span<const uint8_t> bytes, const DecodeRequest& request);
  std::span<const std::string_view> extensions;  // lower case, without the dot; first is usual
  std::string_view mime_type;
};

// Every supported input format, in sniffing order.
std::span<const FormatEntry> InputFormats();

// The table row of a format; nullptr for Format::kUnknown.
const FormatEntry* FindFormat(Format format);

// "JPEG, PNG, WebP, GIF, HEIF or AVIF": the display names joined for messages and help.
std::string InputFormatList(std::string_view last_separator = " or ");

}  // namespace imgpipe::core
