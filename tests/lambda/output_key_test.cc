#include "lambda/output_key.h"

#include <gtest/gtest.h>

namespace imgpipe::lambda {
namespace {

TEST(OutputKey, ReplacesExtensionAndKeepsPrefixes) {
  EXPECT_EQ(OutputKey("a/b/cat.png", "", OutputFormat::kJpeg), "a/b/cat.jpg");
  EXPECT_EQ(OutputKey("a/x.jpg", "", OutputFormat::kJpeg), "a/x.jpg");
  EXPECT_EQ(OutputKey("b/x.jpg", "", OutputFormat::kJpeg), "b/x.jpg");
}

TEST(OutputKey, LowercasesByReplacingTheExtension) {
  EXPECT_EQ(OutputKey("photo.JPG", "", OutputFormat::kJpeg), "photo.jpg");
  EXPECT_EQ(OutputKey("photo.JPEG", "", OutputFormat::kWebp), "photo.webp");
}

TEST(OutputKey, AppendsWhenThereIsNoExtension) {
  EXPECT_EQ(OutputKey("a/b/README", "", OutputFormat::kJpeg), "a/b/README.jpg");
  EXPECT_EQ(OutputKey("noext", "", OutputFormat::kPng), "noext.png");
}

TEST(OutputKey, DotsOutsideTheFileNameAreNotExtensions) {
  EXPECT_EQ(OutputKey("v1.2/raw", "", OutputFormat::kJpeg), "v1.2/raw.jpg");
  EXPECT_EQ(OutputKey("dir/.hidden", "", OutputFormat::kJpeg), "dir/.hidden.jpg");
  EXPECT_EQ(OutputKey(".hidden", "", OutputFormat::kJpeg), ".hidden.jpg");
}

TEST(OutputKey, OnlyTheLastExtensionIsReplaced) {
  EXPECT_EQ(OutputKey("archive.tar.png", "", OutputFormat::kJpeg), "archive.tar.jpg");
  EXPECT_EQ(OutputKey("trailing.", "", OutputFormat::kJpeg), "trailing.jpg");
}

TEST(OutputKey, PrependsThePrefix) {
  EXPECT_EQ(OutputKey("a/b/cat.png", "thumbs/", OutputFormat::kPng), "thumbs/a/b/cat.png");
  EXPECT_EQ(OutputKey("my photo\xC3\xA9.jpg", "t-", OutputFormat::kJpeg), "t-my photo\xC3\xA9.jpg");
}

}  // namespace
}  // namespace imgpipe::lambda
