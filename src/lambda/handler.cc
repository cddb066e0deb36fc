#include "lambda/handler.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "lambda/events.h"
#include "lambda/key_decode.h"
#include "lambda/output_key.h"
#include "lambda/parallel.h"

namespace imgpipe::lambda {
namespace {

using nlohmann::json;

enum class Outcome { kProcessed, kSkipped, kPermanent, kTransient };

const char* OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kProcessed:
      return "processed";
    case Outcome::kSkipped:
      return "skipped";
    case Outcome::kPermanent:
      return "failed_permanent";
    case Outcome::kTransient:
      return "failed_transient";
  }
  return "unknown";
}

struct ItemResult {
  Outcome outcome = Outcome::kProcessed;
  ErrorCode code = ErrorCode::kInternal;  // meaningful for the failure outcomes only
  std::string reason;
  std::string output_key;                // the first output's key
  std::vector<std::string> output_keys;  // every output's, in the variants' order
};

// How many failures an error message or a summary line names; the rest are counted.
constexpr size_t kFirstFew = 3;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

ItemResult Skip(std::string reason) {
  return ItemResult{Outcome::kSkipped, ErrorCode::kInternal, std::move(reason), {}, {}};
}

// Permanent or transient by the one table in error.cc.
ItemResult Fail(ErrorCode code, std::string reason) {
  return ItemResult{IsPermanent(code) ? Outcome::kPermanent : Outcome::kTransient,
                    code,
                    std::move(reason),
                    {},
                    {}};
}

ItemResult FailTransient(ErrorCode code, std::string reason) {
  return ItemResult{Outcome::kTransient, code, std::move(reason), {}, {}};
}

// The checks that need no download, in order of cheapness.
std::optional<ItemResult> PreDownloadChecks(const ObjectRef& object, const Config& config) {
  if (!object.key.empty() && object.key.back() == '/') {
    return Skip("key ends with '/': a folder placeholder, not an image");
  }
  if (!object.key.starts_with(config.input_prefix)) {
    return Skip("key is outside INPUT_PREFIX \"" + config.input_prefix + "\"");
  }
  // Runtime half of the recursion guard: never read what we write.
  if (object.bucket == config.output_bucket && object.key.starts_with(config.output_prefix)) {
    return Skip("recursion guard: the key is under OUTPUT_PREFIX \"" + config.output_prefix +
                "\" of OUTPUT_BUCKET, so it is one of our outputs");
  }
  const uint64_t max_bytes = config.options.limits.max_input_bytes;
  if (object.size && *object.size > max_bytes) {
    return Fail(ErrorCode::kInputTooLarge, "object is " + std::to_string(*object.size) +
                                               " bytes, over MAX_INPUT_BYTES " +
                                               std::to_string(max_bytes) + " (not downloaded)");
  }
  return std::nullopt;
}

// Reads exactly the upload the event names: its version when the bucket is versioned, else the
// current object only while it still has the event's ETag, so an overwrite between the event
// and the read never gives the old event a thumbnail of the new upload.
aws::GetRequest ReadRequest(const ObjectRef& object) {
  aws::GetRequest request{object.bucket, object.key, object.version_id, {}};
  if (object.version_id.empty()) {
    request.if_match = object.etag;
  }
  return request;
}

// Every variant's output key. The core writes each variant's configured format, so the keys
// are known before any request: a key that would escape its prefixes fails here, permanently,
// without downloading anything.
Result<std::vector<std::string>> OutputKeys(const ObjectRef& object, const Config& config,
                                            std::span<const Variant> variants) {
  std::vector<std::string> keys;
  for (const Variant& variant : variants) {
    auto key = OutputKey(object.key,
                         OutputNaming{config.output_prefix, variant.prefix, config.keep_extension},
                         variant.options.format);
    if (!key.ok()) {
      return key.error();
    }
    keys.push_back(std::move(key).value());
  }
  return keys;
}

