// The Lambda handler as a plain function: event text in, response (or error) out. No globals,
// no HTTP: the runtime loop feeds it, tests call it with a fake object store.
#pragma once

#include <string>
#include <string_view>

#include "aws/object_store.h"
#include "imgpipe/pipeline.h"
#include "lambda/config.h"
#include "lambda/log.h"

namespace imgpipe::lambda {

// What to tell the Runtime API. Built only through Success() or Failure(), so a response is
// always one or the other.
class HandlerOutcome {
 public:
  // POST .../response with `payload` (JSON). Lambda considers the invocation done.
  static HandlerOutcome Success(std::string payload);
  // POST .../error. Lambda retries the event (async: twice, then DLQ / on-failure destination).
  static HandlerOutcome Failure(std::string error_type, std::string error_message);

  bool ok() const { return ok_; }
  const std::string& payload() const { return payload_; }
  const std::string& error_type() const { return error_type_; }  // e.g. imgpipe.storage_error
  const std::string& error_message() const { return error_message_; }

  InvocationMetrics metrics;  // totals, also emitted as one EMF line by Handle()

 private:
  HandlerOutcome() = default;
  bool ok_ = false;
  std::string payload_;
  std::string error_type_;
  std::string error_message_;
};

// Metadata names written on every output (x-amz-meta-...). An object carrying kSourceMetadata
// is one of ours and is never processed again.
inline constexpr const char* kSourceMetadata = "imgpipe-source";  // percent-encoded key
inline constexpr const char* kSourceBucketMetadata = "imgpipe-source-bucket";
inline constexpr const char* kSourceEtagMetadata = "imgpipe-source-etag";

// Processes every item of the event. Permanent failures (corrupt, unsupported, too large) are
// logged and do not fail the invocation; transient ones (storage errors, deadline) do, in the
// event source's own way: an error for S3/SNS/EventBridge, the message id in
// batchItemFailures for SQS, TemporaryFailure for the task in S3 Batch Operations.
// Work stops `config.deadline_margin` before `deadline`; items not started are transient.
// Up to `config.concurrency` items run at once (so `store` and `logger` are called from several
// threads); each keeps its own outcome, the response lists them in event order, and each record's
// log line is written when it finishes.
HandlerOutcome Handle(std::string_view event_json, aws::ObjectStore& store, const Config& config,
                      Clock::time_point deadline, Logger& logger);

}  // namespace imgpipe::lambda
