#include "cli/args.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "cli/exit_code.h"
#include "options/option_table.h"

namespace imgpipe::cli {
namespace {

struct Parsed {
  Command command;
  std::string out;
  std::string err;
};

Parsed Parse(std::vector<std::string> args) {
  args.insert(args.begin(), "imgpipe");
  std::vector<const char*> argv;
  argv.reserve(args.size());
  for (const auto& a : args) {
    argv.push_back(a.c_str());
  }
  std::ostringstream out, err;
  Command command = ParseCommandLine(static_cast<int>(argv.size()), argv.data(), out, err);
  return {std::move(command), out.str(), err.str()};
}

TEST(ParseCommandLine, OverwriteIsOffUnlessGiven) {
  Parsed plain = Parse({"process", "a.jpg", "-o", "out"});
  ASSERT_TRUE(std::holds_alternative<ProcessCommand>(plain.command)) << plain.err;
  EXPECT_FALSE(std::get<ProcessCommand>(plain.command).overwrite);
  Parsed overwrite = Parse({"process", "--overwrite", "a.jpg", "-o", "out"});
  ASSERT_TRUE(std::holds_alternative<ProcessCommand>(overwrite.command)) << overwrite.err;
  EXPECT_TRUE(std::get<ProcessCommand>(overwrite.command).overwrite);
}

int ExitCodeOf(const Parsed& p) {
  const auto* exit_now = std::get_if<ExitNow>(&p.command);
  return exit_now ? exit_now->code : -1;
}

TEST(ParseCommandLine, ProcessDefaultsAreTheTutorialsJob) {
  Parsed p = Parse({"process", "a.jpg", "dir", "-o", "out"});
  ASSERT_TRUE(std::holds_alternative<ProcessCommand>(p.command)) << p.err;
  const auto& cmd = std::get<ProcessCommand>(p.command);
  EXPECT_EQ(cmd.inputs, (std::vector<std::string>{"a.jpg", "dir"}));
  EXPECT_EQ(cmd.outdir, "out");
  EXPECT_EQ(cmd.options.width, 256u);
  EXPECT_EQ(cmd.options.height, 256u);
  EXPECT_EQ(cmd.options.fit, Fit::kFill);
  EXPECT_EQ(cmd.options.format, OutputFormat::kJpeg);
  EXPECT_EQ(cmd.options.quality, 75);
  EXPECT_TRUE(cmd.options.grayscale);
  EXPECT_FALSE(cmd.options.without_enlargement);
  EXPECT_EQ(cmd.options.limits.max_input_bytes, kDefaultMaxInputBytes);
  EXPECT_EQ(cmd.options.limits.max_input_pixels, kDefaultMaxInputPixels);
  EXPECT_EQ(cmd.jobs, DefaultJobs());
  EXPECT_GE(cmd.jobs, 1u);
}

TEST(ParseCommandLine, EveryProcessOptionIsApplied) {
  Parsed p = Parse({"process",
                    "--size",
                    "320x200",
                    "--fit",
                    "cover",
                    "--format",
                    "webp",
                    "--quality",
                    "90",
                    "--no-grayscale",
                    "--background",
                    "black",
                    "--without-enlargement",
                    "--max-input-bytes",
                    "1000",
                    "--max-input-pixels",
                    "5000",
                    "--jobs",
                    "3",
                    "in",
                    "--output",
                    "o"});
  ASSERT_TRUE(std::holds_alternative<ProcessCommand>(p.command)) << p.err;
  const auto& cmd = std::get<ProcessCommand>(p.command);
  EXPECT_EQ(cmd.options.width, 320u);
  EXPECT_EQ(cmd.options.height, 200u);
  EXPECT_EQ(cmd.options.fit, Fit::kCover);
  EXPECT_EQ(cmd.options.format, OutputFormat::kWebp);
  EXPECT_EQ(cmd.options.quality, 90);
  EXPECT_FALSE(cmd.options.grayscale);
  EXPECT_EQ(cmd.options.background.r, 0);
  EXPECT_TRUE(cmd.options.without_enlargement);
  EXPECT_EQ(cmd.options.limits.max_input_bytes, 1000u);
  EXPECT_EQ(cmd.options.limits.max_input_pixels, 5000u);
  EXPECT_EQ(cmd.jobs, 3u);
  EXPECT_EQ(cmd.outdir, "o");
}

TEST(ParseCommandLine, VariantsTakeTheFlagsAsDefaults) {
  Parsed p = Parse({"process", "--quality", "90", "--keep-extension", "--shrink-on-load",
                    "accurate", "--variants",
                    R"([{"name":"thumb","size":[64,64],"format":"webp"},
                        {"name":"big","size":[800,600],"prefix":"b-"}])",
                    "a.jpg", "-o", "out"});
  ASSERT_TRUE(std::holds_alternative<ProcessCommand>(p.command)) << p.err;
  const auto& cmd = std::get<ProcessCommand>(p.command);
  EXPECT_TRUE(cmd.keep_extension);
  EXPECT_EQ(cmd.options.shrink_on_load, ShrinkOnLoad::kAccurate);
  ASSERT_EQ(cmd.variants.size(), 2u);
  EXPECT_EQ(cmd.variants[0].prefix, "thumb/");
  EXPECT_EQ(cmd.variants[0].options.format, OutputFormat::kWebp);
  EXPECT_EQ(cmd.variants[0].options.quality, 90);
  EXPECT_EQ(cmd.variants[1].prefix, "b-");
  EXPECT_EQ(cmd.variants[1].options.width, 800u);
  EXPECT_EQ(cmd.variants[1].options.shrink_on_load, ShrinkOnLoad::kAccurate);
}

