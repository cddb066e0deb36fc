// Geometry of the four fit modes, in integers only: aspect ratios are compared by
// cross-multiplying in 64 bits, and a scaled side is rounded half up, then clamped to >= 1 so
// that a 1x10000 strip never collapses to a zero-width image.
#include "resize_geometry.h"

#include <algorithm>

namespace imgpipe::core {
namespace {

// A scaled side can exceed the target a lot under `cover` (1x10000 covering 256x256 scales the
// long side to 2.56 M). Only the crop window is ever resampled, but the plan must still fit
// in uint32; past this cap the aspect ratio is bent slightly, which cannot be seen after the
// centre crop.
constexpr uint64_t kMaxScaledSide = 1u << 30;

// round(value * numerator / denominator), half up, clamped to [1, kMaxScaledSide].
uint32_t ScaleSide(uint64_t value, uint64_t numerator, uint64_t denominator) {
  // value, numerator < 2^32, so 2 * value * numerator < 2^65 could overflow: divide first when
  // the product would not fit (only reachable with absurd inputs, where exactness is moot).
  uint64_t scaled;
  if (value > 0 && numerator > (UINT64_MAX / 2) / value) {
    scaled = value / denominator * numerator;
  } else {
    scaled = (2 * value * numerator + denominator) / (2 * denominator);
  }
  return static_cast<uint32_t>(std::clamp<uint64_t>(scaled, 1, kMaxScaledSide));
}

struct Scaled {
  uint32_t width;
  uint32_t height;
};

// Fits the source inside (box_w, box_h) keeping aspect: one side matches the box exactly.
Scaled FitInside(uint32_t sw, uint32_t sh, uint32_t box_w, uint32_t box_h) {
  // sw / sh >= box_w / box_h  <=>  the width is the limiting side.
  if (static_cast<uint64_t>(sw) * box_h >= static_cast<uint64_t>(sh) * box_w) {
    return {box_w, std::min(box_h, ScaleSide(sh, box_w, sw))};
  }
  return {std::min(box_w, ScaleSide(sw, box_h, sh)), box_h};
}

// Scales the source to cover (box_w, box_h) keeping aspect: one side matches, the other is
// at least as long as the box.
Scaled FitCover(uint32_t sw, uint32_t sh, uint32_t box_w, uint32_t box_h) {
  if (static_cast<uint64_t>(sw) * box_h >= static_cast<uint64_t>(sh) * box_w) {
    return {std::max(box_w, ScaleSide(sw, box_h, sh)), box_h};
  }
  return {box_w, std::max(box_h, ScaleSide(sh, box_w, sw))};
}

// True when scaling (sw, sh) to (w, h) would enlarge it.
bool Enlarges(uint32_t sw, uint32_t sh, Scaled s) { return s.width > sw || s.height > sh; }

}  // namespace

ResizePlan PlanResize(uint32_t source_width, uint32_t source_height, const Options& options) {
  // A degenerate source is treated as 1 pixel so the plan itself never holds a zero.
  const uint32_t sw = std::max<uint32_t>(source_width, 1);
  const uint32_t sh = std::max<uint32_t>(source_height, 1);
  const uint32_t tw = std::max<uint32_t>(options.width, 1);
  const uint32_t th = std::max<uint32_t>(options.height, 1);
  const bool no_enlarge = options.without_enlargement;

  Scaled scaled{tw, th};
  switch (options.fit) {
    case Fit::kFill:
      // Each axis stands alone; without enlargement an axis that would grow keeps its size.
      scaled = no_enlarge ? Scaled{std::min(tw, sw), std::min(th, sh)} : Scaled{tw, th};
      break;
    case Fit::kCover:
      scaled = FitCover(sw, sh, tw, th);
      if (no_enlarge && Enlarges(sw, sh, scaled)) {
        scaled = {sw, sh};
      }
      break;
    case Fit::kContain:
    case Fit::kInside:
      scaled = FitInside(sw, sh, tw, th);
      if (no_enlarge && Enlarges(sw, sh, scaled)) {
        scaled = {sw, sh};
      }
      break;
  }

  ResizePlan plan;
  plan.scaled_width = scaled.width;
  plan.scaled_height = scaled.height;
  // Cover keeps the centred target-sized window (smaller when enlargement was refused);
  // every other mode keeps the whole scaled image.
  plan.crop_width = options.fit == Fit::kCover ? std::min(scaled.width, tw) : scaled.width;
  plan.crop_height = options.fit == Fit::kCover ? std::min(scaled.height, th) : scaled.height;
  plan.crop_x = (scaled.width - plan.crop_width) / 2;
  plan.crop_y = (scaled.height - plan.crop_height) / 2;
  // Contain always delivers exactly the target box, padding around the centred image.
  plan.canvas_width =
      options.fit == Fit::kContain ? std::max(tw, plan.crop_width) : plan.crop_width;
  plan.canvas_height =
      options.fit == Fit::kContain ? std::max(th, plan.crop_height) : plan.crop_height;
  plan.pad_x = (plan.canvas_width - plan.crop_width) / 2;
  plan.pad_y = (plan.canvas_height - plan.crop_height) / 2;
  return plan;
}

}  // namespace imgpipe::core
