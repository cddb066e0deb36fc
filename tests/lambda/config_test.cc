#include "lambda/config.h"

#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>

namespace imgpipe::lambda {
namespace {

EnvLookup MapEnv(std::map<std::string, std::string> values) {
  return [values = std::move(values)](const std::string& name) -> std::optional<std::string> {
    auto it = values.find(name);
    if (it == values.end()) return std::nullopt;
    return it->second;
  };
}

Result<Config> LoadWith(std::map<std::string, std::string> extra) {
  extra.emplace("OUTPUT_BUCKET", "thumbs-bucket");
  return LoadConfig(MapEnv(std::move(extra)));
}

// The error must name the variable, so an operator can fix the right one.
void ExpectRejected(const std::string& name, const std::string& value) {
  auto config = LoadWith({{name, value}});
  ASSERT_FALSE(config.ok()) << name << "=" << value << " was accepted";
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidOptions);
  EXPECT_NE(config.error().message.find(name), std::string::npos) << config.error().message;
}

TEST(LoadConfig, DefaultsMatchTheCoreDefaults) {
  auto config = LoadWith({});
  ASSERT_TRUE(config.ok()) << config.error().message;
  const Options defaults;
  EXPECT_EQ(config->output_bucket, "thumbs-bucket");
  EXPECT_EQ(config->options.width, defaults.width);
  EXPECT_EQ(config->options.height, defaults.height);
  EXPECT_EQ(config->options.fit, defaults.fit);
  EXPECT_EQ(config->options.format, defaults.format);
  EXPECT_EQ(config->options.quality, defaults.quality);
  EXPECT_EQ(config->options.grayscale, defaults.grayscale);
  EXPECT_EQ(config->options.without_enlargement, defaults.without_enlargement);
  EXPECT_EQ(config->options.background.r, 255);
  EXPECT_EQ(config->options.background.g, 255);
  EXPECT_EQ(config->options.background.b, 255);
  EXPECT_EQ(config->options.limits.max_input_bytes, defaults.limits.max_input_bytes);
  EXPECT_EQ(config->options.limits.max_input_pixels, defaults.limits.max_input_pixels);
  EXPECT_EQ(config->cache_control, "");
  EXPECT_EQ(config->output_prefix, "");
  EXPECT_EQ(config->input_bucket, "");
  EXPECT_EQ(config->input_prefix, "");
  EXPECT_EQ(config->deadline_margin.count(), 500);
}

TEST(LoadConfig, ParsesEveryVariable) {
  auto config = LoadWith({{"NEW_IMAGE_SIZE", "[320, 200]"},
                          {"FIT", "cover"},
                          {"OUTPUT_FORMAT", "webp"},
                          {"QUALITY", "82"},
                          {"GRAYSCALE", "false"},
                          {"BACKGROUND", "#102030"},
                          {"WITHOUT_ENLARGEMENT", "true"},
                          {"MAX_INPUT_BYTES", "1000000"},
                          {"MAX_INPUT_PIXELS", "4000000"},
                          {"CACHE_CONTROL", "public, max-age=86400"},
                          {"OUTPUT_PREFIX", "thumbs/"},
                          {"INPUT_BUCKET", "uploads-bucket"},
                          {"INPUT_PREFIX", "incoming/"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->options.width, 320u);
  EXPECT_EQ(config->options.height, 200u);
  EXPECT_EQ(config->options.fit, Fit::kCover);
  EXPECT_EQ(config->options.format, OutputFormat::kWebp);
  EXPECT_EQ(config->options.quality, 82);
  EXPECT_FALSE(config->options.grayscale);
  EXPECT_EQ(config->options.background.r, 0x10);
  EXPECT_EQ(config->options.background.g, 0x20);
  EXPECT_EQ(config->options.background.b, 0x30);
  EXPECT_TRUE(config->options.without_enlargement);
  EXPECT_EQ(config->options.limits.max_input_bytes, 1000000u);
  EXPECT_EQ(config->options.limits.max_input_pixels, 4000000u);
  EXPECT_EQ(config->cache_control, "public, max-age=86400");
  EXPECT_EQ(config->output_prefix, "thumbs/");
  EXPECT_EQ(config->input_bucket, "uploads-bucket");
  EXPECT_EQ(config->input_prefix, "incoming/");
}

TEST(LoadConfig, EmptyValuesTakeTheDefault) {
  auto config = LoadWith({{"QUALITY", ""}, {"FIT", ""}, {"NEW_IMAGE_SIZE", ""}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->options.quality, 75);
  EXPECT_EQ(config->options.width, 256u);
}

TEST(LoadConfig, OutputBucketIsRequired) {
  auto missing = LoadConfig(MapEnv({}));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("OUTPUT_BUCKET is required"), std::string::npos);
  auto empty = LoadConfig(MapEnv({{"OUTPUT_BUCKET", ""}}));
  ASSERT_FALSE(empty.ok());
}

// One negative test per variable.
TEST(LoadConfig, RejectsBadOutputBucket) {
  auto config = LoadConfig(MapEnv({{"OUTPUT_BUCKET", "Bad_Bucket!"}}));
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message.find("OUTPUT_BUCKET"), std::string::npos);
}
TEST(LoadConfig, RejectsBadNewImageSize) { ExpectRejected("NEW_IMAGE_SIZE", "[0, 256]"); }
TEST(LoadConfig, RejectsNonJsonNewImageSize) { ExpectRejected("NEW_IMAGE_SIZE", "256x256x"); }
TEST(LoadConfig, RejectsBadFit) { ExpectRejected("FIT", "stretch"); }
TEST(LoadConfig, RejectsBadOutputFormat) { ExpectRejected("OUTPUT_FORMAT", "gif"); }
TEST(LoadConfig, RejectsBadQuality) { ExpectRejected("QUALITY", "101"); }
TEST(LoadConfig, RejectsBadGrayscale) { ExpectRejected("GRAYSCALE", "maybe"); }
TEST(LoadConfig, RejectsBadBackground) { ExpectRejected("BACKGROUND", "#12345"); }
TEST(LoadConfig, RejectsBadWithoutEnlargement) { ExpectRejected("WITHOUT_ENLARGEMENT", "2"); }
TEST(LoadConfig, RejectsBadMaxInputBytes) { ExpectRejected("MAX_INPUT_BYTES", "0"); }
TEST(LoadConfig, RejectsBadMaxInputPixels) { ExpectRejected("MAX_INPUT_PIXELS", "-1"); }
TEST(LoadConfig, MaxLosslessWebpPixelsReachesTheLimits) {
  auto config = LoadWith({{"MAX_LOSSLESS_WEBP_PIXELS", "8300000"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  EXPECT_EQ(config->options.limits.max_lossless_webp_pixels, 8300000u);
  auto defaults = LoadWith({});
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->options.limits.max_lossless_webp_pixels, kDefaultMaxLosslessWebpPixels);
}
// 0 would refuse every lossless WebP: the core's positive-integer rule, named once.
TEST(LoadConfig, RejectsZeroMaxLosslessWebpPixels) {
  auto config = LoadWith({{"MAX_LOSSLESS_WEBP_PIXELS", "0"}});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code, ErrorCode::kInvalidOptions);
  EXPECT_EQ(config.error().message,
            "MAX_LOSSLESS_WEBP_PIXELS: Expected a positive integer for max_lossless_webp_pixels "
            "but received \"0\"");
}
TEST(LoadConfig, RejectsBadCacheControl) {
  ExpectRejected("CACHE_CONTROL", "max-age=1\r\nX-Evil: 1");
}
TEST(LoadConfig, RejectsBadOutputPrefix) { ExpectRejected("OUTPUT_PREFIX", "/thumbs/"); }
TEST(LoadConfig, RejectsBadInputBucket) { ExpectRejected("INPUT_BUCKET", "UPPER"); }
TEST(LoadConfig, RejectsBadInputPrefix) { ExpectRejected("INPUT_PREFIX", "/in/"); }
TEST(LoadConfig, RejectsBadConcurrency) {
  for (const char* bad : {"0", "17", "-1", "2.5", "four", " 4", "004", "99999999999"}) {
    ExpectRejected("CONCURRENCY", bad);
  }
  auto config = LoadWith({{"CONCURRENCY", "0"}});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "CONCURRENCY: expected a whole number of records processed at once within 1..16 but "
            "received \"0\"");
}

TEST(LoadConfig, ConcurrencyIsReadAndItsDefaultIsConfigs) {
  for (const auto& [text, value] : std::vector<std::pair<std::string, int>>{
           {"1", 1}, {"4", 4}, {"16", 16}, {"", Config{}.concurrency}}) {
    auto config = LoadWith({{"CONCURRENCY", text}});
    ASSERT_TRUE(config.ok()) << text << ": " << config.error().message;
    EXPECT_EQ(config->concurrency, value) << text;
  }
  EXPECT_EQ(LoadWith({})->concurrency, Config{}.concurrency);
}

size_t Occurrences(const std::string& text, const std::string& word) {
  size_t count = 0;
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    ++count;
  }
  return count;
}

// Core's parsers name their own fields ("for size"); the adapter adds the variable, once.
TEST(LoadConfig, NewImageSizeErrorNamesTheVariableExactlyOnce) {
  auto config = LoadWith({{"NEW_IMAGE_SIZE", "[0, 256]"}});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "NEW_IMAGE_SIZE: Expected a JSON array [width, height] with 1..16383 for size but "
            "received \"[0, 256]\"");
  EXPECT_EQ(Occurrences(config.error().message, "NEW_IMAGE_SIZE"), 1u);
}