ItemResult ProcessObject(const ObjectRef& object, aws::ObjectStore& store, const Config& config,
                         Clock::time_point work_deadline, RecordLog& log) {
  if (auto early = PreDownloadChecks(object, config)) {
    return *early;
  }
  // LoadConfig always fills `variants`; a Config built by hand may leave it empty.
  const std::vector<Variant> variants = VariantsOrImplicit(config.variants, config.options);
  auto output_keys = OutputKeys(object, config, variants);
  if (!output_keys.ok()) {
    return Fail(output_keys.error().code, output_keys.error().message);
  }

  // The body streams into the decoder: download_ms is the time to the response's headers, and
  // the rest of the transfer overlaps the decode (counted in decode_ms).
  const auto download_start = Clock::now();
  auto data = store.GetStream(ReadRequest(object));
  log.download_ms = MsSince(download_start);
  if (!data.ok()) {
    return Fail(data.error().code,
                "get s3://" + object.bucket + "/" + object.key + ": " + data.error().message);
  }
  if (data->superseded) {
    return Skip("superseded: the object no longer has ETag " + object.etag +
                " (HTTP 412 on If-Match); the newer upload's own event makes its thumbnail");
  }
  log.bytes_in = data->size;
  if (data->metadata.count(kSourceMetadata) != 0) {
    return Skip("object carries x-amz-meta-" + std::string(kSourceMetadata) +
                ": it is one of our outputs");
  }

  // One decode for every variant; a record succeeds only when every output is written.
  auto encoded = ProcessVariants(*data->body, variants, work_deadline);
  data->body.reset();  // gives the connection back before the PUTs, which reuse it
  if (!encoded.ok()) {
    return Fail(encoded.error().code, encoded.error().message);
  }
  const Encoded& first = encoded->front();
  log.input_megapixels = static_cast<double>(first.source.width) * first.source.height / 1e6;
  log.decode_ms = first.timings.decode_ms;
  log.warnings = first.warnings;  // about the input, the same for every output
  ItemResult written{Outcome::kProcessed, ErrorCode::kInternal, {}, {}, {}};
  for (size_t i = 0; i < encoded->size(); ++i) {
    const Encoded& out = (*encoded)[i];
    aws::PutRequest put;
    put.bucket = config.output_bucket;
    put.key = (*output_keys)[i];
    put.body = out.bytes;
    put.content_type = OutputMimeType(out.format);  // from what was written, not the name
    put.cache_control = config.cache_control;
    // S3 user metadata must be ASCII, and keys are any UTF-8: store the key percent-encoded.
    put.metadata[kSourceMetadata] = PercentEncodeKey(object.key);
    put.metadata[kSourceBucketMetadata] = object.bucket;
    put.metadata[kSourceEtagMetadata] = data->etag.empty() ? object.etag : data->etag;
    const auto upload_start = Clock::now();
    auto etag = store.Put(put);
    const double upload_ms = MsSince(upload_start);
    log.upload_ms += upload_ms;
    if (!etag.ok()) {
      // Whatever the code, the input was fine: a missing or forbidden output bucket is a setup
      // problem that a retry after the fix resolves, so never drop the image as permanent. The
      // retry makes every output again, byte for byte the same.
      return FailTransient(etag.error().code,
                           "put s3://" + put.bucket + "/" + put.key + ": " + etag.error().message);
    }
    log.resize_ms += out.timings.resize_ms;
    log.encode_ms += out.timings.encode_ms;
    log.bytes_out += out.bytes.size();
    log.outputs.push_back({variants[i].name, put.key, out.bytes.size(), out.timings.resize_ms,
                           out.timings.encode_ms, upload_ms});
    written.output_keys.push_back(put.key);
  }
  written.output_key = written.output_keys.front();
  return written;
}

ItemResult RunItem(const WorkItem& item, aws::ObjectStore& store, const Config& config,
                   Clock::time_point work_deadline, RecordLog& log) {
  switch (item.action) {
    case ItemAction::kIgnore:
      return Skip(item.reason);
    case ItemAction::kInvalid:
      // A malformed message is a sender or wiring problem, not bad image data: fail it so it
      // stays visible (retries, then the DLQ) instead of vanishing as "permanent".
      return FailTransient(ErrorCode::kInvalidEvent, "invalid event: " + item.reason);
    case ItemAction::kProcess:
      break;
  }
  try {
    return ProcessObject(item.object, store, config, work_deadline, log);
  } catch (const std::exception& e) {
    // Nothing below should throw; bad_alloc can. Contain it to this record.
    return FailTransient(ErrorCode::kInternal, std::string("exception: ") + e.what());
  }
}

const char* LevelFor(Outcome outcome) {
  switch (outcome) {
    case Outcome::kProcessed:
    case Outcome::kSkipped:
      return "info";
    case Outcome::kPermanent:
      return "warn";
    case Outcome::kTransient:
      return "error";
  }
  return "error";
}

std::string BatchResultCode(const ItemResult& result) {
  // A malformed task is retried by nobody but the job itself, and would fail identically:
  // Batch Operations' completion report is where it must show up, as permanent.
  if (result.code == ErrorCode::kInvalidEvent) {
    return "PermanentFailure";
  }
  switch (result.outcome) {
    case Outcome::kProcessed:
    case Outcome::kSkipped:
      return "Succeeded";
    case Outcome::kPermanent:
      return "PermanentFailure";
    case Outcome::kTransient:
      return "TemporaryFailure";
  }
  return "TemporaryFailure";
}

