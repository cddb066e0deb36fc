#include "lambda/handler.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "core/testing/many_scans_jpeg.h"
#include "imgpipe/pipeline.h"
#include "testing/fake_object_store.h"
#include "testing/test_support.h"

namespace imgpipe::lambda {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeObjectStore;
using testing::MakeJpeg;
using testing::ReadEventFixture;

constexpr const char* kIn = "imgpipe-input";
constexpr const char* kOut = "thumbs-bucket";

// One S3 notification record, key form-URL-encoded by the caller as S3 would.
std::string S3Event(const std::string& bucket, const std::string& encoded_key,
                    std::optional<uint64_t> size = 2048) {
  json object = {{"key", encoded_key}, {"eTag", testing::kFixtureEtag}};
  if (size) object["size"] = *size;
  json event = {
      {"Records", json::array({{{"eventSource", "aws:s3"},
                                {"eventName", "ObjectCreated:Put"},
                                {"s3", {{"bucket", {{"name", bucket}}}, {"object", object}}}}})}};
  return event.dump();
}

class HandlerTest : public ::testing::Test {
 protected:
  HandlerTest() { config.output_bucket = kOut; }

  HandlerOutcome Run(const std::string& event, Clock::duration time_left = 60s) {
    return Handle(event, store, config, Clock::now() + time_left, logger);
  }
  HandlerOutcome RunFixture(const std::string& name) { return Run(ReadEventFixture(name)); }

  json Payload(const HandlerOutcome& outcome) {
    EXPECT_TRUE(outcome.ok()) << outcome.error_type() << ": " << outcome.error_message();
    return json::parse(outcome.payload(), nullptr, false);
  }
  std::vector<json> Records() { return sink.Records(); }
  json RecordFor(const std::string& key) {
    for (auto& record : Records()) {
      if (record["key"] == key) return record;
    }
    ADD_FAILURE() << "no log record for " << key;
    return json::object();
  }
  // Records run concurrently, so the order of writes is not the event's.
  std::set<std::string> PutKeys() {
    std::set<std::string> keys;
    for (const auto& put : store.puts) keys.insert(put.key);
    return keys;
  }
  bool WasRead(const std::string& key) {
    for (auto& [bucket, k] : store.gets) {
      if (k == key) return true;
    }
    return false;
  }

