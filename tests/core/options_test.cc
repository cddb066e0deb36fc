// Options: every parser, every validation rule (one negative test each), and the names.
#include "imgpipe/options.h"

#include <gtest/gtest.h>

#include <string>

namespace imgpipe {
namespace {

std::string MessageOf(const Status& status) { return status.ok() ? "" : status.error().message; }

template <typename T>
std::string MessageOf(const Result<T>& result) {
  return result.ok() ? "" : result.error().message;
}

TEST(ValidateTest, DefaultsAreValid) { EXPECT_TRUE(Validate(Options{}).ok()); }

TEST(ValidateTest, ExtremesAreValid) {
  Options options;
  options.width = 1;
  options.height = kMaxTargetSide;
  options.quality = 1;
  options.fit = Fit::kInside;
  options.format = OutputFormat::kWebp;
  EXPECT_TRUE(Validate(options).ok());
  options.quality = 100;
  options.width = kMaxTargetSide;
  options.height = 1;
  EXPECT_TRUE(Validate(options).ok());
}

TEST(ValidateTest, ZeroWidthNamesSizeAndValue) {
  Options options;
  options.width = 0;
  options.height = 5;
  const Status status = Validate(options);
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kInvalidOptions);
  EXPECT_EQ(status.error().message, "Expected WxH with 1..16383 for size but received \"0x5\"");
}

TEST(ValidateTest, ZeroHeight) {
  Options options;
  options.height = 0;
  EXPECT_EQ(MessageOf(Validate(options)),
            "Expected WxH with 1..16383 for size but received \"256x0\"");
}

TEST(ValidateTest, SideAboveMaximum) {
  Options options;
  options.width = kMaxTargetSide + 1;
  EXPECT_EQ(MessageOf(Validate(options)),
            "Expected WxH with 1..16383 for size but received \"16384x256\"");
}

TEST(ValidateTest, UnknownFit) {
  Options options;
  options.fit = static_cast<Fit>(7);
  EXPECT_EQ(MessageOf(Validate(options)),
            "Expected one of fill, cover, contain, inside for fit but received 7");
}

TEST(ValidateTest, UnknownFormat) {
  Options options;
  options.format = static_cast<OutputFormat>(-1);
  EXPECT_EQ(MessageOf(Validate(options)),
            "Expected one of jpeg, jpg, png, webp for format but received -1");
}

TEST(ValidateTest, QualityBelowRange) {
  Options options;
  options.quality = 0;
  EXPECT_EQ(MessageOf(Validate(options)), "Expected an integer 1..100 for quality but received 0");
}

TEST(ValidateTest, QualityAboveRange) {
  Options options;
  options.quality = 101;
  EXPECT_EQ(MessageOf(Validate(options)),
            "Expected an integer 1..100 for quality but received 101");
}

TEST(ValidateTest, ZeroMaxInputBytes) {
  Options options;
  options.limits.max_input_bytes = 0;
  EXPECT_EQ(MessageOf(Validate(options)),
            "Expected a positive integer for max_input_bytes but received 0");
}

TEST(ValidateTest, ZeroMaxInputPixels) {
  Options options;
  options.limits.max_input_pixels = 0;
  EXPECT_EQ(MessageOf(Validate(options)),
            "Expected a positive integer for max_input_pixels but received 0");
}

TEST(ValidateTest, ZeroMaxLosslessWebpPixels) {
  Options options;
  options.limits.max_lossless_webp_pixels = 0;
  EXPECT_EQ(MessageOf(Validate(options)),
            "Expected a positive integer for max_lossless_webp_pixels but received 0");
}

TEST(ValidateTest, ReportsEveryBrokenRuleAtOnce) {
  Options options;
  options.width = 0;
  options.quality = 500;
  options.limits.max_input_pixels = 0;
  const std::string message = MessageOf(Validate(options));
  EXPECT_NE(message.find("for size"), std::string::npos) << message;
  EXPECT_NE(message.find("for quality but received 500"), std::string::npos) << message;
  EXPECT_NE(message.find("for max_input_pixels"), std::string::npos) << message;
  EXPECT_EQ(message.find("for fit"), std::string::npos) << message;
}

TEST(ParseSizeTest, Accepts) {
  auto size = ParseSize("256x256");
  ASSERT_TRUE(size.ok()) << MessageOf(size);
  EXPECT_EQ(size->width, 256u);
  EXPECT_EQ(size->height, 256u);
  size = ParseSize(" 1X16383\n");
  ASSERT_TRUE(size.ok()) << MessageOf(size);
  EXPECT_EQ(size->width, 1u);
  EXPECT_EQ(size->height, 16383u);
  size = ParseSize("0640x0480");  // leading zeros are still decimal
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->width, 640u);
}

TEST(ParseSizeTest, ZeroSideMessage) {
  EXPECT_EQ(MessageOf(ParseSize("0x5")),
            "Expected WxH with 1..16383 for size but received \"0x5\"");
}

