// The handler over the real S3Client against the local S3 server (@20minutes/s3rver): the
// GetObject body streams into the decoder, the thumbnail is written, and a cut or oversized
// object fails its record clearly. Label "integration" (needs node and local/node_modules).
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "aws/s3_client.h"
#include "aws/s3rver_process.h"
#include "lambda/handler.h"
#include "testing/test_support.h"

namespace imgpipe::lambda {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

constexpr const char* kIn = "imgpipe-in";
constexpr const char* kOut = "imgpipe-out";
const aws::InvocationContext kNoContext;

// `size` absent: as S3 Batch Operations tasks, which carry none, so only the download can tell.
std::string S3Event(const std::string& key, const std::string& etag, std::optional<uint64_t> size) {
  json object = {{"key", key}, {"eTag", etag}};
  if (size) {
    object["size"] = *size;
  }
  json event = {
      {"Records", json::array({{{"eventSource", "aws:s3"},
                                {"eventName", "ObjectCreated:Put"},
                                {"s3", {{"bucket", {{"name", kIn}}}, {"object", object}}}}})}};
  return event.dump();
}

class S3HandlerIntegration : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<aws::testing::S3rverProcess>(std::vector<std::string>{kIn, kOut});
  }
  static void TearDownTestSuite() { server_.reset(); }

  S3HandlerIntegration() {
    aws::S3Config s3;
    s3.endpoint = "http://127.0.0.1:" + std::to_string(server_->port());
    s3.credentials = {"S3RVER", "S3RVER", ""};
    s3.max_get_bytes = config.options.limits.max_input_bytes;
    client = std::make_unique<aws::S3Client>(s3);
    config.output_bucket = kOut;
  }

  // Uploads `bytes` as `key` and runs the handler on its S3 event; the record's log line.
  json Run(const std::string& key, const std::vector<uint8_t>& bytes, bool event_has_size = true) {
    auto etag = client->Put(kNoContext, {kIn, key, bytes, "image/jpeg", "", {}});
    EXPECT_TRUE(etag.ok()) << etag.error().message;
    aws::BoundObjectStore store(*client, kNoContext);
    Handle(S3Event(key, etag.ok() ? *etag : "",
                   event_has_size ? std::optional<uint64_t>(bytes.size()) : std::nullopt),
           store, config, Clock::now() + 60s, logger);
    auto records = sink.Records();
    EXPECT_EQ(records.size(), 1u);
    return records.empty() ? json::object() : records.back();
  }

  static std::unique_ptr<aws::testing::S3rverProcess> server_;
  Config config;
  std::unique_ptr<aws::S3Client> client;
  testing::CapturingSink sink;
  Logger logger{sink, "imgpipe-fn"};
};

std::unique_ptr<aws::testing::S3rverProcess> S3HandlerIntegration::server_;

TEST_F(S3HandlerIntegration, StreamedJpegBecomesAThumbnail) {
  const auto jpeg = testing::MakeJpeg(3000, 2000);
  const json record = Run("photos/big.jpg", jpeg);
  EXPECT_EQ(record["outcome"], "processed") << record.dump();
  EXPECT_EQ(record["bytes_in"], jpeg.size());
  auto out = client->Get(kNoContext, kOut, record["output_key"].get<std::string>());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(testing::JpegSize(out->bytes), (std::pair<int, int>{256, 256}));
}

TEST_F(S3HandlerIntegration, CutJpegFailsAsTruncatedWithoutAnOutput) {
  auto jpeg = testing::MakeJpeg(1200, 800);
  jpeg.resize(jpeg.size() * 2 / 3);
  const json record = Run("photos/cut.jpg", jpeg);
  EXPECT_EQ(record["outcome"], "failed_permanent") << record.dump();
  EXPECT_EQ(record["error_code"], "truncated_image") << record.dump();
}

TEST_F(S3HandlerIntegration, ObjectOverMaxInputBytesIsRefused) {
  config.options.limits.max_input_bytes = 10000;
  aws::S3Config s3;
  s3.endpoint = "http://127.0.0.1:" + std::to_string(server_->port());
  s3.credentials = {"S3RVER", "S3RVER", ""};
  s3.max_get_bytes = 10000;
  client = std::make_unique<aws::S3Client>(s3);
  const auto jpeg = testing::MakeJpeg(600, 400);
  ASSERT_GT(jpeg.size(), 10000u);
  const json record = Run("photos/large.jpg", jpeg, /*event_has_size=*/false);
  EXPECT_EQ(record["outcome"], "failed_permanent") << record.dump();
  EXPECT_EQ(record["error_code"], "input_too_large") << record.dump();
}

}  // namespace
}  // namespace imgpipe::lambda
