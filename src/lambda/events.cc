// Checked access only: nlohmann::json throws on a wrong-type get(), so every read goes through
// the helpers below, which test the type first and name the offending path in the message.
#include "lambda/events.h"

#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "lambda/key_decode.h"

namespace imgpipe::lambda {
namespace {

using nlohmann::json;

// SQS body -> SNS envelope -> S3 notification is the deepest real nesting.
constexpr int kMaxNesting = 3;

Error Invalid(std::string message) {
  return MakeError(ErrorCode::kInvalidEvent, std::move(message));
}

const json* Find(const json& object, const char* name) {
  if (!object.is_object()) {
    return nullptr;
  }
  auto it = object.find(name);
  return it == object.end() ? nullptr : &*it;
}

// A required string member; the error names `path` (e.g. "Records[0].s3.bucket.name").
Result<std::string> RequiredString(const json& object, const char* name, const std::string& path) {
  const json* value = Find(object, name);
  if (value == nullptr || value->is_null()) {
    return Invalid(path + " is missing");
  }
  if (!value->is_string()) {
    return Invalid(path + " must be a string");
  }
  const auto& text = value->get_ref<const std::string&>();
  if (text.empty()) {
    return Invalid(path + " is empty");
  }
  return text;
}

std::string OptionalString(const json& object, const char* name) {
  const json* value = Find(object, name);
  return value != nullptr && value->is_string() ? value->get<std::string>() : std::string();
}

// Absent or null: no size. Present: a non-negative integer, anything else is malformed.
Result<std::optional<uint64_t>> OptionalSize(const json& object, const std::string& path) {
  const json* value = Find(object, "size");
  if (value == nullptr || value->is_null()) {
    return std::optional<uint64_t>();
  }
  if (!value->is_number_unsigned()) {
    return Invalid(path + " must be a non-negative integer");
  }
  return std::optional<uint64_t>(value->get<uint64_t>());
}

WorkItem InvalidItem(std::string reason, std::string source_id = {}) {
  WorkItem item;
  item.action = ItemAction::kInvalid;
  item.reason = std::move(reason);
  item.source_id = std::move(source_id);
  return item;
}

WorkItem IgnoredItem(std::string reason, ObjectRef object = {}) {
  WorkItem item;
  item.action = ItemAction::kIgnore;
  item.reason = std::move(reason);
  item.object = std::move(object);
  return item;
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool IsTestEvent(const json& event) {
  const json* name = Find(event, "Event");
  return name != nullptr && name->is_string() && *name == "s3:TestEvent";
}

WorkItem TestEventItem(const json& event) {
  ObjectRef object;
  object.bucket = OptionalString(event, "Bucket");
  object.event_name = "s3:TestEvent";
  return IgnoredItem("s3:TestEvent: S3 checks the notification target; nothing to do", object);
}

// One S3 notification record (S3 -> Lambda directly, or inside SQS/SNS). Keys are
// form-URL-encoded here, unlike EventBridge.
WorkItem ParseS3Record(const json& record, const std::string& path) {
  ObjectRef object;
  auto name = RequiredString(record, "eventName", path + ".eventName");
  if (!name.ok()) {
    return InvalidItem(name.error().message);
  }
  object.event_name = *name;
  const json* s3 = Find(record, "s3");
  if (s3 == nullptr || !s3->is_object()) {
    return InvalidItem(path + ".s3 is missing");
  }
  const json* bucket = Find(*s3, "bucket");
  const json* s3_object = Find(*s3, "object");
  if (bucket != nullptr) {
    object.bucket = OptionalString(*bucket, "name");
  }
  if (s3_object != nullptr) {
    // Best effort, so an ignored or invalid item still logs which object it concerned.
    auto key = FormUrlDecode(OptionalString(*s3_object, "key"));
    if (key.ok()) {
      object.key = *key;
    }
  }
  if (StartsWith(object.event_name, "ObjectRemoved:")) {
    return IgnoredItem(object.event_name + ": deletions are not mirrored", object);
  }
  if (!StartsWith(object.event_name, "ObjectCreated:")) {
    return IgnoredItem(object.event_name + " is not an object creation", object);
  }
  if (bucket == nullptr || !bucket->is_object()) {
    return InvalidItem(path + ".s3.bucket is missing");
  }
  auto bucket_name = RequiredString(*bucket, "name", path + ".s3.bucket.name");
  if (!bucket_name.ok()) {
    return InvalidItem(bucket_name.error().message);
  }
  if (s3_object == nullptr || !s3_object->is_object()) {
    return InvalidItem(path + ".s3.object is missing");
  }
  auto encoded_key = RequiredString(*s3_object, "key", path + ".s3.object.key");
  if (!encoded_key.ok()) {
    return InvalidItem(encoded_key.error().message);
  }
  auto key = FormUrlDecode(*encoded_key);
  if (!key.ok()) {
    return InvalidItem(path + ".s3.object.key: " + key.error().message);
  }
  auto size = OptionalSize(*s3_object, path + ".s3.object.size");
  if (!size.ok()) {
    return InvalidItem(size.error().message);
  }
  object.key = *key;
  object.size = *size;
  object.etag = OptionalString(*s3_object, "eTag");
  object.version_id = OptionalString(*s3_object, "versionId");
  WorkItem item;
  item.object = std::move(object);
  return item;
}

// EventBridge "Object Created" (S3 -> EventBridge -> Lambda or -> SQS). Keys are NOT encoded.
WorkItem ParseEventBridge(const json& event) {
  const std::string detail_type = OptionalString(event, "detail-type");
  const std::string source = OptionalString(event, "source");
  if (source != "aws.s3") {
    return InvalidItem("source is \"" + source + "\"; only aws.s3 EventBridge events are handled");
  }
  ObjectRef object;
  object.event_name = detail_type;
  const json* detail = Find(event, "detail");
  if (detail == nullptr || !detail->is_object()) {
    return InvalidItem("detail is missing");
  }
  const json* bucket = Find(*detail, "bucket");
  const json* s3_object = Find(*detail, "object");
  if (bucket != nullptr) {
    object.bucket = OptionalString(*bucket, "name");
  }
  if (s3_object != nullptr) {
    object.key = OptionalString(*s3_object, "key");
  }
  if (detail_type != "Object Created") {
    return IgnoredItem("EventBridge \"" + detail_type + "\" is not an object creation", object);
  }
  if (bucket == nullptr || !bucket->is_object()) {
    return InvalidItem("detail.bucket is missing");
  }
  auto bucket_name = RequiredString(*bucket, "name", "detail.bucket.name");
  if (!bucket_name.ok()) {
    return InvalidItem(bucket_name.error().message);
  }
  if (s3_object == nullptr || !s3_object->is_object()) {
    return InvalidItem("detail.object is missing");
  }
  auto key = RequiredString(*s3_object, "key", "detail.object.key");
  if (!key.ok()) {
    return InvalidItem(key.error().message);
  }
  auto size = OptionalSize(*s3_object, "detail.object.size");
  if (!size.ok()) {
    return InvalidItem(size.error().message);
  }
  object.bucket = *bucket_name;
  object.key = *key;
  object.size = *size;
  object.etag = OptionalString(*s3_object, "etag");
  object.version_id = OptionalString(*s3_object, "version-id");
  WorkItem item;
  item.object = std::move(object);
  return item;
}

// An S3 notification document: {"Records": [...]} of S3 records, or s3:TestEvent.
std::vector<WorkItem> ParseS3Notification(const json& document, const std::string& path) {
  if (IsTestEvent(document)) {
    return {TestEventItem(document)};
  }
  const json* records = Find(document, "Records");
  if (records == nullptr || !records->is_array()) {
    return {InvalidItem(path + " holds no Records array and is not s3:TestEvent")};
  }
  if (records->empty()) {
    return {InvalidItem(path + ".Records is empty")};
  }
  std::vector<WorkItem> items;
  for (size_t i = 0; i < records->size(); ++i) {
    items.push_back(ParseS3Record((*records)[i], path + ".Records[" + std::to_string(i) + "]"));
  }
  return items;
}

// The text of an SQS body or SNS Message: an S3 notification, s3:TestEvent, an SNS envelope
// (S3 -> SNS -> SQS without raw delivery) or an EventBridge event (EventBridge -> SQS).
std::vector<WorkItem> ParseMessageText(const std::string& text, const std::string& path,
                                       int depth) {
  if (depth > kMaxNesting) {
    return {InvalidItem(path + " nests messages too deeply")};
  }
  json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return {InvalidItem(path + " is not valid JSON")};
  }
  if (!document.is_object()) {
    return {InvalidItem(path + " is not a JSON object")};
  }
  if (Find(document, "detail-type") != nullptr) {
    return {ParseEventBridge(document)};
  }
  const json* type = Find(document, "Type");
  if (type != nullptr && type->is_string() && *type == "Notification") {
    auto message = RequiredString(document, "Message", path + ".Message");
    if (!message.ok()) {
      return {InvalidItem(message.error().message)};
    }
    return ParseMessageText(*message, path + ".Message", depth + 1);
  }
  return ParseS3Notification(document, path);
}

Result<ParsedEvent> ParseSqs(const json& records) {
  ParsedEvent event;
  event.source = EventSource::kSqs;
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string path = "Records[" + std::to_string(i) + "]";
    const json& record = records[i];
    // Without the id the message cannot be reported as failed, so the batch cannot be
    // answered faithfully: fail the whole invocation instead.
    auto message_id = RequiredString(record, "messageId", path + ".messageId");
    if (!message_id.ok()) {
      return message_id.error();
    }
    std::vector<WorkItem> items;
    auto body = RequiredString(record, "body", path + ".body");
    if (body.ok()) {
      items = ParseMessageText(*body, path + ".body", 1);
    } else {
      items.push_back(InvalidItem(body.error().message));
    }
    for (auto& item : items) {
      item.source_id = *message_id;
      event.items.push_back(std::move(item));
    }
  }
  return event;
}

ParsedEvent ParseSns(const json& records) {
  ParsedEvent event;
  event.source = EventSource::kSns;
  for (size_t i = 0; i < records.size(); ++i) {
    const std::string path = "Records[" + std::to_string(i) + "]";
    const json* sns = Find(records[i], "Sns");
    if (sns == nullptr || !sns->is_object()) {
      event.items.push_back(InvalidItem(path + ".Sns is missing"));
      continue;
    }
    auto message = RequiredString(*sns, "Message", path + ".Sns.Message");
    if (!message.ok()) {
      event.items.push_back(InvalidItem(message.error().message));
      continue;
    }
    for (auto& item : ParseMessageText(*message, path + ".Sns.Message", 1)) {
      event.items.push_back(std::move(item));
    }
  }
  return event;
}

ParsedEvent ParseS3Records(const json& records) {
  ParsedEvent event;
  event.source = EventSource::kS3;
  for (size_t i = 0; i < records.size(); ++i) {
    event.items.push_back(ParseS3Record(records[i], "Records[" + std::to_string(i) + "]"));
  }
  return event;
}

// "arn:aws:s3:::bucket" (and the odd "arn:aws:s3:region:account:bucket" seen in samples):
// bucket names cannot contain ':', so the name is what follows the last one.
std::string BucketFromArn(const std::string& arn) {
  const size_t colon = arn.rfind(':');
  return colon == std::string::npos ? std::string() : arn.substr(colon + 1);
}

Result<ParsedEvent> ParseBatch(const json& document) {
  ParsedEvent event;
  event.source = EventSource::kBatch;
  auto version = RequiredString(document, "invocationSchemaVersion", "invocationSchemaVersion");
  if (!version.ok()) {
    return version.error();
  }
  if (*version != "1.0" && *version != "2.0") {
    return Invalid("invocationSchemaVersion \"" + *version + "\" is not 1.0 or 2.0");
  }
  auto invocation_id = RequiredString(document, "invocationId", "invocationId");
  if (!invocation_id.ok()) {
    return invocation_id.error();
  }
  const json* tasks = Find(document, "tasks");
  if (tasks == nullptr || !tasks->is_array()) {
    return Invalid("tasks is missing");
  }
  event.batch_schema_version = *version;
  event.batch_invocation_id = *invocation_id;
  for (size_t i = 0; i < tasks->size(); ++i) {
    const std::string path = "tasks[" + std::to_string(i) + "]";
    const json& task = (*tasks)[i];
    auto task_id = RequiredString(task, "taskId", path + ".taskId");
    if (!task_id.ok()) {
      return task_id.error();  // a result cannot be reported without it
    }
    // Schema 1.0 names the bucket by ARN, 2.0 by name (directory buckets have no plain ARN).
    Result<std::string> bucket = *version == "1.0"
                                     ? RequiredString(task, "s3BucketArn", path + ".s3BucketArn")
                                     : RequiredString(task, "s3Bucket", path + ".s3Bucket");
    auto encoded_key = RequiredString(task, "s3Key", path + ".s3Key");
    if (!bucket.ok() || !encoded_key.ok()) {
      const Error& error = !bucket.ok() ? bucket.error() : encoded_key.error();
      event.items.push_back(InvalidItem(error.message, *task_id));
      continue;
    }
    // Batch Operations URL-encodes s3Key like S3 notifications do ('+' is a space).
    auto key = FormUrlDecode(*encoded_key);
    if (!key.ok()) {
      event.items.push_back(InvalidItem(path + ".s3Key: " + key.error().message, *task_id));
      continue;
    }
    WorkItem item;
    item.source_id = *task_id;
    item.object.bucket = *version == "1.0" ? BucketFromArn(*bucket) : *bucket;
    item.object.key = *key;
    item.object.version_id = OptionalString(task, "s3VersionId");
    item.object.event_name = "BatchTask";
    if (item.object.bucket.empty()) {
      item = InvalidItem(path + ".s3BucketArn \"" + *bucket + "\" names no bucket", *task_id);
    }
    event.items.push_back(std::move(item));
  }
  return event;
}

}  // namespace