  Config config;
  FakeObjectStore store;
  testing::CapturingSink sink;
  Logger logger{sink, "imgpipe-fn"};
};

TEST_F(HandlerTest, S3PutWritesThumbnailWithTypeAndMetadata) {
  const std::string key = "uploads/my photo\xC3\xA9.jpg";
  store.AddObject(kIn, key, MakeJpeg(64, 48));
  json payload = Payload(RunFixture("s3_put_encoded_key.json"));
  EXPECT_EQ(payload["processed"], 1);
  EXPECT_EQ(payload["failed_permanent"], 0);
  ASSERT_EQ(store.puts.size(), 1u);
  const auto& put = store.puts[0];
  EXPECT_EQ(put.bucket, kOut);
  EXPECT_EQ(put.key, key);
  EXPECT_EQ(put.content_type, "image/jpeg");
  EXPECT_EQ(put.cache_control, "");
  EXPECT_EQ(testing::JpegSize(put.body), std::make_pair(256, 256));
  EXPECT_EQ(put.metadata.at("imgpipe-source"), "uploads/my%20photo%C3%A9.jpg");
  EXPECT_EQ(put.metadata.at("imgpipe-source-bucket"), kIn);
  EXPECT_EQ(put.metadata.at("imgpipe-source-etag"), testing::kFixtureEtag);

  json record = RecordFor(key);
  EXPECT_EQ(record["level"], "info");
  EXPECT_EQ(record["outcome"], "processed");
  EXPECT_EQ(record["bucket"], kIn);
  EXPECT_EQ(record["output_key"], key);
  EXPECT_EQ(record["source"], "s3");
  EXPECT_EQ(record["bytes_in"], MakeJpeg(64, 48).size());
  EXPECT_EQ(record["bytes_out"], put.body.size());
  EXPECT_NEAR(record["input_megapixels"].get<double>(), 64 * 48 / 1e6, 1e-3);
  for (const char* field : {"download_ms", "decode_ms", "resize_ms", "encode_ms", "upload_ms"}) {
    ASSERT_TRUE(record[field].is_number()) << field;
    EXPECT_GE(record[field].get<double>(), 0.0) << field;
  }
}

TEST_F(HandlerTest, OutputPrefixFormatAndCacheControlAreApplied) {
  config.output_prefix = "thumbs/";
  config.cache_control = "public, max-age=60";
  config.options.format = OutputFormat::kPng;
  store.AddObject(kIn, "c/cat.JPG", MakeJpeg(32, 32));
  Payload(Run(S3Event(kIn, "c/cat.JPG")));
  ASSERT_EQ(store.puts.size(), 1u);
  EXPECT_EQ(store.puts[0].key, "thumbs/c/cat.png");
  EXPECT_EQ(store.puts[0].content_type, "image/png");
  EXPECT_EQ(store.puts[0].cache_control, "public, max-age=60");
}

TEST_F(HandlerTest, EveryRecordIsProcessedAndPrefixesKeepOutputsApart) {
  for (const char* key : {"a/x.jpg", "b/x.jpg", "c/cat.png"}) {
    store.AddObject(kIn, key, MakeJpeg(40, 30));
  }
  json payload = Payload(RunFixture("s3_multi_record.json"));
  EXPECT_EQ(payload["processed"], 3);
  EXPECT_EQ(PutKeys(), (std::set<std::string>{"a/x.jpg", "b/x.jpg", "c/cat.jpg"}));
  EXPECT_EQ(Records().size(), 3u);
}

TEST_F(HandlerTest, PermanentFailuresAreLoggedAndDoNotFailTheInvocation) {
  store.AddObject(kIn, "a/x.jpg", MakeJpeg(40, 30));
  const std::string text = "this is a text file, not an image";
  store.AddObject(kIn, "b/x.jpg", std::vector<uint8_t>(text.begin(), text.end()));
  std::vector<uint8_t> corrupt = {0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x02, 0x13, 0x37, 0x00, 0x00};
  store.AddObject(kIn, "c/cat.png", corrupt);
  HandlerOutcome outcome = RunFixture("s3_multi_record.json");
  json payload = Payload(outcome);
  EXPECT_EQ(payload["processed"], 1);
  EXPECT_EQ(payload["failed_permanent"], 2);
  EXPECT_EQ(store.puts.size(), 1u);
  json text_record = RecordFor("b/x.jpg");
  EXPECT_EQ(text_record["outcome"], "failed_permanent");
  EXPECT_EQ(text_record["level"], "warn");
  EXPECT_EQ(text_record["error_code"], "unsupported_format");
  EXPECT_FALSE(text_record["reason"].get<std::string>().empty());
  json corrupt_record = RecordFor("c/cat.png");
  EXPECT_EQ(corrupt_record["outcome"], "failed_permanent");
  EXPECT_EQ(outcome.metrics.images_processed, 1u);
  EXPECT_EQ(outcome.metrics.images_failed, 2u);
}

TEST_F(HandlerTest, TransientGetFailureFailsTheInvocationButOthersStillRun) {
  for (const char* key : {"a/x.jpg", "b/x.jpg", "c/cat.png"}) {
    store.AddObject(kIn, key, MakeJpeg(40, 30));
  }
  store.FailGet(kIn, "b/x.jpg", MakeError(ErrorCode::kStorageError, "503 SlowDown after 3 tries"));
  HandlerOutcome outcome = RunFixture("s3_multi_record.json");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.storage_error");
  EXPECT_NE(outcome.error_message().find("1 of 3 records failed"), std::string::npos);
  EXPECT_NE(outcome.error_message().find("imgpipe-input/b/x.jpg"), std::string::npos);
  EXPECT_NE(outcome.error_message().find("503 SlowDown"), std::string::npos);
  EXPECT_EQ(store.puts.size(), 2u);  // a and c were still written
  EXPECT_EQ(RecordFor("b/x.jpg")["outcome"], "failed_transient");
  EXPECT_EQ(RecordFor("b/x.jpg")["level"], "error");
}

TEST_F(HandlerTest, AccessDeniedIsTransient) {
  store.FailGet(kIn, "k.jpg", MakeError(ErrorCode::kAccessDenied, "403"));
  HandlerOutcome outcome = Run(S3Event(kIn, "k.jpg"));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.access_denied");
}

TEST_F(HandlerTest, MissingObjectIsPermanent) {
  HandlerOutcome outcome = Run(S3Event(kIn, "deleted-meanwhile.jpg"));
  json payload = Payload(outcome);
  EXPECT_EQ(payload["failed_permanent"], 1);
  EXPECT_EQ(RecordFor("deleted-meanwhile.jpg")["error_code"], "not_found");
}

TEST_F(HandlerTest, PutFailureIsAlwaysTransient) {
  store.AddObject(kIn, "k.jpg", MakeJpeg(20, 20));
  store.FailPuts(MakeError(ErrorCode::kNotFound, "NoSuchBucket"));
  HandlerOutcome outcome = Run(S3Event(kIn, "k.jpg"));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.not_found");
  EXPECT_NE(outcome.error_message().find("put s3://thumbs-bucket/k.jpg"), std::string::npos);
}

TEST_F(HandlerTest, TooLargeBySizeIsSkippedBeforeDownload) {
  config.options.limits.max_input_bytes = 1000;
  json payload = Payload(RunFixture("s3_put_encoded_key.json"));  // size 1234
  EXPECT_EQ(payload["failed_permanent"], 1);
  EXPECT_TRUE(store.gets.empty()) << "downloaded an object the event said was too large";
  json record = Records().at(0);
  EXPECT_EQ(record["outcome"], "failed_permanent");
  EXPECT_EQ(record["error_code"], "input_too_large");
  EXPECT_NE(record["reason"].get<std::string>().find("not downloaded"), std::string::npos);
}

TEST_F(HandlerTest, ObjectsCarryingOurMarkerAreSkipped) {
  store.AddObject(kIn, "k.jpg", MakeJpeg(20, 20), {{"imgpipe-source", "orig.jpg"}});
  json payload = Payload(Run(S3Event(kIn, "k.jpg")));
  EXPECT_EQ(payload["skipped"], 1);
  EXPECT_TRUE(store.puts.empty());
  EXPECT_EQ(RecordFor("k.jpg")["outcome"], "skipped");
}

TEST_F(HandlerTest, RuntimeRecursionGuardSkipsOurOutputLocation) {
  config.output_bucket = kIn;
  config.output_prefix = "thumbs/";
  store.AddObject(kIn, "thumbs/a.jpg", MakeJpeg(20, 20));
  store.AddObject(kIn, "uploads/a.jpg", MakeJpeg(20, 20));
  json payload = Payload(Run(S3Event(kIn, "thumbs/a.jpg")));
  EXPECT_EQ(payload["skipped"], 1);
  EXPECT_TRUE(store.gets.empty());
  Payload(Run(S3Event(kIn, "uploads/a.jpg")));
  ASSERT_EQ(store.puts.size(), 1u);
  EXPECT_EQ(store.puts[0].key, "thumbs/uploads/a.jpg");
}

TEST_F(HandlerTest, KeysOutsideInputPrefixAndFolderPlaceholdersAreSkipped) {
  config.input_prefix = "uploads/";
  json payload = Payload(Run(S3Event(kIn, "other/x.jpg")));
  EXPECT_EQ(payload["skipped"], 1);
  payload = Payload(Run(S3Event(kIn, "uploads/folder/", 0)));
  EXPECT_EQ(payload["skipped"], 1);
  EXPECT_TRUE(store.gets.empty());
}

TEST_F(HandlerTest, TestEventRemovalsAndDeletionsSucceedWithoutWork) {
  for (const char* fixture :
       {"s3_test_event.json", "s3_object_removed.json", "eventbridge_object_deleted.json"}) {
    json payload = Payload(RunFixture(fixture));
    EXPECT_EQ(payload["skipped"], 1) << fixture;
  }
  EXPECT_TRUE(store.gets.empty());
  EXPECT_TRUE(store.puts.empty());
}

TEST_F(HandlerTest, SqsReportsOnlyTheBadMessage) {
  store.AddObject(kIn, "sqs/good.jpg", MakeJpeg(20, 20));
  json payload = Payload(RunFixture("sqs_batch_one_bad.json"));
  EXPECT_EQ(payload, json::parse(R"({"batchItemFailures":[
      {"itemIdentifier":"2e1424d4-f796-459a-8184-9c92662be6da"}]})"));
  ASSERT_EQ(store.puts.size(), 1u);
  EXPECT_EQ(store.puts[0].key, "sqs/good.jpg");
}

