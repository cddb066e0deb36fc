// The one table of the options both adapters configure: for each, its field, its Lambda
// environment variable, its CLI flag, its default, its parser and its help. The CLI's flags
// (cli/args.cc), the environment parser and `bootstrap --help` / `--list-env` (lambda/config.cc)
// are derived from it; the README, Terraform's defaults and the local stack are tested against it
// (tests/lambda/config_test.cc, terraform/tests via `bootstrap --list-env --json`).
//
// Why a library of its own (src/options, imgpipe_options): the table names environment variables
// and CLI flags, which core must not know (an earlier issue removed NEW_IMAGE_SIZE from core), and
// both cli and lambda read it, which neither could if it lived in the other. It depends on core
// only, and cmake/Layering.cmake keeps it so. The parsers themselves stay in core
// (imgpipe/option_fields.h), where the variant JSON reuses them.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "imgpipe/error.h"
#include "imgpipe/options.h"

namespace imgpipe::options {

// What both adapters configure: the image options and the two output-naming settings.
struct Settings {
  Options options;
  bool keep_extension = false;  // photo.png -> photo.png.jpg
  // The variant list as given (JSON); parsed after everything else, whose values it defaults to.
  // "" = no variants.
  std::string variants;

  friend bool operator==(const Settings&, const Settings&) = default;
};

struct OptionSpec {
  const char* field = nullptr;  // as core's messages name it ("quality"); Settings' member
  const char* env = nullptr;    // the Lambda environment variable; nullptr = a CLI-only option
  const char* flag = nullptr;   // the CLI flag; nullptr = a Lambda-only option
  // The flag's value in usage text ("Q"); nullptr makes the flag a switch that stands for
  // `switch_sets` (--no-grayscale is grayscale "false").
  const char* placeholder = nullptr;
  const char* switch_sets = nullptr;
  // The default in the environment's syntax. Parsing it gives Settings{}'s value, which is what
  // the CLI starts from (option_table_test checks the two agree).
  const char* default_value = "";
  const char* flag_default = nullptr;  // the default in the flag's syntax when it differs
  const char* help = "";
  const char* switch_help = nullptr;  // a switch's help when it reads otherwise (--no-grayscale)
  // Parses the environment's text. nullptr = core's parser of the Options field `field`.
  Status (*parse)(std::string_view text, Settings& settings) = nullptr;
  // Parses the flag's text when its syntax differs (--size WxH); nullptr = as `parse`.
  Status (*parse_flag)(std::string_view text, Settings& settings) = nullptr;
};

// Every shared option, in the order help texts list them.
std::span<const OptionSpec> OptionTable();

// The option whose environment variable is `env`, or nullptr.
const OptionSpec* FindByEnv(std::string_view env);

// Parses `text` into `settings` as the environment gives it, or as the flag does. The message is
// core's (`Expected an integer 1..100 for quality but received "0"`); the adapter adds the name
// the user typed (QUALITY, --quality).
Status ParseEnvValue(const OptionSpec& spec, std::string_view text, Settings& settings);
Status ParseFlagValue(const OptionSpec& spec, std::string_view text, Settings& settings);

}  // namespace imgpipe::options
