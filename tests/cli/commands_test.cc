#include "cli/commands.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/exit_code.h"
#include "cli/fake_process.h"
#include "cli/report.h"
#include "cli/temp_dir.h"

namespace imgpipe::cli {
namespace {

namespace fs = std::filesystem;
using testing::ReadAll;
using testing::RunOutput;
using testing::TempDir;

TEST(RunProcess, BatchWithFailuresReportsEachAndExitsWithTheWorstCode) {
  TempDir tmp;
  tmp.Write("in/a.png", "good a");
  tmp.Write("in/b.png", "bad b");
  tmp.Write("in/sub/c.gif", "good c");
  tmp.Write("in/sub/c.png", "good c2");  // collides with c.gif -> out/sub/c.jpg
  ProcessCommand cmd;
  cmd.inputs = {(tmp / "in").string(), (tmp / "missing").string()};
  cmd.outdir = (tmp / "out").string();
  cmd.jobs = 2;
  RunOutput r = testing::RunEcho(cmd);
  EXPECT_EQ(r.code, 3) << r.err;  // not_found/collision (3) beat corrupt (1)
  EXPECT_NE(r.err.find((tmp / "in/b.png").string() + ": fake corrupt data (corrupt_image)\n"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find((tmp / "missing").string() + ": no such file or directory (not_found)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find((tmp / "in/sub/c.png").string() + ": output "), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos);  // no progress bar when not a terminal
  EXPECT_EQ(ReadAll(tmp / "out/a.jpg"), "good a");
  EXPECT_EQ(ReadAll(tmp / "out/sub/c.jpg"), "good c");
  // One line: counts and bytes are exact, time and rate vary. (No std::regex: GCC 12 warns
  // maybe-uninitialized inside <regex> under ASan, and -Werror turns that into a build failure.)
  EXPECT_EQ(r.out.rfind("2 ok, 3 failed, 0.0 kB -> 0.0 kB, ", 0), 0u) << r.out;
  EXPECT_NE(r.out.find(" s, "), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << r.out;
  EXPECT_GE(r.out.size(), std::string(" images/s\n").size());
  EXPECT_EQ(r.out.substr(r.out.size() - 10), " images/s\n") << r.out;
}

TEST(RunProcess, OnlyCorruptFilesExitWithTheCorruptCode) {
  TempDir tmp;
  tmp.Write("in/a.png", "good");
  tmp.Write("in/b.png", "bad");
  ProcessCommand cmd{{(tmp / "in").string()}, (tmp / "out").string(), {}, 1};
  EXPECT_EQ(testing::RunEcho(cmd).code, ExitCodeFor(ErrorCode::kCorruptImage));
}

TEST(RunProcess, AllGoodExitsZero) {
  TempDir tmp;
  tmp.Write("in/a.png", "good");
  ProcessCommand cmd{{(tmp / "in").string()}, (tmp / "out").string(), {}, 1};
  RunOutput r = testing::RunEcho(cmd);
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(r.err.empty()) << r.err;
  EXPECT_EQ(r.out.rfind("1 ok, 0 failed", 0), 0u) << r.out;
}

TEST(RunProcess, OutdirInsideTheInputDirectoryIsNotReprocessed) {
  TempDir tmp;
  tmp.Write("photos/a.png", "good");
  ProcessCommand cmd{{(tmp / "photos").string()}, (tmp / "photos/out").string(), {}, 1};
  ASSERT_EQ(testing::RunEcho(cmd).code, 0);
  cmd.overwrite = true;  // replaces the first run's output
  RunOutput again =
      testing::RunEcho(cmd);  // the second run must not see photos/out/a.jpg as an input
  EXPECT_EQ(again.code, 0) << again.err;
  EXPECT_EQ(again.out.rfind("1 ok, 0 failed", 0), 0u) << again.out;
}

TEST(RunProcess, ProgressBarIsDrawnAndClearedOnATerminal) {
  TempDir tmp;
  tmp.Write("in/a.png", "good");
  tmp.Write("in/b.png", "bad");
  ProcessCommand cmd{{(tmp / "in").string()}, (tmp / "out").string(), {}, 1};
  RunOutput r = testing::RunEcho(cmd, /*progress=*/true);
  // Redraws are throttled to 10 per second, so only the first and the forced ones are certain.
  EXPECT_EQ(r.err.rfind("\r\033[K[------------------------------]  0/2  0%", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("2/2  100%"), std::string::npos);
  // The failure line starts on a cleared line, and the bar is cleared before the summary.
  EXPECT_NE(r.err.find("\r\033[K" + (tmp / "in/b.png").string() + ": "), std::string::npos);
  EXPECT_EQ(r.err.substr(r.err.size() - 4), "\r\033[K");
  EXPECT_EQ(r.out.find('\r'), std::string::npos);
}

TEST(RunCli, RealCoreRejectsEmptyAndTextFilesAndExitsOne) {
  TempDir tmp;
  tmp.Write("in/empty.jpg", "");
  tmp.Write("in/notes.jpg", "this is plain text, not a JPEG\n");
  const std::string in = (tmp / "in").string(), out = (tmp / "out").string();
  const char* argv[] = {"imgpipe", "process", in.c_str(), "-o", out.c_str(), "--jobs", "2"};
  std::ostringstream sout, serr;
  const int code = RunCli(7, argv, sout, serr, false);
  EXPECT_EQ(code, 1) << serr.str();
  EXPECT_NE(serr.str().find((tmp / "in/empty.jpg").string() + ": "), std::string::npos);
  EXPECT_NE(serr.str().find((tmp / "in/notes.jpg").string() + ": "), std::string::npos);
  EXPECT_NE(serr.str().find("(empty_input)"), std::string::npos) << serr.str();
  EXPECT_NE(serr.str().find("(unsupported_format)"), std::string::npos) << serr.str();
  EXPECT_EQ(sout.str().rfind("0 ok, 2 failed", 0), 0u);
  EXPECT_FALSE(fs::exists(tmp / "out/empty.jpg"));
}

TEST(RunCli, BadOptionExitsTwoBeforeTouchingFiles) {
  TempDir tmp;
  tmp.Write("in/a.jpg", "x");
  const std::string in = (tmp / "in").string(), out = (tmp / "out").string();
  const char* argv[] = {"imgpipe", "process", "--size", "0x5", in.c_str(), "-o", out.c_str()};
  std::ostringstream sout, serr;
  EXPECT_EQ(RunCli(7, argv, sout, serr, false), 2);
  EXPECT_NE(serr.str().find("0x5"), std::string::npos);
  EXPECT_FALSE(fs::exists(tmp / "out"));
}

TEST(FormatSummary, CountsBytesTimeAndRate) {
  BatchStats stats;
  stats.ok = 12;
  stats.failed = 3;
  stats.input_bytes = 15'249'000;
  stats.output_bytes = 412'000;
  stats.seconds = 0.5;
  EXPECT_EQ(FormatSummary(stats), "12 ok, 3 failed, 15.2 MB -> 412.0 kB, 0.50 s, 24.0 images/s");
}

TEST(FormatProgressBar, FillsProportionally) {
  EXPECT_EQ(FormatProgressBar(0, 4, 8), "[--------]  0/4  0%");
  EXPECT_EQ(FormatProgressBar(1, 4, 8), "[##------]  1/4  25%");
  EXPECT_EQ(FormatProgressBar(4, 4, 8), "[########]  4/4  100%");
  EXPECT_EQ(FormatProgressBar(0, 0, 4), "[####]  0/0  100%");
}

}  // namespace
}  // namespace imgpipe::cli
