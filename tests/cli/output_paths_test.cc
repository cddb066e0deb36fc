#include "cli/output_paths.h"

#include <gtest/gtest.h>

#include "cli/temp_dir.h"

namespace imgpipe::cli {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(OutputPathFor, KeepsRelativePathAndChangesExtension) {
  EXPECT_EQ(OutputPathFor("out", "a/b/photo.png", OutputFormat::kJpeg),
            fs::path("out/a/b/photo.jpg"));
  EXPECT_EQ(OutputPathFor("out", "photo.JPEG", OutputFormat::kPng), fs::path("out/photo.png"));
  EXPECT_EQ(OutputPathFor("out", "photo.jpg", OutputFormat::kWebp), fs::path("out/photo.webp"));
  EXPECT_EQ(OutputPathFor("out", "photo.jpg", OutputFormat::kJpeg), fs::path("out/photo.jpg"));
}

TEST(OutputPathFor, HandlesNamesWithoutOrWithSeveralDots) {
  EXPECT_EQ(OutputPathFor("o", "noext", OutputFormat::kJpeg), fs::path("o/noext.jpg"));
  EXPECT_EQ(OutputPathFor("o", "archive.tar.gif", OutputFormat::kPng),
            fs::path("o/archive.tar.png"));
  EXPECT_EQ(OutputPathFor("o", "d.ir/file", OutputFormat::kJpeg), fs::path("o/d.ir/file.jpg"));
}

InputFile Input(const fs::path& path, const fs::path& relative) {
  return {path, relative, path.string()};
}

TEST(PlanOutputs, MapsEveryInputWhenNothingCollides) {
  TempDir tmp;
  auto a = tmp.Write("in/a.png", "a");
  auto b = tmp.Write("in/sub/b.gif", "b");
  Plan plan =
      PlanOutputs({Input(a, "a.png"), Input(b, "sub/b.gif")}, tmp / "out", OutputFormat::kJpeg);
  EXPECT_TRUE(plan.failures.empty());
  ASSERT_EQ(plan.files.size(), 2u);
  EXPECT_EQ(plan.files[0].output_relative, fs::path("a.jpg"));
  EXPECT_EQ(plan.files[1].output_relative, fs::path("sub/b.jpg"));
}

TEST(PlanOutputs, SecondInputMappingToTheSameOutputFails) {
  TempDir tmp;
  auto jpg = tmp.Write("in/photo.jpg", "1");
  auto png = tmp.Write("in/photo.png", "2");
  Plan plan = PlanOutputs({Input(jpg, "photo.jpg"), Input(png, "photo.png")}, tmp / "out",
                          OutputFormat::kJpeg);
  ASSERT_EQ(plan.files.size(), 1u);
  EXPECT_EQ(plan.files[0].input.path, jpg);
  ASSERT_EQ(plan.failures.size(), 1u);
  EXPECT_EQ(plan.failures[0].path, png.string());
  EXPECT_EQ(plan.failures[0].error.code, ErrorCode::kIoError);
  EXPECT_NE(plan.failures[0].error.message.find("already produced from " + jpg.string()),
            std::string::npos)
      << plan.failures[0].error.message;
}

TEST(PlanOutputs, TwoFileArgumentsWithTheSameBasenameCollide) {
  TempDir tmp;
  auto x = tmp.Write("x/photo.jpg", "1");
  auto y = tmp.Write("y/photo.jpg", "2");
  Plan plan =
      PlanOutputs({Input(x, "photo.jpg"), Input(y, "photo.jpg")}, tmp / "out", OutputFormat::kJpeg);
  EXPECT_EQ(plan.files.size(), 1u);
  ASSERT_EQ(plan.failures.size(), 1u);
  EXPECT_EQ(plan.failures[0].path, y.string());
}

TEST(PlanOutputs, CollisionIsFoundAcrossDifferentSpellingsOfOutdir) {
  TempDir tmp;
  auto a = tmp.Write("a.jpg", "1");
  auto b = tmp.Write("b/a.png", "2");
  // "out/./sub/../a.jpg" and "out/a.jpg" are the same file.
  Plan plan = PlanOutputs({Input(a, "a.jpg"), Input(b, "sub/../a.png")}, tmp / "out/.",
                          OutputFormat::kJpeg);
  EXPECT_EQ(plan.files.size(), 1u);
  EXPECT_EQ(plan.failures.size(), 1u);
}

TEST(PlanOutputs, SameFileGivenTwiceSaysSo) {
  TempDir tmp;
  auto a = tmp.Write("in/a.jpg", "1");
  Plan plan = PlanOutputs({Input(a, "a.jpg"), Input(tmp / "in/../in/a.jpg", "a.jpg")}, tmp / "out",
                          OutputFormat::kJpeg);
  ASSERT_EQ(plan.failures.size(), 1u);
  EXPECT_NE(plan.failures[0].error.message.find("given twice"), std::string::npos);
}

TEST(PlanOutputs, NeverOverwritesAnInputWhenOutdirIsTheInputDirectory) {
  TempDir tmp;
  auto a = tmp.Write("photos/a.jpg", "original");
  auto b = tmp.Write("photos/b.png", "png");
  Plan plan =
      PlanOutputs({Input(a, "a.jpg"), Input(b, "b.png")}, tmp / "photos", OutputFormat::kJpeg);
  // a.jpg -> photos/a.jpg is the input itself; b.png -> photos/b.jpg is a new file.
  ASSERT_EQ(plan.failures.size(), 1u);
  EXPECT_EQ(plan.failures[0].path, a.string());
  EXPECT_NE(plan.failures[0].error.message.find("is an input file"), std::string::npos);
  ASSERT_EQ(plan.files.size(), 1u);
  EXPECT_EQ(plan.files[0].output_relative, fs::path("b.jpg"));
}

TEST(PlanOutputs, NeverOverwritesAnInputReachedThroughALink) {
  TempDir tmp;
  auto a = tmp.Write("src/a.png", "original");
  auto c = tmp.Write("src/c.png", "other");
  fs::create_directories(tmp / "out");
  fs::create_symlink(a, tmp / "out/a.jpg");    // out/a.jpg is input a via a symlink
  fs::create_hard_link(c, tmp / "out/c.jpg");  // out/c.jpg is input c via a hard link
  Plan plan = PlanOutputs({Input(a, "a.png"), Input(c, "c.png")}, tmp / "out", OutputFormat::kJpeg);
  EXPECT_TRUE(plan.files.empty());
  EXPECT_EQ(plan.failures.size(), 2u);
}

TEST(PlanOutputs, AnExistingFileAtAnOutputPathIsRefusedUnlessOverwriting) {
  TempDir tmp;
  auto a = tmp.Write("src/a.png", "new");
  tmp.Write("out/a.jpg", "previous run, or the user's own file");
  fs::create_symlink(tmp / "nowhere", tmp / "out/b.jpg");  // a dangling symlink exists too
  auto b = tmp.Write("src/b.png", "new");
  Plan plan = PlanOutputs({Input(a, "a.png"), Input(b, "b.png")}, tmp / "out", OutputFormat::kJpeg);
  EXPECT_TRUE(plan.files.empty());
  ASSERT_EQ(plan.failures.size(), 2u);
  EXPECT_NE(plan.failures[0].error.message.find("already exists"), std::string::npos);
  EXPECT_NE(plan.failures[0].error.message.find("--overwrite"), std::string::npos);

  Plan overwriting =
      PlanOutputs({Input(a, "a.png"), Input(b, "b.png")}, tmp / "out", OutputFormat::kJpeg, true);
  EXPECT_TRUE(overwriting.failures.empty());
  EXPECT_EQ(overwriting.files.size(), 2u);
}

TEST(PlanOutputs, OverwriteNeverAllowsReplacingAnInput) {
  TempDir tmp;
  auto a = tmp.Write("photos/a.jpg", "original");
  Plan plan = PlanOutputs({Input(a, "a.jpg")}, tmp / "photos", OutputFormat::kJpeg, true);
  EXPECT_TRUE(plan.files.empty());
  ASSERT_EQ(plan.failures.size(), 1u);
  EXPECT_NE(plan.failures[0].error.message.find("is an input file"), std::string::npos);
}

}  // namespace
}  // namespace imgpipe::cli
