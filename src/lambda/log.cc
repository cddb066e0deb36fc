#include "lambda/log.h"

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "core/text.h"

namespace imgpipe::lambda {
namespace {

using nlohmann::json;

// JSON escapes for what nlohmann's dump() leaves raw although a terminal acts on it: DEL and
// the C1 controls U+0080..U+009F (UTF-8 C2 80..C2 9F). Both can only occur inside strings.
std::string EscapeTerminalControls(std::string line) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(line.size());
  for (size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    const auto next = i + 1 < line.size() ? static_cast<unsigned char>(line[i + 1]) : 0;
    unsigned code = 0;
    if (c == 0x7F) {
      code = c;
    } else if (c == 0xC2 && next >= 0x80 && next <= 0x9F) {
      code = next;
      ++i;
    } else {
      out.push_back(line[i]);
      continue;
    }
    out += "\\u00";
    out.push_back(kHex[code >> 4]);
    out.push_back(kHex[code & 0xF]);
  }
  return out;
}

// Every string reaching a line went through LogText, so dump() sees valid UTF-8 only; the
// "replace" handler stays as a guard: a log line must never take the function down.
std::string Dump(const json& document) {
  return EscapeTerminalControls(document.dump(-1, ' ', false, json::error_handler_t::replace));
}

// Millisecond figures rounded to 0.001 ms: enough resolution, shorter lines.
double Round3(double value) { return std::round(value * 1000.0) / 1000.0; }

}  // namespace

std::string LogText(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    const size_t length = core::Utf8SequenceLength(raw, i);
    if (length == 0) {
      const auto c = static_cast<unsigned char>(raw[i]);
      out += "\\x";
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xF]);
      ++i;
      continue;
    }
    if (raw[i] == '\\') {
      out.push_back('\\');
    }
    out.append(raw, i, length);
    i += length;
  }
  return out;
}

void StdoutSink::Write(std::string_view line) {
  // A failed write to stdout has nowhere to be reported and must not stop image processing,
  // so the results are deliberately ignored.
  (void)std::fwrite(line.data(), 1, line.size(), stdout);
  (void)std::fputc('\n', stdout);
  (void)std::fflush(stdout);
}

void Logger::Write(std::string_view line) {
  const std::lock_guard lock(write_mutex_);
  sink_.Write(line);
}

void Logger::Record(const RecordLog& r) {
  json line = {
      {"level", LogText(r.level)},
      {"request_id", LogText(request_id_)},
      {"source", LogText(r.source)},
      {"source_id", LogText(r.source_id)},
      {"bucket", LogText(r.bucket)},
      {"key", LogText(r.key)},
      {"output_key", LogText(r.output_key)},
      {"outcome", LogText(r.outcome)},
      {"error_code", LogText(r.error_code)},
      {"reason", LogText(r.reason)},
      {"bytes_in", r.bytes_in},
      {"bytes_out", r.bytes_out},
      {"input_megapixels", Round3(r.input_megapixels)},
      {"download_ms", Round3(r.download_ms)},
      {"decode_ms", Round3(r.decode_ms)},
      {"resize_ms", Round3(r.resize_ms)},
      {"encode_ms", Round3(r.encode_ms)},
      {"upload_ms", Round3(r.upload_ms)},
  };
  json outputs = json::array();
  for (const OutputLog& o : r.outputs) {
    outputs.push_back({{"variant", LogText(o.variant)},
                       {"key", LogText(o.key)},
                       {"bytes", o.bytes},
                       {"resize_ms", Round3(o.resize_ms)},
                       {"encode_ms", Round3(o.encode_ms)},
                       {"upload_ms", Round3(o.upload_ms)}});
  }
  line["outputs"] = std::move(outputs);
  if (!r.warnings.empty()) {
    json warnings = json::array();
    for (const std::string& w : r.warnings) {
      warnings.push_back(LogText(w));
    }
    line["warnings"] = std::move(warnings);
  }
  Write(Dump(line));
}

void Logger::Message(std::string_view level, std::string_view message) {
  json line = {{"level", LogText(level)},
               {"request_id", LogText(request_id_)},
               {"message", LogText(message)}};
  Write(Dump(line));
}

void Logger::InvalidRecords(size_t count, size_t total,
                            const std::vector<std::string>& first_reasons) {
  std::string message = std::to_string(count) + " of " + std::to_string(total) +
                        " records are malformed (invalid_event); first " +
                        std::to_string(first_reasons.size()) + ": ";
  json reasons = json::array();
  for (size_t i = 0; i < first_reasons.size(); ++i) {
    message += (i == 0 ? "" : "; ") + first_reasons[i];
    reasons.push_back(LogText(first_reasons[i]));
  }
  json line = {{"level", "error"},
               {"request_id", LogText(request_id_)},
               {"message", LogText(message)},
               {"invalid_records", count},
               {"reasons", reasons}};
  Write(Dump(line));
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
  Write(Dump(line));
  // One more line per variant, so each output size gets its own count and bytes in CloudWatch.
  for (const auto& [variant, totals] : m.variants) {
    json variant_line = {
        {"_aws",
         {{"Timestamp", timestamp_ms},
          {"CloudWatchMetrics",
           json::array(
               {{{"Namespace", "imgpipe"},
                 {"Dimensions", json::array({{"FunctionName", "Variant"}})},
                 {"Metrics", json::array({{{"Name", "OutputsWritten"}, {"Unit", "Count"}},
                                          {{"Name", "BytesOut"}, {"Unit", "Bytes"}}})}}})}}},
        {"FunctionName", function_name_},
        {"Variant", LogText(variant)},
        {"request_id", request_id_},
        {"OutputsWritten", totals.outputs},
        {"BytesOut", totals.bytes_out},
    };
    Write(Dump(variant_line));
  }
}

}  // namespace imgpipe::lambda
