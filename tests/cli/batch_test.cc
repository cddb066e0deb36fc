#include "cli/batch.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cli/exit_code.h"
#include "cli/temp_dir.h"

namespace imgpipe::cli {
namespace {

namespace fs = std::filesystem;
using testing::ReadAll;
using testing::TempDir;

// A stand-in for imgpipe::Process: inputs starting with "bad" fail as corrupt, "big" as too many
// pixels, "throw" throws; anything else is "encoded" as "OUT:" + input.
Result<std::vector<Encoded>> FakeProcess(std::span<const uint8_t> input,
                                         std::span<const Variant> variants) {
  const std::string text(input.begin(), input.end());
  if (text.rfind("bad", 0) == 0) {
    return MakeError(ErrorCode::kCorruptImage, "fake corrupt data");
  }
  if (text.rfind("big", 0) == 0) {
    return MakeError(ErrorCode::kTooManyPixels, "fake too big");
  }
  if (text.rfind("throw", 0) == 0) {
    throw std::runtime_error("fake failure");
  }
  std::vector<Encoded> outputs(variants.size());
  for (Encoded& e : outputs) {
    const std::string out = "OUT:" + text;
    e.bytes.assign(out.begin(), out.end());
  }
  return outputs;
}

struct Fixture {
  TempDir tmp;
  std::vector<PlannedFile> files;

