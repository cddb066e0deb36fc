// The pipeline's "resize" step (kSteps in pipeline.cc): antialiased separable resampling
// (see resize.cc for the filter and why).
#pragma once

#include <cstdint>
#include <vector>

#include "imgpipe/image.h"
#include "imgpipe/options.h"
#include "resize_geometry.h"
#include "resize_kernel.h"

namespace imgpipe::core {

// Executes a ResizePlan: resample, crop, pad with `background` (its luma on gray images,
// opaque on images with alpha). A plan that keeps the source's size returns it unchanged; a
// source with no pixels (or more than 4 channels) gives an empty Image.
Image ApplyPlan(const Image& source, const ResizePlan& plan, Rgb background);

// Source rows pushed top to bottom are resampled to window.scaled_width x scaled_height, of
// which the crop window lands at (x, y) of `destination` (which has the source's channel count
// and room for the crop there); the window's canvas and padding fields are not used. Straight alpha
// is premultiplied for the filter and divided back, as ApplyPlan does. Memory is the resampler's
// ring of rows: a decoder can feed it scanline by scanline without ever holding its image.
class RegionResizer {
 public:
  RegionResizer(uint32_t in_width, uint32_t in_height, int channels, const ResizePlan& window,
                Image* destination, uint32_t x, uint32_t y);
  RegionResizer(const RegionResizer&) = delete;
  RegionResizer& operator=(const RegionResizer&) = delete;

  // `stable`: see RowResizer::PushRow.
  void PushRow(const uint8_t* row, bool stable = false);
  bool done() const { return resizer_.done(); }

 private:
  void Deliver(uint32_t y, const uint8_t* row);

  uint32_t in_width_;
  int channels_;
  bool alpha_;
  uint32_t crop_width_;
  Image* destination_;
  uint32_t x_;
  uint32_t y_;
  std::vector<uint8_t> premultiplied_;
  RowResizer resizer_;  // last: its sink calls Deliver, which reads the members above
};

}  // namespace imgpipe::core