TEST_F(HandlerTest, SqsTransientFailureReportsThatMessage) {
  store.FailGet(kIn, "sqs/good.jpg", MakeError(ErrorCode::kStorageError, "reset"));
  json payload = Payload(RunFixture("sqs_batch_one_bad.json"));
  std::set<std::string> failed;
  for (auto& item : payload["batchItemFailures"]) failed.insert(item["itemIdentifier"]);
  EXPECT_EQ(failed, (std::set<std::string>{"059f36b4-87a3-44ab-83d2-661975830a7d",
                                           "2e1424d4-f796-459a-8184-9c92662be6da"}));
}

TEST_F(HandlerTest, SqsPermanentFailureIsNotReported) {
  const std::string text = "GIF? no";
  store.AddObject(kIn, "sqs/good.jpg", std::vector<uint8_t>(text.begin(), text.end()));
  json payload = Payload(RunFixture("sqs_batch_one_bad.json"));
  EXPECT_EQ(payload["batchItemFailures"].size(), 1u);  // only the malformed message
  EXPECT_EQ(RecordFor("sqs/good.jpg")["source_id"], "059f36b4-87a3-44ab-83d2-661975830a7d");
}

TEST_F(HandlerTest, SnsAndSqsSnsAndEventBridgeEnvelopes) {
  store.AddObject(kIn, "sns/via topic.jpg", MakeJpeg(20, 20));
  store.AddObject(kIn, "raw/my+photo \xC3\xA9.jpg", MakeJpeg(20, 20));
  Payload(RunFixture("sns_s3.json"));
  Payload(RunFixture("sqs_sns_s3.json"));
  Payload(RunFixture("eventbridge_object_created.json"));
  ASSERT_EQ(store.puts.size(), 3u);
  EXPECT_EQ(store.puts[0].key, "sns/via topic.jpg");
  EXPECT_EQ(store.puts[1].key, "sns/via topic.jpg");
  EXPECT_EQ(store.puts[2].key, "raw/my+photo \xC3\xA9.jpg");
}

