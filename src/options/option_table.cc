#include "options/option_table.h"

#include <array>

#include "imgpipe/option_fields.h"

namespace imgpipe::options {
namespace {

// --size takes WxH; the environment (and a variant) the tutorial's JSON array.
Status ParseSizeFlag(std::string_view text, Settings& settings) {
  auto size = ParseSize(text);
  if (!size.ok()) {
    return size.error();
  }
  settings.options.width = size->width;
  settings.options.height = size->height;
  return OkStatus();
}

Status ParseKeepExtension(std::string_view text, Settings& settings) {
  auto value = ParseBool("keep_extension", text);
  if (!value.ok()) {
    return value.error();
  }
  settings.keep_extension = *value;
  return OkStatus();
}

// Kept as text: the list defaults to the other options, so it is parsed after them
// (imgpipe::ParseVariantsFrom).
Status KeepVariantsText(std::string_view text, Settings& settings) {
  settings.variants = std::string(text);
  return OkStatus();
}

constexpr std::array kTable = {
    OptionSpec{.field = "size",
               .env = "NEW_IMAGE_SIZE",
               .flag = "--size",
               .placeholder = "WxH",
               .default_value = "[256, 256]",
               .flag_default = "256x256",
               .help = "Target box, each side 1..16383: a JSON array [width, height] in the "
                       "environment, as in the tutorial; WxH as a flag.",
               .parse_flag = ParseSizeFlag},
    OptionSpec{.field = "fit",
               .env = "FIT",
               .flag = "--fit",
               .placeholder = "MODE",
               .default_value = "fill",
               .help = "How the image maps onto the box: fill, cover, contain or inside."},
    OptionSpec{.field = "format",
               .env = "OUTPUT_FORMAT",
               .flag = "--format",
               .placeholder = "FMT",
               .default_value = "jpeg",
               .help = "Output encoding: jpeg, png or webp; sets the extension and Content-Type."},
    OptionSpec{.field = "quality",
               .env = "QUALITY",
               .flag = "--quality",
               .placeholder = "Q",
               .default_value = "75",
               .help = "JPEG/WebP quality 1..100."},
    OptionSpec{.field = "grayscale",
               .env = "GRAYSCALE",
               .flag = "--no-grayscale",
               .switch_sets = "false",
               .default_value = "true",
               .help = "Convert to grayscale: ITU-R 601 luma, one channel (true/false).",
               .switch_help = "Keep colour (default: grayscale, ITU-R 601 luma, one channel)."},
    OptionSpec{.field = "background",
               .env = "BACKGROUND",
               .flag = "--background",
               .placeholder = "COLOR",
               .default_value = "#ffffff",
               .help = "Colour alpha is flattened onto and `contain` pads with: #rrggbb, rrggbb, "
                       "white or black."},
    OptionSpec{.field = "without_enlargement",
               .env = "WITHOUT_ENLARGEMENT",
               .flag = "--without-enlargement",
               .switch_sets = "true",
               .default_value = "false",
               .help = "Never upscale images smaller than the target (true/false).",
               .switch_help = "Never upscale: an image smaller than the box keeps its size."},
    OptionSpec{.field = "shrink_on_load",
               .env = "SHRINK_ON_LOAD",
               .flag = "--shrink-on-load",
               .placeholder = "MODE",
               .default_value = "fast",
               .help = "How far JPEG decoding may shrink before the resize: fast (just above the "
                       "target) or accurate (3x the target: fine textures stay closer to a "
                       "full-size resize)."},
    OptionSpec{.field = "max_input_bytes",
               .env = "MAX_INPUT_BYTES",
               .flag = "--max-input-bytes",
               .placeholder = "N",
               .default_value = "67108864",
               .help = "Larger inputs are refused; in Lambda before download when the event "
                       "carries the size."},
    OptionSpec{.field = "max_input_pixels",
               .env = "MAX_INPUT_PIXELS",
               .flag = "--max-input-pixels",
               .placeholder = "N",
               .default_value = "100000000",
               .help = "Images whose header claims more pixels are refused before decoding."},
    OptionSpec{.field = "max_progressive_pixels",
               .env = "MAX_PROGRESSIVE_PIXELS",
               .flag = "--max-progressive-pixels",
               .placeholder = "N",
               .default_value = "16000000",
               .help = "Progressive JPEGs over this many pixels (at 3 bytes of DCT coefficients "
                       "each) are refused before decoding."},
    OptionSpec{
        .field = "max_interlaced_pixels",
        .env = "MAX_INTERLACED_PIXELS",
        .flag = "--max-interlaced-pixels",
        .placeholder = "N",
        .default_value = "12000000",
        .help = "Interlaced PNG and GIF images over this many pixels are refused before decoding."},
    OptionSpec{.field = "max_lossless_webp_pixels",
               .env = "MAX_LOSSLESS_WEBP_PIXELS",
               .flag = "--max-lossless-webp-pixels",
               .placeholder = "N",
               .default_value = "9000000",
               .help = "Lossless WebP images, and lossy ones with alpha, over this many pixels are "
                       "refused before decoding: libwebp holds their full frame."},
    // CLI only: Lambda's time limit is the invocation's deadline.
    OptionSpec{.field = "max_seconds",
               .flag = "--max-seconds",
               .placeholder = "S",
               .default_value = "0",
               .help = "Give up on an image still decoding after this many seconds, e.g. 2 or 0.5 "
                       "(deadline_exceeded); 0 = no limit."},
    OptionSpec{.field = "keep_extension",
               .env = "KEEP_EXTENSION",
               .flag = "--keep-extension",
               .switch_sets = "true",
               .default_value = "false",
               .help = "Keep the input's extension in output names (photo.png -> photo.png.jpg), "
                       "so photo.jpg and photo.png get two outputs (true/false).",
               .switch_help = "Keep the input's extension in output names: photo.png -> "
                              "photo.png.jpg, so photo.jpg and photo.png do not collide.",
               .parse = ParseKeepExtension},
    OptionSpec{.field = "variants",
               .env = "VARIANTS",
               .flag = "--variants",
               .placeholder = "JSON|@FILE",
               .default_value = "",
               .help = "Several outputs per input: a JSON list of {\"name\", \"size\": [W, H], "
                       "...} (the CLI also reads @file.json); missing fields take the other "
                       "options. Empty = one output of the size above.",
               .parse = KeepVariantsText},
};

}  // namespace

std::span<const OptionSpec> OptionTable() { return kTable; }

const OptionSpec* FindByEnv(std::string_view env) {
  for (const OptionSpec& spec : kTable) {
    if (spec.env != nullptr && env == spec.env) {
      return &spec;
    }
  }
  return nullptr;
}

Status ParseEnvValue(const OptionSpec& spec, std::string_view text, Settings& settings) {
  if (spec.parse != nullptr) {
    return spec.parse(text, settings);
  }
  const OptionField* field = FindOptionField(spec.field);
  if (field == nullptr) {
    return MakeError(ErrorCode::kInternal, std::string("no core field ") + spec.field);
  }
  return field->parse(text, settings.options);
}

Status ParseFlagValue(const OptionSpec& spec, std::string_view text, Settings& settings) {
  if (spec.parse_flag != nullptr) {
    return spec.parse_flag(text, settings);
  }
  return ParseEnvValue(spec, text, settings);
}

}  // namespace imgpipe::options
