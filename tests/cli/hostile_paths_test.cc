// `imgpipe process` against hostile file system states: a FIFO swapped in after discovery,
// symlinks inside OUTDIR, a user's file at an output path, control characters in file names,
// dangling and looping symlinks in an input tree.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <sstream>

#include "cli/commands.h"
#include "cli/fake_process.h"
#include "cli/temp_dir.h"

namespace imgpipe::cli {
namespace {

namespace fs = std::filesystem;
using testing::ReadAll;
using testing::RunOutput;
using testing::TempDir;

ProcessCommand Command(const TempDir& tmp, std::vector<std::string> inputs,
                       const std::string& outdir = "out") {
  ProcessCommand cmd;
  for (std::string& input : inputs) {
    input = (tmp / input).string();
  }
  cmd.inputs = std::move(inputs);
  cmd.outdir = (tmp / outdir).string();
  cmd.jobs = 1;
  return cmd;
}

size_t Count(const std::string& text, char c) { return std::count(text.begin(), text.end(), c); }

TEST(HostilePaths, AFifoSwappedInAfterDiscoveryFailsInsteadOfHangingTheBatch) {
  TempDir tmp;
  tmp.Write("in/a.png", "good a");
  const fs::path b = tmp.Write("in/b.png", "good b");
  // Files run in sorted order on one job: while a.png is processed, b.png becomes a FIFO that
  // nobody ever writes to. Opening it for reading without O_NONBLOCK blocks forever.
  bool swapped = false;
  auto swap_then_echo = [&](std::span<const uint8_t> input, std::span<const Variant> variants) {
    if (!swapped) {
      swapped = true;
      fs::remove(b);
      EXPECT_EQ(::mkfifo(b.c_str(), 0600), 0);
    }
    return testing::EchoProcess(input, variants);
  };
  const ProcessCommand cmd = Command(tmp, {"in"});
  auto run =
      std::async(std::launch::async, [&] { return testing::RunEcho(cmd, false, swap_then_echo); });
  if (run.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
    // Release the blocked reader so the test fails instead of hanging.
    const int writer = ::open(b.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
    run.wait();
    if (writer >= 0) {
      ::close(writer);
    }
    FAIL() << "the batch blocked on a FIFO";
  }
  const RunOutput r = run.get();
  EXPECT_TRUE(swapped);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_NE(r.err.find(b.string() + ": not a regular file"), std::string::npos) << r.err;
  EXPECT_EQ(ReadAll(tmp / "out/a.jpg"), "good a");
  EXPECT_FALSE(fs::exists(tmp / "out/b.jpg"));
}

TEST(HostilePaths, ASymlinkedSubdirectoryInsideOutdirIsNotWrittenThrough) {
  TempDir tmp;
  tmp.Write("in/sub/a.png", "good a");
  tmp.Write("in/top.png", "good top");
  fs::create_directories(tmp / "elsewhere");
  fs::create_directories(tmp / "out");
  fs::create_directory_symlink(tmp / "elsewhere", tmp / "out/sub");
  const RunOutput r = testing::RunEcho(Command(tmp, {"in"}));
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_FALSE(fs::exists(tmp / "elsewhere/a.jpg"));
  EXPECT_TRUE(fs::is_empty(tmp / "elsewhere"));
  EXPECT_NE(r.err.find((tmp / "in/sub/a.png").string() + ": "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find((tmp / "out/sub").string() + " is a symlink"), std::string::npos) << r.err;
  EXPECT_EQ(ReadAll(tmp / "out/top.jpg"), "good top");
}

TEST(HostilePaths, OverwriteReplacesRegularOutputsButNeverWritesThroughASymlink) {
  TempDir tmp;
  tmp.Write("in/a.png", "good a");
  tmp.Write("in/b.png", "good b");
  tmp.Write("in/sub/c.png", "good c");
  tmp.Write("out/a.jpg", "previous run");
  const fs::path target = tmp.Write("elsewhere/b.jpg", "not imgpipe's");
  fs::create_symlink(target, tmp / "out/b.jpg");
  fs::create_directory_symlink(tmp / "elsewhere", tmp / "out/sub");
  ProcessCommand cmd = Command(tmp, {"in"});
  cmd.overwrite = true;
  const RunOutput r = testing::RunEcho(cmd);
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(ReadAll(tmp / "out/a.jpg"), "good a");
  EXPECT_EQ(ReadAll(target), "not imgpipe's");
  EXPECT_TRUE(fs::is_symlink(tmp / "out/b.jpg"));
  EXPECT_FALSE(fs::exists(tmp / "elsewhere/c.jpg"));
  EXPECT_NE(r.err.find((tmp / "out/b.jpg").string() + " is a symlink"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find((tmp / "out/sub").string() + " is a symlink"), std::string::npos) << r.err;
}

TEST(HostilePaths, AUsersOwnFileAtAnOutputPathIsNotReplaced) {
  TempDir tmp;
  tmp.Write("ow/photo.png", "good new");
  tmp.Write("ow/photo.jpg", "the user's own photo");
  const RunOutput r = testing::RunEcho(Command(tmp, {"ow/photo.png"}, "ow"));
  EXPECT_EQ(r.code, 3) << r.err;
  EXPECT_EQ(ReadAll(tmp / "ow/photo.jpg"), "the user's own photo");
  EXPECT_NE(r.err.find((tmp / "ow/photo.png").string() + ": output " +
                       (tmp / "ow/photo.jpg").string() + " already exists"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--overwrite"), std::string::npos) << r.err;
}

TEST(HostilePaths, ControlCharactersAndInvalidUtf8InNamesAreEscaped) {
  TempDir tmp;
  tmp.Write("in/forged\nx.png: fake corrupt data (corrupt_image).png", "bad 1");
  tmp.Write("in/red\x1b[31m.png", "bad 2");
  tmp.Write("in/latin1-\xe9t\xe9.png", "bad 3");
  tmp.Write("in/del\x7f.png", "bad 4");
  tmp.Write("in/caf\xc3\xa9.png", "bad 5");  // valid UTF-8 stays as it is
  const RunOutput r = testing::RunEcho(Command(tmp, {"in"}));
  EXPECT_EQ(r.code, 1) << r.err;
  EXPECT_EQ(Count(r.err, '\n'), 5u) << r.err;  // one line per file: no forged line
  EXPECT_EQ(Count(r.err, '\x1b'), 0u) << r.err;
  EXPECT_EQ(Count(r.err, '\x7f'), 0u) << r.err;
  const std::string in = (tmp / "in").string();
  EXPECT_NE(r.err.find(in + "/forged\\nx.png: fake corrupt data (corrupt_image).png: fake"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(in + "/red\\x1b[31m.png: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(in + "/latin1-\\xe9t\\xe9.png: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(in + "/del\\x7f.png: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(in + "/caf\xc3\xa9.png: "), std::string::npos) << r.err;
}

TEST(HostilePaths, DanglingAndLoopingSymlinksInAWalkAreReportedAsSkipped) {
  TempDir tmp;
  tmp.Write("in/a.png", "good a");
  fs::create_symlink(tmp / "missing.png", tmp / "in/dangling.png");
  fs::create_symlink(tmp / "in/loop2.png", tmp / "in/loop1.png");
  fs::create_symlink(tmp / "in/loop1.png", tmp / "in/loop2.png");
  const RunOutput r = testing::RunEcho(Command(tmp, {"in"}));
  EXPECT_EQ(r.code, 0) << r.err;  // skipped entries are not failures
  const std::string in = (tmp / "in").string();
  EXPECT_NE(r.err.find(in + "/dangling.png: skipped: dangling symlink"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find(in + "/loop1.png: skipped: symlink loop"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(in + "/loop2.png: skipped: symlink loop"), std::string::npos) << r.err;
  EXPECT_EQ(ReadAll(tmp / "out/a.jpg"), "good a");
}

}  // namespace
}  // namespace imgpipe::cli
