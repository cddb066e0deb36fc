// S3 event notifications carry object keys form-URL-encoded ('+' for space, %XX for bytes);
// requests and our metadata need them raw. Both directions live here so they stay inverses.
#pragma once

#include <string>
#include <string_view>

#include "imgpipe/error.h"

namespace imgpipe::lambda {

// '+' -> ' ', %XX -> the byte 0xXX (either hex case). Strict: a '%' not followed by two hex
// digits is an error (kInvalidEvent) naming the offset, never a guess or out-of-bounds read.
// `my+photo%C3%A9.jpg` -> `my photoé.jpg`. The result may hold any bytes, including NUL.
Result<std::string> FormUrlDecode(std::string_view encoded);

// Percent-encodes every byte except the RFC 3986 unreserved set and '/', with uppercase hex:
// the S3 client's own path encoding (aws::UriEncode), so the metadata spells the key as the
// request did. Used for metadata values (S3 user metadata must be ASCII). FormUrlDecode
// inverts it.
std::string PercentEncodeKey(std::string_view raw);

}  // namespace imgpipe::lambda
