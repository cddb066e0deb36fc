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

// One JPEG output per input with no prefix: the naming without --variants.
OutputNaming Jpeg() {
  static const std::vector<Variant> kOne = ImplicitVariants(Options{});
  return OutputNaming{kOne, false};
}

TEST(PlanOutputs, MapsEveryInputWhenNothingCollides) {
  TempDir tmp;
  auto a = tmp.Write("in/a.png", "a");
  auto b = tmp.Write("in/sub/b.gif", "b");
  Plan plan = PlanOutputs({Input(a, "a.png"), Input(b, "sub/b.gif")}, tmp / "out", Jpeg());
  EXPECT_TRUE(plan.failures.empty());
  ASSERT_EQ(plan.files.size(), 2u);
  EXPECT_EQ(plan.files[0].outputs_relative.at(0), fs::path("a.jpg"));
  EXPECT_EQ(plan.files[1].outputs_relative.at(0), fs::path("sub/b.jpg"));
}

TEST(PlanOutputs, SecondInputMappingToTheSameOutputFails) {
  TempDir tmp;
  auto jpg = tmp.Write("in/photo.jpg", "1");
  auto png = tmp.Write("in/photo.png", "2");
  Plan plan = PlanOutputs({Input(jpg, "photo.jpg"), Input(png, "photo.png")}, tmp / "out", Jpeg());
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
  Plan plan = PlanOutputs({Input(x, "photo.jpg"), Input(y, "photo.jpg")}, tmp / "out", Jpeg());
  EXPECT_EQ(plan.files.size(), 1u);
  ASSERT_EQ(plan.failures.size(), 1u);
  EXPECT_EQ(plan.failures[0].path, y.string());
}

TEST(PlanOutputs, CollisionIsFoundAcrossDifferentSpellingsOfOutdir) {
  TempDir tmp;
  auto a = tmp.Write("a.jpg", "1");
  auto b = tmp.Write("b/a.png", "2");
  // "out/./sub/../a.jpg" and "out/a.jpg" are the same file.
  Plan plan = PlanOutputs({Input(a, "a.jpg"), Input(b, "sub/../a.png")}, tmp / "out/.", Jpeg());
  EXPECT_EQ(plan.files.size(), 1u);
  EXPECT_EQ(plan.failures.size(), 1u);
}

TEST(PlanOutputs, SameFileGivenTwiceSaysSo) {
  TempDir tmp;
  auto a = tmp.Write("in/a.jpg", "1");
  Plan plan =
      PlanOutputs({Input(a, "a.jpg"), Input(tmp / "in/../in/a.jpg", "a.jpg")}, tmp / "out", Jpeg());
  ASSERT_EQ(plan.failures.size(), 1u);
  EXPECT_NE(plan.failures[0].error.message.find("given twice"), std::string::npos);
}

TEST(PlanOutputs, NeverOverwritesAnInputWhenOutdirIsTheInputDirectory) {
  TempDir tmp;
  auto a = tmp.Write("photos/a.jpg", "original");
  auto b = tmp.Write("photos/b.png", "png");
  Plan plan = PlanOutputs({Input(a, "a.jpg"), Input(b, "b.png")}, tmp / "photos", Jpeg());
  // a.jpg -> photos/a.jpg is the input itself; b.png -> photos/b.jpg is a new file.
  ASSERT_EQ(plan.failures.size(), 1u);
  EXPECT_EQ(plan.failures[0].path, a.string());
  EXPECT_NE(plan.failures[0].error.message.find("is an input file"), std::string::npos);
  ASSERT_EQ(plan.files.size(), 1u);
  EXPECT_EQ(plan.files[0].outputs_relative.at(0), fs::path("b.jpg"));
}

TEST(PlanOutputs, NeverOverwritesAnInputReachedThroughALink) {
  TempDir tmp;
  auto a = tmp.Write("src/a.png", "original");
  auto c = tmp.Write("src/c.png", "other");
  fs::create_directories(tmp / "out");
  fs::create_symlink(a, tmp / "out/a.jpg");    // out/a.jpg is input a via a symlink
  fs::create_hard_link(c, tmp / "out/c.jpg");  // out/c.jpg is input c via a hard link
  Plan plan = PlanOutputs({Input(a, "a.png"), Input(c, "c.png")}, tmp / "out", Jpeg());
  EXPECT_TRUE(plan.files.empty());
  EXPECT_EQ(plan.failures.size(), 2u);
}