TEST(LoadConfig, EveryVariablesErrorNamesItExactlyOnce) {
  const std::map<std::string, std::string> bad = {{"OUTPUT_BUCKET", "Bad_Bucket!"},
                                                  {"NEW_IMAGE_SIZE", "256x256x"},
                                                  {"FIT", "stretch"},
                                                  {"OUTPUT_FORMAT", "gif"},
                                                  {"QUALITY", "101"},
                                                  {"GRAYSCALE", "maybe"},
                                                  {"BACKGROUND", "#12345"},
                                                  {"WITHOUT_ENLARGEMENT", "2"},
                                                  {"MAX_INPUT_BYTES", "0"},
                                                  {"MAX_INPUT_PIXELS", "-1"},
                                                  {"MAX_PROGRESSIVE_PIXELS", "0"},
                                                  {"MAX_INTERLACED_PIXELS", "many"},
                                                  {"MAX_LOSSLESS_WEBP_PIXELS", "0"},
                                                  {"CACHE_CONTROL", "a\r\nb"},
                                                  {"OUTPUT_PREFIX", "/thumbs/"},
                                                  {"INPUT_BUCKET", "UPPER"},
                                                  {"INPUT_PREFIX", "/in/"},
                                                  {"SHRINK_ON_LOAD", "slow"},
                                                  {"KEEP_EXTENSION", "2"},
                                                  {"VARIANTS", R"([{"name":"a","size":[0,5]}])"},
                                                  {"CONCURRENCY", "0"}};
  ASSERT_EQ(bad.size(), EnvTable().size());
  for (const auto& [name, value] : bad) {
    auto config = LoadWith({{name, value}});
    if (name == "OUTPUT_BUCKET") config = LoadConfig(MapEnv({{name, value}}));
    ASSERT_FALSE(config.ok()) << name;
    // A variant's error names its entry right after the variable: VARIANTS[0].size: ...
    const std::string start = name == "VARIANTS" ? name + "[0].size: " : name + ": ";
    EXPECT_TRUE(config.error().message.starts_with(start)) << config.error().message;
    EXPECT_EQ(Occurrences(config.error().message, name), 1u) << config.error().message;
  }
}

