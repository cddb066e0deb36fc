// Parsing and validation of Options. Every message has sharp's shape,
// `Expected <what> for <field> but received <value>`, so a user sees the rule, the field and
// the offending value in one line, whatever the edge (CLI flag or Lambda environment).
#include "imgpipe/options.h"

#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/option_rules.h"
#include "core/text.h"

namespace imgpipe {
namespace {

// Quotes untrusted text for a message: control and non-ASCII bytes are escaped and long
// values are cut, so a hostile environment variable cannot break a one-line log.
std::string Quote(std::string_view text) {
  constexpr size_t kMaxShown = 64;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMaxShown; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char hex[8];
      (void)std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMaxShown) {
    out += "...";
  }
  out += '"';
  return out;
}

Error Expected(std::string_view what, std::string_view field, const std::string& received) {
  std::string message = "Expected ";
  message.append(what).append(" for ").append(field).append(" but received ").append(received);
  return MakeError(ErrorCode::kInvalidOptions, std::move(message));
}

// Consumes a run of decimal digits from the front of `text`. Fails on no digits or on a value
// above `max` (checked per digit, so "99999999999999999999" cannot wrap around).
bool ConsumeUnsigned(std::string_view& text, uint64_t max, uint64_t& value) {
  size_t i = 0;
  value = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    const uint64_t digit = static_cast<uint64_t>(text[i] - '0');
    if (value > (max - digit) / 10) {
      return false;
    }
    value = value * 10 + digit;
    ++i;
  }
  if (i == 0) {
    return false;
  }
  text.remove_prefix(i);
  return true;
}

// A whole string that is exactly one unsigned decimal integer in [min, max].
bool ParseWholeUnsigned(std::string_view text, uint64_t min, uint64_t max, uint64_t& value) {
  return ConsumeUnsigned(text, max, value) && text.empty() && value >= min;
}

