#include "lambda/key_decode.h"

#include <algorithm>
#include <charconv>
#include <string>

#include "aws/sigv4.h"

namespace imgpipe::lambda {

Result<std::string> FormUrlDecode(std::string_view encoded) {
  std::string out;
  out.reserve(encoded.size());
  for (size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%') {
      // Exactly two hex digits; from_chars reads no sign for an unsigned type.
      unsigned byte = 0;
      const char* first = encoded.data() + i + 1;
      const char* last = encoded.data() + std::min(i + 3, encoded.size());
      const auto [end, error] = std::from_chars(first, last, byte, 16);
      if (error != std::errc() || end != first + 2) {
        return MakeError(ErrorCode::kInvalidEvent,
                         "bad percent-escape at offset " + std::to_string(i) +
                             " of the encoded key (expected %XX with two hex digits)");
      }
      out.push_back(static_cast<char>(byte));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PercentEncodeKey(std::string_view raw) {
  return aws::UriEncode(raw, /*keep_slash=*/true);
}

}  // namespace imgpipe::lambda
