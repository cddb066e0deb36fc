#include "aws/header_text.h"

#include <algorithm>

namespace imgpipe::aws {
namespace {

bool IsPrintableAsciiChar(char c) {
  return !IsControlChar(c) && static_cast<unsigned char>(c) < 0x80;
}

}  // namespace

bool IsControlChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

bool HasControlChars(std::string_view text) { return std::ranges::any_of(text, IsControlChar); }

bool IsPrintableAscii(std::string_view text) {
  return std::ranges::all_of(text, IsPrintableAsciiChar);
}

std::string ToPrintableAscii(std::string_view text) {
  std::string out(text);
  std::ranges::replace_if(
      out, [](char c) { return !IsPrintableAsciiChar(c); }, '_');
  return out;
}

}  // namespace imgpipe::aws
