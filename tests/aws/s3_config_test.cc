#include "aws/s3_config.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <utility>
#include <vector>

namespace imgpipe::aws {
namespace {

EnvLookup FakeEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    const auto it = vars.find(name);
    if (it == vars.end()) {
      return std::nullopt;
    }
    return it->second;
  };
}

const std::map<std::string, std::string> kKeys = {{"AWS_ACCESS_KEY_ID", "AKID"},
                                                  {"AWS_SECRET_ACCESS_KEY", "SECRET"}};

std::map<std::string, std::string> With(std::map<std::string, std::string> extra) {
  extra.insert(kKeys.begin(), kKeys.end());
  return extra;
}

TEST(S3ConfigFromEnv, Defaults) {
  const auto c = S3ConfigFromEnv(FakeEnv(kKeys));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->region, "us-east-1");
  EXPECT_EQ(c->endpoint, "");
  EXPECT_EQ(c->credentials.access_key_id, "AKID");
  EXPECT_EQ(c->credentials.secret_access_key, "SECRET");
  EXPECT_EQ(c->credentials.session_token, "");
  EXPECT_EQ(c->retry.max_attempts, 4);
}

TEST(S3ConfigFromEnv, RegionAndSessionToken) {
  const auto c = S3ConfigFromEnv(FakeEnv(With({{"AWS_REGION", "eu-central-1"},
                                               {"AWS_DEFAULT_REGION", "us-west-2"},
                                               {"AWS_SESSION_TOKEN", "TOKEN"}})));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->region, "eu-central-1");
  EXPECT_EQ(c->credentials.session_token, "TOKEN");
  const auto d = S3ConfigFromEnv(FakeEnv(With({{"AWS_DEFAULT_REGION", "us-west-2"}})));
  EXPECT_EQ(d->region, "us-west-2");
  const auto empty = S3ConfigFromEnv(FakeEnv(With({{"AWS_REGION", ""}})));
  EXPECT_EQ(empty->region, "us-east-1");
}

TEST(S3ConfigFromEnv, EndpointOverridePrefersS3Specific) {
  const auto c =
      S3ConfigFromEnv(FakeEnv(With({{"AWS_ENDPOINT_URL", "http://other:1"},
                                    {"AWS_ENDPOINT_URL_S3", "http://127.0.0.1:4569/"}})));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:4569");
  const auto g = S3ConfigFromEnv(FakeEnv(With({{"AWS_ENDPOINT_URL", "https://minio.local"}})));
  EXPECT_EQ(g->endpoint, "https://minio.local");
}

TEST(S3ConfigFromEnv, MalformedEndpointIsRejected) {
  for (const char* bad : {"127.0.0.1:4569", "ftp://h", "http://", "http:///x", "http://h/?a=1"}) {
    const auto c = S3ConfigFromEnv(FakeEnv(With({{"AWS_ENDPOINT_URL_S3", bad}})));
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.error().code, ErrorCode::kInvalidOptions);
    EXPECT_NE(c.error().message.find("AWS_ENDPOINT_URL_S3"), std::string::npos);
  }
}

// AWS_REGION goes into the host name: "x@127.0.0.1:PORT/" once sent signed requests, with the
// session token, to 127.0.0.1.
TEST(S3ConfigFromEnv, RegionMustBeARegionName) {
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    for (const char* bad : {"x@127.0.0.1:9000/", "us-east-1.evil.example", "EU-WEST-1", "us east",
                            "a/b", "us-east-1#", "r\n"}) {
      const auto c = S3ConfigFromEnv(FakeEnv(With({{name, bad}})));
      ASSERT_FALSE(c.ok()) << name << "=" << bad;
      EXPECT_EQ(c.error().code, ErrorCode::kInvalidOptions);
      EXPECT_TRUE(c.error().message.starts_with(std::string(name) + "=\"")) << c.error().message;
      EXPECT_NE(c.error().message.find("a-z 0-9 -"), std::string::npos) << c.error().message;
    }
  }
  for (const char* good : {"us-east-1", "eu-central-2", "us-gov-west-1", "local"}) {
    const auto c = S3ConfigFromEnv(FakeEnv(With({{"AWS_REGION", good}})));
    ASSERT_TRUE(c.ok()) << good << ": " << c.error().message;
    EXPECT_EQ(c->region, good);
  }
}

