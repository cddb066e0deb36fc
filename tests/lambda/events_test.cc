#include "lambda/events.h"

#include <gtest/gtest.h>

#include <string>

#include "lambda/event_caps.h"
#include "testing/test_support.h"

namespace imgpipe::lambda {
namespace {

using nlohmann::json;
using testing::ReadEventFixture;

// One valid S3 notification record.
json S3Record(const std::string& bucket = "imgpipe-input", const std::string& key = "a.jpg") {
  return {{"eventSource", "aws:s3"},
          {"eventName", "ObjectCreated:Put"},
          {"s3", {{"bucket", {{"name", bucket}}}, {"object", {{"key", key}, {"size", 10}}}}}};
}

// The hostile shape: one valid record, then `padding` empty ones.
std::string PaddedRecords(size_t padding) {
  std::string text = R"({"Records":[)" + S3Record().dump();
  for (size_t i = 0; i < padding; ++i) text += ",{}";
  return text + "]}";
}

// An SQS batch of `messages`, each body an S3 notification of `records` records.
std::string SqsBatch(size_t messages, size_t records) {
  json body = {{"Records", json::array()}};
  for (size_t i = 0; i < records; ++i) body["Records"].push_back(S3Record());
  json event = {{"Records", json::array()}};
  for (size_t i = 0; i < messages; ++i) {
    event["Records"].push_back({{"messageId", "m" + std::to_string(i)},
                                {"eventSource", "aws:sqs"},
                                {"body", body.dump()}});
  }
  return event.dump();
}

ParsedEvent ParseFixture(const std::string& name) {
  auto event = ParseEvent(ReadEventFixture(name));
  EXPECT_TRUE(event.ok()) << name << ": " << (event.ok() ? "" : event.error().message);
  return event.ok() ? *event : ParsedEvent{};
}

TEST(ParseEvent, S3PutDecodesTheKey) {
  ParsedEvent event = ParseFixture("s3_put_encoded_key.json");
  EXPECT_EQ(event.source, EventSource::kS3);
  ASSERT_EQ(event.items.size(), 1u);
  const WorkItem& item = event.items[0];
  EXPECT_EQ(item.action, ItemAction::kProcess);
  EXPECT_EQ(item.object.bucket, "imgpipe-input");
  EXPECT_EQ(item.object.key, "uploads/my photo\xC3\xA9.jpg");
  ASSERT_TRUE(item.object.size.has_value());
  EXPECT_EQ(*item.object.size, 1234u);
  EXPECT_EQ(item.object.etag, "0123456789abcdef0123456789abcdef");
  EXPECT_EQ(item.object.event_name, "ObjectCreated:Put");
  EXPECT_EQ(item.source_id, "");
}

TEST(ParseEvent, S3EveryRecordNotJustTheFirst) {
  ParsedEvent event = ParseFixture("s3_multi_record.json");
  ASSERT_EQ(event.items.size(), 3u);
  EXPECT_EQ(event.items[0].object.key, "a/x.jpg");
  EXPECT_EQ(event.items[1].object.key, "b/x.jpg");
  EXPECT_EQ(event.items[2].object.key, "c/cat.png");
  EXPECT_EQ(event.items[2].object.event_name, "ObjectCreated:CompleteMultipartUpload");
  for (const auto& item : event.items) EXPECT_EQ(item.action, ItemAction::kProcess);
}

TEST(ParseEvent, ObjectRemovedIsIgnored) {
  ParsedEvent event = ParseFixture("s3_object_removed.json");
  ASSERT_EQ(event.items.size(), 1u);
  EXPECT_EQ(event.items[0].action, ItemAction::kIgnore);
  EXPECT_EQ(event.items[0].object.key, "a/x.jpg");
  EXPECT_NE(event.items[0].reason.find("ObjectRemoved:Delete"), std::string::npos);
}

TEST(ParseEvent, TestEventIsIgnored) {
  ParsedEvent event = ParseFixture("s3_test_event.json");
  EXPECT_EQ(event.source, EventSource::kS3);
  ASSERT_EQ(event.items.size(), 1u);
  EXPECT_EQ(event.items[0].action, ItemAction::kIgnore);
  EXPECT_EQ(event.items[0].object.bucket, "imgpipe-input");
}

TEST(ParseEvent, SqsBatchKeepsMessageIdsAndIsolatesTheBadMessage) {
  ParsedEvent event = ParseFixture("sqs_batch_one_bad.json");
  EXPECT_EQ(event.source, EventSource::kSqs);
  ASSERT_EQ(event.items.size(), 3u);
  EXPECT_EQ(event.items[0].action, ItemAction::kProcess);
  EXPECT_EQ(event.items[0].object.key, "sqs/good.jpg");
  EXPECT_EQ(event.items[0].source_id, "059f36b4-87a3-44ab-83d2-661975830a7d");
  EXPECT_EQ(event.items[1].action, ItemAction::kInvalid);
  EXPECT_EQ(event.items[1].source_id, "2e1424d4-f796-459a-8184-9c92662be6da");
  EXPECT_NE(event.items[1].reason.find("Records[1].body is not valid JSON"), std::string::npos)
      << event.items[1].reason;
  EXPECT_EQ(event.items[2].action, ItemAction::kIgnore);  // s3:TestEvent inside SQS
  EXPECT_EQ(event.items[2].source_id, "8d2e9a3c-0b4f-4d7e-9b1a-5f6c7d8e9f00");
}

TEST(ParseEvent, SqsWrappingSnsWrappingS3) {
  ParsedEvent event = ParseFixture("sqs_sns_s3.json");
  EXPECT_EQ(event.source, EventSource::kSqs);
  ASSERT_EQ(event.items.size(), 1u);
  EXPECT_EQ(event.items[0].action, ItemAction::kProcess);
  EXPECT_EQ(event.items[0].object.key, "sns/via topic.jpg");
  EXPECT_EQ(event.items[0].source_id, "c7f6a1e2-1111-4bbb-8ccc-0123456789ab");
}

TEST(ParseEvent, SnsWrappingS3) {
  ParsedEvent event = ParseFixture("sns_s3.json");
  EXPECT_EQ(event.source, EventSource::kSns);
  ASSERT_EQ(event.items.size(), 1u);
  EXPECT_EQ(event.items[0].action, ItemAction::kProcess);
  EXPECT_EQ(event.items[0].object.bucket, "imgpipe-input");
  EXPECT_EQ(event.items[0].object.key, "sns/via topic.jpg");
}

TEST(ParseEvent, EventBridgeKeyIsNotUrlDecoded) {
  ParsedEvent event = ParseFixture("eventbridge_object_created.json");
  EXPECT_EQ(event.source, EventSource::kEventBridge);
  ASSERT_EQ(event.items.size(), 1u);
  const WorkItem& item = event.items[0];
  EXPECT_EQ(item.action, ItemAction::kProcess);
  EXPECT_EQ(item.object.key, "raw/my+photo \xC3\xA9.jpg");  // '+' stays a plus
  ASSERT_TRUE(item.object.size.has_value());
  EXPECT_EQ(*item.object.size, 4096u);
  EXPECT_EQ(item.object.etag, "b1946ac92492d2347c6235b4d2611184");
  EXPECT_EQ(item.object.version_id, "IYV3p45BT0ac8hjHg1houSdS1a.Mro8e");
}

TEST(ParseEvent, EventBridgeObjectDeletedIsIgnored) {
  ParsedEvent event = ParseFixture("eventbridge_object_deleted.json");
  ASSERT_EQ(event.items.size(), 1u);
  EXPECT_EQ(event.items[0].action, ItemAction::kIgnore);
  EXPECT_EQ(event.items[0].object.key, "raw/gone.jpg");
}

TEST(ParseEvent, EventBridgeFromAnotherSourceIsInvalid) {
  auto event = ParseEvent(R"({"detail-type":"Object Created","source":"aws.ec2","detail":{}})");
  ASSERT_TRUE(event.ok());
  ASSERT_EQ(event->items.size(), 1u);
  EXPECT_EQ(event->items[0].action, ItemAction::kInvalid);
  EXPECT_NE(event->items[0].reason.find("aws.ec2"), std::string::npos);
}

TEST(ParseEvent, BatchSchema1UsesArnAndDecodesKey) {
  ParsedEvent event = ParseFixture("batch_v1.json");
  EXPECT_EQ(event.source, EventSource::kBatch);
  EXPECT_EQ(event.batch_schema_version, "1.0");
  EXPECT_EQ(event.batch_invocation_id, "YXNkbGZqYWRmaiBhc2RmdW9hZHNmZGpmaGFzbGtkaGZza2RmaAo");
  ASSERT_EQ(event.items.size(), 1u);
  EXPECT_EQ(event.items[0].action, ItemAction::kProcess);
  EXPECT_EQ(event.items[0].object.bucket, "imgpipe-input");
  EXPECT_EQ(event.items[0].object.key, "backfill/old photo!.jpg");
  EXPECT_EQ(event.items[0].object.version_id, "1");
  EXPECT_EQ(event.items[0].source_id, "dGFza2lkZ29lc2hlcmUK");
  EXPECT_FALSE(event.items[0].object.size.has_value());
}

TEST(ParseEvent, BatchSchema2UsesBucketName) {
  ParsedEvent event = ParseFixture("batch_v2.json");
  EXPECT_EQ(event.batch_schema_version, "2.0");
  ASSERT_EQ(event.items.size(), 2u);
  EXPECT_EQ(event.items[0].object.bucket, "imgpipe-input");
  EXPECT_EQ(event.items[0].object.key, "backfill/a.jpg");
  EXPECT_EQ(event.items[0].object.version_id, "");  // null in the event
  EXPECT_EQ(event.items[1].source_id, "dGFza2lkZ29lc2hlcmUy");
}

TEST(ParseEvent, BatchTaskWithoutKeyIsAnInvalidItemWithItsTaskId) {
  auto event = ParseEvent(R"({"invocationSchemaVersion":"2.0","invocationId":"inv","tasks":[
      {"taskId":"t1","s3Bucket":"b-1"},{"taskId":"t2","s3Bucket":"b-1","s3Key":"ok.jpg"}]})");
  ASSERT_TRUE(event.ok());
  ASSERT_EQ(event->items.size(), 2u);
  EXPECT_EQ(event->items[0].action, ItemAction::kInvalid);
  EXPECT_EQ(event->items[0].source_id, "t1");
  EXPECT_EQ(event->items[0].reason, "tasks[0].s3Key is missing");
  EXPECT_EQ(event->items[1].action, ItemAction::kProcess);
}

