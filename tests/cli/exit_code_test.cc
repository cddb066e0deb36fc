#include "cli/exit_code.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace imgpipe::cli {
namespace {

// The documented exit code of every error name (docs/cli.md, "Exit codes").
const std::map<std::string, int> kDocumented = {
    {"empty_input", 1},     {"unsupported_format", 1}, {"corrupt_image", 1},
    {"truncated_image", 1}, {"invalid_options", 2},    {"invalid_event", 2},
    {"io_error", 3},        {"not_found", 3},          {"input_too_large", 4},
    {"too_many_pixels", 4}, {"deadline_exceeded", 5},  {"encode_failed", 5},
    {"storage_error", 5},   {"access_denied", 5},      {"internal", 5},
};

// Every ErrorCode, found through core's name table: the enumerators count up from 0, and core
// names an out-of-range value "internal" (its fallback row), which ends the scan.
std::map<std::string, ErrorCode> AllCodes() {
  std::map<std::string, ErrorCode> codes;
  for (int value = 0; value < 1000; ++value) {
    const auto code = static_cast<ErrorCode>(value);
    const std::string name = ErrorCodeName(code);
    if (name == "internal" && code != ErrorCode::kInternal) {
      break;
    }
    codes.emplace(name, code);
  }
  return codes;
}

TEST(ExitCodeFor, EveryErrorCodeHasItsDocumentedExitCode) {
  const auto codes = AllCodes();
  EXPECT_GE(codes.size(), 15u);
  for (const auto& [name, code] : codes) {
    auto documented = kDocumented.find(name);
    ASSERT_NE(documented, kDocumented.end())
        << name << " has no documented exit code: add it to ExitCodeFor and docs/cli.md";
    EXPECT_EQ(ExitCodeFor(code), documented->second) << name;
  }
  for (const auto& [name, exit_code] : kDocumented) {
    EXPECT_TRUE(codes.count(name)) << name << " is documented but is no ErrorCode";
  }
}

TEST(ExitCodeFor, UsageErrorsExitTwo) { EXPECT_EQ(kUsageExitCode, 2); }

TEST(ExitCodeFor, AValueOutsideTheEnumIsInternal) {
  EXPECT_EQ(ExitCodeFor(static_cast<ErrorCode>(12345)), 5);
}

}  // namespace
}  // namespace imgpipe::cli
