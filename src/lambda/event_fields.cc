#include "lambda/event_fields.h"

#include <string>
#include <utility>

#include "lambda/bucket_name.h"
#include "lambda/key_decode.h"

namespace imgpipe::lambda {
namespace {

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

Result<std::string> DecodeKey(const std::string& key, const ObjectFields& fields) {
  return fields.form_encoded_key ? FormUrlDecode(key) : Result<std::string>(key);
}

}  // namespace

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

WorkItem InvalidItem(std::string reason, std::string source_id) {
  WorkItem item;
  item.action = ItemAction::kInvalid;
  item.reason = std::move(reason);
  item.source_id = std::move(source_id);
  return item;
}

WorkItem IgnoredItem(std::string reason, ObjectRef object) {
  WorkItem item;
  item.action = ItemAction::kIgnore;
  item.reason = std::move(reason);
  item.object = std::move(object);
  return item;
}

ObjectRef PeekObject(const json& detail, const ObjectFields& fields) {
  ObjectRef object;
  if (const json* bucket = Find(detail, "bucket")) {
    object.bucket = OptionalString(*bucket, "name");
  }
  if (const json* s3_object = Find(detail, "object")) {
    auto key = DecodeKey(OptionalString(*s3_object, "key"), fields);
    if (key.ok()) {
      object.key = *key;
    }
  }
  return object;
}

Status CheckEventBucket(const std::string& bucket, const std::string& path) {
  auto valid = ValidateBucketName(bucket);
  if (!valid.ok()) {
    return Invalid(path + ": " + valid.error().message);
  }
  return OkStatus();
}

WorkItem ExtractObject(const json& detail, const std::string& path, const ObjectFields& fields,
                       std::string event_name) {
  const json* bucket = Find(detail, "bucket");
  if (bucket == nullptr || !bucket->is_object()) {
    return InvalidItem(path + ".bucket is missing");
  }
  auto bucket_name = RequiredString(*bucket, "name", path + ".bucket.name");
  if (!bucket_name.ok()) {
    return InvalidItem(bucket_name.error().message);
  }
  if (auto valid = CheckEventBucket(*bucket_name, path + ".bucket.name"); !valid.ok()) {
    return InvalidItem(valid.error().message);
  }
  const json* s3_object = Find(detail, "object");
  if (s3_object == nullptr || !s3_object->is_object()) {
    return InvalidItem(path + ".object is missing");
  }
  auto raw_key = RequiredString(*s3_object, "key", path + ".object.key");
  if (!raw_key.ok()) {
    return InvalidItem(raw_key.error().message);
  }
  auto key = DecodeKey(*raw_key, fields);
  if (!key.ok()) {
    return InvalidItem(path + ".object.key: " + key.error().message);
  }
  auto size = OptionalSize(*s3_object, path + ".object.size");
  if (!size.ok()) {
    return InvalidItem(size.error().message);
  }
  WorkItem item;
  item.object.bucket = *bucket_name;
  item.object.key = *key;
  item.object.size = *size;
  item.object.etag = OptionalString(*s3_object, fields.etag);
  item.object.version_id = OptionalString(*s3_object, fields.version_id);
  item.object.event_name = std::move(event_name);
  return item;
}

}  // namespace imgpipe::lambda