TEST(ParseEvent, BatchWithoutTaskIdOrUnknownVersionIsAnError) {
  auto no_id =
      ParseEvent(R"({"invocationSchemaVersion":"1.0","invocationId":"i","tasks":[{"s3Key":"k"}]})");
  ASSERT_FALSE(no_id.ok());
  EXPECT_EQ(no_id.error().message, "tasks[0].taskId is missing");
  auto version = ParseEvent(R"({"invocationSchemaVersion":"3.0","invocationId":"i","tasks":[]})");
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.error().message.find("3.0"), std::string::npos);
}

TEST(ParseEvent, MalformedJsonIsAClearError) {
  auto event = ParseEvent(ReadEventFixture("malformed.json"));
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().code, ErrorCode::kInvalidEvent);
  EXPECT_EQ(event.error().message, "event is not valid JSON");
}

TEST(ParseEvent, UnknownShapeIsAClearError) {
  auto event = ParseEvent(ReadEventFixture("unknown_shape.json"));
  ASSERT_FALSE(event.ok());
  EXPECT_NE(event.error().message.find("unrecognised event"), std::string::npos);
  EXPECT_FALSE(ParseEvent("[1,2]").ok());
  EXPECT_FALSE(ParseEvent("").ok());
  EXPECT_EQ(ParseEvent(R"({"Records":[]})").error().message, "Records is empty");
  EXPECT_EQ(ParseEvent(R"({"Records":{}})").error().message, "Records must be an array");
  EXPECT_EQ(ParseEvent(R"({"Records":[{"foo":1}]})").error().message,
            "Records[0] is neither an S3, an SQS nor an SNS record");
}