TEST(LoadConfig, EveryTableVariableHasANegativeTestAbove) {
  // Guards the "one negative test per variable" rule when a variable is added to the table.
  const std::set<std::string> tested = {"OUTPUT_BUCKET",
                                        "NEW_IMAGE_SIZE",
                                        "FIT",
                                        "OUTPUT_FORMAT",
                                        "QUALITY",
                                        "GRAYSCALE",
                                        "BACKGROUND",
                                        "WITHOUT_ENLARGEMENT",
                                        "MAX_INPUT_BYTES",
                                        "MAX_INPUT_PIXELS",
                                        "CACHE_CONTROL",
                                        "OUTPUT_PREFIX",
                                        "INPUT_BUCKET",
                                        "INPUT_PREFIX",
                                        "CONCURRENCY",
                                        "SHRINK_ON_LOAD",
                                        "KEEP_EXTENSION",
                                        "VARIANTS",
                                        "MAX_PROGRESSIVE_PIXELS",
                                        "MAX_INTERLACED_PIXELS",
                                        "MAX_LOSSLESS_WEBP_PIXELS"};
  std::set<std::string> table;
  for (const EnvVar& var : EnvTable()) table.insert(var.name);
  EXPECT_EQ(table, tested);
}

TEST(LoadConfig, WithoutVariantsOneImplicitVariantMadeOfTheOptions) {
  auto config = LoadWith({{"NEW_IMAGE_SIZE", "[640, 480]"}, {"QUALITY", "90"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->variants.size(), 1u);
  EXPECT_EQ(config->variants[0].prefix, "");
  EXPECT_EQ(config->variants[0].options.width, 640u);
  EXPECT_EQ(config->variants[0].options.quality, 90);
  EXPECT_FALSE(config->keep_extension);
  EXPECT_EQ(config->options.shrink_on_load, ShrinkOnLoad::kFast);
}

TEST(LoadConfig, VariantsTakeTheOtherVariablesAsDefaults) {
  auto config = LoadWith({{"QUALITY", "90"},
                          {"SHRINK_ON_LOAD", "accurate"},
                          {"KEEP_EXTENSION", "true"},
                          {"VARIANTS", R"([{"name":"thumb","size":[64,64],"format":"webp"},
                                           {"name":"big","size":[800,800],"quality":60}])"}});
  ASSERT_TRUE(config.ok()) << config.error().message;
  ASSERT_EQ(config->variants.size(), 2u);
  EXPECT_EQ(config->variants[0].prefix, "thumb/");
  EXPECT_EQ(config->variants[0].options.quality, 90);
  EXPECT_EQ(config->variants[0].options.shrink_on_load, ShrinkOnLoad::kAccurate);
  EXPECT_EQ(config->variants[1].options.quality, 60);
  EXPECT_TRUE(config->keep_extension);
}

TEST(LoadConfig, TheVariantExampleOfTheDocs) {
  auto config =
      LoadWith({{"VARIANTS", R"([{"name":"a","size":[1,1]},{"name":"b","size":[0,5]}])"}});
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().message,
            "VARIANTS[1].size: Expected a JSON array [width, height] with 1..16383 for size but "
            "received \"[0,5]\"");
  auto junk = LoadWith({{"VARIANTS", "not json"}});
  ASSERT_FALSE(junk.ok());
  EXPECT_EQ(junk.error().message, "VARIANTS: is not valid JSON");
}

TEST(RecursionGuard, RefusesSameBucketWithOverlappingPrefixes) {
  for (auto [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"", ""}, {"", "thumbs/"}, {"uploads/", ""}, {"img/", "img/thumbs/"}}) {
    auto config =
        LoadWith({{"INPUT_BUCKET", "thumbs-bucket"}, {"INPUT_PREFIX", in}, {"OUTPUT_PREFIX", out}});
    ASSERT_FALSE(config.ok()) << "in=" << in << " out=" << out;
    EXPECT_NE(config.error().message.find("OUTPUT_BUCKET equals INPUT_BUCKET"), std::string::npos);
  }
}

TEST(RecursionGuard, AllowsDisjointPrefixesOrAnotherBucket) {
  EXPECT_TRUE(LoadWith({{"INPUT_BUCKET", "thumbs-bucket"},
                        {"INPUT_PREFIX", "uploads/"},
                        {"OUTPUT_PREFIX", "thumbs/"}})
                  .ok());
  EXPECT_TRUE(LoadWith({{"INPUT_BUCKET", "other-bucket"}}).ok());
  EXPECT_TRUE(LoadWith({}).ok());  // input bucket unknown: the runtime guard covers it
}

TEST(EnvText, ListEnvPrintsEveryNameOncePerLine) {
  std::istringstream lines(ListEnvText());
  std::vector<std::string> names;
  for (std::string line; std::getline(lines, line);) names.push_back(line);
  ASSERT_EQ(names.size(), EnvTable().size());
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], EnvTable()[i].name);
}

