// One parser per envelope family, each in its own file; ParseEvent (events.cc) picks one.
// Internal to the event parser: the handler only sees ParsedEvent.
#pragma once

#include <string>
#include <vector>

#include "lambda/event_fields.h"
#include "lambda/events.h"

namespace imgpipe::lambda {

// events_s3.cc: S3 notifications, directly or inside SQS/SNS. Keys are form-URL-encoded.
bool IsTestEvent(const json& document);
WorkItem TestEventItem(const json& document);
WorkItem ParseS3Record(const json& record, const std::string& path);
// {"Records": [...]} of S3 records, or s3:TestEvent; `path` names the document in reasons.
std::vector<WorkItem> ParseS3Notification(const json& document, const std::string& path);

// events_eventbridge.cc: "Object Created" from source aws.s3. Keys are NOT encoded.
WorkItem ParseEventBridge(const json& event);

// events_messages.cc: SQS batches and SNS deliveries, whose message text is itself a document
// (an S3 notification, s3:TestEvent, an SNS envelope or an EventBridge event). `outer_depth`
// is the nesting the event around the records already used (see kMaxEventDepth).
Result<ParsedEvent> ParseSqs(const json& records, int outer_depth);
ParsedEvent ParseSns(const json& records, int outer_depth);

// events_batch.cc: S3 Batch Operations, schema 1.0 and 2.0.
Result<ParsedEvent> ParseBatch(const json& document);

}  // namespace imgpipe::lambda
