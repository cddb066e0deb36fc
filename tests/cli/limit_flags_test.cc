// The per-format pixel limits and the per-image time limit reach Options::limits from their
// flags, and a bad value is a usage error that names the flag.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/exit_code.h"

namespace imgpipe::cli {
namespace {

Command Parse(std::vector<std::string> args, std::string* err) {
  args.insert(args.begin(), "imgpipe");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  std::ostringstream out, errors;
  Command command = ParseCommandLine(static_cast<int>(argv.size()), argv.data(), out, errors);
  *err = errors.str();
  return command;
}

TEST(LimitFlags, DefaultsAreTheLibraryDefaults) {
  std::string err;
  Command command = Parse({"process", "a.png", "-o", "out"}, &err);
  ASSERT_TRUE(std::holds_alternative<ProcessCommand>(command)) << err;
  const Limits& limits = std::get<ProcessCommand>(command).options.limits;
  EXPECT_EQ(limits.max_progressive_pixels, kDefaultMaxProgressivePixels);
  EXPECT_EQ(limits.max_interlaced_pixels, kDefaultMaxInterlacedPixels);
  EXPECT_EQ(limits.max_lossless_webp_pixels, kDefaultMaxLosslessWebpPixels);
  EXPECT_EQ(limits.max_seconds, 0);
}

TEST(LimitFlags, ValuesReachTheLimits) {
  std::string err;
  Command command = Parse(
      {"process", "--max-progressive-pixels", "2000000", "--max-interlaced-pixels", "3000000",
       "--max-lossless-webp-pixels", "4000000", "--max-seconds", "0.25", "a.png", "-o", "out"},
      &err);
  ASSERT_TRUE(std::holds_alternative<ProcessCommand>(command)) << err;
  const Limits& limits = std::get<ProcessCommand>(command).options.limits;
  EXPECT_EQ(limits.max_progressive_pixels, 2000000u);
  EXPECT_EQ(limits.max_interlaced_pixels, 3000000u);
  EXPECT_EQ(limits.max_lossless_webp_pixels, 4000000u);
  EXPECT_DOUBLE_EQ(limits.max_seconds, 0.25);
}

TEST(LimitFlags, BadValuesAreUsageErrorsNamingTheFlag) {
  for (const auto& [flag, value] :
       std::vector<std::pair<std::string, std::string>>{{"--max-seconds", "-1"},
                                                        {"--max-seconds", "soon"},
                                                        {"--max-seconds", "1e9"},
                                                        {"--max-seconds", "nan"},
                                                        {"--max-progressive-pixels", "0"},
                                                        {"--max-interlaced-pixels", "-5"},
                                                        {"--max-lossless-webp-pixels", "0"}}) {
    std::string err;
    Command command = Parse({"process", flag, value, "a.png", "-o", "out"}, &err);
    const auto* exit_now = std::get_if<ExitNow>(&command);
    ASSERT_NE(exit_now, nullptr) << flag << " " << value;
    EXPECT_EQ(exit_now->code, kUsageExitCode);
    EXPECT_NE(err.find(flag.substr(2)), std::string::npos) << err;
    EXPECT_NE(err.find(value), std::string::npos) << err;
  }
}

// 0 would refuse every lossless WebP: the flag's error is the core's positive-integer rule
// (sharp's wording), after the flag, as Lambda puts the variable first.
TEST(LimitFlags, ZeroLosslessWebpPixelsIsTheCoresPositiveIntegerError) {
  std::string err;
  Command command =
      Parse({"process", "--max-lossless-webp-pixels", "0", "a.png", "-o", "out"}, &err);
  const auto* exit_now = std::get_if<ExitNow>(&command);
  ASSERT_NE(exit_now, nullptr);
  EXPECT_EQ(exit_now->code, kUsageExitCode);
  EXPECT_EQ(err,
            "imgpipe: --max-lossless-webp-pixels: Expected a positive integer for "
            "max_lossless_webp_pixels but received \"0\"\n");
}

}  // namespace
}  // namespace imgpipe::cli
