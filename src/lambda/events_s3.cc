// S3 event notifications: {"Records":[{"eventName","s3":{"bucket","object"}}]}, or the
// s3:TestEvent S3 sends when a notification target is configured.
#include <string>
#include <utility>

#include "lambda/event_parsers.h"

namespace imgpipe::lambda {
namespace {

constexpr ObjectFields kS3Fields{"eTag", "versionId", /*form_encoded_key=*/true};

}  // namespace

bool IsTestEvent(const json& document) {
  const json* name = Find(document, "Event");
  return name != nullptr && name->is_string() && *name == "s3:TestEvent";
}

WorkItem TestEventItem(const json& document) {
  ObjectRef object;
  object.bucket = OptionalString(document, "Bucket");
  object.event_name = "s3:TestEvent";
  return IgnoredItem("s3:TestEvent: S3 checks the notification target; nothing to do", object);
}

WorkItem ParseS3Record(const json& record, const std::string& path) {
  auto name = RequiredString(record, "eventName", path + ".eventName");
  if (!name.ok()) {
    return InvalidItem(name.error().message);
  }
  const json* s3 = Find(record, "s3");
  if (s3 == nullptr || !s3->is_object()) {
    return InvalidItem(path + ".s3 is missing");
  }
  if (!name->starts_with("ObjectCreated:")) {
    ObjectRef object = PeekObject(*s3, kS3Fields);
    object.event_name = *name;
    return IgnoredItem(*name + (name->starts_with("ObjectRemoved:") ? ": deletions are not mirrored"
                                                                    : " is not an object creation"),
                       std::move(object));
  }
  return ExtractObject(*s3, path + ".s3", kS3Fields, *name);
}

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

}  // namespace imgpipe::lambda
