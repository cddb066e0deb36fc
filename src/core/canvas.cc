// Geometry only: the pixels are drawn by each codec (gif_decode.cc, webp_decode.cc).
#include "canvas.h"

#include <algorithm>

namespace imgpipe::core {
namespace {

// [first, last) of a source span [start, start + size) on an axis scaled from full to scaled,
// rounded outwards and at least one sample wide.
void ScaleSpan(uint32_t start, uint32_t size, uint32_t full, uint32_t scaled, uint32_t* first,
               uint32_t* count) {
  const uint64_t lo = static_cast<uint64_t>(start) * scaled / full;
  const uint64_t hi = (static_cast<uint64_t>(start + size) * scaled + full - 1) / full;
  *first = static_cast<uint32_t>(std::min<uint64_t>(lo, scaled - 1));
  *count = static_cast<uint32_t>(std::clamp<uint64_t>(hi, *first + 1, scaled) - *first);
}

}  // namespace

void ScaledSize(uint32_t width, uint32_t height, const DecodeRequest& request, uint32_t* out_width,
                uint32_t* out_height) {
  *out_width = width;
  *out_height = height;
  if (request.min_width == 0 || request.min_height == 0) {
    return;
  }
  if (request.min_width >= width || request.min_height >= height) {
    return;
  }
  const uint64_t w = width, h = height, mw = request.min_width, mh = request.min_height;
  if (mw * h >= mh * w) {  // width is the binding side
    *out_width = static_cast<uint32_t>(mw);
    *out_height = static_cast<uint32_t>(std::min<uint64_t>(h, (h * mw + w - 1) / w));
  } else {
    *out_height = static_cast<uint32_t>(mh);
    *out_width = static_cast<uint32_t>(std::min<uint64_t>(w, (w * mh + h - 1) / h));
  }
}

FramePlacement PlaceFrame(uint32_t canvas_width, uint32_t canvas_height, uint32_t x, uint32_t y,
                          uint32_t width, uint32_t height, const DecodeRequest& request) {
  FramePlacement placement;
  ScaledSize(canvas_width, canvas_height, request, &placement.canvas_width,
             &placement.canvas_height);
  placement.scaled =
      placement.canvas_width != canvas_width || placement.canvas_height != canvas_height;
  ScaleSpan(x, width, canvas_width, placement.canvas_width, &placement.x, &placement.width);
  ScaleSpan(y, height, canvas_height, placement.canvas_height, &placement.y, &placement.height);
  return placement;
}

}  // namespace imgpipe::core
