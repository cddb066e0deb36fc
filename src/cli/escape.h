// Escaping of file names (and messages that quote them) before they reach stderr or stdout.
#pragma once

#include <string>
#include <string_view>

namespace imgpipe::cli {

// Returns `text` with every byte a terminal or a line-oriented reader could misread escaped:
// `\n`, `\r`, `\t`, `\\`, and `\xHH` (lowercase hex) for the other C0 controls, DEL, the C1
// controls (U+0080..U+009F, as their two UTF-8 bytes) and every byte that is not part of valid
// UTF-8. Valid printable UTF-8 passes unchanged. Two different names never print the same, and
// a name cannot start a new report line or send an escape sequence to the terminal.
std::string EscapeForTerminal(std::string_view text);

}  // namespace imgpipe::cli
