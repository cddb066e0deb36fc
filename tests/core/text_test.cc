#include "core/text.h"

#include <gtest/gtest.h>

#include <string>

namespace imgpipe::core {
namespace {

TEST(Utf8SequenceLength, AsciiAndWellFormedSequences) {
  EXPECT_EQ(Utf8SequenceLength("a", 0), 1u);
  EXPECT_EQ(Utf8SequenceLength("\xC3\xA9", 0), 2u);          // é
  EXPECT_EQ(Utf8SequenceLength("x\xE6\x97\xA5", 1), 3u);     // 日, not at the start
  EXPECT_EQ(Utf8SequenceLength("\xF0\x9F\x93\xB7", 0), 4u);  // 📷
  EXPECT_EQ(Utf8SequenceLength("\xF4\x8F\xBF\xBF", 0), 4u);  // U+10FFFF
}

TEST(Utf8SequenceLength, RefusesWhatRfc3629Forbids) {
  EXPECT_EQ(Utf8SequenceLength("\x80", 0), 0u);              // stray continuation byte
  EXPECT_EQ(Utf8SequenceLength("\xC0\xAF", 0), 0u);          // overlong '/'
  EXPECT_EQ(Utf8SequenceLength("\xE0\x80\xAF", 0), 0u);      // overlong, 3 bytes
  EXPECT_EQ(Utf8SequenceLength("\xED\xA0\x80", 0), 0u);      // a surrogate
  EXPECT_EQ(Utf8SequenceLength("\xF4\x90\x80\x80", 0), 0u);  // above U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("\xFF", 0), 0u);              // never a lead byte
  EXPECT_EQ(Utf8SequenceLength("\xE6\x97", 0), 0u);          // truncated at the end
  EXPECT_EQ(Utf8SequenceLength("\xE6\x41\xA5", 0), 0u);      // continuation missing
}

TEST(AsciiLower, FoldsAsciiOnlyAndKeepsOtherBytes) {
  EXPECT_EQ(AsciiLower("Content-Type"), "content-type");
  EXPECT_EQ(AsciiLower("WEBP"), "webp");
  EXPECT_EQ(AsciiLower("\xC3\x89X"), "\xC3\x89x");  // É stays, X folds
  EXPECT_EQ(AsciiLower(""), "");
}

TEST(TrimAsciiSpace, StripsBothEndsOnly) {
  EXPECT_EQ(TrimAsciiSpace("  cover\t\r\n"), "cover");
  EXPECT_EQ(TrimAsciiSpace("a b"), "a b");
  EXPECT_EQ(TrimAsciiSpace(" \t "), "");
  EXPECT_EQ(TrimAsciiSpace(""), "");
}

TEST(ResolveDotSegments, ResolvesLikeAPathAndRefusesClimbingAboveTheRoot) {
  EXPECT_EQ(ResolveDotSegments("a/b/c.jpg"), "a/b/c.jpg");
  EXPECT_EQ(ResolveDotSegments("a/./b.jpg"), "a/b.jpg");
  EXPECT_EQ(ResolveDotSegments("a/x/../b.jpg"), "a/b.jpg");
  EXPECT_EQ(ResolveDotSegments("a//b"), "a//b");
  EXPECT_EQ(ResolveDotSegments("a/"), "a/");
  EXPECT_EQ(ResolveDotSegments(""), "");
  EXPECT_EQ(ResolveDotSegments("a/.."), "");
  EXPECT_EQ(ResolveDotSegments(".."), std::nullopt);
  EXPECT_EQ(ResolveDotSegments("a/../../b"), std::nullopt);
}

}  // namespace
}  // namespace imgpipe::core
