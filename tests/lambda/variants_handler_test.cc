// Variants through the handler: one GET and one decode, an output per variant under its prefix,
// one log line listing every output, the Batch result naming them, and a retry after a failed
// PUT that writes the same bytes again.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "lambda/handler.h"
#include "testing/fake_object_store.h"
#include "testing/test_support.h"

namespace imgpipe::lambda {
namespace {

using nlohmann::json;
using testing::FakeObjectStore;
using testing::MakeJpeg;

constexpr const char* kIn = "imgpipe-input";
constexpr const char* kOut = "thumbs-bucket";

std::string S3Event(const std::string& key) {
  json object = {{"key", key}, {"eTag", testing::kFixtureEtag}, {"size", 2048}};
  json event = {
      {"Records", json::array({{{"eventSource", "aws:s3"},
                                {"eventName", "ObjectCreated:Put"},
                                {"s3", {{"bucket", {{"name", kIn}}}, {"object", object}}}}})}};
  return event.dump();
}

class VariantsHandlerTest : public ::testing::Test {
 protected:
  VariantsHandlerTest() {
    config.output_bucket = kOut;
    config.output_prefix = "t/";
    config.variants_json =
        R"([{"name":"thumb","size":[32,32],"format":"webp"},
            {"name":"large","size":[120,90],"fit":"inside","grayscale":false},
            {"name":"bw","size":[48,48],"prefix":"gray/"}])";
    auto variants = ParseVariants(config.variants_json, config.options);
    EXPECT_TRUE(variants.ok());
    config.variants = *variants;
    store.AddObject(kIn, "a/photo.jpg", MakeJpeg(160, 120));
  }
  HandlerOutcome Run(const std::string& event) {
    return Handle(event, store, config, Clock::now() + std::chrono::seconds(60), logger);
  }
  std::map<std::string, std::vector<uint8_t>> Written() const {
    std::map<std::string, std::vector<uint8_t>> bodies;
    for (const auto& put : store.puts) bodies[put.key] = put.body;
    return bodies;
  }

  Config config;
  FakeObjectStore store;
  testing::CapturingSink sink;
  Logger logger{sink, "imgpipe-fn"};
};

TEST_F(VariantsHandlerTest, OneGetAndAnOutputPerVariantUnderItsPrefix) {
  const HandlerOutcome outcome = Run(S3Event("a/photo.jpg"));
  ASSERT_TRUE(outcome.ok()) << outcome.error_message();
  EXPECT_EQ(store.gets.size(), 1u);
  ASSERT_EQ(store.puts.size(), 3u);
  const auto written = Written();
  ASSERT_EQ(written.count("t/thumb/a/photo.webp"), 1u);
  ASSERT_EQ(written.count("t/large/a/photo.jpg"), 1u);
  ASSERT_EQ(written.count("t/gray/a/photo.jpg"), 1u);
  EXPECT_EQ(testing::JpegSize(written.at("t/large/a/photo.jpg")), std::make_pair(120, 90));
  EXPECT_EQ(testing::JpegSize(written.at("t/gray/a/photo.jpg")), std::make_pair(48, 48));
  for (const auto& put : store.puts) {
    EXPECT_EQ(put.content_type, put.key.ends_with(".webp") ? "image/webp" : "image/jpeg");
  }
}

TEST_F(VariantsHandlerTest, OneLogLineListsEveryOutputAndMetricsHaveAVariantDimension) {
  ASSERT_TRUE(Run(S3Event("a/photo.jpg")).ok());
  const std::vector<json> records = sink.Records();
  ASSERT_EQ(records.size(), 1u);
  const json& outputs = records[0]["outputs"];
  ASSERT_EQ(outputs.size(), 3u);
  EXPECT_EQ(outputs[0]["variant"], "thumb");
  EXPECT_EQ(outputs[0]["key"], "t/thumb/a/photo.webp");
  EXPECT_GT(outputs[0]["bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(outputs[2]["key"], "t/gray/a/photo.jpg");
  uint64_t sum = 0;
  for (const json& o : outputs) sum += o["bytes"].get<uint64_t>();
  EXPECT_EQ(records[0]["bytes_out"], sum);
  std::set<std::string> variants;
  for (const json& line : sink.Parsed()) {
    if (line.contains("Variant")) {
      variants.insert(line["Variant"].get<std::string>());
      EXPECT_EQ(line["OutputsWritten"], 1);
      EXPECT_EQ(line["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0],
                json::array({"FunctionName", "Variant"}));
    }
  }
  EXPECT_EQ(variants, (std::set<std::string>{"thumb", "large", "bw"}));
}

TEST_F(VariantsHandlerTest, BatchResultNamesEveryOutput) {
  json event = {{"invocationSchemaVersion", "2.0"},
                {"invocationId", "inv"},
                {"job", {{"id", "job"}, {"userArguments", json::object()}}},
                {"tasks", json::array({{{"taskId", "t1"},
                                        {"s3Bucket", kIn},
                                        {"s3Key", "a/photo.jpg"},
                                        {"s3VersionId", nullptr}}})}};
  const HandlerOutcome outcome = Run(event.dump());
  ASSERT_TRUE(outcome.ok()) << outcome.error_message();
  const json payload = json::parse(outcome.payload());
  EXPECT_EQ(payload["results"][0]["resultCode"], "Succeeded");
  EXPECT_EQ(payload["results"][0]["resultString"],
            "wrote t/thumb/a/photo.webp, t/large/a/photo.jpg, t/gray/a/photo.jpg");
}

TEST_F(VariantsHandlerTest, AFailedPutFailsTheRecordAndTheRetryWritesTheSameBytes) {
  store.FailNextPutOf("t/large/a/photo.jpg", MakeError(ErrorCode::kStorageError, "HTTP 500"));
  const HandlerOutcome first = Run(S3Event("a/photo.jpg"));
  EXPECT_FALSE(first.ok());  // transient: Lambda retries the event
  const auto before = Written();
  EXPECT_EQ(before.count("t/large/a/photo.jpg"), 0u);
  const HandlerOutcome retry = Run(S3Event("a/photo.jpg"));
  ASSERT_TRUE(retry.ok()) << retry.error_message();
  const auto after = Written();
  ASSERT_EQ(after.size(), 3u);
  for (const auto& [key, body] : before) {
    EXPECT_EQ(after.at(key), body) << key << " was not rewritten byte for byte";
  }
}

}  // namespace
}  // namespace imgpipe::lambda
