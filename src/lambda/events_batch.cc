// S3 Batch Operations invocations, schema 1.0 (bucket by ARN) and 2.0 (bucket by name).
#include <string>
#include <utility>

#include "lambda/event_parsers.h"
#include "lambda/key_decode.h"

namespace imgpipe::lambda {
namespace {

// "arn:aws:s3:::bucket" (and the odd "arn:aws:s3:region:account:bucket" seen in samples):
// bucket names cannot contain ':', so the name is what follows the last one.
std::string BucketFromArn(const std::string& arn) {
  const size_t colon = arn.rfind(':');
  return colon == std::string::npos ? std::string() : arn.substr(colon + 1);
}

// One task; its id is known and checked by the caller, so every failure is an item.
WorkItem ParseTask(const json& task, const std::string& path, const std::string& version,
                   const std::string& task_id) {
  // Schema 1.0 names the bucket by ARN, 2.0 by name (directory buckets have no plain ARN).
  const bool by_arn = version == "1.0";
  const std::string bucket_path = path + (by_arn ? ".s3BucketArn" : ".s3Bucket");
  auto bucket = RequiredString(task, by_arn ? "s3BucketArn" : "s3Bucket", bucket_path);
  auto encoded_key = RequiredString(task, "s3Key", path + ".s3Key");
  if (!bucket.ok() || !encoded_key.ok()) {
    const Error& error = !bucket.ok() ? bucket.error() : encoded_key.error();
    return InvalidItem(error.message, task_id);
  }
  // Batch Operations URL-encodes s3Key like S3 notifications do ('+' is a space).
  auto key = FormUrlDecode(*encoded_key);
  if (!key.ok()) {
    return InvalidItem(path + ".s3Key: " + key.error().message, task_id);
  }
  const std::string bucket_name = by_arn ? BucketFromArn(*bucket) : *bucket;
  if (bucket_name.empty()) {
    return InvalidItem(bucket_path + " \"" + *bucket + "\" names no bucket", task_id);
  }
  if (auto valid = CheckEventBucket(bucket_name, bucket_path); !valid.ok()) {
    return InvalidItem(valid.error().message, task_id);
  }
  WorkItem item;
  item.source_id = task_id;
  item.object.bucket = bucket_name;
  item.object.key = *key;
  item.object.version_id = OptionalString(task, "s3VersionId");
  item.object.event_name = "BatchTask";
  return item;
}

}  // namespace

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
    auto task_id = RequiredString((*tasks)[i], "taskId", path + ".taskId");
    if (!task_id.ok()) {
      return task_id.error();  // a result cannot be reported without it
    }
    event.items.push_back(ParseTask((*tasks)[i], path, *version, *task_id));
  }
  return event;
}

}  // namespace imgpipe::lambda
