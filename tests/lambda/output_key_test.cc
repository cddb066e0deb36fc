#include "lambda/output_key.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace imgpipe::lambda {
namespace {

// The key, or "refused: <message>", so each expectation reads as one line.
std::string Key(std::string_view input_key, std::string_view prefix, OutputFormat format) {
  auto key = OutputKey(input_key, OutputNaming{prefix, "", false}, format);
  return key.ok() ? *key : "refused: " + key.error().message;
}

TEST(OutputKey, ReplacesExtensionAndKeepsPrefixes) {
  EXPECT_EQ(Key("a/b/cat.png", "", OutputFormat::kJpeg), "a/b/cat.jpg");
  EXPECT_EQ(Key("a/x.jpg", "", OutputFormat::kJpeg), "a/x.jpg");
  EXPECT_EQ(Key("b/x.jpg", "", OutputFormat::kJpeg), "b/x.jpg");
}

TEST(OutputKey, LowercasesByReplacingTheExtension) {
  EXPECT_EQ(Key("photo.JPG", "", OutputFormat::kJpeg), "photo.jpg");
  EXPECT_EQ(Key("photo.JPEG", "", OutputFormat::kWebp), "photo.webp");
}

TEST(OutputKey, AppendsWhenThereIsNoExtension) {
  EXPECT_EQ(Key("a/b/README", "", OutputFormat::kJpeg), "a/b/README.jpg");
  EXPECT_EQ(Key("noext", "", OutputFormat::kPng), "noext.png");
}

TEST(OutputKey, DotsOutsideTheFileNameAreNotExtensions) {
  EXPECT_EQ(Key("v1.2/raw", "", OutputFormat::kJpeg), "v1.2/raw.jpg");
  EXPECT_EQ(Key("dir/.hidden", "", OutputFormat::kJpeg), "dir/.hidden.jpg");
  EXPECT_EQ(Key(".hidden", "", OutputFormat::kJpeg), ".hidden.jpg");
}

TEST(OutputKey, OnlyTheLastExtensionIsReplaced) {
  EXPECT_EQ(Key("archive.tar.png", "", OutputFormat::kJpeg), "archive.tar.jpg");
  EXPECT_EQ(Key("trailing.", "", OutputFormat::kJpeg), "trailing.jpg");
}

TEST(OutputKey, PrependsThePrefix) {
  EXPECT_EQ(Key("a/b/cat.png", "thumbs/", OutputFormat::kPng), "thumbs/a/b/cat.png");
  EXPECT_EQ(Key("my photo\xC3\xA9.jpg", "t-", OutputFormat::kJpeg), "t-my photo\xC3\xA9.jpg");
}

TEST(OutputKey, RefusesDotSegmentsThatLeaveTheOutputPrefix) {
  for (const auto& [key, prefix] : std::vector<std::pair<const char*, const char*>>{
           {"../../../../tmp/x/trav.jpg", ""},
           {"../imgpipe-input/victim.jpg", "thumbs/"},
           {"a/../../b.jpg", "thumbs/"},
           {"./../b.jpg", "thumbs/"},
           {"a/../../b.jpg", "t-"},
           {"/../x.jpg", "thumbs"},  // thumbs/../x.jpg
       }) {
    auto result = OutputKey(key, OutputNaming{prefix, "", false}, OutputFormat::kJpeg);
    ASSERT_FALSE(result.ok()) << key << " under " << prefix << " -> " << *result;
    EXPECT_EQ(result.error().code, ErrorCode::kInvalidEvent);
    EXPECT_NE(result.error().message.find("OUTPUT_PREFIX"), std::string::npos);
    EXPECT_NE(result.error().message.find("dot segments"), std::string::npos);
  }
}

TEST(OutputKey, KeepExtensionAppendsTheOutputsExtension) {
  const OutputNaming keep{"", "", true};
  EXPECT_EQ(*OutputKey("a/photo.png", keep, OutputFormat::kJpeg), "a/photo.png.jpg");
  EXPECT_EQ(*OutputKey("a/photo.jpg", keep, OutputFormat::kJpeg), "a/photo.jpg.jpg");
  EXPECT_EQ(*OutputKey("noext", keep, OutputFormat::kJpeg), "noext.jpg");
  EXPECT_EQ(*OutputKey("v1.2/raw", keep, OutputFormat::kWebp), "v1.2/raw.webp");
}

TEST(OutputKey, TheVariantPrefixFollowsOutputPrefix) {
  EXPECT_EQ(*OutputKey("a/cat.png", OutputNaming{"thumbs/", "small/", false}, OutputFormat::kWebp),
            "thumbs/small/a/cat.webp");
  EXPECT_EQ(*OutputKey("cat.png", OutputNaming{"", "gray/", true}, OutputFormat::kJpeg),
            "gray/cat.png.jpg");
}

TEST(OutputKey, DotSegmentsMayNotLeaveTheVariantPrefix) {
  auto result =
      OutputKey("../large/x.jpg", OutputNaming{"t/", "small/", false}, OutputFormat::kJpeg);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidEvent);
  EXPECT_NE(result.error().message.find("variant prefix \"small/\""), std::string::npos);
}

TEST(OutputKey, KeepsDotSegmentsThatStayInsideThePrefixLiterally) {
  // S3 keys are literal; a path-resolving server would land these under the prefix anyway.
  EXPECT_EQ(Key("a/../b.jpg", "thumbs/", OutputFormat::kJpeg), "thumbs/a/../b.jpg");
  EXPECT_EQ(Key("./x.png", "thumbs/", OutputFormat::kJpeg), "thumbs/./x.jpg");
  EXPECT_EQ(Key("a/./b/../c.png", "", OutputFormat::kJpeg), "a/./b/../c.jpg");
  // A file name of two dots gains the extension, so it is no longer a dot segment.
  EXPECT_EQ(Key("a/..", "", OutputFormat::kJpeg), "a/..jpg");
  EXPECT_EQ(Key("..", "", OutputFormat::kJpeg), "..jpg");
  // A prefix that is not a folder: the first segment is "t-..", not a dot segment.
  EXPECT_EQ(Key("../b.jpg", "t-", OutputFormat::kJpeg), "t-../b.jpg");
}

}  // namespace
}  // namespace imgpipe::lambda