TEST_F(HandlerTest, BatchSchema1AnswersPerTask) {
  store.AddObject(kIn, "backfill/old photo!.jpg", MakeJpeg(20, 20));
  json payload = Payload(RunFixture("batch_v1.json"));
  EXPECT_EQ(payload["invocationSchemaVersion"], "1.0");
  EXPECT_EQ(payload["treatMissingKeysAs"], "PermanentFailure");
  EXPECT_EQ(payload["invocationId"], "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo");
  ASSERT_EQ(payload["results"].size(), 1u);
  EXPECT_EQ(payload["results"][0]["taskId"], "dGFza2lkZ29lc2hlcmUK");
  EXPECT_EQ(payload["results"][0]["resultCode"], "Succeeded");
  EXPECT_EQ(payload["results"][0]["resultString"], "wrote backfill/old photo!.jpg");
}

TEST_F(HandlerTest, BatchSchema2MapsPermanentAndTemporaryFailures) {
  store.AddObject(kIn, "backfill/a.jpg", MakeJpeg(20, 20));
  json payload = Payload(RunFixture("batch_v2.json"));
  EXPECT_EQ(payload["invocationSchemaVersion"], "2.0");
  ASSERT_EQ(payload["results"].size(), 2u);
  EXPECT_EQ(payload["results"][0]["resultCode"], "Succeeded");
  EXPECT_EQ(payload["results"][1]["taskId"], "dGFza2lkZ29lc2hlcmUy");
  EXPECT_EQ(payload["results"][1]["resultCode"], "PermanentFailure");  // missing object
  EXPECT_NE(payload["results"][1]["resultString"].get<std::string>().find("not_found"),
            std::string::npos);

  store.FailGet(kIn, "backfill/a.jpg", MakeError(ErrorCode::kStorageError, "500"));
  payload = Payload(RunFixture("batch_v2.json"));
  EXPECT_EQ(payload["results"][0]["resultCode"], "TemporaryFailure");
}

