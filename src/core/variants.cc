// The variant list: JSON in, validated Variants out. Every field is handed to the same parser
// the CLI flag and the environment variable use, so a variant's `quality` is refused with the
// words `QUALITY` or `--quality` would be.
#include "imgpipe/variants.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <utility>

namespace imgpipe {
namespace {

using nlohmann::json;

// A list of 16 variants with long prefixes fits in well under 8 KiB; the cap keeps a runaway
// `--variants @file` from being parsed at all.
constexpr size_t kMaxJsonBytes = size_t{64} * 1024;
constexpr size_t kMaxNameLength = 32;
constexpr size_t kMaxPrefixLength = 256;

Error Bad(const std::string& where, const std::string& message) {
  return MakeError(ErrorCode::kInvalidOptions, where + ": " + message);
}

// JSON text of a value for a message, cut like options.cc cuts untrusted text.
std::string Shown(const json& value) {
  constexpr size_t kMaxShown = 64;
  std::string text = value.dump(-1, ' ', /*ensure_ascii=*/true);
  if (text.size() > kMaxShown) {
    text = text.substr(0, kMaxShown) + "...";
  }
  return text;
}

bool ValidName(const std::string& name) {
  return !name.empty() && name.size() <= kMaxNameLength && std::ranges::all_of(name, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

// A prefix is a key prefix, as OUTPUT_PREFIX is: no leading '/', no control characters, and no
// `.`/`..` segment (a path-style server could resolve it outside the output prefix).
bool ValidPrefix(std::string_view prefix) {
  if (prefix.size() > kMaxPrefixLength || (!prefix.empty() && prefix.front() == '/')) {
    return false;
  }
  if (std::ranges::any_of(prefix, [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
      })) {
    return false;
  }
  size_t start = 0;
  while (start <= prefix.size()) {
    const size_t slash = prefix.find('/', start);
    const size_t end = slash == std::string_view::npos ? prefix.size() : slash;
    const std::string_view segment = prefix.substr(start, end - start);
    if (segment == "." || segment == "..") {
      return false;
    }
    if (slash == std::string_view::npos) {
      break;
    }
    start = slash + 1;
  }
  return true;
}

// Hands a JSON string to one of options.h's text parsers.
template <typename T, typename Parser>
Status FromString(const std::string& where, const json& value, Parser parse, T& target) {
  if (!value.is_string()) {
    return Bad(where, "Expected a string but received " + Shown(value));
  }
  auto parsed = parse(value.get<std::string>());
  if (!parsed.ok()) {
    return Bad(where, parsed.error().message);
  }
  target = std::move(parsed).value();
  return OkStatus();
}

Status FromBool(const std::string& where, const json& value, bool& target) {
  if (!value.is_boolean()) {
    return Bad(where, "Expected true or false but received " + Shown(value));
  }
  target = value.get<bool>();
  return OkStatus();
}

Status ApplySize(const std::string& where, const json& value, Options& options) {
  // The same rule as NEW_IMAGE_SIZE, applied to the value's own JSON text.
  auto size = ParseNewImageSize(value.is_array() ? value.dump() : Shown(value));
  if (!size.ok()) {
    return Bad(where, size.error().message);
  }
  options.width = size->width;
  options.height = size->height;
  return OkStatus();
}

Status ApplyQuality(const std::string& where, const json& value, Options& options) {
  if (!value.is_number_integer()) {
    return Bad(where, "Expected an integer 1..100 for quality but received " + Shown(value));
  }
  auto quality = ParseQuality(value.dump());
  if (!quality.ok()) {
    return Bad(where, quality.error().message);
  }
  options.quality = *quality;
  return OkStatus();
}

// Applies one field of an entry; `name` and `prefix` are read by ParseEntry itself.
Status ApplyField(const std::string& where, const std::string& key, const json& value,
                  Options& options) {
  if (key == "size") {
    return ApplySize(where, value, options);
  }
  if (key == "fit") {
    return FromString(where, value, ParseFit, options.fit);
  }
  if (key == "format") {
    return FromString(where, value, ParseOutputFormat, options.format);
  }
  if (key == "quality") {
    return ApplyQuality(where, value, options);
  }
  if (key == "grayscale") {
    return FromBool(where, value, options.grayscale);
  }
  if (key == "background") {
    return FromString(where, value, ParseColor, options.background);
  }
  if (key == "without_enlargement") {
    return FromBool(where, value, options.without_enlargement);
  }
  if (key == "shrink_on_load") {
    return FromString(where, value, ParseShrinkOnLoad, options.shrink_on_load);
  }
  return Bad(where,
             "unknown field (expected name, size, fit, format, quality, grayscale, background, "
             "without_enlargement, shrink_on_load or prefix)");
}

Result<Variant> ParseEntry(size_t index, const json& entry, const Options& defaults) {
  const std::string at = "[" + std::to_string(index) + "]";
  if (!entry.is_object()) {
    return Bad(at, "Expected an object with name and size but received " + Shown(entry));
  }
  Variant variant;
  variant.options = defaults;
  const auto name = entry.find("name");
  if (name == entry.end()) {
    return Bad(at + ".name", "is required");
  }
  if (!name->is_string() || !ValidName(name->get<std::string>())) {
    return Bad(at + ".name", "Expected 1..32 of a-z 0-9 _ - but received " + Shown(*name));
  }
  variant.name = name->get<std::string>();
  if (!entry.contains("size")) {
    return Bad(at + ".size", "is required");
  }
  variant.prefix = variant.name + "/";
  for (const auto& [key, value] : entry.items()) {
    std::string where = at;
    where.append(".").append(key);
    if (key == "name") {
      continue;
    }
    if (key == "prefix") {
      if (!value.is_string() || !ValidPrefix(value.get<std::string>())) {
        return Bad(where,
                   "Expected a key prefix (no leading '/', no . or .. segment, no control "
                   "character) but received " +
                       Shown(value));
      }
      variant.prefix = value.get<std::string>();
      continue;
    }
    if (Status status = ApplyField(where, key, value, variant.options); !status.ok()) {
      return status.error();
    }
  }
  if (Status valid = Validate(variant.options); !valid.ok()) {
    return Bad(at, valid.error().message);
  }
  return variant;
}

}  // namespace

Result<std::vector<Variant>> ParseVariants(std::string_view json_text, const Options& defaults) {
  if (json_text.size() > kMaxJsonBytes) {
    return MakeError(ErrorCode::kInvalidOptions, "is " + std::to_string(json_text.size()) +
                                                     " bytes; at most " +
                                                     std::to_string(kMaxJsonBytes) + " accepted");
  }
  const json document = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (document.is_discarded()) {
    return MakeError(ErrorCode::kInvalidOptions, "is not valid JSON");
  }
  if (!document.is_array() || document.empty() || document.size() > kMaxVariants) {
    return MakeError(ErrorCode::kInvalidOptions,
                     "Expected a JSON array of 1.." + std::to_string(kMaxVariants) +
                         " variant objects but received " + Shown(document));
  }
  std::vector<Variant> variants;
  std::set<std::string> names;
  // Two variants writing the same prefix and extension would overwrite each other's output.
  std::set<std::pair<std::string, std::string>> destinations;
  for (size_t i = 0; i < document.size(); ++i) {
    auto variant = ParseEntry(i, document[i], defaults);
    if (!variant.ok()) {
      return variant.error();
    }
    const std::string at = "[" + std::to_string(i) + "]";
    if (!names.insert(variant->name).second) {
      return Bad(at + ".name", "\"" + variant->name + "\" is used by an earlier variant");
    }
    if (!destinations.emplace(variant->prefix, OutputExtension(variant->options.format)).second) {
      return Bad(at + ".prefix", "\"" + variant->prefix + "\" with format " +
                                     OutputFormatName(variant->options.format) +
                                     " would overwrite an earlier variant's outputs");
    }
    variants.push_back(std::move(variant).value());
  }
  return variants;
}

std::vector<Variant> ImplicitVariants(const Options& defaults) {
  return {Variant{"default", "", defaults}};
}

}  // namespace imgpipe
