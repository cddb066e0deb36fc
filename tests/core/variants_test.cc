// The variant list: the schema's example, every refusal with the entry and field it names, and
// the implicit single variant that keeps today's naming.
#include "imgpipe/variants.h"

#include <gtest/gtest.h>

#include <string>

namespace imgpipe {
namespace {

constexpr const char* kExample = R"([
  {"name": "thumb",  "size": [256, 256],   "fit": "cover",  "format": "webp", "quality": 80},
  {"name": "large",  "size": [2048, 2048], "fit": "inside", "without_enlargement": true},
  {"name": "bw",     "size": [512, 512],   "grayscale": true, "prefix": "gray/"}
])";

std::string MessageOf(const Result<std::vector<Variant>>& result) {
  return result.ok() ? "" : result.error().message;
}

TEST(ParseVariantsTest, TheSchemasExample) {
  Options defaults;
  defaults.grayscale = false;
  defaults.quality = 90;
  const auto variants = ParseVariants(kExample, defaults);
  ASSERT_TRUE(variants.ok()) << MessageOf(variants);
  ASSERT_EQ(variants->size(), 3u);
  const Variant& thumb = (*variants)[0];
  EXPECT_EQ(thumb.name, "thumb");
  EXPECT_EQ(thumb.prefix, "thumb/");
  EXPECT_EQ(thumb.options.width, 256u);
  EXPECT_EQ(thumb.options.fit, Fit::kCover);
  EXPECT_EQ(thumb.options.format, OutputFormat::kWebp);
  EXPECT_EQ(thumb.options.quality, 80);
  EXPECT_FALSE(thumb.options.grayscale);  // the function-wide setting
  const Variant& large = (*variants)[1];
  EXPECT_EQ(large.options.width, 2048u);
  EXPECT_EQ(large.options.fit, Fit::kInside);
  EXPECT_TRUE(large.options.without_enlargement);
  EXPECT_EQ(large.options.quality, 90);  // the function-wide setting
  EXPECT_EQ(large.options.format, OutputFormat::kJpeg);
  const Variant& bw = (*variants)[2];
  EXPECT_EQ(bw.prefix, "gray/");
  EXPECT_TRUE(bw.options.grayscale);
  EXPECT_EQ(bw.options.shrink_on_load, ShrinkOnLoad::kFast);
}

TEST(ParseVariantsTest, ShrinkOnLoadAndBackgroundPerVariant) {
  const auto variants = ParseVariants(
      R"([{"name":"a","size":[10,10],"shrink_on_load":"accurate","background":"#000000"}])",
      Options{});
  ASSERT_TRUE(variants.ok()) << MessageOf(variants);
  EXPECT_EQ((*variants)[0].options.shrink_on_load, ShrinkOnLoad::kAccurate);
  EXPECT_EQ((*variants)[0].options.background.r, 0);
}

TEST(ParseVariantsTest, RefusalsNameTheEntryAndTheField) {
  const struct {
    const char* json;
    const char* message_start;
  } cases[] = {
      {R"([{"name":"a","size":[1,1]},{"name":"b","size":[0,5]}])",
       "[1].size: Expected a JSON array [width, height] with 1..16383 for size but received "
       "\"[0,5]\""},
      {R"([{"name":"a","size":[1,1],"quality":0}])",
       "[0].quality: Expected an integer 1..100 for quality but received \"0\""},
      {R"([{"name":"a","size":[1,1],"quality":"80"}])",
       "[0].quality: Expected an integer 1..100 for quality but received \"80\""},
      {R"([{"name":"a","size":[1,1],"fit":"stretch"}])",
       "[0].fit: Expected one of fill, cover, contain, inside for fit"},
      {R"([{"name":"a","size":[1,1],"format":"tiff"}])", "[0].format: Expected one of jpeg"},
      {R"([{"name":"a","size":[1,1],"grayscale":"yes"}])",
       "[0].grayscale: Expected true or false but received \"yes\""},
      {R"([{"name":"a","size":[1,1],"shrink_on_load":"slow"}])",
       "[0].shrink_on_load: Expected one of fast, accurate"},
      {R"([{"name":"a","size":[1,1],"colour":"red"}])", "[0].colour: unknown field"},
      {R"([{"size":[1,1]}])", "[0].name: is required"},
      {R"([{"name":"a"}])", "[0].size: is required"},
      {R"([{"name":"Thumb","size":[1,1]}])", "[0].name: Expected 1..32 of a-z 0-9 _ -"},
      {R"([{"name":"a","size":[1,1]},{"name":"a","size":[2,2]}])",
       "[1].name: \"a\" is used by an earlier variant"},
      {R"([{"name":"a","size":[1,1],"prefix":"x/"},{"name":"b","size":[2,2],"prefix":"x/"}])",
       "[1].prefix: \"x/\" with format jpeg would overwrite"},
      {R"([{"name":"a","size":[1,1],"prefix":"/abs/"}])", "[0].prefix: Expected a key prefix"},
      {R"([{"name":"a","size":[1,1],"prefix":"x/../../in/"}])",
       "[0].prefix: Expected a key prefix"},
      {R"([{"name":"a","size":[1,1],"prefix":"x\u0001/"}])", "[0].prefix: Expected a key prefix"},
      {R"([])", "Expected a JSON array of 1..16 variant objects but received []"},
      {R"({"name":"a"})", "Expected a JSON array of 1..16 variant objects"},
      {R"([1])", "[0]: Expected an object with name and size but received 1"},
      {R"([{"name":"a","size":[1,1]})", "is not valid JSON"},
  };
  for (const auto& c : cases) {
    const auto variants = ParseVariants(c.json, Options{});
    ASSERT_FALSE(variants.ok()) << c.json;
    EXPECT_EQ(variants.error().code, ErrorCode::kInvalidOptions) << c.json;
    EXPECT_EQ(variants.error().message.rfind(c.message_start, 0), 0u)
        << c.json << "\n  got: " << variants.error().message;
  }
}

