// What may travel in an HTTP header value. One definition for every header we build from data
// (Content-Type, Cache-Control, the Runtime API's error type): a CR or LF would split the
// request, other control characters are refused by servers or logged raw.
#pragma once

#include <string>
#include <string_view>

namespace imgpipe::aws {

// C0 controls (0x00..0x1f) and DEL (0x7f).
bool IsControlChar(char c);
bool HasControlChars(std::string_view text);

// Printable US-ASCII only (0x20..0x7e): no control character and no byte >= 0x80.
bool IsPrintableAscii(std::string_view text);

// `text` with every byte outside printable US-ASCII replaced by '_'.
std::string ToPrintableAscii(std::string_view text);

}  // namespace imgpipe::aws
