// Checked access to event JSON, shared by the envelope parsers. nlohmann::json throws on a
// wrong-type get(), so every read goes through these helpers, which test the type first and
// name the offending path in the message.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "imgpipe/error.h"
#include "lambda/events.h"

namespace imgpipe::lambda {

using nlohmann::json;

Error Invalid(std::string message);  // kInvalidEvent

// The member `name` of `object`, or nullptr when `object` is not an object or lacks it.
const json* Find(const json& object, const char* name);

// A required non-empty string member; the error names `path` (e.g. "Records[0].s3.bucket.name").
Result<std::string> RequiredString(const json& object, const char* name, const std::string& path);

// The member when it is a string, else "".
std::string OptionalString(const json& object, const char* name);

WorkItem InvalidItem(std::string reason, std::string source_id = {});
WorkItem IgnoredItem(std::string reason, ObjectRef object = {});

// How one envelope names the object's fields. S3 notifications (and SNS/SQS around them) and
// EventBridge describe an object the same way, {"bucket":{"name"}, "object":{"key","size",…}},
// but spell the ETag and version members differently, and only S3 form-URL-encodes the key.
struct ObjectFields {
  const char* etag;
  const char* version_id;
  bool form_encoded_key;
};

// Best effort, for an item that is ignored or invalid: whatever bucket and key are readable,
// so its log line still names the object. `detail` holds "bucket" and "object".
ObjectRef PeekObject(const json& detail, const ObjectFields& fields);

// The object of a creation event, every field checked: a kProcess item, or a kInvalid item
// whose reason names the field under `path` (e.g. "Records[0].s3", "detail").
WorkItem ExtractObject(const json& detail, const std::string& path, const ObjectFields& fields,
                       std::string event_name);

// Every bucket name an event hands to a request: a valid S3 bucket name, else the reason.
Status CheckEventBucket(const std::string& bucket, const std::string& path);

}  // namespace imgpipe::lambda
