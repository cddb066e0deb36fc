#include "aws/s3_wire.h"

#include <gtest/gtest.h>

namespace imgpipe::aws {
namespace {

TEST(BuildS3Target, AwsVirtualHosted) {
  S3Config c;
  c.region = "eu-west-1";
  const auto t = BuildS3Target(c, "my-bucket", "a/b c+d.jpg");
  EXPECT_EQ(t.host, "my-bucket.s3.eu-west-1.amazonaws.com");
  EXPECT_EQ(t.canonical_uri, "/a/b%20c%2Bd.jpg");
  EXPECT_EQ(t.url, "https://my-bucket.s3.eu-west-1.amazonaws.com/a/b%20c%2Bd.jpg");
}

TEST(BuildS3Target, AwsDottedBucketFallsBackToPathStyle) {
  S3Config c;
  const auto t = BuildS3Target(c, "images.example.com", "x.jpg");
  EXPECT_EQ(t.host, "s3.us-east-1.amazonaws.com");
  EXPECT_EQ(t.url, "https://s3.us-east-1.amazonaws.com/images.example.com/x.jpg");
}

TEST(BuildS3Target, CustomEndpointIsPathStyle) {
  S3Config c;
  c.endpoint = "http://127.0.0.1:4569";
  const auto t = BuildS3Target(c, "in", "dir/\xC3\xA9 %.png");
  EXPECT_EQ(t.host, "127.0.0.1:4569");
  EXPECT_EQ(t.canonical_uri, "/in/dir/%C3%A9%20%25.png");
  EXPECT_EQ(t.url, "http://127.0.0.1:4569/in/dir/%C3%A9%20%25.png");
}

TEST(BuildS3Target, CustomEndpointKeepsBasePath) {
  S3Config c;
  c.endpoint = "https://storage.example:8443/s3";
  const auto t = BuildS3Target(c, "b", "k");
  EXPECT_EQ(t.host, "storage.example:8443");
  EXPECT_EQ(t.canonical_uri, "/s3/b/k");
  EXPECT_EQ(t.url, "https://storage.example:8443/s3/b/k");
}

TEST(BuildS3Target, DoubleSlashesStayVerbatim) {
  S3Config c;
  c.endpoint = "http://h";
  EXPECT_EQ(BuildS3Target(c, "b", "a//b/").canonical_uri, "/b/a//b/");
}

// A path-style server resolving "../" would write outside the bucket; "%2E" is S3's literal '.'.
TEST(BuildS3Target, DotSegmentsAreSentEncodedSoNoServerResolvesThem) {
  S3Config c;
  c.endpoint = "http://h";
  const auto t = BuildS3Target(c, "b", "a/../b//c/./d");
  EXPECT_EQ(t.canonical_uri, "/b/a/%2E%2E/b//c/%2E/d");
  EXPECT_EQ(t.url, "http://h/b/a/%2E%2E/b//c/%2E/d");
  EXPECT_EQ(BuildS3Target(c, "b", "../../../tmp/x/trav.jpg").canonical_uri,
            "/b/%2E%2E/%2E%2E/%2E%2E/tmp/x/trav.jpg");
  EXPECT_EQ(BuildS3Target(c, "b", "..").canonical_uri, "/b/%2E%2E");
  EXPECT_EQ(BuildS3Target(c, "b", "./").canonical_uri, "/b/%2E/");
  // Only whole "." and ".." segments: dots inside names are ordinary unreserved characters.
  EXPECT_EQ(BuildS3Target(c, "b", ".hidden/.../a..b/x.").canonical_uri, "/b/.hidden/.../a..b/x.");
  S3Config aws;
  const auto v = BuildS3Target(aws, "bucket", "../x.jpg");
  EXPECT_EQ(v.url, "https://bucket.s3.us-east-1.amazonaws.com/%2E%2E/x.jpg");
}

TEST(IsVirtualHostableBucket, Rules) {
  EXPECT_TRUE(IsVirtualHostableBucket("abc"));
  EXPECT_TRUE(IsVirtualHostableBucket("my-bucket-01"));
  EXPECT_FALSE(IsVirtualHostableBucket("ab"));
  EXPECT_FALSE(IsVirtualHostableBucket("a.b.c"));
  EXPECT_FALSE(IsVirtualHostableBucket("MyBucket"));
  EXPECT_FALSE(IsVirtualHostableBucket("-abc"));
  EXPECT_FALSE(IsVirtualHostableBucket("abc-"));
  EXPECT_FALSE(IsVirtualHostableBucket(std::string(64, 'a')));
}

TEST(ParseS3Error, CodeAndMessageWithEntities) {
  const auto e = ParseS3Error(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code>"
      "<Message>The request signature we calculated does not match &amp; &lt;so&gt; on"
      "</Message><RequestId>1</RequestId></Error>");
  EXPECT_EQ(e.code, "SignatureDoesNotMatch");
  EXPECT_EQ(e.message, "The request signature we calculated does not match & <so> on");
}

TEST(ParseS3Error, GarbageGivesEmptyFields) {
  for (const char* body : {"", "not xml", "<Error><Code>Unclosed", "<Code>&amp</Code>"}) {
    const auto e = ParseS3Error(body);
    EXPECT_TRUE(e.message.empty()) << body;
  }
  EXPECT_EQ(ParseS3Error("<Code>&amp</Code>").code, "&amp");
  EXPECT_EQ(ParseS3Error("<Error><Code>Unclosed").code, "");
}

TEST(MetadataValue, AsciiPassesThrough) {
  EXPECT_EQ(EncodeMetadataValue("in/cat.jpg"), "in/cat.jpg");
  EXPECT_EQ(DecodeMetadataValue("in/cat.jpg"), "in/cat.jpg");
  EXPECT_EQ(EncodeMetadataValue(""), "");
}

TEST(MetadataValue, NonAsciiAndControlCharsRoundTripThroughRfc2047) {
  for (const std::string& v : {std::string("photo\xC3\xA9.jpg"), std::string("a\r\nInjected: 1"),
                               std::string("\xE2\x82\xAC"), std::string("ab\xC3\xA9"),
                               std::string("=?UTF-8?B?looks-encoded?="), std::string("\x01", 1)}) {
    const std::string enc = EncodeMetadataValue(v);
    for (char c : enc) {
      ASSERT_TRUE(c >= 0x20 && c < 0x7f) << enc;
    }
    EXPECT_TRUE(enc.starts_with("=?UTF-8?B?")) << enc;
    EXPECT_EQ(DecodeMetadataValue(enc), v);
  }
  EXPECT_EQ(EncodeMetadataValue("photo\xC3\xA9.jpg"), "=?UTF-8?B?cGhvdG/DqS5qcGc=?=");
  EXPECT_EQ(DecodeMetadataValue("=?utf-8?b?cGhvdG/DqS5qcGc=?="), "photo\xC3\xA9.jpg");
}

TEST(MetadataValue, MalformedEncodedWordIsKeptVerbatim) {
  EXPECT_EQ(DecodeMetadataValue("=?UTF-8?B?abc?="), "=?UTF-8?B?abc?=");    // not a multiple of 4
  EXPECT_EQ(DecodeMetadataValue("=?UTF-8?B?****?="), "=?UTF-8?B?****?=");  // not base64
  EXPECT_EQ(DecodeMetadataValue("=?UTF-8?Q?a?="), "=?UTF-8?Q?a?=");
}

TEST(IsValidMetadataName, Rules) {
  EXPECT_TRUE(IsValidMetadataName("source-key"));
  EXPECT_TRUE(IsValidMetadataName("imgpipe_v1.2"));
  EXPECT_FALSE(IsValidMetadataName(""));
  EXPECT_FALSE(IsValidMetadataName("Source-Key"));
  EXPECT_FALSE(IsValidMetadataName("a b"));
  EXPECT_FALSE(IsValidMetadataName("a:b"));
  EXPECT_FALSE(IsValidMetadataName("x\r\ny"));
}

TEST(StripEtagQuotes, Forms) {
  EXPECT_EQ(StripEtagQuotes("\"d41d8cd98f00b204e9800998ecf8427e\""),
            "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(StripEtagQuotes("W/\"abc\""), "abc");
  EXPECT_EQ(StripEtagQuotes("abc-3"), "abc-3");
  EXPECT_EQ(StripEtagQuotes("\""), "\"");
  EXPECT_EQ(StripEtagQuotes(""), "");
}

}  // namespace
}  // namespace imgpipe::aws