TEST(ParseCommandLine, VariantsFromAFile) {
  const std::string path = ::testing::TempDir() + "/imgpipe-variants-test.json";
  {
    std::ofstream file(path);
    file << R"([{"name":"x","size":[10,20]}])";
  }
  Parsed p = Parse({"process", "--variants", "@" + path, "a.jpg", "-o", "out"});
  ASSERT_TRUE(std::holds_alternative<ProcessCommand>(p.command)) << p.err;
  EXPECT_EQ(std::get<ProcessCommand>(p.command).variants.at(0).options.height, 20u);
  Parsed missing = Parse({"process", "--variants", "@" + path + ".none", "a.jpg", "-o", "out"});
  EXPECT_EQ(ExitCodeOf(missing), 2);
  EXPECT_NE(missing.err.find("--variants @"), std::string::npos) << missing.err;
}

TEST(ParseCommandLine, ABadVariantNamesTheEntryAndField) {
  Parsed p =
      Parse({"process", "--variants", R"([{"name":"a","size":[1,1]},{"name":"b","size":[0,5]}])",
             "a.jpg", "-o", "out"});
  EXPECT_EQ(ExitCodeOf(p), 2);
  EXPECT_NE(p.err.find("imgpipe: --variants[1].size: Expected"), std::string::npos) << p.err;
  Parsed junk = Parse({"process", "--variants", "nope", "a.jpg", "-o", "out"});
  EXPECT_EQ(ExitCodeOf(junk), 2);
  EXPECT_NE(junk.err.find("--variants: is not valid JSON"), std::string::npos) << junk.err;
}

TEST(ParseCommandLine, InfoTakesFiles) {
  Parsed p = Parse({"info", "a.jpg", "b.png"});
  ASSERT_TRUE(std::holds_alternative<InfoCommand>(p.command)) << p.err;
  EXPECT_EQ(std::get<InfoCommand>(p.command).files, (std::vector<std::string>{"a.jpg", "b.png"}));
}

// One negative test per rule: each prints the core's message naming the field and exits 2.
struct BadCase {
  std::vector<std::string> args;
  std::string expected_in_message;
};