TEST(PlanOutputs, AnExistingFileAtAnOutputPathIsRefusedUnlessOverwriting) {
  TempDir tmp;
  auto a = tmp.Write("src/a.png", "new");
  tmp.Write("out/a.jpg", "previous run, or the user's own file");
  fs::create_symlink(tmp / "nowhere", tmp / "out/b.jpg");  // a dangling symlink exists too
  auto b = tmp.Write("src/b.png", "new");
  Plan plan = PlanOutputs({Input(a, "a.png"), Input(b, "b.png")}, tmp / "out", Jpeg());
  EXPECT_TRUE(plan.files.empty());
  ASSERT_EQ(plan.failures.size(), 2u);
  EXPECT_NE(plan.failures[0].error.message.find("already exists"), std::string::npos);
  EXPECT_NE(plan.failures[0].error.message.find("--overwrite"), std::string::npos);

  Plan overwriting = PlanOutputs({Input(a, "a.png"), Input(b, "b.png")}, tmp / "out", Jpeg(), true);
  EXPECT_TRUE(overwriting.failures.empty());
  EXPECT_EQ(overwriting.files.size(), 2u);
}

TEST(PlanOutputs, OverwriteNeverAllowsReplacingAnInput) {
  TempDir tmp;
  auto a = tmp.Write("photos/a.jpg", "original");
  Plan plan = PlanOutputs({Input(a, "a.jpg")}, tmp / "photos", Jpeg(), true);
  EXPECT_TRUE(plan.files.empty());
  ASSERT_EQ(plan.failures.size(), 1u);
  EXPECT_NE(plan.failures[0].error.message.find("is an input file"), std::string::npos);
}

}  // namespace
}  // namespace imgpipe::cli

namespace imgpipe::cli {
namespace {

std::vector<Variant> TwoVariants() {
  auto parsed = ParseVariants(R"([{"name":"thumb","size":[8,8],"format":"webp"},
                                  {"name":"big","size":[64,64],"prefix":"large-"}])",
                              Options{});
  return parsed.ok() ? *parsed : std::vector<Variant>{};
}

TEST(VariantRelativePath, PrefixThenThePathWithTheVariantsExtension) {
  const auto variants = TwoVariants();
  ASSERT_EQ(variants.size(), 2u);
  EXPECT_EQ(VariantRelativePath("a/b.png", variants[0], false), fs::path("thumb/a/b.webp"));
  EXPECT_EQ(VariantRelativePath("a/b.png", variants[1], false), fs::path("large-a/b.jpg"));
  EXPECT_EQ(VariantRelativePath("a/b.png", variants[1], true), fs::path("large-a/b.png.jpg"));
}

TEST(OutputRelativePath, KeepExtensionAppends) {
  EXPECT_EQ(OutputRelativePath("a/photo.png", OutputFormat::kJpeg, true),
            fs::path("a/photo.png.jpg"));
  EXPECT_EQ(OutputRelativePath("noext", OutputFormat::kJpeg, true), fs::path("noext.jpg"));
}

TEST(PlanOutputs, OneOutputPerVariant) {
  TempDir tmp;
  auto a = tmp.Write("in/a.png", "1");
  const auto variants = TwoVariants();
  Plan plan = PlanOutputs({Input(a, "a.png")}, tmp / "out", OutputNaming{variants, false});
  ASSERT_EQ(plan.files.size(), 1u);
  EXPECT_EQ(plan.files[0].outputs_relative, (std::vector<fs::path>{"thumb/a.webp", "large-a.jpg"}));
}

TEST(PlanOutputs, KeepExtensionLetsPhotoJpgAndPhotoPngBothThrough) {
  TempDir tmp;
  auto jpg = tmp.Write("in/photo.jpg", "1");
  auto png = tmp.Write("in/photo.png", "2");
  const auto one = ImplicitVariants(Options{});
  Plan plan = PlanOutputs({Input(jpg, "photo.jpg"), Input(png, "photo.png")}, tmp / "out",
                          OutputNaming{one, true});
  ASSERT_EQ(plan.files.size(), 2u);
  EXPECT_TRUE(plan.failures.empty());
  EXPECT_EQ(plan.files[1].outputs_relative.at(0), fs::path("photo.png.jpg"));
}

TEST(PlanOutputs, AnInputRefusedForOneVariantClaimsNoneOfItsOutputs) {
  TempDir tmp;
  auto x = tmp.Write("in/x.png", "1");
  auto y = tmp.Write("in2/x.png", "2");
  tmp.Write("out/large-x.jpg", "someone's file");  // blocks x's second variant
  const auto variants = TwoVariants();
  // x fails on its second output; y, mapping to the same outputs, is then planned after all
  // only if x released thumb/x.webp: it fails on large-x.jpg too, but for existing, not for
  // "already produced from x".
  Plan plan = PlanOutputs({Input(x, "x.png"), Input(y, "x.png")}, tmp / "out",
                          OutputNaming{variants, false});
  ASSERT_EQ(plan.failures.size(), 2u);
  EXPECT_NE(plan.failures[1].error.message.find("exists"), std::string::npos)
      << plan.failures[1].error.message;
}

}  // namespace
}  // namespace imgpipe::cli
