#include "cli/discover.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>

#include "cli/temp_dir.h"

namespace imgpipe::cli {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::vector<std::string> Relatives(const Discovery& d) {
  std::vector<std::string> out;
  for (const auto& f : d.files) {
    out.push_back(f.relative.generic_string());
  }
  return out;
}

TEST(DiscoverInputs, WalksDirectoriesRecursivelyInSortedOrder) {
  TempDir tmp;
  // Created out of order: the result must not depend on readdir order.
  tmp.Write("in/z.jpg", "z");
  tmp.Write("in/b/2.png", "2");
  tmp.Write("in/a.jpg", "a");
  tmp.Write("in/b/1.png", "1");
  tmp.Write("in/b/c/deep.gif", "d");
  Discovery d = DiscoverInputs({(tmp / "in").string()});
  EXPECT_TRUE(d.failures.empty());
  EXPECT_EQ(Relatives(d),
            (std::vector<std::string>{"a.jpg", "b/1.png", "b/2.png", "b/c/deep.gif", "z.jpg"}));
  EXPECT_EQ(d.files[1].path, tmp / "in" / "b/1.png");
  EXPECT_EQ(d.files[1].display, (tmp / "in" / "b/1.png").string());
}

TEST(DiscoverInputs, SameTreeGivesSameOrderEveryTime) {
  TempDir tmp;
  for (int i = 0; i < 40; ++i) {
    tmp.Write(std::string("in/f").append(std::to_string((i * 17) % 40)).append(".jpg"), "x");
  }
  const auto first = Relatives(DiscoverInputs({(tmp / "in").string()}));
  EXPECT_EQ(first.size(), 40u);
  EXPECT_TRUE(std::is_sorted(first.begin(), first.end()));
  EXPECT_EQ(first, Relatives(DiscoverInputs({(tmp / "in").string()})));
}

TEST(DiscoverInputs, PlainFileArgumentMapsToItsBasename) {
  TempDir tmp;
  tmp.Write("deep/dir/photo.jpg", "x");
  const std::string arg = (tmp / "deep/dir/photo.jpg").string();
  Discovery d = DiscoverInputs({arg});
  ASSERT_EQ(d.files.size(), 1u);
  EXPECT_EQ(d.files[0].relative, fs::path("photo.jpg"));
  EXPECT_EQ(d.files[0].display, arg);
}

TEST(DiscoverInputs, KeepsArgumentOrder) {
  TempDir tmp;
  tmp.Write("b.jpg", "b");
  tmp.Write("a.jpg", "a");
  Discovery d = DiscoverInputs({(tmp / "b.jpg").string(), (tmp / "a.jpg").string()});
  EXPECT_EQ(Relatives(d), (std::vector<std::string>{"b.jpg", "a.jpg"}));
}

TEST(DiscoverInputs, IgnoresNonRegularFilesHiddenEntriesAndSymlinkedDirectories) {
  TempDir tmp;
  tmp.Write("in/ok.jpg", "x");
  tmp.Write("in/.hidden.jpg", "x");
  tmp.Write("in/.git/objects.jpg", "x");
  tmp.Write("elsewhere/outside.jpg", "x");
  ASSERT_EQ(::mkfifo((tmp / "in/pipe.jpg").c_str(), 0600), 0);
  fs::create_directory_symlink(tmp / "in", tmp / "in/loop");  // would recurse forever
  fs::create_directory_symlink(tmp / "elsewhere", tmp / "in/linked_dir");
  fs::create_symlink(tmp / "elsewhere/outside.jpg", tmp / "in/linked_file.jpg");
  fs::create_symlink(tmp / "missing.jpg", tmp / "in/dangling.jpg");
  Discovery d = DiscoverInputs({(tmp / "in").string()});
  EXPECT_TRUE(d.failures.empty());
  // A symlink to a regular file is read like the file; everything else is skipped.
  EXPECT_EQ(Relatives(d), (std::vector<std::string>{"linked_file.jpg", "ok.jpg"}));
  // Only the dangling symlink is worth a line: the others are skipped by design.
  ASSERT_EQ(d.skipped.size(), 1u);
  EXPECT_EQ(d.skipped[0].path, (tmp / "in/dangling.jpg").string());
  EXPECT_EQ(d.skipped[0].reason, "dangling symlink to " + (tmp / "missing.jpg").string() +
                                     " (its target does not exist)");
}

TEST(DiscoverInputs, MissingArgumentIsAFailureAndTheRestContinue) {
  TempDir tmp;
  tmp.Write("a.jpg", "x");
  const std::string missing = (tmp / "nope.jpg").string();
  Discovery d = DiscoverInputs({missing, (tmp / "a.jpg").string()});
  ASSERT_EQ(d.failures.size(), 1u);
  EXPECT_EQ(d.failures[0].path, missing);
  EXPECT_EQ(d.failures[0].error.code, ErrorCode::kNotFound);
  EXPECT_EQ(d.files.size(), 1u);
}

TEST(DiscoverInputs, ExplicitFifoArgumentIsAFailure) {
  TempDir tmp;
  ASSERT_EQ(::mkfifo((tmp / "pipe").c_str(), 0600), 0);
  Discovery d = DiscoverInputs({(tmp / "pipe").string()});
  EXPECT_TRUE(d.files.empty());
  ASSERT_EQ(d.failures.size(), 1u);
  EXPECT_EQ(d.failures[0].error.code, ErrorCode::kIoError);
  EXPECT_NE(d.failures[0].error.message.find("not a regular file"), std::string::npos);
}

TEST(DiscoverInputs, SkipsTheOutputDirectoryInsideAnInputDirectory) {
  TempDir tmp;
  tmp.Write("photos/a.jpg", "x");
  tmp.Write("photos/out/a.jpg", "previous output");
  // Spelled differently from the walk (with a "./" component) to show identity is by inode.
  Discovery d = DiscoverInputs({(tmp / "photos").string()}, tmp / "photos/./out");
  EXPECT_EQ(Relatives(d), (std::vector<std::string>{"a.jpg"}));
}

}  // namespace
}  // namespace imgpipe::cli