std::string Dump(const json& document) {
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string Describe(const WorkItem& item, const ItemResult& result) {
  const std::string where =
      item.object.key.empty() ? std::string("event") : item.object.bucket + "/" + item.object.key;
  return where + ": " + ErrorCodeName(result.code) + ": " + result.reason;
}

// SQS partial batch response (needs ReportBatchItemFailures on the event source mapping):
// only the messages with a transient failure return to the queue, each once.
HandlerOutcome SqsResponse(const ParsedEvent& event, const std::vector<ItemResult>& results) {
  json failures = json::array();
  std::set<std::string> seen;
  for (size_t i = 0; i < results.size(); ++i) {
    const std::string& id = event.items[i].source_id;
    if (results[i].outcome == Outcome::kTransient && seen.insert(id).second) {
      failures.push_back({{"itemIdentifier", id}});
    }
  }
  return HandlerOutcome::Success(Dump({{"batchItemFailures", failures}}));
}

// S3 Batch Operations: one result per task, echoing the invocation's schema and id.
HandlerOutcome BatchResponse(const ParsedEvent& event, const std::vector<ItemResult>& results) {
  json tasks = json::array();
  for (size_t i = 0; i < results.size(); ++i) {
    const ItemResult& r = results[i];
    std::string keys;
    for (const std::string& key : r.output_keys) {
      keys += (keys.empty() ? "" : ", ") + key;
    }
    std::string text = r.outcome == Outcome::kProcessed ? "wrote " + keys
                       : r.outcome == Outcome::kSkipped ? "skipped: " + r.reason
                                                        : Describe(event.items[i], r);
    tasks.push_back({{"taskId", event.items[i].source_id},
                     {"resultCode", BatchResultCode(r)},
                     {"resultString", text}});
  }
  return HandlerOutcome::Success(Dump({{"invocationSchemaVersion", event.batch_schema_version},
                                       {"treatMissingKeysAs", "PermanentFailure"},
                                       {"invocationId", event.batch_invocation_id},
                                       {"results", tasks}}));
}

// S3, SNS, EventBridge: one answer for the whole event. Any transient failure fails it so
// Lambda retries; records that succeeded are redone, which is harmless (same output key).
HandlerOutcome WholeEventResponse(const ParsedEvent& event,
                                  const std::vector<ItemResult>& results) {
  size_t processed = 0, skipped = 0, permanent = 0, transient = 0;
  std::string first_type;
  std::string message;
  for (size_t i = 0; i < results.size(); ++i) {
    switch (results[i].outcome) {
      case Outcome::kProcessed:
        ++processed;
        break;
      case Outcome::kSkipped:
        ++skipped;
        break;
      case Outcome::kPermanent:
        ++permanent;
        break;
      case Outcome::kTransient:
        if (transient++ == 0) {
          first_type = std::string("imgpipe.") + ErrorCodeName(results[i].code);
        }
        // Bounded: Lambda truncates long error messages anyway.
        if (transient <= kFirstFew) {
          message += (transient > 1 ? "; " : "") + Describe(event.items[i], results[i]);
        }
        break;
    }
  }
  if (transient > 0) {
    return HandlerOutcome::Failure(
        first_type, std::to_string(transient) + " of " + std::to_string(results.size()) +
                        " records failed and will be retried: " + message);
  }
  return HandlerOutcome::Success(
      Dump({{"processed", processed}, {"skipped", skipped}, {"failed_permanent", permanent}}));
}

HandlerOutcome BuildResponse(const ParsedEvent& event, const std::vector<ItemResult>& results) {
  switch (event.source) {
    case EventSource::kSqs:
      return SqsResponse(event, results);
    case EventSource::kBatch:
      return BatchResponse(event, results);
    case EventSource::kS3:
    case EventSource::kSns:
    case EventSource::kEventBridge:
      break;
  }
  return WholeEventResponse(event, results);
}

// Malformed records are summarised in one line rather than one line each: a hostile event of
// many bad records would otherwise cost a log line per record.
class InvalidRecordSummary {
 public:
  void Add(const WorkItem& item) {
    if (++count_ <= kFirstFew) {
      reasons_.push_back(item.source_id.empty() ? item.reason
                                                : item.reason + " (id " + item.source_id + ")");
    }
  }
  void Log(size_t total, Logger& logger) const {
    if (count_ > 0) {
      logger.InvalidRecords(count_, total, reasons_);
    }
  }

 private:
  size_t count_ = 0;
  std::vector<std::string> reasons_;
};

// One record from start to log line, for whichever worker takes it. Shared by the workers of an
// invocation; the only state they share is the longest item seen.
class RecordRunner {
 public:
  RecordRunner(EventSource source, aws::ObjectStore& store, const Config& config,
               Clock::time_point work_deadline, Logger& logger)
      : source_(source),
        store_(store),
        config_(config),
        work_deadline_(work_deadline),
        logger_(logger) {}

  ItemResult Run(const WorkItem& item, RecordLog& log) {
    log.source = EventSourceName(source_);
    log.source_id = item.source_id;
    log.bucket = item.object.bucket;
    log.key = item.object.key;
    ItemResult result;
    const auto item_start = Clock::now();
    // Don't start an item that the slowest one so far says we cannot finish in time; each
    // worker learns from the items the others finished.
    if (item.action == ItemAction::kProcess &&
        item_start + Clock::duration(longest_item_.load()) >= work_deadline_) {
      result = FailTransient(ErrorCode::kDeadlineExceeded,
                             "not started: too close to the Lambda deadline (margin " +
                                 std::to_string(config_.deadline_margin.count()) + " ms)");
    } else {
      result = RunItem(item, store_, config_, work_deadline_, log);
      const Clock::rep took = (Clock::now() - item_start).count();
      Clock::rep seen = longest_item_.load();
      while (took > seen && !longest_item_.compare_exchange_weak(seen, took)) {
      }
    }
    log.outcome = OutcomeName(result.outcome);
    log.level = LevelFor(result.outcome);
    log.output_key = result.output_key;
    if (result.outcome == Outcome::kPermanent || result.outcome == Outcome::kTransient) {
      log.error_code = ErrorCodeName(result.code);
    }
    log.reason = result.reason;
    if (item.action != ItemAction::kInvalid) {
      logger_.Record(log);  // malformed records are summarised once, after all are done
    }
    return result;
  }

 private:
  EventSource source_;
  aws::ObjectStore& store_;
  const Config& config_;
  Clock::time_point work_deadline_;
  Logger& logger_;
  std::atomic<Clock::rep> longest_item_{0};
};

}  // namespace

