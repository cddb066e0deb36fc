// PlanResize: every fit mode at the corners (1x1, 1x10000, 10000x1, exact size, upscale),
// without_enlargement, and the invariant that no axis ever reaches 0.
#include "core/resize_geometry.h"

#include <gtest/gtest.h>

#include <random>

namespace imgpipe::core {
namespace {

Options Target(uint32_t width, uint32_t height, Fit fit, bool without_enlargement = false) {
  Options options;
  options.width = width;
  options.height = height;
  options.fit = fit;
  options.without_enlargement = without_enlargement;
  return options;
}

struct Expected {
  uint32_t scaled_w, scaled_h;
  uint32_t crop_x, crop_y, crop_w, crop_h;
  uint32_t canvas_w, canvas_h, pad_x, pad_y;
};

void ExpectPlan(const ResizePlan& p, const Expected& e) {
  EXPECT_EQ(p.scaled_width, e.scaled_w);
  EXPECT_EQ(p.scaled_height, e.scaled_h);
  EXPECT_EQ(p.crop_x, e.crop_x);
  EXPECT_EQ(p.crop_y, e.crop_y);
  EXPECT_EQ(p.crop_width, e.crop_w);
  EXPECT_EQ(p.crop_height, e.crop_h);
  EXPECT_EQ(p.canvas_width, e.canvas_w);
  EXPECT_EQ(p.canvas_height, e.canvas_h);
  EXPECT_EQ(p.pad_x, e.pad_x);
  EXPECT_EQ(p.pad_y, e.pad_y);
}

// The invariants every plan must satisfy, whatever the inputs.
void ExpectConsistent(const ResizePlan& p) {
  EXPECT_GE(p.scaled_width, 1u);
  EXPECT_GE(p.scaled_height, 1u);
  EXPECT_GE(p.crop_width, 1u);
  EXPECT_GE(p.crop_height, 1u);
  EXPECT_LE(p.crop_x + p.crop_width, p.scaled_width);
  EXPECT_LE(p.crop_y + p.crop_height, p.scaled_height);
  EXPECT_LE(p.pad_x + p.crop_width, p.canvas_width);
  EXPECT_LE(p.pad_y + p.crop_height, p.canvas_height);
}

TEST(PlanResizeTest, FillIgnoresAspect) {
  ExpectPlan(PlanResize(4000, 3000, Target(256, 256, Fit::kFill)),
             {256, 256, 0, 0, 256, 256, 256, 256, 0, 0});
}

TEST(PlanResizeTest, CoverScalesShortSideAndCropsCentre) {
  // 4000x3000 -> height matches 256, width 341.33 -> 341, crop (341-256)/2 = 42.
  ExpectPlan(PlanResize(4000, 3000, Target(256, 256, Fit::kCover)),
             {341, 256, 42, 0, 256, 256, 256, 256, 0, 0});
  // Portrait.
  ExpectPlan(PlanResize(3000, 4000, Target(256, 256, Fit::kCover)),
             {256, 341, 0, 42, 256, 256, 256, 256, 0, 0});
}

TEST(PlanResizeTest, ContainFitsAndPadsCentre) {
  // 4000x3000 -> 256x192, padded by 32 top and bottom.
  ExpectPlan(PlanResize(4000, 3000, Target(256, 256, Fit::kContain)),
             {256, 192, 0, 0, 256, 192, 256, 256, 0, 32});
  ExpectPlan(PlanResize(3000, 4000, Target(256, 256, Fit::kContain)),
             {192, 256, 0, 0, 192, 256, 256, 256, 32, 0});
}

TEST(PlanResizeTest, InsideFitsWithoutPadding) {
  ExpectPlan(PlanResize(4000, 3000, Target(256, 256, Fit::kInside)),
             {256, 192, 0, 0, 256, 192, 256, 192, 0, 0});
}

TEST(PlanResizeTest, OneByOneUpscalesInEveryMode) {
  for (Fit fit : {Fit::kFill, Fit::kCover, Fit::kContain, Fit::kInside}) {
    ExpectPlan(PlanResize(1, 1, Target(256, 256, fit)), {256, 256, 0, 0, 256, 256, 256, 256, 0, 0});
  }
  // Non-square target: inside/contain keep 1:1 aspect, cover crops.
  ExpectPlan(PlanResize(1, 1, Target(300, 200, Fit::kInside)),
             {200, 200, 0, 0, 200, 200, 200, 200, 0, 0});
  ExpectPlan(PlanResize(1, 1, Target(300, 200, Fit::kContain)),
             {200, 200, 0, 0, 200, 200, 300, 200, 50, 0});
  ExpectPlan(PlanResize(1, 1, Target(300, 200, Fit::kCover)),
             {300, 300, 0, 50, 300, 200, 300, 200, 0, 0});
}

TEST(PlanResizeTest, ThinStripNeverCollapsesToZero) {
  // 1x10000 inside 256x256 is 0.0256 x 256: the width rounds to 0 and must be clamped to 1.
  ExpectPlan(PlanResize(1, 10000, Target(256, 256, Fit::kInside)),
             {1, 256, 0, 0, 1, 256, 1, 256, 0, 0});
  ExpectPlan(PlanResize(10000, 1, Target(256, 256, Fit::kInside)),
             {256, 1, 0, 0, 256, 1, 256, 1, 0, 0});
  ExpectPlan(PlanResize(1, 10000, Target(256, 256, Fit::kContain)),
             {1, 256, 0, 0, 1, 256, 256, 256, 127, 0});
  ExpectPlan(PlanResize(1, 10000, Target(256, 256, Fit::kFill)),
             {256, 256, 0, 0, 256, 256, 256, 256, 0, 0});
  // Cover scales the strip to 256 x 2,560,000 and keeps the centre 256x256 (only the window
  // is ever resampled).
  ExpectPlan(PlanResize(1, 10000, Target(256, 256, Fit::kCover)),
             {256, 2560000, 0, 1279872, 256, 256, 256, 256, 0, 0});
}

TEST(PlanResizeTest, HalvingAOnePixelRowKeepsOneRow) {
  // libvips' corner case: 100x1 at 0.5 must give 50x1.
  ExpectPlan(PlanResize(100, 1, Target(50, 50, Fit::kInside)), {50, 1, 0, 0, 50, 1, 50, 1, 0, 0});
}

TEST(PlanResizeTest, ExactSizeIsIdentityInEveryMode) {
  for (Fit fit : {Fit::kFill, Fit::kCover, Fit::kContain, Fit::kInside}) {
    for (bool no_enlarge : {false, true}) {
      ExpectPlan(PlanResize(256, 256, Target(256, 256, fit, no_enlarge)),
                 {256, 256, 0, 0, 256, 256, 256, 256, 0, 0});
    }
  }
}

TEST(PlanResizeTest, WithoutEnlargementKeepsSmallImages) {
  ExpectPlan(PlanResize(100, 50, Target(256, 256, Fit::kInside, true)),
             {100, 50, 0, 0, 100, 50, 100, 50, 0, 0});
  // Contain still delivers the full box, with the unscaled image centred.
  ExpectPlan(PlanResize(100, 50, Target(256, 256, Fit::kContain, true)),
             {100, 50, 0, 0, 100, 50, 256, 256, 78, 103});
  // Cover: no upscale; the image is cropped to the box where it is larger than it.
  ExpectPlan(PlanResize(300, 50, Target(256, 256, Fit::kCover, true)),
             {300, 50, 22, 0, 256, 50, 256, 50, 0, 0});
  // Fill: each axis on its own; the wide axis shrinks, the short one is kept.
  ExpectPlan(PlanResize(300, 50, Target(256, 256, Fit::kFill, true)),
             {256, 50, 0, 0, 256, 50, 256, 50, 0, 0});
}

TEST(PlanResizeTest, WithoutEnlargementStillShrinks) {
  for (Fit fit : {Fit::kFill, Fit::kCover, Fit::kContain, Fit::kInside}) {
    const ResizePlan with = PlanResize(4000, 3000, Target(256, 256, fit, true));
    const ResizePlan without = PlanResize(4000, 3000, Target(256, 256, fit, false));
    EXPECT_EQ(with.scaled_width, without.scaled_width) << FitName(fit);
    EXPECT_EQ(with.scaled_height, without.scaled_height) << FitName(fit);
    EXPECT_EQ(with.canvas_width, without.canvas_width) << FitName(fit);
  }
}

TEST(PlanResizeTest, Upscale) {
  ExpectPlan(PlanResize(64, 48, Target(256, 256, Fit::kInside)),
             {256, 192, 0, 0, 256, 192, 256, 192, 0, 0});
  ExpectPlan(PlanResize(64, 48, Target(256, 256, Fit::kFill)),
             {256, 256, 0, 0, 256, 256, 256, 256, 0, 0});
}

TEST(PlanResizeTest, RandomSizesAreAlwaysConsistent) {
  std::mt19937 rng(2024);
  auto side = [&rng] {
    // Mostly small, sometimes extreme.
    return (rng() % 4 == 0) ? 1 + rng() % 100000 : 1 + rng() % 64;
  };
  for (int i = 0; i < 3000; ++i) {
    const uint32_t sw = side(), sh = side();
    const uint32_t tw = 1 + rng() % kMaxTargetSide, th = 1 + rng() % 300;
    const Fit fit = static_cast<Fit>(rng() % 4);
    const bool no_enlarge = rng() % 2;
    const ResizePlan p = PlanResize(sw, sh, Target(tw, th, fit, no_enlarge));
    SCOPED_TRACE(testing::Message() << sw << "x" << sh << " -> " << tw << "x" << th << " "
                                    << FitName(fit) << (no_enlarge ? " no-enlarge" : ""));
    ExpectConsistent(p);
    if (fit == Fit::kFill && !no_enlarge) {
      EXPECT_EQ(p.canvas_width, tw);
      EXPECT_EQ(p.canvas_height, th);
    }
    if (!no_enlarge && (fit == Fit::kCover || fit == Fit::kContain)) {
      EXPECT_EQ(p.canvas_width, tw);
      EXPECT_EQ(p.canvas_height, th);
    }
    if (fit == Fit::kInside) {
      EXPECT_LE(p.canvas_width, tw);
      EXPECT_LE(p.canvas_height, th);
    }
    if (no_enlarge) {
      EXPECT_LE(p.scaled_width, std::max(sw, 1u));
      EXPECT_LE(p.scaled_height, std::max(sh, 1u));
    }
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(PlanResizeTest, ZeroSourceIsTreatedAsOnePixel) {
  ExpectConsistent(PlanResize(0, 0, Target(256, 256, Fit::kInside)));
  ExpectConsistent(PlanResize(0, 100, Target(256, 256, Fit::kCover)));
}

}  // namespace
}  // namespace imgpipe::core
