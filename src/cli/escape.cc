#include "cli/escape.h"

#include <cstdint>

namespace imgpipe::cli {
namespace {

bool IsContinuation(uint8_t byte) { return (byte & 0xC0) == 0x80; }

// The length of the valid UTF-8 sequence at the start of `text`, or 0 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF).
size_t Utf8SequenceLength(std::string_view text) {
  const auto at = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  const uint8_t lead = at(0);
  size_t length = 0;
  uint8_t second_min = 0x80;
  uint8_t second_max = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    second_min = lead == 0xE0 ? 0xA0 : 0x80;
    second_max = lead == 0xED ? 0x9F : 0xBF;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    second_min = lead == 0xF0 ? 0x90 : 0x80;
    second_max = lead == 0xF4 ? 0x8F : 0xBF;
  } else {
    return 0;
  }
  if (text.size() < length || at(1) < second_min || at(1) > second_max) {
    return 0;
  }
  for (size_t i = 2; i < length; ++i) {
    if (!IsContinuation(at(i))) {
      return 0;
    }
  }
  return length;
}

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
    const size_t length = byte < 0x80 ? 0 : Utf8SequenceLength(text.substr(i));
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
