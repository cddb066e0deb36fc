// The shared option table: its defaults are the core's, each row names a real field, and the
// adapters' names are unique, so what the CLI and Lambda derive from it is consistent.
#include "options/option_table.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "imgpipe/option_fields.h"

namespace imgpipe::options {
namespace {

// A default changed in the table but not in options.h (or the other way round) fails here: the
// CLI starts from Settings{}, Lambda from the table's text, and the two must be one value.
TEST(OptionTable, DefaultsParseToTheCoreDefaults) {
  for (const OptionSpec& spec : OptionTable()) {
    Settings settings;
    ASSERT_TRUE(ParseEnvValue(spec, spec.default_value, settings).ok()) << spec.field;
    EXPECT_EQ(settings, Settings{}) << spec.field << " defaults to " << spec.default_value;
    if (spec.flag_default != nullptr) {
      Settings flag;
      ASSERT_TRUE(ParseFlagValue(spec, spec.flag_default, flag).ok()) << spec.field;
      EXPECT_EQ(flag, Settings{}) << spec.field << " --" << spec.flag_default;
    }
  }
}

TEST(OptionTable, TheDefaultCheckCanFail) {
  const OptionSpec* quality = FindByEnv("QUALITY");
  ASSERT_NE(quality, nullptr);
  Settings settings;
  ASSERT_TRUE(ParseEnvValue(*quality, "80", settings).ok());
  EXPECT_NE(settings, Settings{});
}

TEST(OptionTable, EveryCoreFieldHasARowAndEveryRowAField) {
  std::set<std::string> rows;
  for (const OptionSpec& spec : OptionTable()) {
    EXPECT_TRUE(rows.insert(spec.field).second) << spec.field;
    if (spec.parse == nullptr) {
      EXPECT_NE(FindOptionField(spec.field), nullptr) << spec.field;
    }
  }
  for (const OptionField& field : OptionFields()) {
    EXPECT_TRUE(rows.contains(field.name)) << field.name;
  }
}

TEST(OptionTable, NamesAreUniqueAndEachRowReachesAnAdapter) {
  std::set<std::string> envs;
  std::set<std::string> flags;
  for (const OptionSpec& spec : OptionTable()) {
    EXPECT_TRUE(spec.env != nullptr || spec.flag != nullptr) << spec.field;
    EXPECT_FALSE(std::string(spec.help).empty()) << spec.field;
    if (spec.env != nullptr) {
      EXPECT_TRUE(envs.insert(spec.env).second) << spec.env;
    }
    if (spec.flag != nullptr) {
      EXPECT_TRUE(std::string(spec.flag).starts_with("--")) << spec.flag;
      EXPECT_TRUE(flags.insert(spec.flag).second) << spec.flag;
    }
  }
}

// A switch stands for one value of its field: --no-grayscale is GRAYSCALE=false.
TEST(OptionTable, SwitchesParseTheValueTheyStandFor) {
  for (const OptionSpec& spec : OptionTable()) {
    if (spec.flag == nullptr) {
      continue;
    }
    ASSERT_NE(spec.placeholder == nullptr, spec.switch_sets == nullptr) << spec.field;
    if (spec.switch_sets == nullptr) {
      continue;
    }
    Settings settings;
    ASSERT_TRUE(ParseFlagValue(spec, spec.switch_sets, settings).ok()) << spec.field;
    EXPECT_NE(settings, Settings{}) << spec.flag << " must change its default";
  }
}

TEST(OptionTable, FlagAndEnvironmentSyntaxOfTheSize) {
  const OptionSpec* size = FindByEnv("NEW_IMAGE_SIZE");
  ASSERT_NE(size, nullptr);
  Settings env;
  Settings flag;
  ASSERT_TRUE(ParseEnvValue(*size, "[320, 200]", env).ok());
  ASSERT_TRUE(ParseFlagValue(*size, "320x200", flag).ok());
  EXPECT_EQ(env, flag);
  EXPECT_EQ(env.options.width, 320u);
  EXPECT_FALSE(ParseEnvValue(*size, "320x200", env).ok());
}

TEST(OptionTable, MessagesAreTheCoresNamingTheField) {
  Settings settings;
  const Status bad = ParseEnvValue(*FindByEnv("MAX_INPUT_BYTES"), "0", settings);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message,
            "Expected a positive integer for max_input_bytes but received \"0\"");
}

}  // namespace
}  // namespace imgpipe::options
