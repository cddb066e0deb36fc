// Every envelope that can reach an S3-triggered function, flattened into a list of work items.
// The handler never looks at JSON: it sees ParsedEvent, and answers in the shape of `source`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imgpipe/error.h"

namespace imgpipe::lambda {

// Which envelope the event came in; decides the shape of the response.
enum class EventSource {
  kS3,           // S3 notification (Records[].s3) or s3:TestEvent: error response on failure
  kSqs,          // SQS batch (Records[].body): {"batchItemFailures": [...]}
  kSns,          // SNS (Records[].Sns.Message): error response on failure
  kEventBridge,  // EventBridge "Object Created": error response on failure
  kBatch,        // S3 Batch Operations schema 1.0/2.0: {"results": [...]} per task
};

const char* EventSourceName(EventSource source);  // "s3", "sqs", "sns", "eventbridge", "batch"

// One object an event talks about.
struct ObjectRef {
  std::string bucket;
  std::string key;  // raw object key, already URL-decoded where the envelope encodes it
  std::optional<uint64_t> size;  // object size in bytes when the event carries it
  std::string etag;              // as the event gives it; empty when absent
  std::string version_id;        // empty when absent or unversioned
  std::string event_name;        // "ObjectCreated:Put", "Object Created", "BatchTask", ...
};

enum class ItemAction {
  kProcess,  // make a thumbnail of `object`
  kIgnore,   // nothing to do and nothing wrong (s3:TestEvent, ObjectRemoved:*, ...): success
  kInvalid,  // this record/message is malformed; `reason` names the field
};

struct WorkItem {
  ItemAction action = ItemAction::kProcess;
  ObjectRef object;       // complete for kProcess; whatever was readable otherwise
  std::string reason;     // kIgnore / kInvalid: why, e.g. "Records[1].s3.object.key is missing"
  std::string source_id;  // SQS messageId or Batch taskId results are reported against; else ""
};

struct ParsedEvent {
  EventSource source = EventSource::kS3;
  std::vector<WorkItem> items;  // in event order; one per S3 record / Batch task
  // S3 Batch Operations only, echoed back in the response.
  std::string batch_schema_version;  // "1.0" or "2.0"
  std::string batch_invocation_id;
};

// Fails (kInvalidEvent, message naming the field) only when the envelope itself is unusable:
// not JSON, an unknown shape, or an SQS/Batch entry without the id its result must carry.
// A malformed record or message inside a usable envelope becomes a kInvalid item instead, so
// one bad record never loses the others. Never throws.
Result<ParsedEvent> ParseEvent(std::string_view json);

}  // namespace imgpipe::lambda
