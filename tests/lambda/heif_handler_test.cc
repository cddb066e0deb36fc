// A HEIC whose decoder child crashes costs that record only: the invocation reports it as a
// permanent failure among the others' outcomes, and the next invocation is served normally.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "core/isolate.h"
#include "lambda/handler.h"
#include "testing/fake_object_store.h"
#include "testing/test_support.h"

namespace imgpipe::lambda {
namespace {

using nlohmann::json;
using testing::FakeObjectStore;

constexpr const char* kIn = "imgpipe-input";

std::vector<uint8_t> Sample(const std::string& name) {
  std::ifstream in(std::string(IMGPIPE_SOURCE_DIR) + "/tests/core/heif_samples/" + name,
                   std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string S3Event(const std::vector<std::string>& keys) {
  json records = json::array();
  for (const std::string& key : keys) {
    records.push_back({{"eventSource", "aws:s3"},
                       {"eventName", "ObjectCreated:Put"},
                       {"s3", {{"bucket", {{"name", kIn}}}, {"object", {{"key", key}}}}}});
  }
  return json{{"Records", records}}.dump();
}

TEST(HeifHandler, ACrashingDecoderChildIsOneRecordsOutcomeAndTheNextInvocationRuns) {
  FakeObjectStore store;
  store.AddObject(kIn, "a.heic", Sample("photo.heic"));
  store.AddObject(kIn, "b.jpg", testing::MakeJpeg(40, 30));
  store.AddObject(kIn, "c.avif", Sample("photo.avif"));
  Config config;
  config.output_bucket = "thumbs";
  testing::CapturingSink sink;
  Logger logger{sink, "imgpipe-fn"};
  const auto deadline = [] { return Clock::now() + std::chrono::seconds(60); };

  core::SetChildFaultForTesting(core::ChildFault::kSegfault);
  HandlerOutcome crashed =
      Handle(S3Event({"a.heic", "b.jpg", "c.avif"}), store, config, deadline(), logger);
  core::SetChildFaultForTesting(core::ChildFault::kNone);
  ASSERT_TRUE(crashed.ok()) << crashed.error_type() << ": " << crashed.error_message();
  const json payload = json::parse(crashed.payload());
  EXPECT_EQ(payload["processed"], 1);         // the JPEG
  EXPECT_EQ(payload["failed_permanent"], 2);  // both HEIF records, each on its own
  bool logged_signal = false;
  for (const json& record : sink.Records()) {
    if (record["key"] == "a.heic") {
      EXPECT_EQ(record["error_code"], "corrupt_image");
      logged_signal = record["reason"].get<std::string>().find("SIGSEGV") != std::string::npos;
    }
  }
  EXPECT_TRUE(logged_signal) << "the log names the signal";

  // The runtime keeps serving: the next invocation decodes the same HEIC.
  HandlerOutcome next = Handle(S3Event({"a.heic", "c.avif"}), store, config, deadline(), logger);
  ASSERT_TRUE(next.ok()) << next.error_message();
  EXPECT_EQ(json::parse(next.payload())["processed"], 2);
}

}  // namespace
}  // namespace imgpipe::lambda