class BadArguments : public ::testing::TestWithParam<BadCase> {};

TEST_P(BadArguments, PrintTheReasonAndExitTwo) {
  std::vector<std::string> args = {"process"};
  args.insert(args.end(), GetParam().args.begin(), GetParam().args.end());
  Parsed p = Parse(args);
  EXPECT_EQ(ExitCodeOf(p), 2);
  EXPECT_EQ(ExitCodeOf(p), kUsageExitCode);
  EXPECT_NE(p.err.find(GetParam().expected_in_message), std::string::npos) << p.err;
  EXPECT_TRUE(p.out.empty()) << p.out;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, BadArguments,
    ::testing::Values(BadCase{{"--size", "0x5", "a", "-o", "o"}, "received \"0x5\""},
                      BadCase{{"--size", "256", "a", "-o", "o"}, "size"},
                      BadCase{{"--size", "99999x10", "a", "-o", "o"}, "size"},
                      BadCase{{"--fit", "stretch", "a", "-o", "o"}, "stretch"},
                      BadCase{{"--format", "bmp", "a", "-o", "o"}, "bmp"},
                      BadCase{{"--quality", "0", "a", "-o", "o"}, "quality"},
                      BadCase{{"--quality", "101", "a", "-o", "o"}, "quality"},
                      BadCase{{"--background", "plaid", "a", "-o", "o"}, "plaid"},
                      BadCase{{"--max-input-bytes", "0", "a", "-o", "o"}, "max-input-bytes"},
                      BadCase{{"--max-input-pixels", "-5", "a", "-o", "o"}, "max-input-pixels"},
                      BadCase{{"--jobs", "0", "a", "-o", "o"}, "jobs"},
                      BadCase{{"--jobs", "many", "a", "-o", "o"}, "jobs"},
                      BadCase{{"--jobs", "5000", "a", "-o", "o"}, "jobs"},
                      BadCase{{"a"}, "--output"}, BadCase{{"-o", "o"}, "inputs"},
                      BadCase{{"--frobnicate", "a", "-o", "o"}, "frobnicate"}));

TEST(ParseCommandLine, NoCommandIsAUsageError) {
  Parsed p = Parse({});
  EXPECT_EQ(ExitCodeOf(p), 2);
  EXPECT_FALSE(p.err.empty());
}

TEST(ParseCommandLine, UnknownCommandIsAUsageError) {
  EXPECT_EQ(ExitCodeOf(Parse({"convert", "a"})), 2);
}

TEST(ParseCommandLine, InfoWithoutFilesIsAUsageError) { EXPECT_EQ(ExitCodeOf(Parse({"info"})), 2); }

TEST(ParseCommandLine, HelpExplainsOptionsAndExamplesOnStdout) {
  Parsed p = Parse({"process", "--help"});
  EXPECT_EQ(ExitCodeOf(p), 0);
  for (const char* needle : {"--size", "--fit", "--format", "--quality", "--no-grayscale",
                             "--background", "--without-enlargement", "--max-input-bytes",
                             "--max-input-pixels", "--jobs", "Examples", "Exit codes", "contain"}) {
    EXPECT_NE(p.out.find(needle), std::string::npos) << needle;
  }
  Parsed top = Parse({"--help"});
  EXPECT_EQ(ExitCodeOf(top), 0);
  EXPECT_NE(top.out.find("process"), std::string::npos);
  EXPECT_NE(top.out.find("info"), std::string::npos);
}

TEST(ParseCommandLine, VersionPrintsTheProjectVersion) {
  Parsed p = Parse({"--version"});
  EXPECT_EQ(ExitCodeOf(p), 0);
  EXPECT_EQ(p.out.rfind("imgpipe ", 0), 0u) << p.out;
  EXPECT_EQ(p.out.find("unknown"), std::string::npos) << p.out;
}