TEST(ParseSizeTest, Rejects) {
  for (const char* bad :
       {"", "256", "256x", "x256", "-1x5", "+1x5", "1.5x2", "256x256x3", "16384x1", "1x16384",
        "99999999999999999999x1", "256 x 256", "abc", "256*256", "0x0"}) {
    const auto size = ParseSize(bad);
    ASSERT_FALSE(size.ok()) << bad;
    EXPECT_EQ(size.error().code, ErrorCode::kInvalidOptions);
    EXPECT_EQ(size.error().message.rfind("Expected WxH with 1..16383 for size but received", 0), 0u)
        << size.error().message;
  }
}

TEST(ParseSizeTest, QuotesHostileInput) {
  const std::string message = MessageOf(ParseSize(std::string("1\n2\"\x01", 5)));
  EXPECT_NE(message.find("\\x0a2\\\"\\x01"), std::string::npos) << message;
  const std::string long_input(500, '7');
  const std::string long_message = MessageOf(ParseSize(long_input));
  EXPECT_LT(long_message.size(), 150u);
  EXPECT_NE(long_message.find("...\""), std::string::npos);
}

TEST(ParseNewImageSizeTest, AcceptsTheTutorialsJson) {
  for (const char* good : {"[256, 256]", "[256,256]", " [ 256 ,\n\t256 ] ", "[256,256]\n"}) {
    const auto size = ParseNewImageSize(good);
    ASSERT_TRUE(size.ok()) << good << ": " << MessageOf(size);
    EXPECT_EQ(size->width, 256u);
    EXPECT_EQ(size->height, 256u);
  }
  const auto size = ParseNewImageSize("[640, 1]");
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(size->width, 640u);
  EXPECT_EQ(size->height, 1u);
}

TEST(ParseNewImageSizeTest, Rejects) {
  for (const char* bad :
       {"", "[]", "[256]", "[256, 256, 3]", "[256.0, 256]", "[256, 2.5]", "[-1, 5]", "[1e2, 5]",
        "[\"256\", 256]", "256x256", "[0, 5]", "[16384, 1]", "[256, 256] x", "(256, 256)",
        "[256 256]", "[256,,256]", "[99999999999999999999, 1]", "[256, 256"}) {
    const auto size = ParseNewImageSize(bad);
    ASSERT_FALSE(size.ok()) << bad;
    EXPECT_EQ(size.error().code, ErrorCode::kInvalidOptions);
    EXPECT_EQ(size.error().message.rfind(
                  "Expected a JSON array [width, height] with 1..16383 for size but "
                  "received \"",
                  0),
              0u)
        << size.error().message;
  }
}

TEST(ParseFitTest, AcceptsEveryModeAndRoundTripsNames) {
  for (Fit fit : {Fit::kFill, Fit::kCover, Fit::kContain, Fit::kInside}) {
    const auto parsed = ParseFit(FitName(fit));
    ASSERT_TRUE(parsed.ok()) << FitName(fit);
    EXPECT_EQ(*parsed, fit);
  }
  EXPECT_EQ(*ParseFit("COVER"), Fit::kCover);
  EXPECT_STREQ(FitName(Fit::kContain), "contain");
}

TEST(ParseFitTest, Rejects) {
  EXPECT_EQ(MessageOf(ParseFit("stretch")),
            "Expected one of fill, cover, contain, inside for fit but received \"stretch\"");
  EXPECT_FALSE(ParseFit("").ok());
  EXPECT_FALSE(ParseFit("fil").ok());
}

TEST(ParseShrinkOnLoadTest, AcceptsBothModesAndRefusesOthers) {
  for (ShrinkOnLoad mode : {ShrinkOnLoad::kFast, ShrinkOnLoad::kAccurate}) {
    const auto parsed = ParseShrinkOnLoad(ShrinkOnLoadName(mode));
    ASSERT_TRUE(parsed.ok()) << ShrinkOnLoadName(mode);
    EXPECT_EQ(*parsed, mode);
  }
  EXPECT_EQ(*ParseShrinkOnLoad(" Accurate "), ShrinkOnLoad::kAccurate);
  EXPECT_EQ(MessageOf(ParseShrinkOnLoad("slow")),
            "Expected one of fast, accurate for shrink_on_load but received \"slow\"");
}

TEST(ValidateTest, OutOfRangeShrinkOnLoadIsNamed) {
  Options options;
  options.shrink_on_load = static_cast<ShrinkOnLoad>(7);
  EXPECT_NE(MessageOf(Validate(options)).find("for shrink_on_load but received 7"),
            std::string::npos);
}

TEST(ParseOutputFormatTest, AcceptsAliases) {
  EXPECT_EQ(*ParseOutputFormat("jpeg"), OutputFormat::kJpeg);
  EXPECT_EQ(*ParseOutputFormat("jpg"), OutputFormat::kJpeg);
  EXPECT_EQ(*ParseOutputFormat("JPG"), OutputFormat::kJpeg);
  EXPECT_EQ(*ParseOutputFormat("png"), OutputFormat::kPng);
  EXPECT_EQ(*ParseOutputFormat("webp"), OutputFormat::kWebp);
}

