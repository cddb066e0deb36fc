// The pipeline's "resize" step (kSteps in pipeline.cc): antialiased separable resampling
// (see resize.cc for the filter and why).
#pragma once

#include <cstdint>

#include "imgpipe/image.h"
#include "imgpipe/options.h"
#include "resize_geometry.h"

namespace imgpipe::core {

// Executes a ResizePlan: resample, crop, pad with `background` (its luma on gray images,
// opaque on images with alpha). A plan that keeps the source's size returns it unchanged; a
// source with no pixels (or more than 4 channels) gives an empty Image.
Image ApplyPlan(const Image& source, const ResizePlan& plan, Rgb background);

}  // namespace imgpipe::core
