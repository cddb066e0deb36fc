#include "lambda/config.h"

#include <algorithm>
#include <array>
#include <string>

#include "aws/header_text.h"

namespace imgpipe::lambda {
namespace {

Error Bad(const std::string& message) { return MakeError(ErrorCode::kInvalidOptions, message); }

// Stores a core parser's result. Core's message names the option's own field ("for quality");
// LoadConfig prefixes the variable's name, so it appears exactly once.
template <typename T, typename Field>
Status Assign(Result<T> parsed, Field& field) {
  if (!parsed.ok()) {
    return parsed.error();
  }
  field = std::move(parsed).value();
  return OkStatus();
}

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

Status ApplyNewImageSize(std::string_view value, Config& config) {
  auto size = ParseNewImageSize(value);
  if (!size.ok()) {
    return size.error();
  }
  config.options.width = size->width;
  config.options.height = size->height;
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

constexpr std::array kTable = {
    EnvVar{"OUTPUT_BUCKET", "Bucket the thumbnails are written to.", nullptr, true,
           [](std::string_view v, Config& c) { return ApplyBucket(v, c.output_bucket); }},
    EnvVar{"NEW_IMAGE_SIZE", "Target size as a JSON array [width, height], as in the tutorial.",
           "[256, 256]", false, ApplyNewImageSize},
    EnvVar{"FIT", "How the image maps onto the box: fill, cover, contain or inside.", "fill", false,
           [](std::string_view v, Config& c) { return Assign(ParseFit(v), c.options.fit); }},
    EnvVar{"OUTPUT_FORMAT",
           "Output encoding: jpeg, png or webp (sets key extension and "
           "Content-Type).",
           "jpeg", false,
           [](std::string_view v, Config& c) {
             return Assign(ParseOutputFormat(v), c.options.format);
           }},
    EnvVar{
        "QUALITY", "JPEG/WebP quality 1..100.", "75", false,
        [](std::string_view v, Config& c) { return Assign(ParseQuality(v), c.options.quality); }},
    EnvVar{"GRAYSCALE", "Convert to grayscale (true/false).", "true", false,
           [](std::string_view v, Config& c) {
             return Assign(ParseBool("grayscale", v), c.options.grayscale);
           }},
    EnvVar{
        "BACKGROUND", "Colour alpha is flattened onto and `contain` pads with (#rrggbb).",
        "#ffffff", false,
        [](std::string_view v, Config& c) { return Assign(ParseColor(v), c.options.background); }},
    EnvVar{"WITHOUT_ENLARGEMENT", "Never upscale images smaller than the target (true/false).",
           "false", false,
           [](std::string_view v, Config& c) {
             return Assign(ParseBool("without_enlargement", v), c.options.without_enlargement);
           }},
    EnvVar{"MAX_INPUT_BYTES",
           "Larger objects are skipped (before download when the event "
           "carries the size).",
           "67108864", false,
           [](std::string_view v, Config& c) {
             return Assign(ParsePositive("max_input_bytes", v), c.options.limits.max_input_bytes);
           }},
    EnvVar{"MAX_INPUT_PIXELS",
           "Images whose header claims more pixels are refused before "
           "decoding.",
           "100000000", false,
           [](std::string_view v, Config& c) {
             return Assign(ParsePositive("max_input_pixels", v), c.options.limits.max_input_pixels);
           }},
    EnvVar{"MAX_PROGRESSIVE_PIXELS",
           "Progressive JPEGs over this many pixels (at 3 bytes of DCT coefficients each) are "
           "refused before decoding.",
           "16000000", false,
           [](std::string_view v, Config& c) {
             return Assign(ParsePositive("max_progressive_pixels", v),
                           c.options.limits.max_progressive_pixels);
           }},
    EnvVar{"MAX_INTERLACED_PIXELS",
           "Adam7-interlaced PNGs over this many pixels are refused before decoding.", "12000000",
           false,
           [](std::string_view v, Config& c) {
             return Assign(ParsePositive("max_interlaced_pixels", v),
                           c.options.limits.max_interlaced_pixels);
           }},
    EnvVar{"CACHE_CONTROL", "Cache-Control header of the thumbnails; empty = not sent.", "", false,
           ApplyCacheControl},
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
    EnvVar{"SHRINK_ON_LOAD",
           "How far JPEG decoding may shrink before the resize: fast (just above the target) or "
           "accurate (twice the target: fine textures stay closer to a full-size resize).",
           "fast", false,
           [](std::string_view v, Config& c) {
             return Assign(ParseShrinkOnLoad(v), c.options.shrink_on_load);
           }},
    EnvVar{"KEEP_EXTENSION",
           "Keep the input's extension in output keys (photo.png -> photo.png.jpg), so photo.jpg "
           "and photo.png get two outputs (true/false).",
           "false", false,
           [](std::string_view v, Config& c) {
             return Assign(ParseBool("keep_extension", v), c.keep_extension);
           }},
    EnvVar{"VARIANTS",
           "Several outputs per upload: a JSON list of {\"name\", \"size\": [W, H], ...}; "
           "missing fields take the variables above. Empty = one output from NEW_IMAGE_SIZE.",
           "", false,
           [](std::string_view v, Config& c) {
             c.variants_json = std::string(v);
             return OkStatus();
           }},
    EnvVar{"CONCURRENCY",
           "Records of one invocation (an SQS batch, S3 Batch tasks) processed at once, 1..16; "
           "1 = one after the other.",
           "2", false, ApplyConcurrency},
};

bool Overlaps(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

}  // namespace

std::span<const EnvVar> EnvTable() { return kTable; }

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
  for (const EnvVar& var : kTable) {
    std::optional<std::string> value = env(var.name);
    // Terraform renders unset optional variables as "", so empty means "use the default".
    if (!value || value->empty()) {
      if (var.required) {
        return MakeError(ErrorCode::kInvalidOptions,
                         std::string(var.name) + " is required: " + var.description);
      }
      value = var.default_value != nullptr ? var.default_value : "";
    }
    if (auto status = var.apply(*value, config); !status.ok()) {
      return MakeError(ErrorCode::kInvalidOptions,
                       std::string(var.name) + ": " + status.error().message);
    }
  }
  if (auto status = Validate(config.options); !status.ok()) {
    return MakeError(ErrorCode::kInvalidOptions, status.error().message);
  }
  if (config.variants_json.empty()) {
    config.variants = ImplicitVariants(config.options);
  } else {
    auto variants = ParseVariants(config.variants_json, config.options);
    if (!variants.ok()) {
      // "VARIANTS[1].size: Expected ...": the core names the entry, this adds the variable.
      const std::string& message = variants.error().message;
      return MakeError(ErrorCode::kInvalidOptions,
                       std::string("VARIANTS") + (message.starts_with("[") ? "" : ": ") + message);
    }
    config.variants = std::move(variants).value();
  }
  if (auto status = CheckRecursionGuard(config); !status.ok()) {
    return status.error();
  }
  return config;
}

std::string ListEnvText() {
  std::string text;
  for (const EnvVar& var : kTable) {
    text += var.name;
    text += '\n';
  }
  return text;
}

std::string HelpText() {
  std::string text =
      "bootstrap: imgpipe's AWS Lambda custom runtime (provided.al2023).\n"
      "Makes a thumbnail of every image an S3 event (direct, SQS, SNS, EventBridge or S3 Batch\n"
      "Operations) names, and writes it to OUTPUT_BUCKET.\n\n"
      "Usage: bootstrap            serve the Lambda Runtime API at $AWS_LAMBDA_RUNTIME_API\n"
      "       bootstrap --list-env print the environment variable names, one per line\n"
      "       bootstrap --help     print this text\n\n"
      "Environment (an unset or empty variable takes its default):\n";
  for (const EnvVar& var : kTable) {
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
