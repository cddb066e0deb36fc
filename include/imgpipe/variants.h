// Variants: several outputs per upload, each with its own size, format, quality and naming,
// described by one JSON list shared by the Lambda environment (VARIANTS), the CLI
// (--variants) and Terraform (`variants`). Parsed here once, with the option parsers of
// options.h, so a field means the same thing and fails with the same message everywhere.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "imgpipe/error.h"
#include "imgpipe/options.h"

namespace imgpipe {

struct Variant {
  std::string name;    // [a-z0-9_-]{1,32}, unique within the list
  std::string prefix;  // prepended to this variant's output key; defaults to name + "/"
  Options options;     // the function-wide options with this variant's fields applied
};

// More outputs than this per upload is a configuration mistake, not a use case: each one costs a
// resize, an encode and a PUT inside one invocation's deadline.
inline constexpr size_t kMaxVariants = 16;

// Parses a JSON array of variant objects. Fields: `name` and `size` ([W, H]) are required;
// `fit`, `format`, `quality`, `grayscale`, `background`, `without_enlargement`,
// `shrink_on_load` and `prefix` are optional and default to `defaults`. Unknown fields, wrong
// JSON types, duplicate names and two variants that would write the same key are refused.
// Messages name the entry and field, e.g. `[1].size: Expected [W, H] with 1..16383 for size but
// received [0,5]`; ParseVariantsFrom adds where the JSON came from (`VARIANTS`, `--variants`).
Result<std::vector<Variant>> ParseVariants(std::string_view json, const Options& defaults);

// ParseVariants for an adapter: the message starts with `source` the way `VARIANTS[1].size: ...`
// and `--variants: is not valid JSON` read. Empty text configures no variants (an empty list).
Result<std::vector<Variant>> ParseVariantsFrom(std::string_view source, std::string_view json,
                                               const Options& defaults);

// The list used when no variants are configured: one variant with the function-wide options and
// an empty prefix, which names outputs exactly as before variants existed.
std::vector<Variant> ImplicitVariants(const Options& defaults);

// The one place "no variants configured" is decided: `configured`, or ImplicitVariants when it is
// empty. The Lambda configuration, the handler and the CLI all ask this.
std::vector<Variant> VariantsOrImplicit(std::span<const Variant> configured,
                                        const Options& defaults);

}  // namespace imgpipe
