#include "lambda/event_caps.h"

#include <algorithm>
#include <string>
#include <utility>

namespace imgpipe::lambda {
namespace {

using nlohmann::json;

// A SAX handler that only counts. Returning false from any callback stops nlohmann's parser at
// once, so a hostile document costs the bytes read up to the first cap it breaks.
class CapCounter : public nlohmann::json_sax<json> {
 public:
  explicit CapCounter(int outer_depth) : outer_depth_(outer_depth), depth_(outer_depth) {}

  bool null() override { return Value(); }
  bool boolean(bool /*value*/) override { return Value(); }
  bool number_integer(number_integer_t /*value*/) override { return Value(); }
  bool number_unsigned(number_unsigned_t /*value*/) override { return Value(); }
  bool number_float(number_float_t /*value*/, const string_t& /*text*/) override { return Value(); }
  bool string(string_t& /*value*/) override { return Value(); }
  bool binary(binary_t& /*value*/) override { return Value(); }
  bool start_object(std::size_t /*elements*/) override { return Open(/*is_array=*/false); }
  bool end_object() override { return Close(); }
  bool start_array(std::size_t /*elements*/) override { return Open(/*is_array=*/true); }
  bool end_array() override { return Close(); }
  bool key(string_t& name) override {
    if (depth_ == outer_depth_ + 1) {
      root_key_ = name;
    }
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& /*ex*/) override {
    problem_ = " is not valid JSON";
    return false;
  }

  const std::string& problem() const { return problem_; }
  int max_depth() const { return max_depth_; }

 private:
  // Every value, containers included, counts once; an element of a root member's array
  // ("Records", "tasks") also counts as a record.
  bool Value() {
    if (++values_ > kMaxDocumentValues) {
      return Fail(" holds more than " + std::to_string(kMaxDocumentValues) + " JSON values");
    }
    if (depth_ == outer_depth_ + 2 && in_root_array_ && ++records_ > kMaxEventRecords) {
      return Fail("." + root_key_ + " has more than " + std::to_string(kMaxEventRecords) +
                  " entries, the cap on records per invocation");
    }
    return true;
  }
  bool Open(bool is_array) {
    if (!Value()) {
      return false;
    }
    if (++depth_ > kMaxEventDepth) {
      return Fail(" nests deeper than " + std::to_string(kMaxEventDepth) +
                  " levels (counting the envelopes around it)");
    }
    max_depth_ = std::max(max_depth_, depth_);
    if (depth_ == outer_depth_ + 2) {
      in_root_array_ = is_array;
      records_ = 0;
    }
    return true;
  }
  bool Close() {
    --depth_;
    return true;
  }
  bool Fail(std::string problem) {
    problem_ = std::move(problem);
    return false;
  }

  const int outer_depth_;
  int depth_;
  int max_depth_ = 0;
  size_t values_ = 0;
  size_t records_ = 0;
  bool in_root_array_ = false;
  std::string root_key_;
  std::string problem_;
};

}  // namespace

Result<BoundedDocument> ParseBounded(std::string_view text, const std::string& what,
                                     int outer_depth) {
  if (text.size() > kMaxEventBytes) {
    return MakeError(ErrorCode::kInvalidEvent, what + " is " + std::to_string(text.size()) +
                                                   " bytes, over the cap of " +
                                                   std::to_string(kMaxEventBytes));
  }
  CapCounter counter(outer_depth);
  const bool ok = json::sax_parse(text, &counter, json::input_format_t::json, /*strict=*/true,
                                  /*ignore_comments=*/false);
  if (!ok) {
    // Every callback that stops the parse sets a problem; the fallback is for safety only.
    return MakeError(ErrorCode::kInvalidEvent,
                     what + (counter.problem().empty() ? " is not valid JSON" : counter.problem()));
  }
  BoundedDocument bounded;
  bounded.document = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (bounded.document.is_discarded()) {
    return MakeError(ErrorCode::kInvalidEvent, what + " is not valid JSON");
  }
  bounded.depth = counter.max_depth();
  return bounded;
}

}  // namespace imgpipe::lambda