HandlerOutcome HandlerOutcome::Success(std::string payload) {
  HandlerOutcome outcome;
  outcome.ok_ = true;
  outcome.payload_ = std::move(payload);
  return outcome;
}

HandlerOutcome HandlerOutcome::Failure(std::string error_type, std::string error_message) {
  HandlerOutcome outcome;
  outcome.error_type_ = std::move(error_type);
  outcome.error_message_ = std::move(error_message);
  return outcome;
}

HandlerOutcome Handle(std::string_view event_json, aws::ObjectStore& store, const Config& config,
                      Clock::time_point deadline, Logger& logger) {
  const auto start = Clock::now();
  const auto now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  auto event = ParseEvent(event_json);
  if (!event.ok()) {
    logger.Message("error", "invalid event: " + event.error().message);
    auto outcome =
        HandlerOutcome::Failure(std::string("imgpipe.") + ErrorCodeName(event.error().code),
                                "invalid event: " + event.error().message);
    outcome.metrics.duration_ms = MsSince(start);
    logger.Metrics(outcome.metrics, now_ms());
    return outcome;
  }

  const Clock::time_point work_deadline = deadline - config.deadline_margin;
  const std::vector<WorkItem>& items = event->items;
  std::vector<ItemResult> results(items.size());
  std::vector<RecordLog> logs(items.size());
  RecordRunner runner{event->source, store, config, work_deadline, logger};
  // Each worker writes only slot i of results and logs; lines go out as records finish.
  ForEachIndex(items.size(), config.concurrency, [&](size_t i) {
    try {
      results[i] = runner.Run(items[i], logs[i]);
    } catch (const std::exception& e) {
      // Escaping a helper thread would end the process (std::terminate): contain it to this
      // record, like RunItem does for the processing itself.
      results[i] = FailTransient(ErrorCode::kInternal, std::string("exception: ") + e.what());
    }
  });

  // Totals and the summary of malformed records in record order, as when records ran in turn.
  InvocationMetrics metrics;
  InvalidRecordSummary invalid;
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i].action == ItemAction::kInvalid) {
      invalid.Add(items[i]);
    }
    switch (results[i].outcome) {
      case Outcome::kProcessed:
        ++metrics.images_processed;
        break;
      case Outcome::kSkipped:
        ++metrics.images_skipped;
        break;
      case Outcome::kPermanent:
      case Outcome::kTransient:
        ++metrics.images_failed;
        break;
    }
    metrics.bytes_in += logs[i].bytes_in;
    metrics.bytes_out += logs[i].bytes_out;
    if (!config.variants_json.empty()) {
      for (const OutputLog& output : logs[i].outputs) {
        InvocationMetrics::VariantTotals& totals = metrics.variants[output.variant];
        ++totals.outputs;
        totals.bytes_out += output.bytes;
      }
    }
  }

  invalid.Log(results.size(), logger);
  HandlerOutcome outcome = BuildResponse(*event, results);
  metrics.duration_ms = MsSince(start);
  outcome.metrics = metrics;
  logger.Metrics(metrics, now_ms());
  return outcome;
}

}  // namespace imgpipe::lambda
