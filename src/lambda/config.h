// The function's configuration comes only from environment variables, described by ONE table
// (EnvTable) that drives parsing, `bootstrap --list-env`, `bootstrap --help` and docs/lambda.md,
// so the names in code, Terraform and docs cannot drift apart. The image options in it are the
// shared option table's (options/option_table.h), the CLI's flags too; the function's own
// settings (buckets, prefixes, CONCURRENCY) are added here.
#pragma once

#include <chrono>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aws/env.h"
#include "imgpipe/error.h"
#include "imgpipe/options.h"
#include "imgpipe/variants.h"
#include "options/option_table.h"

namespace imgpipe::lambda {

struct Config {
  std::string output_bucket;  // where thumbnails go; required
  std::string output_prefix;  // prepended to every output key; "" = same key as the input
  std::string input_bucket;   // the bucket events come from, when known; "" = unknown
  std::string input_prefix;   // only keys under it are processed; "" = every key
  std::string cache_control;  // Cache-Control of outputs; "" = header not sent
  Options options;            // the core pipeline's options, validated
  // The outputs of every upload: VARIANTS, or one implicit variant made of `options` with no
  // prefix, which names the output exactly as before variants existed. Never empty.
  std::vector<Variant> variants;
  bool keep_extension = false;  // KEEP_EXTENSION: photo.png -> photo.png.jpg
  std::string variants_json;    // VARIANTS as given; parsed after the options it defaults to
  // Records of one invocation processed at once (CONCURRENCY, kMinConcurrency..kMaxConcurrency);
  // 1 = one after the other. The default is EnvTable's; config_test checks the two agree.
  int concurrency = 2;
  // Time kept free before Lambda's deadline to answer the Runtime API instead of being killed:
  // covers the response POST and a slow last S3 request. A constant, not an environment
  // variable: nobody should need to tune it, and every variable must also exist in Terraform.
  std::chrono::milliseconds deadline_margin{500};
};

inline constexpr int kMinConcurrency = 1;
// An invocation holds at most 100 records (event_caps.h) and Lambda gives at most 6 vCPUs; past
// 16 threads, more only adds connections and memory, never speed.
inline constexpr int kMaxConcurrency = 16;

// One environment variable: the single source of truth for its name, meaning and default.
struct EnvVar {
  const char* name;
  const char* description;
  const char* default_value;  // applied when unset or empty; nullptr = required / no default
  bool required;
  // Parses `value` into `config`; the message names the bad value, LoadConfig adds the name.
  // nullptr for a shared option, which `option` parses.
  Status (*apply)(std::string_view value, Config& config);
  const options::OptionSpec* option = nullptr;  // the shared option, or nullptr
};

// The function's own variables, then every shared option that has an environment variable.
std::span<const EnvVar> EnvTable();

// The environment, as for the S3 configuration: tests pass a map, main passes aws::ProcessEnv.
using aws::EnvLookup;

// Reads every variable of EnvTable, applies defaults, validates the options and the
// recursion guard. Any failure is kInvalidOptions naming the variable once:
// "QUALITY: Expected integer between 1 and 100 for quality but received \"0\"".
Result<Config> LoadConfig(const EnvLookup& env);

// The init-time recursion guard: writing into the bucket we read from is only safe when the
// output prefix and the input prefix are disjoint (neither is a prefix of the other).
Status CheckRecursionGuard(const Config& config);

// Text for `bootstrap --list-env` (names, one per line), `bootstrap --list-env --json` (a JSON
// array of {"name", "default" (null when required), "help"}: what the Terraform test compares the
// module's defaults with) and `bootstrap --help`.
std::string ListEnvText();
std::string ListEnvJson();
std::string HelpText();

}  // namespace imgpipe::lambda