TEST(S3ConfigFromEnv, EndpointWithUserinfoQueryOrFragmentIsRefusedNamingTheVariable) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://a@127.0.0.1:4569", "userinfo"},
      {"http://user:pw@host", "userinfo"},
      {"https://evil.example@s3.amazonaws.com/", "userinfo"},
      {"http://host/base?x=1", "query or fragment"},
      {"http://host#frag", "query or fragment"},
      {"http://host:0", "port"},
      {"http://host:65536", "port"},
      {"http://host:80x", "port"},
      {"http://ho st", "host"},
      {"http://host\\@other", "userinfo"},
      {"http://h\xC3\xA9", "host"},
      {"http://host/a b", "path"},
      {"http://host/a\\b", "path"},
      {"http://host/%zz", "%XX"},
      {"http://host/base/../other", "segments"},
      {"HTTP://host", "scheme"},
  };
  for (const char* name : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    for (const auto& [url, reason] : cases) {
      const auto c = S3ConfigFromEnv(FakeEnv(With({{name, url}})));
      ASSERT_FALSE(c.ok()) << name << "=" << url;
      EXPECT_EQ(c.error().code, ErrorCode::kInvalidOptions);
      EXPECT_TRUE(c.error().message.starts_with(std::string(name) + "=\"" + url + "\""))
          << c.error().message;
      EXPECT_NE(c.error().message.find(reason), std::string::npos) << c.error().message;
    }
  }
}

TEST(S3ConfigFromEnv, EndpointAcceptsSchemeHostPortAndPath) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"http://127.0.0.1:4569", "http://127.0.0.1:4569"},
      {"http://localhost:4569/", "http://localhost:4569"},
      {"https://storage.example:8443/s3/", "https://storage.example:8443/s3"},
      {"https://minio.local", "https://minio.local"},
      {"http://[::1]:9000", "http://[::1]:9000"},
      {"http://host/a%20b/c-d_e.f~g", "http://host/a%20b/c-d_e.f~g"},
  };
  for (const auto& [url, normalized] : cases) {
    const auto c = S3ConfigFromEnv(FakeEnv(With({{"AWS_ENDPOINT_URL_S3", url}})));
    ASSERT_TRUE(c.ok()) << url << ": " << c.error().message;
    EXPECT_EQ(c->endpoint, normalized);
  }
}

TEST(S3ConfigFromEnv, MissingCredentialsAreAClearError) {
  const auto c = S3ConfigFromEnv(FakeEnv({{"AWS_ACCESS_KEY_ID", "AKID"}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().code, ErrorCode::kInvalidOptions);
  EXPECT_NE(c.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(S3ConfigFromEnv, SslCertFileOverridesBundle) {
  const auto c = S3ConfigFromEnv(FakeEnv(With({{"SSL_CERT_FILE", "/opt/ca.pem"}})));
  EXPECT_EQ(c->ca_bundle, "/opt/ca.pem");
}

std::function<bool(const std::string&)> Exists(std::set<std::string> files) {
  return [files = std::move(files)](const std::string& p) { return files.count(p) > 0; };
}

TEST(ChooseCaBundle, AmazonLinuxFirstThenDebianThenCurlDefault) {
  const std::string al2023 = "/etc/pki/tls/certs/ca-bundle.crt";
  const std::string debian = "/etc/ssl/certs/ca-certificates.crt";
  EXPECT_EQ(ChooseCaBundle(std::nullopt, Exists({al2023, debian})), al2023);
  EXPECT_EQ(ChooseCaBundle(std::nullopt, Exists({al2023})), al2023);
  EXPECT_EQ(ChooseCaBundle(std::nullopt, Exists({debian})), debian);
  EXPECT_EQ(ChooseCaBundle(std::nullopt, Exists({})), "");
}

TEST(ChooseCaBundle, SslCertFileWinsEvenWhenMissing) {
  EXPECT_EQ(ChooseCaBundle("/x.pem", Exists({"/etc/pki/tls/certs/ca-bundle.crt"})), "/x.pem");
  EXPECT_EQ(ChooseCaBundle("", Exists({"/etc/ssl/certs/ca-certificates.crt"})),
            "/etc/ssl/certs/ca-certificates.crt");
}

TEST(ProcessEnv, ReadsTheRealEnvironment) {
  ::setenv("IMGPIPE_S3_CONFIG_TEST_VAR", "v", 1);
  EXPECT_EQ(ProcessEnv("IMGPIPE_S3_CONFIG_TEST_VAR"), "v");
  ::unsetenv("IMGPIPE_S3_CONFIG_TEST_VAR");
  EXPECT_EQ(ProcessEnv("IMGPIPE_S3_CONFIG_TEST_VAR"), std::nullopt);
}

}  // namespace
}  // namespace imgpipe::aws
