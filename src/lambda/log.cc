#include "lambda/log.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace imgpipe::lambda {
namespace {

using nlohmann::json;

// Keys are arbitrary bytes once URL-decoded; dump() would throw on invalid UTF-8, so invalid
// sequences are replaced (U+FFFD) instead: a log line must never take the function down.
std::string Dump(const json& document) {
  return document.dump(-1, ' ', false, json::error_handler_t::replace);
}

// Millisecond figures rounded to 0.001 ms: enough resolution, shorter lines.
double Round3(double value) { return std::round(value * 1000.0) / 1000.0; }

}  // namespace

void StdoutSink::Write(std::string_view line) {
  // A failed write to stdout has nowhere to be reported and must not stop image processing,
  // so the results are deliberately ignored.
  (void)std::fwrite(line.data(), 1, line.size(), stdout);
  (void)std::fputc('\n', stdout);
  (void)std::fflush(stdout);
}

void Logger::Record(const RecordLog& r) {
  json line = {
      {"level", r.level},
      {"request_id", request_id_},
      {"source", r.source},
      {"source_id", r.source_id},
      {"bucket", r.bucket},
      {"key", r.key},
      {"output_key", r.output_key},
      {"outcome", r.outcome},
      {"error_code", r.error_code},
      {"reason", r.reason},
      {"bytes_in", r.bytes_in},
      {"bytes_out", r.bytes_out},
      {"input_megapixels", Round3(r.input_megapixels)},
      {"download_ms", Round3(r.download_ms)},
      {"decode_ms", Round3(r.decode_ms)},
      {"resize_ms", Round3(r.resize_ms)},
      {"encode_ms", Round3(r.encode_ms)},
      {"upload_ms", Round3(r.upload_ms)},
  };
  sink_.Write(Dump(line));
}

void Logger::Message(std::string_view level, std::string_view message) {
  json line = {{"level", level}, {"request_id", request_id_}, {"message", message}};
  sink_.Write(Dump(line));
}

void Logger::Metrics(const InvocationMetrics& m, int64_t timestamp_ms) {
  // EMF: the "_aws" member declares which top-level members are metrics and dimensions;
  // CloudWatch extracts them from the log line asynchronously.
  json metric_defs = json::array({
      {{"Name", "ImagesProcessed"}, {"Unit", "Count"}},
      {{"Name", "ImagesSkipped"}, {"Unit", "Count"}},
      {{"Name", "ImagesFailed"}, {"Unit", "Count"}},
      {{"Name", "DurationMs"}, {"Unit", "Milliseconds"}},
      {{"Name", "BytesIn"}, {"Unit", "Bytes"}},
      {{"Name", "BytesOut"}, {"Unit", "Bytes"}},
  });
  json line = {
      {"_aws",
       {{"Timestamp", timestamp_ms},
        {"CloudWatchMetrics", json::array({{{"Namespace", "imgpipe"},
                                            {"Dimensions", json::array({{"FunctionName"}})},
                                            {"Metrics", metric_defs}}})}}},
      {"FunctionName", function_name_},
      {"request_id", request_id_},
      {"ImagesProcessed", m.images_processed},
      {"ImagesSkipped", m.images_skipped},
      {"ImagesFailed", m.images_failed},
      {"DurationMs", Round3(m.duration_ms)},
      {"BytesIn", m.bytes_in},
      {"BytesOut", m.bytes_out},
  };
  sink_.Write(Dump(line));
}

}  // namespace imgpipe::lambda
