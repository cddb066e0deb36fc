// Pure geometry: where the source lands in the output for each fit mode. No pixels here.
#pragma once

#include <cstdint>

#include "imgpipe/options.h"

namespace imgpipe::core {

struct ResizePlan {
  // The source (already upright) is resampled to scaled_width x scaled_height ...
  uint32_t scaled_width = 0;
  uint32_t scaled_height = 0;
  // ... then the crop window [crop_x, crop_x+crop_width) x [crop_y, ...) is kept (cover) ...
  uint32_t crop_x = 0;
  uint32_t crop_y = 0;
  uint32_t crop_width = 0;
  uint32_t crop_height = 0;
  // ... and placed at (pad_x, pad_y) on a canvas_width x canvas_height canvas (contain).
  uint32_t canvas_width = 0;
  uint32_t canvas_height = 0;
  uint32_t pad_x = 0;
  uint32_t pad_y = 0;
};

// No axis ever reaches 0. `without_enlargement` caps the scale at 1.
ResizePlan PlanResize(uint32_t source_width, uint32_t source_height, const Options& options);

}  // namespace imgpipe::core
