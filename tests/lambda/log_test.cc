#include "lambda/log.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <utility>

#include "testing/test_support.h"

namespace imgpipe::lambda {
namespace {

TEST(Logger, RecordLineCarriesEveryField) {
  testing::CapturingSink sink;
  Logger logger(sink, "imgpipe-fn");
  logger.set_request_id("req-1");
  RecordLog record;
  record.level = "warn";
  record.source = "sqs";
  record.source_id = "msg-1";
  record.bucket = "in-bucket";
  record.key = "a/b.jpg";
  record.output_key = "";
  record.outcome = "failed_permanent";
  record.error_code = "corrupt_image";
  record.reason = "bad huffman table";
  record.bytes_in = 1234;
  record.bytes_out = 0;
  record.input_megapixels = 12.0000004;
  record.download_ms = 1.25;
  record.decode_ms = 2.5;
  record.resize_ms = 3.75;
  record.encode_ms = 4.0;
  record.upload_ms = 5.125;
  logger.Record(record);
  ASSERT_EQ(sink.lines.size(), 1u);
  EXPECT_EQ(sink.lines[0].find('\n'), std::string::npos);  // exactly one line
  const auto line = sink.Parsed()[0];
  EXPECT_EQ(line["level"], "warn");
  EXPECT_EQ(line["request_id"], "req-1");
  EXPECT_EQ(line["source"], "sqs");
  EXPECT_EQ(line["source_id"], "msg-1");
  EXPECT_EQ(line["bucket"], "in-bucket");
  EXPECT_EQ(line["key"], "a/b.jpg");
  EXPECT_EQ(line["outcome"], "failed_permanent");
  EXPECT_EQ(line["error_code"], "corrupt_image");
  EXPECT_EQ(line["reason"], "bad huffman table");
  EXPECT_EQ(line["bytes_in"], 1234);
  EXPECT_EQ(line["bytes_out"], 0);
  EXPECT_DOUBLE_EQ(line["input_megapixels"].get<double>(), 12.0);
  EXPECT_DOUBLE_EQ(line["download_ms"].get<double>(), 1.25);
  EXPECT_DOUBLE_EQ(line["decode_ms"].get<double>(), 2.5);
  EXPECT_DOUBLE_EQ(line["resize_ms"].get<double>(), 3.75);
  EXPECT_DOUBLE_EQ(line["encode_ms"].get<double>(), 4.0);
  EXPECT_DOUBLE_EQ(line["upload_ms"].get<double>(), 5.125);
}

TEST(Logger, InvalidUtf8KeyDoesNotThrowAndStaysJson) {
  testing::CapturingSink sink;
  Logger logger(sink, "fn");
  RecordLog record;
  record.key = std::string("bad\xC3\x28key\xFF", 9);
  EXPECT_NO_THROW(logger.Record(record));
  EXPECT_NO_THROW(logger.Message("error", std::string("\xFE\xFF")));
  ASSERT_EQ(sink.lines.size(), 2u);
  const auto lines = sink.Parsed();
  EXPECT_TRUE(lines[0]["key"].get<std::string>().starts_with("bad"));
}

TEST(Logger, MetricsLineIsEmbeddedMetricFormat) {
  testing::CapturingSink sink;
  Logger logger(sink, "imgpipe-fn");
  logger.set_request_id("req-9");
  InvocationMetrics metrics;
  metrics.images_processed = 3;
  metrics.images_skipped = 1;
  metrics.images_failed = 2;
  metrics.duration_ms = 41.5;
  metrics.bytes_in = 1000;
  metrics.bytes_out = 200;
  logger.Metrics(metrics, 1764331200123);
  ASSERT_EQ(sink.lines.size(), 1u);
  const auto line = sink.Parsed()[0];
  const auto& aws = line["_aws"];
  EXPECT_EQ(aws["Timestamp"], 1764331200123);
  ASSERT_TRUE(aws["CloudWatchMetrics"].is_array());
  ASSERT_EQ(aws["CloudWatchMetrics"].size(), 1u);
  const auto& directive = aws["CloudWatchMetrics"][0];
  EXPECT_EQ(directive["Namespace"], "imgpipe");
  EXPECT_EQ(directive["Dimensions"], nlohmann::json::parse(R"([["FunctionName"]])"));
  std::map<std::string, std::string> units;
  for (const auto& metric : directive["Metrics"]) units[metric["Name"]] = metric["Unit"];
  EXPECT_EQ(units["ImagesProcessed"], "Count");
  EXPECT_EQ(units["ImagesFailed"], "Count");
  EXPECT_EQ(units["ImagesSkipped"], "Count");
  EXPECT_EQ(units["DurationMs"], "Milliseconds");
  EXPECT_EQ(units["BytesIn"], "Bytes");
  EXPECT_EQ(units["BytesOut"], "Bytes");
  // Every declared metric and dimension must be a top-level member, or CloudWatch drops it.
  for (const auto& [name, unit] : units) EXPECT_TRUE(line.contains(name)) << name;
  EXPECT_EQ(line["FunctionName"], "imgpipe-fn");
  EXPECT_EQ(line["ImagesProcessed"], 3);
  EXPECT_EQ(line["ImagesSkipped"], 1);
  EXPECT_EQ(line["ImagesFailed"], 2);
  EXPECT_DOUBLE_EQ(line["DurationMs"].get<double>(), 41.5);
  EXPECT_EQ(line["BytesIn"], 1000);
  EXPECT_EQ(line["BytesOut"], 200);
  EXPECT_EQ(line["request_id"], "req-9");
}

// The key field of a record line, as its raw bytes and as the parsed JSON value.
std::pair<std::string, std::string> LoggedKey(const std::string& key) {
  testing::CapturingSink sink;
  Logger logger(sink, "fn");
  RecordLog record;
  record.key = key;
  logger.Record(record);
  return {sink.lines.at(0), sink.Parsed().at(0)["key"].get<std::string>()};
}

TEST(Logger, DelAndC1ControlsAreEscapedAndKeepTheirValue) {
  const std::string key =
      "a\x7F"
      "b\xC2\x9B"
      "c";  // DEL, then U+009B (CSI)
  const auto [line, value] = LoggedKey(key);
  EXPECT_EQ(line.find('\x7F'), std::string::npos) << line;
  EXPECT_EQ(line.find("\xC2\x9B"), std::string::npos) << line;
  EXPECT_NE(line.find(R"(a\u007fb\u009bc)"), std::string::npos) << line;
  EXPECT_EQ(value, key);
  // Other valid UTF-8 passes untouched, C2 A0 (no-break space) and 4-byte sequences included.
  const std::string text = "\xC3\xA9 \xC2\xA0 \xF0\x9F\x98\x80";
  EXPECT_EQ(LoggedKey(text).second, text);
}

TEST(Logger, InvalidUtf8IsLoggedAsHexEscapesSoKeysStayDistinct) {
  EXPECT_EQ(LoggedKey("bad\xFF").second, R"(bad\xff)");
  EXPECT_EQ(LoggedKey("bad\xFE").second, R"(bad\xfe)");
  EXPECT_EQ(LoggedKey(R"(bad\xff)").second, R"(bad\\xff)");        // a literal backslash is doubled
  EXPECT_EQ(LoggedKey("\xC3\x28").second, R"(\xc3()");             // truncated sequence
  EXPECT_EQ(LoggedKey("\xC0\xAF").second, R"(\xc0\xaf)");          // overlong '/'
  EXPECT_EQ(LoggedKey("\xED\xA0\x80").second, R"(\xed\xa0\x80)");  // a UTF-16 surrogate
  EXPECT_EQ(LoggedKey("\xF4\x90\x80\x80").second, R"(\xf4\x90\x80\x80)");  // > U+10FFFF
  // Keys that differ in one invalid byte, or only by escaping, never log the same.
  std::set<std::string> logged;
  for (const std::string key : {"k\xFF", "k\xFE", "k\xEF\xBF\xBD", R"(k\xff)", "k\x80"}) {
    EXPECT_TRUE(logged.insert(LoggedKey(key).second).second) << key;
  }
}

TEST(Logger, InvalidRecordsIsOneSummaryLine) {
  testing::CapturingSink sink;
  Logger logger(sink, "fn");
  logger.set_request_id("req-2");
  logger.InvalidRecords(57, 60, {"Records[1].eventName is missing", "b\xFF", "c"});
  ASSERT_EQ(sink.lines.size(), 1u);
  const auto line = sink.Parsed()[0];
  EXPECT_EQ(line["level"], "error");
  EXPECT_EQ(line["request_id"], "req-2");
  EXPECT_EQ(line["invalid_records"], 57);
  EXPECT_EQ(line["reasons"],
            nlohmann::json::parse(R"(["Records[1].eventName is missing", "b\\xff", "c"])"));
  EXPECT_EQ(line["message"],
            "57 of 60 records are malformed (invalid_event); first 3: Records[1].eventName is "
            "missing; b\\xff; c");
}

}  // namespace
}  // namespace imgpipe::lambda
