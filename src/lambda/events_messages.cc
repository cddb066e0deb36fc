// SQS batches and SNS deliveries. Their message text is a document of its own, parsed under the
// same caps as the event, with the nesting of the envelopes around it counted in.
#include <string>
#include <utility>

#include "lambda/event_caps.h"
#include "lambda/event_parsers.h"

namespace imgpipe::lambda {
namespace {

// SQS body -> SNS envelope -> S3 notification is the deepest real chain of messages.
constexpr int kMaxMessageNesting = 3;

// The text of an SQS body or SNS Message: an S3 notification, s3:TestEvent, an SNS envelope
// (S3 -> SNS -> SQS without raw delivery) or an EventBridge event (EventBridge -> SQS).
std::vector<WorkItem> ParseMessageText(const std::string& text, const std::string& path,
                                       int nesting, int outer_depth) {
  if (nesting > kMaxMessageNesting) {
    return {InvalidItem(path + " nests messages too deeply")};
  }
  auto parsed = ParseBounded(text, path, outer_depth);
  if (!parsed.ok()) {
    return {InvalidItem(parsed.error().message)};
  }
  const json& document = parsed->document;
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
    return ParseMessageText(*message, path + ".Message", nesting + 1, parsed->depth);
  }
  return ParseS3Notification(document, path);
}

}  // namespace

Result<ParsedEvent> ParseSqs(const json& records, int outer_depth) {
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
      items = ParseMessageText(*body, path + ".body", 1, outer_depth);
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

ParsedEvent ParseSns(const json& records, int outer_depth) {
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
    for (auto& item : ParseMessageText(*message, path + ".Sns.Message", 1, outer_depth)) {
      event.items.push_back(std::move(item));
    }
  }
  return event;
}

}  // namespace imgpipe::lambda