TEST(ParseEvent, MissingKeyNamesTheFieldAndKeepsTheOtherRecords) {
  ParsedEvent event = ParseFixture("s3_missing_key.json");
  ASSERT_EQ(event.items.size(), 2u);
  EXPECT_EQ(event.items[0].action, ItemAction::kProcess);
  EXPECT_EQ(event.items[0].object.key, "ok/first.jpg");
  EXPECT_EQ(event.items[1].action, ItemAction::kInvalid);
  EXPECT_EQ(event.items[1].reason, "Records[1].s3.object.key is missing");
}

TEST(ParseEvent, WrongTypesNameTheField) {
  auto event = ParseEvent(
      R"({"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
          "s3":{"bucket":{"name":7},"object":{"key":"k.jpg"}}},
         {"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
          "s3":{"bucket":{"name":"b-1"},"object":{"key":"k.jpg","size":-5}}},
         {"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
          "s3":{"bucket":{"name":"b-1"},"object":{"key":"bad%zzkey"}}},
         {"eventSource":"aws:s3","eventName":"ObjectCreated:Put",
          "s3":{"bucket":{"name":"b-1"},"object":{"key":"k.jpg","size":1.5}}}]})");
  ASSERT_TRUE(event.ok());
  ASSERT_EQ(event->items.size(), 4u);
  EXPECT_EQ(event->items[0].reason, "Records[0].s3.bucket.name must be a string");
  EXPECT_EQ(event->items[1].reason, "Records[1].s3.object.size must be a non-negative integer");
  EXPECT_NE(event->items[2].reason.find("Records[2].s3.object.key: bad percent-escape"),
            std::string::npos);
  EXPECT_EQ(event->items[3].reason, "Records[3].s3.object.size must be a non-negative integer");
  for (const auto& item : event->items) EXPECT_EQ(item.action, ItemAction::kInvalid);
}