TEST(EnvText, HelpDescribesEveryVariableAndItsDefault) {
  const std::string help = HelpText();
  for (const EnvVar& var : EnvTable()) {
    EXPECT_NE(help.find(var.name), std::string::npos) << var.name;
    EXPECT_NE(help.find(var.description), std::string::npos) << var.name;
  }
  EXPECT_NE(help.find("OUTPUT_BUCKET  (required)"), std::string::npos);
  EXPECT_NE(help.find("(default: \"[256, 256]\")"), std::string::npos);
}

}  // namespace
}  // namespace imgpipe::lambda

namespace imgpipe::lambda {
namespace {

// The README's configuration table must list exactly EnvTable's names and defaults, in order.
TEST(EnvText, DocsTableMatchesTheEnvTable) {
  std::ifstream in(std::string(IMGPIPE_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in.good());
  std::vector<std::pair<std::string, std::string>> rows;  // name, default cell
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("## ")) in_section = line == "## Configuration";
    if (!in_section || !line.starts_with("| `")) continue;
    const size_t name_end = line.find('`', 3);
    const size_t cell_start = line.find("| ", name_end) + 2;
    const size_t cell_end = line.find(" |", cell_start);
    rows.emplace_back(line.substr(3, name_end - 3), line.substr(cell_start, cell_end - cell_start));
  }
  ASSERT_EQ(rows.size(), EnvTable().size());
  for (size_t i = 0; i < rows.size(); ++i) {
    const EnvVar& var = EnvTable()[i];
    EXPECT_EQ(rows[i].first, var.name);
    std::string expected = "(required)";
    if (!var.required) {
      expected = "`";
      expected += var.default_value;
      expected += '`';
    }
    EXPECT_EQ(rows[i].second, expected) << var.name;
  }
}

}  // namespace
}  // namespace imgpipe::lambda

