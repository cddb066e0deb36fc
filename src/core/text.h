// Small text helpers shared by core's option parsers and the adapters: UTF-8 well-formedness
// for the CLI's stderr and the Lambda function's logs (each escapes what is not well-formed, so
// that two different byte strings never print as the same text), and the ASCII case folding and
// trimming that option values and HTTP header names and values need.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace imgpipe::core {

// Length of the well-formed UTF-8 sequence starting at `text[i]` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF): 1 for ASCII, 2..4 for a multi-byte sequence, 0 when
// the byte there starts none (a stray continuation byte, a bad lead, a truncated sequence).
size_t Utf8SequenceLength(std::string_view text, size_t i);

// ASCII lower case; other bytes unchanged. Option names and HTTP header names compare this way.
std::string AsciiLower(std::string_view text);

// `text` without leading and trailing ASCII whitespace.
std::string_view TrimAsciiSpace(std::string_view text);

// `path` with its `.` and `..` segments resolved the way a path would be (RFC 3986
// remove_dot_segments), or nullopt when a `..` climbs above the root. A text has a dot segment
// exactly when resolving changes it. Used for S3 keys (lambda/output_key.cc) and variant
// prefixes (variants.cc): a path-style server could resolve them outside the intended prefix.
std::optional<std::string> ResolveDotSegments(std::string_view path);

}  // namespace imgpipe::core
