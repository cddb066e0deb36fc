#include "lambda/bucket_name.h"

#include <gtest/gtest.h>

#include <string>

namespace imgpipe::lambda {
namespace {

TEST(ValidateBucketName, AcceptsS3Names) {
  for (const std::string& name :
       {std::string("abc"), std::string("imgpipe-input"), std::string("my.bucket.2024"),
        std::string("a-b.c-d"), std::string("0ab"), std::string("name--usw2-az1--x-s3"),
        std::string("1.2.3"), std::string(63, 'a')}) {
    EXPECT_TRUE(ValidateBucketName(name).ok()) << name;
  }
}

TEST(ValidateBucketName, RefusesWhatS3CouldNeverHaveCreated) {
  const struct {
    std::string name;
    const char* rule;
  } cases[] = {
      {"..", "3 to 63"},
      {"ab", "3 to 63"},
      {std::string(64, 'a'), "3 to 63"},
      {"a/b", "only a-z"},
      {"Upper", "only a-z"},
      {"under_score", "only a-z"},
      {"has space", "only a-z"},
      {std::string("nul\0x", 5), "only a-z"},
      {"-abc", "start and end"},
      {"abc.", "start and end"},
      {"a..b", "\"..\""},
      {"192.168.0.1", "IP address"},
      {"10.0.0.255", "IP address"},
  };
  for (const auto& c : cases) {
    auto status = ValidateBucketName(c.name);
    ASSERT_FALSE(status.ok()) << c.name;
    EXPECT_EQ(status.error().code, ErrorCode::kInvalidEvent);
    EXPECT_NE(status.error().message.find(c.rule), std::string::npos) << status.error().message;
    EXPECT_NE(status.error().message.find("bucket \"" + c.name + "\""), std::string::npos);
  }
}

}  // namespace
}  // namespace imgpipe::lambda
