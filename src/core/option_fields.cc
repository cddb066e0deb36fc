// The field table of Options. Each parser is the options.h parser of that field, so a field
// parsed from a variant's JSON, an environment variable or a CLI flag meets one rule and fails
// with one message.
#include "imgpipe/option_fields.h"

#include <array>
#include <utility>

#include "core/option_rules.h"

namespace imgpipe {
namespace {

// Stores a parser's result in `field`, or returns its error.
template <typename T, typename Field>
Status Store(Result<T> parsed, Field& field) {
  if (!parsed.ok()) {
    return parsed.error();
  }
  field = static_cast<Field>(std::move(parsed).value());
  return OkStatus();
}

Status ParseSizeField(std::string_view text, Options& options) {
  auto size = ParseNewImageSize(text);
  if (!size.ok()) {
    return size.error();
  }
  options.width = size->width;
  options.height = size->height;
  return OkStatus();
}

constexpr std::array kFields = {
    OptionField{"size", core::kNewImageSizeRule, FieldJson::kSize, true, ParseSizeField},
    OptionField{"fit", core::kFitRule, FieldJson::kString, true,
                [](std::string_view t, Options& o) { return Store(ParseFit(t), o.fit); }},
    OptionField{
        "format", core::kFormatRule, FieldJson::kString, true,
        [](std::string_view t, Options& o) { return Store(ParseOutputFormat(t), o.format); }},
    OptionField{"quality", core::kQualityRule, FieldJson::kInteger, true,
                [](std::string_view t, Options& o) { return Store(ParseQuality(t), o.quality); }},
    OptionField{"grayscale", core::kBoolRule, FieldJson::kBool, true,
                [](std::string_view t, Options& o) {
                  return Store(ParseBool("grayscale", t), o.grayscale);
                }},
    OptionField{"background", core::kColorRule, FieldJson::kString, true,
                [](std::string_view t, Options& o) { return Store(ParseColor(t), o.background); }},
    OptionField{"without_enlargement", core::kBoolRule, FieldJson::kBool, true,
                [](std::string_view t, Options& o) {
                  return Store(ParseBool("without_enlargement", t), o.without_enlargement);
                }},
    OptionField{"shrink_on_load", core::kShrinkOnLoadRule, FieldJson::kString, true,
                [](std::string_view t, Options& o) {
                  return Store(ParseShrinkOnLoad(t), o.shrink_on_load);
                }},
    OptionField{"max_input_bytes", core::kPositiveRule, FieldJson::kInteger, false,
                [](std::string_view t, Options& o) {
                  return Store(ParsePositive("max_input_bytes", t), o.limits.max_input_bytes);
                }},
    OptionField{"max_input_pixels", core::kPositiveRule, FieldJson::kInteger, false,
                [](std::string_view t, Options& o) {
                  return Store(ParsePositive("max_input_pixels", t), o.limits.max_input_pixels);
                }},
    OptionField{"max_progressive_pixels", core::kPositiveRule, FieldJson::kInteger, false,
                [](std::string_view t, Options& o) {
                  return Store(ParsePositive("max_progressive_pixels", t),
                               o.limits.max_progressive_pixels);
                }},
    OptionField{"max_interlaced_pixels", core::kPositiveRule, FieldJson::kInteger, false,
                [](std::string_view t, Options& o) {
                  return Store(ParsePositive("max_interlaced_pixels", t),
                               o.limits.max_interlaced_pixels);
                }},
    OptionField{"max_lossless_webp_pixels", core::kPositiveRule, FieldJson::kInteger, false,
                [](std::string_view t, Options& o) {
                  return Store(ParsePositive("max_lossless_webp_pixels", t),
                               o.limits.max_lossless_webp_pixels);
                }},
    OptionField{"max_seconds", core::kSecondsRule, FieldJson::kString, false,
                [](std::string_view t, Options& o) {
                  return Store(ParseSeconds("max_seconds", t), o.limits.max_seconds);
                }},
};

}  // namespace

std::span<const OptionField> OptionFields() { return kFields; }

const OptionField* FindOptionField(std::string_view name) {
  for (const OptionField& field : kFields) {
    if (name == field.name) {
      return &field;
    }
  }
  return nullptr;
}

}  // namespace imgpipe
