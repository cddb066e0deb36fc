// The fields of Options, each with its name, its rule and its text parser: the one list that
// the variant JSON (variants.cc) and the adapters' option table (src/options) both read, so a
// field's name, rule and parser exist once. It names no environment variable and no CLI flag:
// core knows no adapter (cmake/Layering.cmake); src/options adds those names.
#pragma once

#include <span>
#include <string_view>

#include "imgpipe/error.h"
#include "imgpipe/options.h"

namespace imgpipe {

// The JSON type a variant gives the field as: a string handed to the parser as is, a JSON
// boolean, a JSON integer, or the [W, H] array.
enum class FieldJson { kString, kBool, kInteger, kSize };

struct OptionField {
  const char* name = nullptr;  // as core's messages and a variant's JSON name it: "quality"
  std::string_view rule;       // what is accepted, as the messages say it: "an integer 1..100"
  FieldJson json = FieldJson::kString;
  bool per_variant = false;  // a variant may set it (the limits are function-wide)
  // Parses `text` into its field of `options`; the message is `Expected <rule> for <name> ...`.
  Status (*parse)(std::string_view text, Options& options) = nullptr;
};

// Every field of Options, in a stable order.
std::span<const OptionField> OptionFields();

// The field called `name`, or nullptr.
const OptionField* FindOptionField(std::string_view name);

}  // namespace imgpipe