TEST(ParseVariantsTest, SamePrefixIsFineWhenTheExtensionsDiffer) {
  const auto variants = ParseVariants(
      R"([{"name":"a","size":[1,1],"prefix":"x/"},
          {"name":"b","size":[1,1],"prefix":"x/","format":"webp"}])",
      Options{});
  EXPECT_TRUE(variants.ok()) << MessageOf(variants);
}

TEST(ParseVariantsTest, CapsTheListAndTheText) {
  std::string many = "[";
  for (size_t i = 0; i <= kMaxVariants; ++i) {
    many +=
        (i ? "," : "") + std::string(R"({"name":"v)") + std::to_string(i) + R"(","size":[1,1]})";
  }
  many += "]";
  EXPECT_NE(MessageOf(ParseVariants(many, Options{})).find("1..16 variant objects"),
            std::string::npos);
  const std::string huge(70 * 1024, ' ');
  EXPECT_NE(MessageOf(ParseVariants(huge, Options{})).find("at most 65536"), std::string::npos);
}

TEST(ImplicitVariantsTest, OneVariantWithTheFunctionWideOptionsAndNoPrefix) {
  Options defaults;
  defaults.width = 640;
  const auto variants = ImplicitVariants(defaults);
  ASSERT_EQ(variants.size(), 1u);
  EXPECT_EQ(variants[0].prefix, "");
  EXPECT_EQ(variants[0].options.width, 640u);
}

TEST(VariantsOrImplicitTest, AnEmptyListIsTheImplicitVariant) {
  Options defaults;
  defaults.quality = 60;
  const auto implicit = VariantsOrImplicit({}, defaults);
  ASSERT_EQ(implicit.size(), 1u);
  EXPECT_EQ(implicit[0].name, ImplicitVariants(defaults)[0].name);
  EXPECT_EQ(implicit[0].prefix, "");
  EXPECT_EQ(implicit[0].options, defaults);
  const auto configured = ParseVariants(R"([{"name":"a","size":[8,8]}])", defaults);
  ASSERT_TRUE(configured.ok()) << MessageOf(configured);
  const auto kept = VariantsOrImplicit(*configured, defaults);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_EQ(kept[0].name, "a");
  EXPECT_EQ(kept[0].options.width, 8u);
}

// The adapters' prefix: an entry's name follows the source directly, any other message after
// ": ". Empty text is no variants, not invalid JSON.
TEST(ParseVariantsFromTest, NamesTheSourceOnce) {
  EXPECT_EQ(MessageOf(ParseVariantsFrom("VARIANTS", R"([{"name":"a","size":[0,5]}])", {})),
            "VARIANTS[0].size: Expected a JSON array [width, height] with 1..16383 for size but "
            "received \"[0,5]\"");
  EXPECT_EQ(MessageOf(ParseVariantsFrom("--variants", "nope", {})),
            "--variants: is not valid JSON");
  const auto none = ParseVariantsFrom("VARIANTS", "", {});
  ASSERT_TRUE(none.ok()) << MessageOf(none);
  EXPECT_TRUE(none->empty());
}

// The unknown-field message lists the field table's per-variant fields, so a field added there
// is accepted here and named in the message.
TEST(ParseVariantsTest, UnknownFieldNamesEveryAcceptedField) {
  EXPECT_EQ(MessageOf(ParseVariants(R"([{"name":"a","size":[1,1],"max_input_bytes":5}])", {})),
            "[0].max_input_bytes: unknown field (expected name, size, fit, format, quality, "
            "grayscale, background, without_enlargement, shrink_on_load or prefix)");
}

TEST(ParseVariantsTest, PrefixesWithDotSegmentsAreRefusedOthersKept) {
  for (const char* bad : {".", "..", "./x/", "x/./", "x/..", "a/../b/"}) {
    const std::string json =
        std::string(R"([{"name":"a","size":[1,1],"prefix":")") + bad + R"("}])";
    EXPECT_FALSE(ParseVariants(json, {}).ok()) << bad;
  }
  for (const char* good : {"", "x/", "x", "a..b/", ".hidden/", "a//b/"}) {
    const std::string json =
        std::string(R"([{"name":"a","size":[1,1],"prefix":")") + good + R"("}])";
    const auto variants = ParseVariants(json, {});
    ASSERT_TRUE(variants.ok()) << good << ": " << MessageOf(variants);
    EXPECT_EQ((*variants)[0].prefix, good);
  }
}

}  // namespace
}  // namespace imgpipe
