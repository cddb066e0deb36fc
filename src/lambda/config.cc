#include "lambda/config.h"

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "aws/header_text.h"
#include "imgpipe/variants.h"

namespace imgpipe::lambda {
namespace {

Error Bad(const std::string& message) { return MakeError(ErrorCode::kInvalidOptions, message); }

// Bucket names are 3..63 of [a-z0-9.-]; checking here turns a typo into an init error
// instead of a stream of 400s at the first image.
Status ApplyBucket(std::string_view value, std::string& out) {
  const bool length_ok = value.size() >= 3 && value.size() <= 63;
  const bool chars_ok = std::ranges::all_of(value, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
  });
  if (!length_ok || !chars_ok) {
    return Bad("expected an S3 bucket name (3..63 of a-z 0-9 . -) but received \"" +
               std::string(value) + "\"");
  }
  out = std::string(value);
  return OkStatus();
}

// Prefixes are key prefixes, not folders: "thumbs/" and "thumbs-" are both legal. A leading
// '/' would create keys starting with '/', which is almost always a mistake.
Status ApplyPrefix(std::string_view value, std::string& out) {
  if (!value.empty() && value.front() == '/') {
    return Bad("must not start with '/' (S3 keys have no leading slash): \"" + std::string(value) +
               "\"");
  }
  out = std::string(value);
  return OkStatus();
}

Status ApplyCacheControl(std::string_view value, Config& config) {
  // Refused at init rather than at the first PutObject, which would refuse it too.
  if (aws::HasControlChars(value)) {
    return Bad("contains a control character");
  }
  config.cache_control = std::string(value);
  return OkStatus();
}

Status ApplyConcurrency(std::string_view value, Config& config) {
  int parsed = 0;
  const bool digits = !value.empty() && value.size() <= 2 &&
                      std::ranges::all_of(value, [](char c) { return c >= '0' && c <= '9'; });
  if (digits) {
    for (const char c : value) {
      parsed = parsed * 10 + (c - '0');
    }
  }
  if (!digits || parsed < kMinConcurrency || parsed > kMaxConcurrency) {
    return Bad("expected a whole number of records processed at once within " +
               std::to_string(kMinConcurrency) + ".." + std::to_string(kMaxConcurrency) +
               " but received \"" + std::string(value) + "\"");
  }
  config.concurrency = parsed;
  return OkStatus();
}

// The function's own variables; the image options follow them, from the shared table.
constexpr std::array kOwn = {
    EnvVar{"OUTPUT_BUCKET", "Bucket the thumbnails are written to.", nullptr, true,
           [](std::string_view v, Config& c) { return ApplyBucket(v, c.output_bucket); }},
    EnvVar{"OUTPUT_PREFIX", "Prepended to every output key (e.g. thumbs/).", "", false,
           [](std::string_view v, Config& c) { return ApplyPrefix(v, c.output_prefix); }},
    EnvVar{"INPUT_BUCKET",
           "The bucket that triggers the function, if known; enables the "
           "start-up recursion check.",
           "", false,
           [](std::string_view v, Config& c) {
             return v.empty() ? OkStatus() : ApplyBucket(v, c.input_bucket);
           }},
    EnvVar{"INPUT_PREFIX", "Only keys under this prefix are processed; empty = all keys.", "",
           false, [](std::string_view v, Config& c) { return ApplyPrefix(v, c.input_prefix); }},
    EnvVar{"CACHE_CONTROL", "Cache-Control header of the thumbnails; empty = not sent.", "", false,
           ApplyCacheControl},
    EnvVar{"CONCURRENCY",
           "Records of one invocation (an SQS batch, S3 Batch tasks) processed at once, 1..16; "
           "1 = one after the other.",
           "2", false, ApplyConcurrency},
};

const std::vector<EnvVar>& Table() {
  static const std::vector<EnvVar> kVars = [] {
    std::vector<EnvVar> vars(kOwn.begin(), kOwn.end());
    for (const options::OptionSpec& spec : options::OptionTable()) {
      if (spec.env != nullptr) {
        vars.push_back(EnvVar{spec.env, spec.help, spec.default_value, false, nullptr, &spec});
      }
    }
    return vars;
  }();
  return kVars;
}

bool Overlaps(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

}  // namespace

std::span<const EnvVar> EnvTable() { return Table(); }

Status CheckRecursionGuard(const Config& config) {
  if (config.input_bucket.empty() || config.input_bucket != config.output_bucket) {
    return OkStatus();
  }
  if (Overlaps(config.input_prefix, config.output_prefix)) {
    return MakeError(ErrorCode::kInvalidOptions,
                     "OUTPUT_BUCKET equals INPUT_BUCKET (\"" + config.output_bucket +
                         "\") and OUTPUT_PREFIX \"" + config.output_prefix +
                         "\" overlaps INPUT_PREFIX \"" + config.input_prefix +
                         "\": every thumbnail would trigger the function again; use another "
                         "bucket or disjoint prefixes");
  }
  return OkStatus();
}

Result<Config> LoadConfig(const EnvLookup& env) {
  Config config;
  options::Settings settings;
  for (const EnvVar& var : Table()) {
    std::optional<std::string> value = env(var.name);
    // Terraform renders unset optional variables as "", so empty means "use the default".
    if (!value || value->empty()) {
      if (var.required) {
        return MakeError(ErrorCode::kInvalidOptions,
                         std::string(var.name) + " is required: " + var.description);
      }
      value = var.default_value != nullptr ? var.default_value : "";
    }
    const Status status = var.option != nullptr
                              ? options::ParseEnvValue(*var.option, *value, settings)
                              : var.apply(*value, config);
    if (!status.ok()) {
      return MakeError(ErrorCode::kInvalidOptions,
                       std::string(var.name) + ": " + status.error().message);
    }
  }
  config.options = settings.options;
  config.keep_extension = settings.keep_extension;
  config.variants_json = settings.variants;
  if (auto status = Validate(config.options); !status.ok()) {
    return MakeError(ErrorCode::kInvalidOptions, status.error().message);
  }
  auto variants = ParseVariantsFrom("VARIANTS", config.variants_json, config.options);
  if (!variants.ok()) {
    return variants.error();
  }
  config.variants = VariantsOrImplicit(*variants, config.options);
  if (auto status = CheckRecursionGuard(config); !status.ok()) {
    return status.error();
  }
  return config;
}

std::string ListEnvText() {
  std::string text;
  for (const EnvVar& var : Table()) {
    text += var.name;
    text += '\n';
  }
  return text;
}

std::string ListEnvJson() {
  nlohmann::json vars = nlohmann::json::array();
  for (const EnvVar& var : Table()) {
    vars.push_back(
        {{"name", var.name},
         {"default", var.required ? nlohmann::json() : nlohmann::json(var.default_value)},
         {"help", var.description}});
  }
  return vars.dump(2) + "\n";
}

std::string HelpText() {
  std::string text =
      "bootstrap: imgpipe's AWS Lambda custom runtime (provided.al2023).\n"
      "Makes a thumbnail of every image an S3 event (direct, SQS, SNS, EventBridge or S3 Batch\n"
      "Operations) names, and writes it to OUTPUT_BUCKET.\n\n"
      "Usage: bootstrap            serve the Lambda Runtime API at $AWS_LAMBDA_RUNTIME_API\n"
      "       bootstrap --list-env print the environment variable names, one per line\n"
      "       bootstrap --list-env --json\n"
      "                            print them as JSON: name, default (null: required), help\n"
      "       bootstrap --help     print this text\n\n"
      "Environment (an unset or empty variable takes its default):\n";
  for (const EnvVar& var : Table()) {
    text += "  ";
    text += var.name;
    text +=
        var.required ? "  (required)" : std::string("  (default: \"") + var.default_value + "\")";
    text += "\n      ";
    text += var.description;
    text += '\n';
  }
  return text;
}

}  // namespace imgpipe::lambda
