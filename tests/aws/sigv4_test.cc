// SigV4 against AWS's published vectors: the S3 "Signature Calculations for the Authorization
// Header" examples (GET Object, PUT Object, GET Bucket Lifecycle, GET Bucket with a query) and
// the generic aws-sig-v4-test-suite cases (get-vanilla, get-utf8, query order, duplicate headers).
#include "aws/sigv4.h"

#include <gtest/gtest.h>

namespace imgpipe::aws {
namespace {

constexpr char kEmptySha[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

const Credentials kS3Docs{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const SigV4Scope kS3Scope{"20130524T000000Z", "us-east-1", "s3"};
const Credentials kSuite{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
const SigV4Scope kSuiteScope{"20150830T123600Z", "us-east-1", "service"};

TEST(SigV4, S3GetObjectWithRange) {
  SigV4Request req;
  req.method = "GET";
  req.canonical_uri = "/" + UriEncode("test.txt", true);
  // Header names in mixed case and a trailing space, as in the published request.
  req.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"Range", "bytes=0-9 "},
                 {"x-amz-content-sha256", kEmptySha},
                 {"x-amz-date", "20130524T000000Z "}};
  req.payload_sha256 = Sha256Hex(std::string_view(""));
  const auto r = SignV4(req, kS3Docs, kS3Scope);
  EXPECT_EQ(r.canonical_request,
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                std::string(kEmptySha) + "\nx-amz-date:20130524T000000Z\n\n" +
                "host;range;x-amz-content-sha256;x-amz-date\n" + kEmptySha);
  EXPECT_EQ(r.string_to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(r.signature, "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  EXPECT_EQ(r.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4, S3PutObjectWithDollarInKey) {
  const std::string payload = "Welcome to Amazon S3.";
  const std::string payload_sha = Sha256Hex(std::string_view(payload));
  EXPECT_EQ(payload_sha, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  SigV4Request req;
  req.method = "PUT";
  req.canonical_uri = "/" + UriEncode("test$file.text", true);
  EXPECT_EQ(req.canonical_uri, "/test%24file.text");
  req.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                 {"x-amz-date", "20130524T000000Z"},
                 {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                 {"x-amz-content-sha256", payload_sha}};
  req.payload_sha256 = payload_sha;
  const auto r = SignV4(req, kS3Docs, kS3Scope);
  EXPECT_EQ(r.signed_headers, "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class");
  EXPECT_EQ(r.string_to_sign.substr(r.string_to_sign.rfind('\n') + 1),
            "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
  EXPECT_EQ(r.signature, "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

SigV4Request S3BucketGet(HeaderList query) {
  SigV4Request req;
  req.method = "GET";
  req.canonical_uri = "/";
  req.query = std::move(query);
  req.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"x-amz-date", "20130524T000000Z"},
                 {"x-amz-content-sha256", kEmptySha}};
  req.payload_sha256 = kEmptySha;
  return req;
}

TEST(SigV4, S3GetBucketLifecycleEmptyValuedParameter) {
  const auto r = SignV4(S3BucketGet({{"lifecycle", ""}}), kS3Docs, kS3Scope);
  EXPECT_NE(r.canonical_request.find("\n/\nlifecycle=\nhost:"), std::string::npos);
  EXPECT_EQ(r.signature, "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4, S3ListObjectsQuerySortedWhateverTheInputOrder) {
  const auto r = SignV4(S3BucketGet({{"prefix", "J"}, {"max-keys", "2"}}), kS3Docs, kS3Scope);
  EXPECT_NE(r.canonical_request.find("\nmax-keys=2&prefix=J\n"), std::string::npos);
  EXPECT_EQ(r.string_to_sign.substr(r.string_to_sign.rfind('\n') + 1),
            "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
  EXPECT_EQ(r.signature, "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

SigV4Request SuiteGet(std::string path, HeaderList query = {}) {
  SigV4Request req;
  req.method = "GET";
  req.canonical_uri = std::move(path);
  req.query = std::move(query);
  req.headers = {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}};
  req.payload_sha256 = kEmptySha;
  return req;
}

TEST(SigV4, SuiteGetVanilla) {
  const auto r = SignV4(SuiteGet("/"), kSuite, kSuiteScope);
  EXPECT_EQ(
      r.canonical_request,
      "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n" +
          std::string(kEmptySha));
  EXPECT_EQ(r.string_to_sign,
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
  EXPECT_EQ(r.signature, "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(SigV4, SuiteGetUtf8Path) {
  const std::string path = "/" + UriEncode("\xE1\x88\xB4", true);  // U+1234
  EXPECT_EQ(path, "/%E1%88%B4");
  EXPECT_EQ(SignV4(SuiteGet(path), kSuite, kSuiteScope).signature,
            "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85");
}

TEST(SigV4, SuiteQueryOrderKeyCase) {
  EXPECT_EQ(SignV4(SuiteGet("/", {{"Param2", "value2"}, {"Param1", "value1"}}), kSuite, kSuiteScope)
                .signature,
            "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500");
}

TEST(SigV4, SuiteDuplicateHeaderValuesJoinInOrder) {
  auto req = SuiteGet("/");
  req.headers.push_back({"My-Header1", "value2"});
  req.headers.push_back({"My-Header1", "value2"});
  req.headers.push_back({"My-Header1", "value1"});
  const auto r = SignV4(req, kSuite, kSuiteScope);
  EXPECT_NE(r.canonical_request.find("\nmy-header1:value2,value2,value1\n"), std::string::npos);
  EXPECT_EQ(r.signed_headers, "host;my-header1;x-amz-date");
  EXPECT_EQ(r.signature, "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea");
}

TEST(SigV4, SessionTokenHeaderIsSigned) {
  auto req = SuiteGet("/");
  req.headers.push_back({"X-Amz-Security-Token", "tok"});
  const auto with = SignV4(req, kSuite, kSuiteScope);
  EXPECT_EQ(with.signed_headers, "host;x-amz-date;x-amz-security-token");
  EXPECT_NE(with.signature, SignV4(SuiteGet("/"), kSuite, kSuiteScope).signature);
}

TEST(SigV4, SigningKeyMatchesPublishedDerivation) {
  // AWS General Reference, "Examples of how to derive a signing key" (IAM, 20120215).
  const auto key =
      SigningKey("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "20120215", "us-east-1", "iam");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  for (uint8_t b : key) {
    hex.push_back(kHex[b >> 4]);
    hex.push_back(kHex[b & 0xf]);
  }
  EXPECT_EQ(hex, "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
}

TEST(Sha256Hex, KnownDigests) {
  EXPECT_EQ(Sha256Hex(std::string_view("")), kEmptySha);
  EXPECT_EQ(Sha256Hex(std::string_view("abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::vector<uint8_t> bytes = {'a', 'b', 'c'};
  EXPECT_EQ(Sha256Hex(bytes), Sha256Hex(std::string_view("abc")));
}

TEST(UriEncode, KeepsUnreservedAndOptionallySlash) {
  EXPECT_EQ(UriEncode("AZaz09-_.~", false), "AZaz09-_.~");
  EXPECT_EQ(UriEncode("a/b/c.jpg", true), "a/b/c.jpg");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
}

TEST(UriEncode, ObjectKeyCharacters) {
  EXPECT_EQ(UriEncode("my photo.jpg", true), "my%20photo.jpg");
  EXPECT_EQ(UriEncode("a+b.jpg", true), "a%2Bb.jpg");
  EXPECT_EQ(UriEncode("100%.jpg", true), "100%25.jpg");
  EXPECT_EQ(UriEncode("%20", true), "%2520");  // already-encoded text is data, encoded again
  EXPECT_EQ(UriEncode("photo\xC3\xA9.jpg", true), "photo%C3%A9.jpg");  // é, upper-case hex
  EXPECT_EQ(UriEncode("\xE2\x82\xAC", true), "%E2%82%AC");             // €
  EXPECT_EQ(UriEncode("nested//dir/ x", true), "nested//dir/%20x");
  EXPECT_EQ(UriEncode("a=b&c?d#e", true), "a%3Db%26c%3Fd%23e");
  EXPECT_EQ(UriEncode("*'()!$,;:@[]", true), "%2A%27%28%29%21%24%2C%3B%3A%40%5B%5D");
  EXPECT_EQ(UriEncode(std::string("\x00\x7f\xff", 3), true), "%00%7F%FF");
}

TEST(CanonicalQueryString, EncodesThenSorts) {
  EXPECT_EQ(CanonicalQueryString({}), "");
  EXPECT_EQ(CanonicalQueryString({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(CanonicalQueryString({{"prefix", "a b/c"}, {"list-type", "2"}}),
            "list-type=2&prefix=a%20b%2Fc");
  // Same name: ordered by value. Upper case sorts before lower case (byte order).
  EXPECT_EQ(CanonicalQueryString({{"b", "2"}, {"b", "1"}, {"B", "x"}}), "B=x&b=1&b=2");
  EXPECT_EQ(CanonicalQueryString({{"k+", "v+%"}}), "k%2B=v%2B%25");
}

TEST(AmzDateNow, HasIsoBasicShape) {
  const std::string d = AmzDateNow();
  ASSERT_EQ(d.size(), 16u);
  EXPECT_EQ(d[8], 'T');
  EXPECT_EQ(d[15], 'Z');
  EXPECT_EQ(d.substr(0, 2), "20");
}

}  // namespace
}  // namespace imgpipe::aws