TEST(ParseOutputFormatTest, Rejects) {
  EXPECT_EQ(MessageOf(ParseOutputFormat("gif")),
            "Expected one of jpeg, jpg, png, webp for format but received \"gif\"");
  EXPECT_FALSE(ParseOutputFormat("").ok());
  EXPECT_FALSE(ParseOutputFormat("tiff").ok());
}

TEST(ParseQualityTest, AcceptsRange) {
  EXPECT_EQ(*ParseQuality("1"), 1);
  EXPECT_EQ(*ParseQuality("75"), 75);
  EXPECT_EQ(*ParseQuality("100"), 100);
}

TEST(ParseQualityTest, Rejects) {
  EXPECT_EQ(MessageOf(ParseQuality("0")),
            "Expected an integer 1..100 for quality but received \"0\"");
  for (const char* bad : {"101", "", "7.5", "-5", "abc", "75%", "1000000000000000000000"}) {
    EXPECT_FALSE(ParseQuality(bad).ok()) << bad;
  }
}

TEST(ParseColorTest, AcceptsForms) {
  auto color = ParseColor("#ff8000");
  ASSERT_TRUE(color.ok());
  EXPECT_EQ(color->r, 255);
  EXPECT_EQ(color->g, 128);
  EXPECT_EQ(color->b, 0);
  color = ParseColor("0A1b2C");
  ASSERT_TRUE(color.ok());
  EXPECT_EQ(color->r, 0x0a);
  EXPECT_EQ(color->g, 0x1b);
  EXPECT_EQ(color->b, 0x2c);
  color = ParseColor("white");
  ASSERT_TRUE(color.ok());
  EXPECT_EQ(color->r + color->g + color->b, 3 * 255);
  color = ParseColor("Black");
  ASSERT_TRUE(color.ok());
  EXPECT_EQ(color->r + color->g + color->b, 0);
}

TEST(ParseColorTest, Rejects) {
  EXPECT_EQ(MessageOf(ParseColor("red")),
            "Expected #rrggbb, rrggbb, white or black for background but received \"red\"");
  for (const char* bad : {"", "#fff", "#gg0000", "#ff80000", "##ff8000", "ff 800"}) {
    EXPECT_FALSE(ParseColor(bad).ok()) << bad;
  }
}

TEST(ParsePositiveTest, AcceptsAndNamesTheField) {
  EXPECT_EQ(*ParsePositive("jobs", "4"), 4u);
  EXPECT_EQ(*ParsePositive("max_input_bytes", "18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(MessageOf(ParsePositive("jobs", "0")),
            "Expected a positive integer for jobs but received \"0\"");
  for (const char* bad : {"", "-1", "1.5", "18446744073709551616", "4 jobs"}) {
    EXPECT_FALSE(ParsePositive("jobs", bad).ok()) << bad;
  }
}

TEST(ParseBoolTest, AcceptsSpellings) {
  for (const char* yes : {"true", "1", "yes", "TRUE", "Yes"}) EXPECT_TRUE(*ParseBool("f", yes));
  for (const char* no : {"false", "0", "no", "False"}) EXPECT_FALSE(*ParseBool("f", no));
}

TEST(ParseBoolTest, Rejects) {
  EXPECT_EQ(MessageOf(ParseBool("grayscale", "maybe")),
            "Expected one of true, false, 1, 0, yes, no for grayscale but received \"maybe\"");
  EXPECT_FALSE(ParseBool("grayscale", "").ok());
  EXPECT_FALSE(ParseBool("grayscale", "2").ok());
}

TEST(OutputFormatNamesTest, NamesExtensionsAndMimeTypes) {
  EXPECT_STREQ(OutputFormatName(OutputFormat::kJpeg), "jpeg");
  EXPECT_STREQ(OutputFormatName(OutputFormat::kPng), "png");
  EXPECT_STREQ(OutputFormatName(OutputFormat::kWebp), "webp");
  EXPECT_STREQ(OutputExtension(OutputFormat::kJpeg), "jpg");
  EXPECT_STREQ(OutputExtension(OutputFormat::kPng), "png");
  EXPECT_STREQ(OutputExtension(OutputFormat::kWebp), "webp");
  EXPECT_STREQ(OutputMimeType(OutputFormat::kJpeg), "image/jpeg");
  EXPECT_STREQ(OutputMimeType(OutputFormat::kPng), "image/png");
  EXPECT_STREQ(OutputMimeType(OutputFormat::kWebp), "image/webp");
  for (OutputFormat f : {OutputFormat::kJpeg, OutputFormat::kPng, OutputFormat::kWebp}) {
    EXPECT_EQ(*ParseOutputFormat(OutputFormatName(f)), f);
  }
}

}  // namespace
}  // namespace imgpipe
