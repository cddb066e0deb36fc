#include "cli/escape.h"

#include <gtest/gtest.h>

namespace imgpipe::cli {
namespace {

TEST(EscapeForTerminal, PrintableAsciiAndValidUtf8PassUnchanged) {
  EXPECT_EQ(EscapeForTerminal("photos/2024/a b.jpg"), "photos/2024/a b.jpg");
  EXPECT_EQ(EscapeForTerminal("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb7.jpg"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xb7.jpg");
}

TEST(EscapeForTerminal, ControlCharactersAndDelAreEscaped) {
  EXPECT_EQ(EscapeForTerminal("a\nb\rc\td"), "a\\nb\\rc\\td");
  EXPECT_EQ(EscapeForTerminal("red\x1b[31m"), "red\\x1b[31m");
  EXPECT_EQ(EscapeForTerminal(std::string_view("nul\0bel\a", 8)), "nul\\x00bel\\x07");
  EXPECT_EQ(EscapeForTerminal("del\x7f"), "del\\x7f");
  EXPECT_EQ(EscapeForTerminal("csi\xc2\x9b"
                              "31m"),
            "csi\\xc2\\x9b31m");                                 // C1 control U+009B
  EXPECT_EQ(EscapeForTerminal("nbsp\xc2\xa0"), "nbsp\xc2\xa0");  // U+00A0 is printable
}

TEST(EscapeForTerminal, BackslashIsEscapedSoEscapesCannotBeForged) {
  EXPECT_EQ(EscapeForTerminal("a\\x1b"), "a\\\\x1b");
  EXPECT_NE(EscapeForTerminal("a\\x1b"), EscapeForTerminal("a\x1b"));
}

TEST(EscapeForTerminal, InvalidUtf8BytesAreEscapedOneByOne) {
  EXPECT_EQ(EscapeForTerminal("latin1-\xe9t\xe9"), "latin1-\\xe9t\\xe9");
  EXPECT_EQ(EscapeForTerminal("\xc0\xaf"), "\\xc0\\xaf");                    // overlong '/'
  EXPECT_EQ(EscapeForTerminal("\xed\xa0\x80"), "\\xed\\xa0\\x80");           // a surrogate
  EXPECT_EQ(EscapeForTerminal("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  EXPECT_EQ(EscapeForTerminal("cut\xe2\x82"), "cut\\xe2\\x82");              // truncated sequence
  EXPECT_EQ(EscapeForTerminal("\x80"), "\\x80");                             // lone continuation
}

}  // namespace
}  // namespace imgpipe::cli