// The flags come from the option table: each is in --help with the table's default, and a bad
// value names the flag, then gives the core's message, as Lambda gives `QUALITY: <message>`.
TEST(ParseCommandLine, HelpListsEveryTableFlagWithItsDefault) {
  Parsed p = Parse({"process", "--help"});
  ASSERT_EQ(ExitCodeOf(p), 0);
  for (const options::OptionSpec& spec : options::OptionTable()) {
    if (spec.flag == nullptr) {
      continue;
    }
    EXPECT_NE(p.out.find(std::string(spec.flag) + " "), std::string::npos) << spec.flag;
    const std::string shown = spec.flag_default != nullptr ? spec.flag_default : spec.default_value;
    if (spec.placeholder != nullptr && !shown.empty()) {
      EXPECT_NE(p.out.find("(default " + shown + ")"), std::string::npos) << spec.flag;
    }
  }
}

TEST(ParseCommandLine, ABadValueNamesTheFlagThenTheCoresMessage) {
  Parsed p = Parse({"process", "--quality", "0", "a", "-o", "o"});
  EXPECT_EQ(ExitCodeOf(p), kUsageExitCode);
  EXPECT_EQ(p.err,
            "imgpipe: --quality: Expected an integer 1..100 for quality but received \"0\"\n");
  Parsed size = Parse({"process", "--size", "0x5", "a", "-o", "o"});
  EXPECT_EQ(size.err,
            "imgpipe: --size: Expected WxH with 1..16383 for size but received \"0x5\"\n");
}

TEST(ParseCommandLine, SwitchesAndTheTableDefaults) {
  Parsed plain = Parse({"process", "a", "-o", "o"});
  ASSERT_TRUE(std::holds_alternative<ProcessCommand>(plain.command)) << plain.err;
  EXPECT_EQ(std::get<ProcessCommand>(plain.command).options, Options{});
  EXPECT_FALSE(std::get<ProcessCommand>(plain.command).keep_extension);
  Parsed set = Parse({"process", "--keep-extension", "--no-grayscale", "a", "-o", "o"});
  ASSERT_TRUE(std::holds_alternative<ProcessCommand>(set.command)) << set.err;
  EXPECT_TRUE(std::get<ProcessCommand>(set.command).keep_extension);
  EXPECT_FALSE(std::get<ProcessCommand>(set.command).options.grayscale);
}

// docs/cli.md's options table shows each table flag with the table's default: `value`, or "off"
// for a switch, "none" for an empty default.
TEST(ParseCommandLine, TheDocsOptionsTableMatchesTheOptionTable) {
  std::ifstream in(std::string(IMGPIPE_SOURCE_DIR) + "/docs/cli.md");
  ASSERT_TRUE(in.good());
  std::map<std::string, std::string> defaults;  // flag -> default cell
  for (std::string line; std::getline(in, line);) {
    if (!line.starts_with("| `--")) {
      continue;
    }
    const size_t flag_end = line.find_first_of(" `", 3);
    const size_t cell_start = line.find("` | ", 3) + 4;
    defaults[line.substr(3, flag_end - 3)] =
        line.substr(cell_start, line.find(" |", cell_start) - cell_start);
  }
  for (const options::OptionSpec& spec : options::OptionTable()) {
    if (spec.flag == nullptr) {
      continue;
    }
    ASSERT_TRUE(defaults.contains(spec.flag)) << spec.flag << " has no row in docs/cli.md";
    const std::string shown = spec.flag_default != nullptr ? spec.flag_default : spec.default_value;
    const std::string expected = spec.placeholder == nullptr ? "off"
                                 : shown.empty()             ? "none"
                                                             : "`" + shown + "`";
    EXPECT_TRUE(defaults[spec.flag].starts_with(expected))
        << spec.flag << ": docs say " << defaults[spec.flag] << ", the table " << expected;
  }
}

}  // namespace
}  // namespace imgpipe::cli
