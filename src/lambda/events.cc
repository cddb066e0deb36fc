// Picks the envelope family and checks the caps that span the whole event; the families
// themselves are parsed in events_*.cc.
#include "lambda/events.h"

#include <string>
#include <utility>

#include "lambda/event_caps.h"
#include "lambda/event_parsers.h"

namespace imgpipe::lambda {
namespace {

ParsedEvent SingleItem(EventSource source, WorkItem item) {
  ParsedEvent event;
  event.source = source;
  event.items.push_back(std::move(item));
  return event;
}

Result<ParsedEvent> ParseRecords(const json& records, int depth) {
  if (!records.is_array()) {
    return Invalid("Records must be an array");
  }
  if (records.empty()) {
    return Invalid("Records is empty");
  }
  // The first record decides the envelope; Lambda never mixes sources in one event.
  const json& first = records.front();
  if (Find(first, "Sns") != nullptr) {
    return ParseSns(records, depth);
  }
  if (OptionalString(first, "eventSource") == "aws:sqs" || Find(first, "body") != nullptr) {
    return ParseSqs(records, depth);
  }
  if (Find(first, "s3") != nullptr || OptionalString(first, "eventSource") == "aws:s3") {
    ParsedEvent event;
    for (size_t i = 0; i < records.size(); ++i) {
      event.items.push_back(ParseS3Record(records[i], "Records[" + std::to_string(i) + "]"));
    }
    return event;
  }
  return Invalid("Records[0] is neither an S3, an SQS nor an SNS record");
}

Result<ParsedEvent> ParseDocument(const json& document, int depth) {
  if (!document.is_object()) {
    return Invalid("event is not a JSON object");
  }
  if (Find(document, "invocationSchemaVersion") != nullptr) {
    return ParseBatch(document);
  }
  if (Find(document, "detail-type") != nullptr) {
    return SingleItem(EventSource::kEventBridge, ParseEventBridge(document));
  }
  if (IsTestEvent(document)) {
    return SingleItem(EventSource::kS3, TestEventItem(document));
  }
  const json* records = Find(document, "Records");
  if (records == nullptr) {
    return Invalid(
        "unrecognised event: expected Records (S3, SQS or SNS), an S3 Batch Operations "
        "invocation, an EventBridge event or s3:TestEvent");
  }
  return ParseRecords(*records, depth);
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
  auto parsed = ParseBounded(text, "event", 0);
  if (!parsed.ok()) {
    return parsed.error();
  }
  auto event = ParseDocument(parsed->document, parsed->depth);
  // Each document is capped on its own; messages inside SQS can still add up.
  if (event.ok() && event->items.size() > kMaxEventRecords) {
    return Invalid("event holds " + std::to_string(event->items.size()) +
                   " records, over the cap of " + std::to_string(kMaxEventRecords) +
                   " per invocation");
  }
  return event;
}

}  // namespace imgpipe::lambda