TEST(ParseEvent, SqsMessageWithoutIdFailsTheWholeEvent) {
  auto event = ParseEvent(R"({"Records":[{"eventSource":"aws:sqs","body":"{}"}]})");
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().message, "Records[0].messageId is missing");
}

TEST(ParseEvent, OtherS3EventTypesAreIgnored) {
  auto event = ParseEvent(R"({"Records":[{"eventSource":"aws:s3",
      "eventName":"ObjectRestore:Completed","s3":{"bucket":{"name":"b-1"},"object":{"key":"k"}}}]})");
  ASSERT_TRUE(event.ok());
  ASSERT_EQ(event->items.size(), 1u);
  EXPECT_EQ(event->items[0].action, ItemAction::kIgnore);
}

TEST(EventCaps, TheDeepestLegalChainNeedsElevenLevelsAndTheCapIsAMultiple) {
  // SQS -> SNS -> S3: each document counted from the depth of the one around it.
  auto sqs = ParseBounded(ReadEventFixture("sqs_sns_s3.json"), "event", 0);
  ASSERT_TRUE(sqs.ok());
  const std::string body = sqs->document["Records"][0]["body"];
  auto sns = ParseBounded(body, "body", sqs->depth);
  ASSERT_TRUE(sns.ok());
  auto s3 = ParseBounded(sns->document["Message"].get<std::string>(), "Message", sns->depth);
  ASSERT_TRUE(s3.ok());
  EXPECT_EQ(s3->depth, 11);
  EXPECT_GE(kMaxEventDepth, 2 * s3->depth);
  EXPECT_LE(kMaxEventDepth, 3 * s3->depth);
}

TEST(EventCaps, DeepNestingIsOneInvalidEvent) {
  const std::string deep =
      std::string(kMaxEventDepth + 1, '[') + std::string(kMaxEventDepth + 1, ']');
  auto event = ParseEvent(deep);
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().code, ErrorCode::kInvalidEvent);
  EXPECT_EQ(event.error().message,
            "event nests deeper than 32 levels (counting the envelopes around it)");
  // Six megabytes of '[' (not even valid JSON) stop at the same cap.
  EXPECT_EQ(ParseEvent(std::string(kMaxEventBytes, '[')).error().message, event.error().message);
  // Exactly at the cap is still parsed (and then refused for its shape, not its depth).
  const std::string at_cap = std::string(kMaxEventDepth, '[') + std::string(kMaxEventDepth, ']');
  EXPECT_EQ(ParseEvent(at_cap).error().message, "event is not a JSON object");
}

TEST(EventCaps, NestingInsideAMessageCountsTheEnvelopesAroundIt) {
  // 30 levels fit one document, but not inside an SQS record (4 levels already).
  const std::string thirty = std::string(30, '[') + std::string(30, ']');
  ASSERT_NE(ParseEvent(thirty).error().message.find("not a JSON object"), std::string::npos);
  json event = {{"Records", {{{"messageId", "m1"}, {"eventSource", "aws:sqs"}, {"body", thirty}}}}};
  auto parsed = ParseEvent(event.dump());
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(parsed->items.size(), 1u);
  EXPECT_EQ(parsed->items[0].action, ItemAction::kInvalid);
  EXPECT_EQ(parsed->items[0].reason,
            "Records[0].body nests deeper than 32 levels (counting the envelopes around it)");
}