TEST_F(HandlerTest, BatchTaskWithoutKeyIsAPermanentFailureOfThatTaskOnly) {
  store.AddObject(kIn, "ok.jpg", MakeJpeg(20, 20));
  json payload = Payload(Run(R"({"invocationSchemaVersion":"2.0","invocationId":"inv-1",
      "job":{"id":"j"},"tasks":[{"taskId":"t1","s3Bucket":"imgpipe-input"},
      {"taskId":"t2","s3Bucket":"imgpipe-input","s3Key":"ok.jpg"}]})"));
  ASSERT_EQ(payload["results"].size(), 2u);
  EXPECT_EQ(payload["results"][0]["taskId"], "t1");
  EXPECT_EQ(payload["results"][0]["resultCode"], "PermanentFailure");
  EXPECT_NE(payload["results"][0]["resultString"].get<std::string>().find("s3Key is missing"),
            std::string::npos);
  EXPECT_EQ(payload["results"][1]["resultCode"], "Succeeded");
}

TEST_F(HandlerTest, MalformedEventIsAClearErrorAndStillEmitsMetrics) {
  HandlerOutcome outcome = RunFixture("malformed.json");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.invalid_event");
  EXPECT_EQ(outcome.error_message(), "invalid event: event is not valid JSON");
  auto lines = sink.Parsed();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["level"], "error");
  EXPECT_TRUE(lines[1].contains("_aws"));
}

TEST_F(HandlerTest, MalformedRecordFailsTheEventButTheOthersAreDone) {
  store.AddObject(kIn, "ok/first.jpg", MakeJpeg(20, 20));
  HandlerOutcome outcome = RunFixture("s3_missing_key.json");
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.invalid_event");
  EXPECT_NE(outcome.error_message().find("Records[1].s3.object.key is missing"), std::string::npos);
  ASSERT_EQ(store.puts.size(), 1u);
  EXPECT_EQ(store.puts[0].key, "ok/first.jpg");
}

TEST_F(HandlerTest, NothingStartsInsideTheDeadlineMargin) {
  store.AddObject(kIn, "k.jpg", MakeJpeg(20, 20));
  config.deadline_margin = 500ms;
  HandlerOutcome outcome = Run(S3Event(kIn, "k.jpg"), 200ms);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.deadline_exceeded");
  EXPECT_TRUE(store.gets.empty());
  EXPECT_EQ(RecordFor("k.jpg")["outcome"], "failed_transient");
}

TEST_F(HandlerTest, SqsMessagesNotStartedBeforeTheDeadlineGoBackToTheQueue) {
  config.deadline_margin = 500ms;
  json payload = Payload(Run(ReadEventFixture("sqs_batch_one_bad.json"), 100ms));
  // The good and the malformed message fail; the test event needs no work and succeeds.
  EXPECT_EQ(payload["batchItemFailures"].size(), 2u);
  EXPECT_TRUE(store.gets.empty());
}

