// The rules of the option parsers, as their messages say them (`Expected <rule> for <field> but
// received ...`): shared by the parsers (options.cc) and the field table (option_fields.cc), which
// also hands them to the variant parser for its JSON-type messages.
#pragma once

#include <string_view>

namespace imgpipe::core {

inline constexpr std::string_view kSizeRule = "WxH with 1..16383";
inline constexpr std::string_view kFitRule = "one of fill, cover, contain, inside";
inline constexpr std::string_view kFormatRule = "one of jpeg, jpg, png, webp";
inline constexpr std::string_view kQualityRule = "an integer 1..100";
inline constexpr std::string_view kColorRule = "#rrggbb, rrggbb, white or black";
inline constexpr std::string_view kPositiveRule = "a positive integer";
inline constexpr std::string_view kSecondsRule = "a number of seconds 0..86400 (0: no limit)";
inline constexpr std::string_view kBoolRule = "one of true, false, 1, 0, yes, no";
inline constexpr std::string_view kShrinkOnLoadRule = "one of fast, accurate";
inline constexpr std::string_view kNewImageSizeRule = "a JSON array [width, height] with 1..16383";

}  // namespace imgpipe::core
