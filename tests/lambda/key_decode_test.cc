#include "lambda/key_decode.h"

#include <gtest/gtest.h>

#include <random>

namespace imgpipe::lambda {
namespace {

TEST(FormUrlDecode, DecodesPlusAndPercentEscapes) {
  auto key = FormUrlDecode("my+photo%C3%A9.jpg");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "my photo\xC3\xA9.jpg");
}

TEST(FormUrlDecode, AcceptsLowercaseHexAndKeepsSlashes) {
  auto key = FormUrlDecode("a/b%2fc%2Bd%3d");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "a/b/c+d=");
}

TEST(FormUrlDecode, PassesPlainKeysThrough) {
  auto key = FormUrlDecode("folder/sub/plain-name_1.jpg");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "folder/sub/plain-name_1.jpg");
}

TEST(FormUrlDecode, DecodesNulByte) {
  auto key = FormUrlDecode("a%00b");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, std::string("a\0b", 3));
}

TEST(FormUrlDecode, RejectsBadEscapesWithOffset) {
  for (const char* bad : {"%", "%4", "abc%", "abc%G1", "%zz", "x%1", "%%41"}) {
    auto key = FormUrlDecode(bad);
    ASSERT_FALSE(key.ok()) << bad;
    EXPECT_EQ(key.error().code, ErrorCode::kInvalidEvent);
    EXPECT_NE(key.error().message.find("offset"), std::string::npos) << key.error().message;
  }
  EXPECT_NE(FormUrlDecode("abc%G1").error().message.find("offset 3"), std::string::npos);
}

TEST(PercentEncodeKey, EncodesAllButUnreservedAndSlash) {
  EXPECT_EQ(PercentEncodeKey("a b+c/\xC3\xA9~._-%"), "a%20b%2Bc/%C3%A9~._-%25");
  EXPECT_EQ(PercentEncodeKey(""), "");
}

TEST(PercentEncodeKey, FormUrlDecodeInvertsItForAnyBytes) {
  std::mt19937 rng(1234);
  for (int length = 0; length < 64; ++length) {
    std::string raw;
    for (int i = 0; i < length; ++i) raw.push_back(static_cast<char>(rng() & 0xFF));
    const std::string encoded = PercentEncodeKey(raw);
    for (const char c : encoded) {
      EXPECT_TRUE(static_cast<unsigned char>(c) < 0x80 && c > 0x20) << "not printable ASCII";
    }
    auto decoded = FormUrlDecode(encoded);
    ASSERT_TRUE(decoded.ok());
    EXPECT_EQ(*decoded, raw);
  }
}

}  // namespace
}  // namespace imgpipe::lambda