TEST(EventCaps, MoreRecordsThanTheCapIsOneInvalidEvent) {
  auto event = ParseEvent(PaddedRecords(kMaxEventRecords));  // 101 records
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().message,
            "event.Records has more than 100 entries, the cap on records per invocation");
  auto at_cap = ParseEvent(PaddedRecords(kMaxEventRecords - 1));
  ASSERT_TRUE(at_cap.ok());
  EXPECT_EQ(at_cap->items.size(), kMaxEventRecords);
  // The 5 MB version of the same shape answers the same way, without building the records.
  EXPECT_EQ(ParseEvent(PaddedRecords(5 * 1024 * 1024 / 3)).error().message, event.error().message);
}

TEST(EventCaps, RecordsAreCountedAcrossTheMessagesOfABatch) {
  ASSERT_TRUE(ParseEvent(SqsBatch(10, 10)).ok());  // 100 records: at the cap
  auto event = ParseEvent(SqsBatch(10, 11));
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().message, "event holds 110 records, over the cap of 100 per invocation");
  // One message over the per-document cap is that message's invalid item only.
  auto one = ParseEvent(SqsBatch(1, 101));
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->items.size(), 1u);
  EXPECT_EQ(one->items[0].action, ItemAction::kInvalid);
  EXPECT_EQ(one->items[0].source_id, "m0");
  EXPECT_NE(one->items[0].reason.find("Records[0].body.Records has more than 100 entries"),
            std::string::npos);
}

TEST(EventCaps, OversizedEventsAndPaddedDocumentsAreOneInvalidEvent) {
  const std::string record = S3Record().dump();
  const std::string big = R"({"Records":[)" + record + "]" + std::string(kMaxEventBytes, ' ') + "}";
  auto event = ParseEvent(big);
  ASSERT_FALSE(event.ok());
  EXPECT_EQ(event.error().message,
            "event is " + std::to_string(big.size()) + " bytes, over the cap of 6291456");
  // One record padded with a member of 10000 values: few records, but a huge document.
  std::string padded = record.substr(0, record.size() - 1) + R"(,"pad":[0)";
  for (size_t i = 0; i < kMaxDocumentValues; ++i) padded += ",0";
  auto values = ParseEvent(R"({"Records":[)" + padded + "]}]}");
  ASSERT_FALSE(values.ok());
  EXPECT_EQ(values.error().message, "event holds more than 10000 JSON values");
}

TEST(ParseEvent, BucketNamesAreValidatedBeforeAnyRequest) {
  json s3 = {{"Records", {S3Record(".."), S3Record("a/b"), S3Record("192.168.0.1"), S3Record()}}};
  auto event = ParseEvent(s3.dump());
  ASSERT_TRUE(event.ok());
  ASSERT_EQ(event->items.size(), 4u);
  EXPECT_EQ(event->items[0].reason,
            "Records[0].s3.bucket.name: bucket \"..\" is not a valid S3 bucket name: it must be 3 "
            "to 63 characters long");
  EXPECT_NE(event->items[1].reason.find("only a-z, 0-9"), std::string::npos);
  EXPECT_NE(event->items[2].reason.find("IP address"), std::string::npos);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(event->items[i].action, ItemAction::kInvalid);
  EXPECT_EQ(event->items[3].action, ItemAction::kProcess);

  auto bridge = ParseEvent(R"({"detail-type":"Object Created","source":"aws.s3",
      "detail":{"bucket":{"name":"../x"},"object":{"key":"k.jpg"}}})");
  ASSERT_TRUE(bridge.ok());
  EXPECT_EQ(bridge->items[0].action, ItemAction::kInvalid);
  EXPECT_NE(bridge->items[0].reason.find("detail.bucket.name: bucket \"../x\""), std::string::npos);

  auto batch = ParseEvent(R"({"invocationSchemaVersion":"1.0","invocationId":"i","tasks":[
      {"taskId":"t1","s3BucketArn":"arn:aws:s3:::..","s3Key":"k.jpg"},
      {"taskId":"t2","s3BucketArn":"arn:aws:s3:::ok-bucket","s3Key":"k.jpg"}]})");
  ASSERT_TRUE(batch.ok());
  EXPECT_EQ(batch->items[0].action, ItemAction::kInvalid);
  EXPECT_EQ(batch->items[0].source_id, "t1");
  EXPECT_NE(batch->items[0].reason.find("tasks[0].s3BucketArn: bucket \"..\""), std::string::npos);
  EXPECT_EQ(batch->items[1].action, ItemAction::kProcess);
}

}  // namespace
}  // namespace imgpipe::lambda
