#include "cli/escape.h"

#include <cstdint>

#include "core/text.h"

namespace imgpipe::cli {
namespace {

void AppendHex(std::string& out, uint8_t byte) {
  constexpr char kDigits[] = "0123456789abcdef";
  out.append("\\x").push_back(kDigits[byte >> 4]);
  out.push_back(kDigits[byte & 0xF]);
}

}  // namespace

std::string EscapeForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<uint8_t>(text[i]);
    if (byte >= 0x20 && byte < 0x7F) {
      if (byte == '\\') {
        out.append("\\\\");
      } else {
        out.push_back(static_cast<char>(byte));
      }
      ++i;
      continue;
    }
    if (byte == '\n' || byte == '\r' || byte == '\t') {
      out.push_back('\\');
      out.push_back(byte == '\n' ? 'n' : byte == '\r' ? 'r' : 't');
      ++i;
      continue;
    }
    // Only controls and DEL are left below 0x80 here, and those are escaped.
    const size_t length = byte < 0x80 ? 0 : core::Utf8SequenceLength(text, i);
    const bool c1_control = length == 2 && byte == 0xC2 && static_cast<uint8_t>(text[i + 1]) < 0xA0;
    if (length == 0 || c1_control) {
      // A control character, DEL or a byte of invalid UTF-8 (a C1 control: both its bytes).
      const size_t count = c1_control ? 2 : 1;
      for (size_t k = 0; k < count; ++k) {
        AppendHex(out, static_cast<uint8_t>(text[i + k]));
      }
      i += count;
      continue;
    }
    out.append(text.substr(i, length));
    i += length;
  }
  return out;
}

}  // namespace imgpipe::cli