// Issue 14's target on the Lambda path: a 490-scan progressive JPEG that decodes for T seconds,
// with a work budget of T / 4, answers deadline_exceeded within 0.5 s of the work deadline, so
// the invocation ends before Lambda would kill it. T is measured first: machines differ 2x.
TEST_F(HandlerTest, ManyScanJpegAnswersDeadlineExceededBeforeTheInvocationEnds) {
  const std::vector<uint8_t> jpeg = imgpipe::testing::ManyScansGrayJpeg(2000, 2000);
  const auto full_start = Clock::now();
  ASSERT_TRUE(Process(jpeg, Options{}).ok());
  const Clock::duration full = Clock::now() - full_start;
  ASSERT_GT(full, 50ms) << "the fixture decodes too fast to test a deadline inside it";

  store.AddObject(kIn, "scans.jpg", jpeg);
  config.deadline_margin = 200ms;
  const auto work_deadline = Clock::now() + full / 4;
  HandlerOutcome outcome =
      Handle(S3Event(kIn, "scans.jpg"), store, config, work_deadline + 200ms, logger);
  const auto late = Clock::now() - work_deadline;
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.deadline_exceeded");
  EXPECT_LT(late, 500ms);
  EXPECT_EQ(RecordFor("scans.jpg")["error_code"], "deadline_exceeded");
  EXPECT_NE(RecordFor("scans.jpg")["reason"].get<std::string>().find("JPEG decode"),
            std::string::npos)
      << RecordFor("scans.jpg").dump();
  EXPECT_TRUE(store.puts.empty());
  std::printf(
      "many-scan JPEG on the Lambda path: full decode %.2f s, answered %.1f ms after a "
      "work deadline at a quarter of it\n",
      std::chrono::duration<double>(full).count(),
      std::chrono::duration<double, std::milli>(late).count());
}

// Get takes `delay`, so the handler learns how long an item takes.
class SlowStore : public FakeObjectStore {
 public:
  explicit SlowStore(Clock::duration delay) : delay_(delay) {}
  Result<aws::ObjectData> Get(const aws::GetRequest& request) override {
    std::this_thread::sleep_for(delay_);
    return FakeObjectStore::Get(request);
  }

 private:
  Clock::duration delay_;
};

TEST_F(HandlerTest, ItemsThatCannotFinishBeforeTheDeadlineAreNotStarted) {
  SlowStore slow(300ms);
  for (const char* key : {"a/x.jpg", "b/x.jpg", "c/cat.png"}) {
    slow.AddObject(kIn, key, MakeJpeg(20, 20));
  }
  config.deadline_margin = 100ms;
  config.concurrency = 1;
  // Work budget 500 ms: the first item (~300 ms) fits; a second would end past it.
  HandlerOutcome outcome =
      Handle(ReadEventFixture("s3_multi_record.json"), slow, config, Clock::now() + 600ms, logger);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.deadline_exceeded");
  EXPECT_EQ(slow.puts.size(), 1u);
  EXPECT_EQ(slow.gets.size(), 1u);
  EXPECT_EQ(RecordFor("b/x.jpg")["error_code"], "deadline_exceeded");
}

