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

#include "core/text.h"
#include "imgpipe/option_fields.h"

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

// "name, size, fit, ..., shrink_on_load or prefix": the fields an entry may have.
std::string VariantFieldList() {
  std::string list = "name";
  for (const OptionField& field : OptionFields()) {
    if (field.per_variant) {
      list.append(", ").append(field.name);
    }
  }
  return list + " or prefix";
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
  // Resolving changes a prefix exactly when it has a `.` or `..` segment; output_key.cc resolves
  // whole keys with the same function.
  return core::ResolveDotSegments(prefix) == prefix;
}

// Applies one field of an entry through the field table (option_fields.h), the parsers the
// environment variables and CLI flags use; `name` and `prefix` are read by ParseEntry itself.
// The JSON type is checked first, so `"quality": "80"` is refused as a string, not read as 80.
Status ApplyField(const std::string& where, const std::string& key, const json& value,
                  Options& options) {
  const OptionField* field = FindOptionField(key);
  if (field == nullptr || !field->per_variant) {
    return Bad(where, "unknown field (expected " + VariantFieldList() + ")");
  }
  std::string text;
  switch (field->json) {
    case FieldJson::kString:
      if (!value.is_string()) {
        return Bad(where, "Expected a string but received " + Shown(value));
      }
      text = value.get<std::string>();
      break;
    case FieldJson::kBool:
      if (!value.is_boolean()) {
        return Bad(where, "Expected true or false but received " + Shown(value));
      }
      text = value.get<bool>() ? "true" : "false";
      break;
    case FieldJson::kInteger:
      if (!value.is_number_integer()) {
        return Bad(where, "Expected " + std::string(field->rule) + " for " + field->name +
                              " but received " + Shown(value));
      }
      text = value.dump();
      break;
    case FieldJson::kSize:
      // The same rule as NEW_IMAGE_SIZE, applied to the value's own JSON text.
      text = value.is_array() ? value.dump() : Shown(value);
      break;
  }
  if (Status parsed = field->parse(text, options); !parsed.ok()) {
    return Bad(where, parsed.error().message);
  }
  return OkStatus();
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

std::vector<Variant> VariantsOrImplicit(std::span<const Variant> configured,
                                        const Options& defaults) {
  if (configured.empty()) {
    return ImplicitVariants(defaults);
  }
  return std::vector<Variant>(configured.begin(), configured.end());
}

Result<std::vector<Variant>> ParseVariantsFrom(std::string_view source, std::string_view json_text,
                                               const Options& defaults) {
  if (json_text.empty()) {
    return std::vector<Variant>{};
  }
  auto variants = ParseVariants(json_text, defaults);
  if (!variants.ok()) {
    // "VARIANTS[1].size: Expected ...": the entry's own name follows the source directly.
    const std::string& message = variants.error().message;
    return MakeError(ErrorCode::kInvalidOptions,
                     std::string(source) + (message.starts_with("[") ? "" : ": ") + message);
  }
  return variants;
}

}  // namespace imgpipe
