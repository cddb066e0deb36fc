// Step 6: antialiased separable resampling (see resize.cc for the filter and why).
#pragma once

#include <cstdint>

#include "imgpipe/image.h"
#include "imgpipe/options.h"
#include "resize_geometry.h"

namespace imgpipe::core {

// Resamples any channel count to width x height. Exact-size input is returned unchanged.
Image Resize(const Image& source, uint32_t width, uint32_t height);

// Executes a ResizePlan: resample, crop, pad with `background` (its luma on gray images,
// opaque on images with alpha).
Image ApplyPlan(const Image& source, const ResizePlan& plan, Rgb background);

}  // namespace imgpipe::core
