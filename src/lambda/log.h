// Logging lives only in the adapters (the core returns, never logs). Every line is one JSON
// object on stdout, which Lambda forwards to CloudWatch Logs: one line per record, and one
// Embedded Metric Format line per invocation, so metrics need no SDK and no API call.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace imgpipe::lambda {

// Where finished lines go. Stdout in the function; a vector in tests.
class LineSink {
 public:
  virtual ~LineSink() = default;
  virtual void Write(std::string_view line) = 0;  // one complete JSON document, no newline
};

// Writes each line plus '\n' to stdout and flushes, so nothing is lost when Lambda freezes
// or kills the process between invocations.
class StdoutSink : public LineSink {
 public:
  void Write(std::string_view line) override;
};

// One output of a record: one per variant (the implicit one included), in the variants' order.
struct OutputLog {
  std::string variant;  // the variant's name; "default" without VARIANTS
  std::string key;
  uint64_t bytes = 0;
  double resize_ms = 0;
  double encode_ms = 0;
  double upload_ms = 0;
};

// What happened to one record; every field appears in the log line (0 / "" when not reached).
struct RecordLog {
  std::string level = "info";  // "info" processed/skipped, "warn" permanent, "error" transient
  std::string source;          // event source: s3, sqs, sns, eventbridge, batch
  std::string source_id;       // SQS messageId / Batch taskId; "" otherwise
  std::string bucket;
  std::string key;         // raw key
  std::string output_key;  // "" unless written
  std::string outcome;     // processed | skipped | failed_permanent | failed_transient
  std::string error_code;  // ErrorCodeName(); "" on success
  std::string reason;      // human readable cause; "" on success
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  double input_megapixels = 0;  // width*height/1e6 of the source header
  double download_ms = 0;
  double decode_ms = 0;
  double resize_ms = 0;
  double encode_ms = 0;
  double upload_ms = 0;
  std::vector<OutputLog> outputs;     // written outputs, listed in the line as "outputs"
  std::vector<std::string> warnings;  // ignored without failing the record (a broken profile)
};

// Totals for one invocation, emitted as CloudWatch EMF metrics.
struct InvocationMetrics {
  uint64_t images_processed = 0;
  uint64_t images_skipped = 0;  // nothing to do: ignored events, our own outputs, recursion
  uint64_t images_failed = 0;   // permanent + transient failures
  double duration_ms = 0;       // wall time of the whole invocation
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  // Per variant, when VARIANTS is set: outputs written and their bytes, emitted with a Variant
  // dimension. Empty without VARIANTS, so a one-output function keeps its one metrics line.
  struct VariantTotals {
    uint64_t outputs = 0;
    uint64_t bytes_out = 0;
  };
  std::map<std::string, VariantTotals> variants;
};

// A string as it appears in a log field. Keys are arbitrary bytes once URL-decoded: valid UTF-8
// is kept, each byte of an invalid sequence becomes the four characters \xHH, and a backslash
// is doubled, so two different keys never log as the same text (U+FFFD would merge them).
std::string LogText(std::string_view raw);

// Formats lines and stamps them with the invocation's request id. The line methods may be called
// from several threads at once (the records of an invocation run concurrently): each line reaches
// the sink whole, never interleaved with another. set_request_id is called between invocations,
// when no record is running.
class Logger {
 public:
  Logger(LineSink& sink, std::string function_name)
      : sink_(sink), function_name_(std::move(function_name)) {}

  void set_request_id(std::string request_id) { request_id_ = std::move(request_id); }
  const std::string& request_id() const { return request_id_; }

  void Record(const RecordLog& record);
  // A line about the invocation or the runtime rather than one record (init errors, etc.).
  void Message(std::string_view level, std::string_view message);
  // One line for all malformed records of an invocation: `count` of `total` records, and the
  // reasons of the first few, so a flood of bad records costs one line.
  void InvalidRecords(size_t count, size_t total, const std::vector<std::string>& first_reasons);
  // `timestamp_ms` is Unix epoch milliseconds, as EMF requires.
  void Metrics(const InvocationMetrics& metrics, int64_t timestamp_ms);

 private:
  void Write(std::string_view line);  // one whole line to the sink, under write_mutex_

  LineSink& sink_;
  std::mutex write_mutex_;
  std::string function_name_;
  std::string request_id_;
};

}  // namespace imgpipe::lambda
