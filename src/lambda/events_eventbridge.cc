// EventBridge events from S3 (S3 -> EventBridge -> Lambda, or -> SQS). Only "Object Created" is
// work; the object is described like an S3 notification's, but the key is not encoded.
#include <string>
#include <utility>

#include "lambda/event_parsers.h"

namespace imgpipe::lambda {

WorkItem ParseEventBridge(const json& event) {
  static constexpr ObjectFields kFields{"etag", "version-id", /*form_encoded_key=*/false};
  const std::string detail_type = OptionalString(event, "detail-type");
  const std::string source = OptionalString(event, "source");
  if (source != "aws.s3") {
    return InvalidItem("source is \"" + source + "\"; only aws.s3 EventBridge events are handled");
  }
  const json* detail = Find(event, "detail");
  if (detail == nullptr || !detail->is_object()) {
    return InvalidItem("detail is missing");
  }
  if (detail_type != "Object Created") {
    ObjectRef object = PeekObject(*detail, kFields);
    object.event_name = detail_type;
    return IgnoredItem("EventBridge \"" + detail_type + "\" is not an object creation",
                       std::move(object));
  }
  return ExtractObject(*detail, "detail", kFields, detail_type);
}

}  // namespace imgpipe::lambda
