// Bounds on what one invocation's event may cost before it is parsed into a document. Lambda
// delivers events of up to 6 MB, and a hostile sender can fill that with millions of empty
// records or nested brackets; each cap below turns such an event into one invalid_event at a
// cost proportional to the bytes read, never to what a full parse would allocate.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "imgpipe/error.h"

namespace imgpipe::lambda {

// Lambda's own ceiling: a synchronous invocation carries at most 6 MB (asynchronous and SQS
// deliveries are smaller), so a larger event did not come from Lambda.
inline constexpr size_t kMaxEventBytes = size_t{6} * 1024 * 1024;

// Nesting summed over the documents an event carries (an SQS body, then an SNS Message, each
// counted from the depth of the document around it). The deepest legal chain, SQS -> SNS -> S3,
// needs 11 levels (13 with SQS message attributes); 32 leaves room for fields AWS may add.
inline constexpr int kMaxEventDepth = 32;

// Records per invocation, counted in every document (SQS messages, the S3 records inside
// them, Batch tasks). The largest legal batch is 10 SQS messages of one S3 record each; S3 and
// SNS deliver one record per event and S3 Batch Operations one task.
inline constexpr size_t kMaxEventRecords = 100;

// JSON values per document: a legal S3 record holds about 40, so kMaxEventRecords of the
// richest one fit; beyond that the document is padding (one huge object or array).
inline constexpr size_t kMaxDocumentValues = 10000;

// One parsed document and the nesting it used, counted from the outermost event.
// nlohmann::json's constructor is not declared noexcept; an empty document allocates nothing,
// so nothing is thrown.
struct BoundedDocument {  // NOLINT(bugprone-exception-escape)
  nlohmann::json document;
  int depth = 0;
};

// Checks the caps above in a streaming pass that builds nothing, then parses. `what` names the
// document in errors ("event", "Records[0].body"); `outer_depth` is the depth already used by
// the documents around it. Arrays that are members of the root object ("Records", "tasks")
// count as records. Errors are kInvalidEvent naming the cap and `what`. Never throws.
Result<BoundedDocument> ParseBounded(std::string_view text, const std::string& what,
                                     int outer_depth);

}  // namespace imgpipe::lambda