const char* EventSourceName(EventSource source) {
  switch (source) {
    case EventSource::kS3:
      return "s3";
    case EventSource::kSqs:
      return "sqs";
    case EventSource::kSns:
      return "sns";
    case EventSource::kEventBridge:
      return "eventbridge";
    case EventSource::kBatch:
      return "batch";
  }
  return "unknown";
}

Result<ParsedEvent> ParseEvent(std::string_view text) {
  const json document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return Invalid("event is not valid JSON");
  }
  if (!document.is_object()) {
    return Invalid("event is not a JSON object");
  }
  if (Find(document, "invocationSchemaVersion") != nullptr) {
    return ParseBatch(document);
  }
  if (Find(document, "detail-type") != nullptr) {
    ParsedEvent event;
    event.source = EventSource::kEventBridge;
    event.items.push_back(ParseEventBridge(document));
    return event;
  }
  if (IsTestEvent(document)) {
    ParsedEvent event;
    event.items.push_back(TestEventItem(document));
    return event;
  }
  const json* records = Find(document, "Records");
  if (records == nullptr) {
    return Invalid(
        "unrecognised event: expected Records (S3, SQS or SNS), an S3 Batch Operations "
        "invocation, an EventBridge event or s3:TestEvent");
  }
  if (!records->is_array()) {
    return Invalid("Records must be an array");
  }
  if (records->empty()) {
    return Invalid("Records is empty");
  }
  // The first record decides the envelope; Lambda never mixes sources in one event.
  const json& first = records->front();
  if (Find(first, "Sns") != nullptr) {
    return ParseSns(*records);
  }
  if (OptionalString(first, "eventSource") == "aws:sqs" || Find(first, "body") != nullptr) {
    return ParseSqs(*records);
  }
  if (Find(first, "s3") != nullptr || OptionalString(first, "eventSource") == "aws:s3") {
    return ParseS3Records(*records);
  }
  return Invalid("Records[0] is neither an S3, an SQS nor an SNS record");
}

}  // namespace imgpipe::lambda