bool ValidSide(uint64_t side) { return side >= 1 && side <= kMaxTargetSide; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

Status Validate(const Options& options) {
  // Every rule is checked and every failure is reported, so one run shows all that is wrong.
  std::string problems;
  auto fail = [&problems](const Error& error) {
    if (!problems.empty()) {
      problems += "; ";
    }
    problems += error.message;
  };
  if (!ValidSide(options.width) || !ValidSide(options.height)) {
    fail(Expected(core::kSizeRule, "size",
                  Quote(std::to_string(options.width) + "x" + std::to_string(options.height))));
  }
  const int fit = static_cast<int>(options.fit);
  if (fit < static_cast<int>(Fit::kFill) || fit > static_cast<int>(Fit::kInside)) {
    fail(Expected(core::kFitRule, "fit", std::to_string(fit)));
  }
  const int format = static_cast<int>(options.format);
  if (format < static_cast<int>(OutputFormat::kJpeg) ||
      format > static_cast<int>(OutputFormat::kWebp)) {
    fail(Expected(core::kFormatRule, "format", std::to_string(format)));
  }
  if (options.quality < 1 || options.quality > 100) {
    fail(Expected(core::kQualityRule, "quality", std::to_string(options.quality)));
  }
  const int shrink = static_cast<int>(options.shrink_on_load);
  if (shrink < static_cast<int>(ShrinkOnLoad::kFast) ||
      shrink > static_cast<int>(ShrinkOnLoad::kAccurate)) {
    fail(Expected(core::kShrinkOnLoadRule, "shrink_on_load", std::to_string(shrink)));
  }
  if (options.limits.max_input_bytes == 0) {
    fail(Expected(core::kPositiveRule, "max_input_bytes", "0"));
  }
  if (options.limits.max_input_pixels == 0) {
    fail(Expected(core::kPositiveRule, "max_input_pixels", "0"));
  }
  if (options.limits.max_progressive_pixels == 0) {
    fail(Expected(core::kPositiveRule, "max_progressive_pixels", "0"));
  }
  if (options.limits.max_interlaced_pixels == 0) {
    fail(Expected(core::kPositiveRule, "max_interlaced_pixels", "0"));
  }
  if (options.limits.max_lossless_webp_pixels == 0) {
    fail(Expected(core::kPositiveRule, "max_lossless_webp_pixels", "0"));
  }
  // Written so that NaN fails too.
  if (!(options.limits.max_seconds >= 0 && options.limits.max_seconds <= kMaxSecondsLimit)) {
    fail(Expected(core::kSecondsRule, "max_seconds", std::to_string(options.limits.max_seconds)));
  }
  if (!problems.empty()) {
    return MakeError(ErrorCode::kInvalidOptions, problems);
  }
  return OkStatus();
}

Result<Size> ParseSize(std::string_view text) {
  std::string_view rest = core::TrimAsciiSpace(text);
  uint64_t width = 0;
  uint64_t height = 0;
  const bool ok = ConsumeUnsigned(rest, UINT32_MAX, width) && !rest.empty() &&
                  (rest.front() == 'x' || rest.front() == 'X') &&
                  (rest.remove_prefix(1), ConsumeUnsigned(rest, UINT32_MAX, height)) &&
                  rest.empty() && ValidSide(width) && ValidSide(height);
  if (!ok) {
    return Expected(core::kSizeRule, "size", Quote(text));
  }
  return Size{static_cast<uint32_t>(width), static_cast<uint32_t>(height)};
}

Result<Size> ParseNewImageSize(std::string_view json) {
  // Accepts exactly the tutorial's shape: '[' int ',' int ']' with optional JSON whitespace.
  // Floats, signs, exponents, extra elements and trailing garbage are all refused, because
  // the tutorial's function would have crashed on them or silently done something else.
  auto skip_space = [](std::string_view& s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
      s.remove_prefix(1);
    }
  };
  auto expect = [&skip_space](std::string_view& s, char c) {
    skip_space(s);
    if (s.empty() || s.front() != c) {
      return false;
    }
    s.remove_prefix(1);
    return true;
  };
  std::string_view rest = json;
  uint64_t width = 0;
  uint64_t height = 0;
  bool ok = expect(rest, '[');
  if (ok) {
    skip_space(rest);
    ok = ConsumeUnsigned(rest, UINT32_MAX, width);
  }
  ok = ok && expect(rest, ',');
  if (ok) {
    skip_space(rest);
    ok = ConsumeUnsigned(rest, UINT32_MAX, height);
  }
  ok = ok && expect(rest, ']');
  if (ok) {
    skip_space(rest);
    ok = rest.empty() && ValidSide(width) && ValidSide(height);
  }
  if (!ok) {
    // The field is core's own ("size", as ParseSize names it): the caller that read the JSON
    // from somewhere (the Lambda adapter's environment variable) adds where it came from.
    return Expected(core::kNewImageSizeRule, "size", Quote(json));
  }
  return Size{static_cast<uint32_t>(width), static_cast<uint32_t>(height)};
}

Result<Fit> ParseFit(std::string_view text) {
  const std::string name = core::AsciiLower(core::TrimAsciiSpace(text));
  for (Fit fit : {Fit::kFill, Fit::kCover, Fit::kContain, Fit::kInside}) {
    if (name == FitName(fit)) {
      return fit;
    }
  }
  return Expected(core::kFitRule, "fit", Quote(text));
}

Result<OutputFormat> ParseOutputFormat(std::string_view text) {
  const std::string name = core::AsciiLower(core::TrimAsciiSpace(text));
  if (name == "jpeg" || name == "jpg") {
    return OutputFormat::kJpeg;
  }
  if (name == "png") {
    return OutputFormat::kPng;
  }
  if (name == "webp") {
    return OutputFormat::kWebp;
  }
  return Expected(core::kFormatRule, "format", Quote(text));
}

Result<int> ParseQuality(std::string_view text) {
  uint64_t value = 0;
  if (!ParseWholeUnsigned(core::TrimAsciiSpace(text), 1, 100, value)) {
    return Expected(core::kQualityRule, "quality", Quote(text));
  }
  return static_cast<int>(value);
}