  void Add(const std::string& name, const std::string& content) {
    fs::path in = tmp.Write("in/" + name, content);
    fs::path out = name;
    out.replace_extension("jpg");
    files.push_back({{in, name, in.string()}, {out}});
  }
};

BatchStats RunFake(const Fixture& f, unsigned jobs, ProcessFn process = FakeProcess,
                   Options options = {}) {
  std::ostringstream out, err;
  Reporter reporter(out, err, false);
  reporter.Start(f.files.size());
  return RunBatch(f.files, BatchConfig{options, jobs, std::move(process), f.tmp / "out", false, {}},
                  reporter);
}

TEST(RunBatch, FailingFilesAreReportedAndTheRestContinue) {
  Fixture f;
  f.Add("a.png", "good a");
  f.Add("b.png", "bad b");
  f.Add("sub/c.png", "good c");
  f.Add("d.png", "big d");
  f.Add("e.png", "throw e");
  f.Add("f.png", "good f");
  for (unsigned jobs : {1u, 3u}) {
    fs::remove_all(f.tmp / "out");
    BatchStats stats = RunFake(f, jobs);
    EXPECT_EQ(stats.ok, 3u);
    EXPECT_EQ(stats.failed, 3u);
    ASSERT_EQ(stats.failures.size(), 3u);
    std::set<std::string> failed_paths;
    for (const auto& failure : stats.failures) {
      failed_paths.insert(failure.path);
    }
    EXPECT_EQ(failed_paths,
              (std::set<std::string>{f.files[1].input.display, f.files[3].input.display,
                                     f.files[4].input.display}));
    EXPECT_EQ(ReadAll(f.tmp / "out/a.jpg"), "OUT:good a");
    EXPECT_EQ(ReadAll(f.tmp / "out/sub/c.jpg"), "OUT:good c");
    EXPECT_EQ(ReadAll(f.tmp / "out/f.jpg"), "OUT:good f");
    EXPECT_FALSE(fs::exists(f.tmp / "out/b.jpg"));
    EXPECT_FALSE(fs::exists(f.tmp / "out/d.jpg"));
    // corrupt (1), too many pixels (4), exception -> internal (5): the highest wins.
    EXPECT_EQ(WorstExitCode(stats.failures), ExitCodeFor(ErrorCode::kInternal));
    EXPECT_EQ(stats.input_bytes, 18u);
    EXPECT_EQ(stats.output_bytes, 18u + 3 * 4);
  }
}

TEST(RunBatch, EveryFileIsProcessedExactlyOnceByAtMostJobsThreads) {
  Fixture f;
  for (int i = 0; i < 64; ++i) {
    f.Add("f" + std::to_string(i) + ".png", "good " + std::to_string(i));
  }
  std::mutex mu;
  std::multiset<std::string> seen;
  std::set<std::thread::id> threads;
  auto counting = [&](std::span<const uint8_t> input, std::span<const Variant> o) {
    {
      std::lock_guard lock(mu);
      seen.insert(std::string(input.begin(), input.end()));
      threads.insert(std::this_thread::get_id());
    }
    return FakeProcess(input, o);
  };
  BatchStats stats = RunFake(f, 4, counting);
  EXPECT_EQ(stats.ok, 64u);
  EXPECT_EQ(seen.size(), 64u);
  for (int i = 0; i < 64; ++i) {
    EXPECT_EQ(seen.count("good " + std::to_string(i)), 1u);
  }
  EXPECT_GE(threads.size(), 1u);
  EXPECT_LE(threads.size(), 4u);
}

TEST(RunBatch, SingleJobRunsOnTheCallingThread) {
  Fixture f;
  f.Add("a.png", "good");
  f.Add("b.png", "good");
  std::set<std::thread::id> threads;
  RunFake(f, 1, [&](std::span<const uint8_t> in, std::span<const Variant> o) {
    threads.insert(std::this_thread::get_id());
    return FakeProcess(in, o);
  });
  EXPECT_EQ(threads, (std::set<std::thread::id>{std::this_thread::get_id()}));
}

TEST(RunBatch, MoreJobsThanFilesAndAnEmptyBatchAreFine) {
  Fixture f;
  f.Add("a.png", "good");
  EXPECT_EQ(RunFake(f, 16).ok, 1u);
  Fixture empty;
  BatchStats stats = RunFake(empty, 8);
  EXPECT_EQ(stats.ok + stats.failed, 0u);
}

TEST(RunBatch, InputOverMaxBytesIsRefusedBeforeItIsRead) {
  Fixture f;
  f.Add("small.png", "good");
  f.Add("large.png", "good but long enough to pass the limit");
  Options options;
  options.limits.max_input_bytes = 10;
  std::atomic<int> calls{0};
  BatchStats stats = RunFake(
      f, 2,
      [&](std::span<const uint8_t> in, std::span<const Variant> o) {
        ++calls;
        return FakeProcess(in, o);
      },
      options);
  EXPECT_EQ(calls.load(), 1);
  ASSERT_EQ(stats.failures.size(), 1u);
  EXPECT_EQ(stats.failures[0].error.code, ErrorCode::kInputTooLarge);
  EXPECT_NE(stats.failures[0].error.message.find("max-input-bytes 10"), std::string::npos);
}

TEST(RunBatch, UnwritableOutputFailsThatFileOnly) {
  Fixture f;
  f.Add("a.png", "good");
  f.Add("b.png", "good");
  f.tmp.Write("out/blocker", "a file where a directory is needed");
  f.files[0].outputs_relative = {"blocker/a.jpg"};
  BatchStats stats = RunFake(f, 2);
  EXPECT_EQ(stats.ok, 1u);
  ASSERT_EQ(stats.failures.size(), 1u);
  EXPECT_EQ(stats.failures[0].error.code, ErrorCode::kIoError);
  EXPECT_EQ(ReadAll(f.tmp / "out/b.jpg"), "OUT:good");
}

TEST(RunBatch, InputRemovedAfterPlanningIsNotFound) {
  Fixture f;
  f.Add("a.png", "good");
  fs::remove(f.files[0].input.path);
  BatchStats stats = RunFake(f, 1);
  ASSERT_EQ(stats.failures.size(), 1u);
  EXPECT_EQ(stats.failures[0].error.code, ErrorCode::kNotFound);
}

TEST(ReadFileInto, ReusesTheBufferAndShrinksToTheFile) {
  TempDir tmp;
  auto big = tmp.Write("big", std::string(1000, 'x'));
  auto small = tmp.Write("small", "abc");
  auto empty = tmp.Write("empty", "");
  std::vector<uint8_t> buffer;
  ASSERT_TRUE(ReadFileInto(big, 1 << 20, buffer).ok());
  EXPECT_EQ(buffer.size(), 1000u);
  const uint8_t* data = buffer.data();
  ASSERT_TRUE(ReadFileInto(small, 1 << 20, buffer).ok());
  EXPECT_EQ(std::string(buffer.begin(), buffer.end()), "abc");
  EXPECT_EQ(buffer.data(), data);  // same allocation: no per-image reallocation
  ASSERT_TRUE(ReadFileInto(empty, 1 << 20, buffer).ok());
  EXPECT_TRUE(buffer.empty());
}

TEST(ReadFileInto, RefusesDirectoriesAndMissingFiles) {
  TempDir tmp;
  std::vector<uint8_t> buffer;
  Status dir = ReadFileInto(tmp.path(), 100, buffer);
  ASSERT_FALSE(dir.ok());
  EXPECT_EQ(dir.error().code, ErrorCode::kIoError);
  Status missing = ReadFileInto(tmp / "nope", 100, buffer);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

std::span<const uint8_t> Bytes(const std::string& text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

TEST(WriteOutputFile, CreatesParentsReplacesOnlyWhenAskedAndLeavesNoTemporaryFiles) {
  TempDir tmp;
  const std::string first = "first", second = "second", third = "third";
  const fs::path target = tmp / "a/b/c.jpg";
  ASSERT_TRUE(WriteOutputFile(tmp / "a", "b/c.jpg", Bytes(first), false).ok());
  Status refused = WriteOutputFile(tmp / "a", "b/c.jpg", Bytes(second), false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kIoError);
  EXPECT_NE(refused.error().message.find("already exists"), std::string::npos);
  EXPECT_EQ(ReadAll(target), "first");
  ASSERT_TRUE(WriteOutputFile(tmp / "a", "b/c.jpg", Bytes(third), true).ok());
  EXPECT_EQ(ReadAll(target), "third");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp / "a/b")) {
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(WorstExitCode, ZeroWhenNothingFailedElseTheHighestCode) {
  EXPECT_EQ(WorstExitCode({}), 0);
  std::vector<FileFailure> failures = {{"a", MakeError(ErrorCode::kCorruptImage, "x")}};
  EXPECT_EQ(WorstExitCode(failures), 1);
  failures.push_back({"b", MakeError(ErrorCode::kIoError, "y")});
  EXPECT_EQ(WorstExitCode(failures), 3);
  failures.push_back({"c", MakeError(ErrorCode::kEmptyInput, "z")});
  EXPECT_EQ(WorstExitCode(failures), 3);
}

TEST(FormatFailure, IsPathColonReason) {
  EXPECT_EQ(FormatFailure({"dir/x.jpg", MakeError(ErrorCode::kEmptyInput, "file is empty")}),
            "dir/x.jpg: file is empty (empty_input)");
}

}  // namespace
}  // namespace imgpipe::cli
