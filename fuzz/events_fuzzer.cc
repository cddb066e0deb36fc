// Fuzzes the Lambda event parser (with its caps on bytes, depth and records) and the key decoder:
// arbitrary bytes must never crash or throw, and the parser's promises to the handler must hold for
// whatever it accepts.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "lambda/event_caps.h"
#include "lambda/events.h"
#include "lambda/key_decode.h"
#include "lambda/log.h"

namespace {

class NullSink : public imgpipe::lambda::LineSink {
 public:
  void Write(std::string_view line) override { total += line.size(); }
  size_t total = 0;
};

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace imgpipe::lambda;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // Key codec: encoding any bytes and decoding gives them back.
  Check(*FormUrlDecode(PercentEncodeKey(text)) == text);
  if (auto decoded = FormUrlDecode(text); decoded.ok()) {
    Check(decoded->size() <= text.size());
    Check(*FormUrlDecode(PercentEncodeKey(*decoded)) == *decoded);
  }

  auto event = ParseEvent(text);
  if (!event.ok()) {
    Check(!event.error().message.empty());
    return 0;
  }
  // The caps hold for whatever is accepted: no event yields more records than the cap.
  Check(event->items.size() <= kMaxEventRecords);
  Check(size <= kMaxEventBytes);
  NullSink sink;
  Logger logger(sink, "fuzz");
  for (const WorkItem& item : event->items) {
    switch (item.action) {
      case ItemAction::kProcess:
        // The handler relies on these without re-checking.
        Check(!item.object.bucket.empty());
        Check(!item.object.key.empty());
        break;
      case ItemAction::kIgnore:
      case ItemAction::kInvalid:
        Check(!item.reason.empty());
        break;
    }
    // Results are reported by id for these sources: an item without one would be lost.
    if (event->source == EventSource::kSqs || event->source == EventSource::kBatch) {
      Check(!item.source_id.empty());
    }
    // Logging arbitrary (possibly invalid UTF-8) keys must not throw.
    RecordLog record;
    record.bucket = item.object.bucket;
    record.key = item.object.key;
    record.reason = item.reason;
    logger.Record(record);
  }
  return 0;
}