Result<Rgb> ParseColor(std::string_view text) {
  const std::string name = core::AsciiLower(core::TrimAsciiSpace(text));
  if (name == "white") {
    return Rgb{255, 255, 255};
  }
  if (name == "black") {
    return Rgb{0, 0, 0};
  }
  std::string_view hex = name;
  if (!hex.empty() && hex.front() == '#') {
    hex.remove_prefix(1);
  }
  if (hex.size() == 6) {
    std::array<int, 6> d{};
    bool ok = true;
    for (size_t i = 0; i < 6; ++i) {
      d[i] = HexDigit(hex[i]);
      ok = ok && d[i] >= 0;
    }
    if (ok) {
      return Rgb{static_cast<uint8_t>(d[0] * 16 + d[1]), static_cast<uint8_t>(d[2] * 16 + d[3]),
                 static_cast<uint8_t>(d[4] * 16 + d[5])};
    }
  }
  return Expected(core::kColorRule, "background", Quote(text));
}

Result<uint64_t> ParsePositive(std::string_view field, std::string_view text) {
  uint64_t value = 0;
  if (!ParseWholeUnsigned(core::TrimAsciiSpace(text), 1, UINT64_MAX, value)) {
    return Expected(core::kPositiveRule, field, Quote(text));
  }
  return value;
}

Result<double> ParseSeconds(std::string_view field, std::string_view text) {
  const std::string_view trimmed = core::TrimAsciiSpace(text);
  double value = 0;
  const char* end = trimmed.data() + trimmed.size();
  const auto [stop, error] = std::from_chars(trimmed.data(), end, value, std::chars_format::fixed);
  if (trimmed.empty() || error != std::errc() || stop != end || !std::isfinite(value) ||
      value < 0 || value > kMaxSecondsLimit) {
    return Expected(core::kSecondsRule, field, Quote(text));
  }
  return value;
}

Result<bool> ParseBool(std::string_view field, std::string_view text) {
  const std::string name = core::AsciiLower(core::TrimAsciiSpace(text));
  if (name == "true" || name == "1" || name == "yes") {
    return true;
  }
  if (name == "false" || name == "0" || name == "no") {
    return false;
  }
  return Expected(core::kBoolRule, field, Quote(text));
}

Result<ShrinkOnLoad> ParseShrinkOnLoad(std::string_view text) {
  const std::string name = core::AsciiLower(core::TrimAsciiSpace(text));
  for (ShrinkOnLoad mode : {ShrinkOnLoad::kFast, ShrinkOnLoad::kAccurate}) {
    if (name == ShrinkOnLoadName(mode)) {
      return mode;
    }
  }
  return Expected(core::kShrinkOnLoadRule, "shrink_on_load", Quote(text));
}

const char* ShrinkOnLoadName(ShrinkOnLoad mode) {
  switch (mode) {
    case ShrinkOnLoad::kFast:
      return "fast";
    case ShrinkOnLoad::kAccurate:
      return "accurate";
  }
  return "unknown";
}

const char* FitName(Fit fit) {
  switch (fit) {
    case Fit::kFill:
      return "fill";
    case Fit::kCover:
      return "cover";
    case Fit::kContain:
      return "contain";
    case Fit::kInside:
      return "inside";
  }
  return "unknown";
}

const char* OutputFormatName(OutputFormat format) {
  switch (format) {
    case OutputFormat::kJpeg:
      return "jpeg";
    case OutputFormat::kPng:
      return "png";
    case OutputFormat::kWebp:
      return "webp";
  }
  return "unknown";
}

const char* OutputExtension(OutputFormat format) {
  switch (format) {
    case OutputFormat::kJpeg:
      return "jpg";
    case OutputFormat::kPng:
      return "png";
    case OutputFormat::kWebp:
      return "webp";
  }
  return "bin";
}

const char* OutputMimeType(OutputFormat format) {
  switch (format) {
    case OutputFormat::kJpeg:
      return "image/jpeg";
    case OutputFormat::kPng:
      return "image/png";
    case OutputFormat::kWebp:
      return "image/webp";
  }
  return "application/octet-stream";
}

}  // namespace imgpipe
