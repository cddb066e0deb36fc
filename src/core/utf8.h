// UTF-8 well-formedness, shared by the adapters that print names they did not choose (the CLI's
// stderr, the Lambda function's logs): each escapes what is not well-formed, so that two
// different byte strings never print as the same text.
#pragma once

#include <cstddef>
#include <string_view>

namespace imgpipe::core {

// Length of the well-formed UTF-8 sequence starting at `text[i]` (RFC 3629: no overlong forms,
// no surrogates, nothing above U+10FFFF): 1 for ASCII, 2..4 for a multi-byte sequence, 0 when
// the byte there starts none (a stray continuation byte, a bad lead, a truncated sequence).
size_t Utf8SequenceLength(std::string_view text, size_t i);

}  // namespace imgpipe::core