TEST_F(HandlerTest, OneRecordLinePerItemThenOneMetricsLine) {
  for (const char* key : {"a/x.jpg", "b/x.jpg"}) store.AddObject(kIn, key, MakeJpeg(20, 20));
  HandlerOutcome outcome = RunFixture("s3_multi_record.json");  // c/cat.png is missing
  auto lines = sink.Parsed();
  ASSERT_EQ(lines.size(), 4u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(lines[i].contains("outcome"));
  const json& emf = lines[3];
  ASSERT_TRUE(emf.contains("_aws"));
  EXPECT_EQ(emf["ImagesProcessed"], 2);
  EXPECT_EQ(emf["ImagesFailed"], 1);
  EXPECT_EQ(emf["FunctionName"], "imgpipe-fn");
  EXPECT_EQ(emf["BytesOut"], store.puts[0].body.size() + store.puts[1].body.size());
  EXPECT_EQ(outcome.metrics.bytes_out, emf["BytesOut"].get<uint64_t>());
}

TEST_F(HandlerTest, EventEtagIsUsedWhenTheStoreGivesNone) {
  store.AddObject(kIn, "k.jpg", MakeJpeg(20, 20), {}, "");
  Payload(Run(S3Event(kIn, "k.jpg")));
  ASSERT_EQ(store.puts.size(), 1u);
  EXPECT_EQ(store.puts[0].metadata.at("imgpipe-source-etag"), testing::kFixtureEtag);
}

// An S3 record naming one upload: its ETag, and its version when the bucket is versioned.
std::string S3EventFor(const std::string& key, const std::string& etag,
                       const std::string& version_id = "") {
  json event = json::parse(S3Event(kIn, key));
  json& object = event["Records"][0]["s3"]["object"];
  object["eTag"] = etag;
  if (!version_id.empty()) object["versionId"] = version_id;
  return event.dump();
}

TEST_F(HandlerTest, VersionedEventReadsExactlyThatVersion) {
  store.AddObject(kIn, "v.jpg", MakeJpeg(300, 200), {}, "etag-of-the-newer-upload");
  const auto old_upload = MakeJpeg(100, 50);
  store.AddVersion(kIn, "v.jpg", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY", old_upload);
  json payload = Payload(
      Run(S3EventFor("v.jpg", "etag-of-the-old-upload", "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY")));
  EXPECT_EQ(payload["processed"], 1);
  ASSERT_EQ(store.get_requests.size(), 1u);
  EXPECT_EQ(store.get_requests[0].version_id, "3HL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY");
  EXPECT_EQ(store.get_requests[0].if_match, "") << "a version is exact: no ETag condition";
  EXPECT_EQ(RecordFor("v.jpg")["bytes_in"], old_upload.size());  // not the newer upload
  EXPECT_NEAR(RecordFor("v.jpg")["input_megapixels"].get<double>(), 100 * 50 / 1e6, 1e-3);
}

TEST_F(HandlerTest, UnversionedEventReadsOnlyWhileTheEventsEtagIsCurrent) {
  store.AddObject(kIn, "same.jpg", MakeJpeg(20, 20), {}, "etag-1");
  Payload(Run(S3EventFor("same.jpg", "etag-1")));
  ASSERT_EQ(store.get_requests.size(), 1u);
  EXPECT_EQ(store.get_requests[0].if_match, "etag-1");
  EXPECT_EQ(store.get_requests[0].version_id, "");
  EXPECT_EQ(store.puts.size(), 1u);
}

TEST_F(HandlerTest, SupersededUploadIsSkippedNotFailedNorRetried) {
  store.AddObject(kIn, "over.jpg", MakeJpeg(20, 20), {}, "etag-of-the-newer-upload");
  json payload = Payload(Run(S3EventFor("over.jpg", "etag-of-the-old-upload")));
  EXPECT_EQ(payload["skipped"], 1);
  EXPECT_EQ(payload["failed_permanent"], 0);
  EXPECT_TRUE(store.puts.empty());
  json record = RecordFor("over.jpg");
  EXPECT_EQ(record["outcome"], "skipped");
  EXPECT_EQ(record["level"], "info");
  EXPECT_EQ(record["error_code"], "");
  EXPECT_TRUE(record["reason"].get<std::string>().starts_with("superseded: ")) << record["reason"];

  // From SQS: not in batchItemFailures, so the message is deleted, not redelivered.
  json sqs = {{"Records",
               {{{"messageId", "m1"},
                 {"eventSource", "aws:sqs"},
                 {"body", S3EventFor("over.jpg", "etag-of-the-old-upload")}}}}};
  EXPECT_EQ(Payload(Run(sqs.dump()))["batchItemFailures"], json::array());
  EXPECT_TRUE(store.puts.empty());
}

// The hostile shape measured before the caps: one valid record, then `empty` empty ones.
std::string PaddedRecords(size_t empty) {
  std::string text = R"({"Records":[)" + json::parse(S3Event(kIn, "k.jpg"))["Records"][0].dump();
  for (size_t i = 0; i < empty; ++i) text += ",{}";
  return text + "]}";
}

TEST_F(HandlerTest, FiveMegabytesOfEmptyRecordsIsOneInvalidEventReportedOnce) {
  const std::string event = PaddedRecords(5 * 1024 * 1024 / 3);  // 5 MB
  const auto start = std::chrono::steady_clock::now();
  HandlerOutcome outcome = Run(event);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, 1s);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.invalid_event");
  EXPECT_EQ(outcome.error_message(),
            "invalid event: event.Records has more than 100 entries, the cap on records per "
            "invocation");
  EXPECT_TRUE(store.gets.empty());  // not even the valid record is fetched
  auto lines = sink.Parsed();
  ASSERT_EQ(lines.size(), 2u);  // the invalid event, then the metrics
  EXPECT_EQ(lines[0]["message"], outcome.error_message());
  EXPECT_TRUE(lines[1].contains("_aws"));
}

TEST_F(HandlerTest, ManyMalformedRecordsGiveOneSummaryLine) {
  store.AddObject(kIn, "k.jpg", MakeJpeg(20, 20));
  HandlerOutcome outcome = Run(PaddedRecords(40));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.invalid_event");
  ASSERT_EQ(store.puts.size(), 1u);  // the valid record is still done
  ASSERT_EQ(Records().size(), 1u);   // and is the only per-record line
  EXPECT_EQ(Records()[0]["key"], "k.jpg");
  std::vector<json> summaries;
  for (auto& line : sink.Parsed()) {
    if (line.contains("invalid_records")) summaries.push_back(line);
  }
  ASSERT_EQ(summaries.size(), 1u);
  EXPECT_EQ(summaries[0]["invalid_records"], 40);
  EXPECT_EQ(summaries[0]["level"], "error");
  ASSERT_EQ(summaries[0]["reasons"].size(), 3u);
  EXPECT_EQ(summaries[0]["reasons"][0], "Records[1].eventName is missing");
  EXPECT_TRUE(summaries[0]["message"].get<std::string>().starts_with(
      "40 of 41 records are malformed (invalid_event); first 3: Records[1].eventName is missing"));
  EXPECT_EQ(sink.lines.size(), 3u);  // the record, the summary, the metrics
}

TEST_F(HandlerTest, KeyEscapingTheOutputPrefixIsAPermanentInvalidEventWithoutAnyRequest) {
  config.output_prefix = "thumbs/";
  const std::string key = "../imgpipe-input/victim.jpg";
  store.AddObject(kIn, key, MakeJpeg(20, 20));
  json payload = Payload(Run(S3Event(kIn, "..%2Fimgpipe-input%2Fvictim.jpg")));
  EXPECT_EQ(payload["failed_permanent"], 1);
  EXPECT_TRUE(store.gets.empty());
  EXPECT_TRUE(store.puts.empty());
  json record = RecordFor(key);
  EXPECT_EQ(record["outcome"], "failed_permanent");
  EXPECT_EQ(record["error_code"], "invalid_event");
  EXPECT_NE(record["reason"].get<std::string>().find("OUTPUT_PREFIX"), std::string::npos);
}

TEST_F(HandlerTest, KeyEscapingTheOutputPrefixIsNotRetriedFromSqs) {
  json body = json::parse(S3Event(kIn, "..%2F..%2Fx.jpg"));
  json event = {
      {"Records", {{{"messageId", "m1"}, {"eventSource", "aws:sqs"}, {"body", body.dump()}}}}};
  json payload = Payload(Run(event.dump()));
  EXPECT_EQ(payload["batchItemFailures"], json::array());
  EXPECT_TRUE(store.gets.empty());
}

TEST_F(HandlerTest, InvalidBucketNamesAreNeverRequested) {
  HandlerOutcome outcome = Run(S3Event("..", "x.jpg"));
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(outcome.error_type(), "imgpipe.invalid_event");
  EXPECT_NE(outcome.error_message().find("is not a valid S3 bucket name"), std::string::npos);
  EXPECT_TRUE(store.gets.empty());
}

}  // namespace
}  // namespace imgpipe::lambda