namespace imgpipe::lambda {
namespace {

// What the Terraform test reads (tf.sh): the same names, defaults and help as the table.
TEST(EnvText, ListEnvJsonHasEveryNameDefaultAndHelp) {
  const auto vars = nlohmann::json::parse(ListEnvJson());
  ASSERT_TRUE(vars.is_array());
  ASSERT_EQ(vars.size(), EnvTable().size());
  for (size_t i = 0; i < vars.size(); ++i) {
    const EnvVar& var = EnvTable()[i];
    EXPECT_EQ(vars[i]["name"], var.name);
    EXPECT_EQ(vars[i]["help"], var.description);
    if (var.required) {
      EXPECT_TRUE(vars[i]["default"].is_null()) << var.name;
    } else {
      EXPECT_EQ(vars[i]["default"], var.default_value);
    }
  }
  EXPECT_TRUE(vars[0]["default"].is_null()) << "OUTPUT_BUCKET is required";
}

// The local stack (local/lambda-service.js) gives the function a few variables as literals, to
// mirror the tutorial's configuration; each must be the table's default, so the local stack runs
// what a deployment with default settings runs.
TEST(EnvText, LocalStackLiteralsAreTheTableDefaults) {
  std::ifstream in(std::string(IMGPIPE_SOURCE_DIR) + "/local/lambda-service.js");
  ASSERT_TRUE(in.good());
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t literals = 0;
  // `NAME: 'value'` with NAME not the tail of a longer name. (No std::regex: GCC 12 warns
  // maybe-uninitialized inside <regex> under ASan, and -Werror makes that a build failure.)
  const auto literal_of = [&text](const std::string& name) -> std::optional<std::string> {
    const std::string key = name + ": '";
    for (size_t at = text.find(key); at != std::string::npos; at = text.find(key, at + 1)) {
      const bool starts_word =
          at == 0 ||
          (std::isalnum(static_cast<unsigned char>(text[at - 1])) == 0 && text[at - 1] != '_');
      const size_t begin = at + key.size();
      const size_t end = text.find('\'', begin);
      if (starts_word && end != std::string::npos) {
        return text.substr(begin, end - begin);
      }
    }
    return std::nullopt;
  };
  for (const EnvVar& var : EnvTable()) {
    const std::optional<std::string> literal = literal_of(var.name);
    if (!literal || var.required) {
      continue;
    }
    ++literals;
    EXPECT_EQ(*literal, var.default_value) << var.name << " in local/lambda-service.js";
  }
  EXPECT_GE(literals, 1u) << "the check found no literal to compare: has the file changed shape?";
}

}  // namespace
}  // namespace imgpipe::lambda
