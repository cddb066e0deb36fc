#include "lambda/events.h"

#include <gtest/gtest.h>

#include "testing/test_support.h"

namespace imgpipe::lambda {
namespace {

using testing::ReadEventFixture;

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

}  // namespace
}  // namespace imgpipe::lambda
