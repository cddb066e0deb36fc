// Shrink on load for codecs without a reduced-scale decode of their own, and for frames that
// cover only part of their canvas (a GIF's logical screen, an animated WebP's canvas): the
// canvas is scaled to the size the pipeline asked for, and the frame to its share of it. A
// 35-byte GIF that claims a 10000x10000 screen around a 1x1 frame then costs a thumbnail-sized
// canvas, not 400 MB; memory follows what is drawn, not what the header claims.
#pragma once

#include <cstdint>

#include "decode.h"

namespace imgpipe::core {

// The smallest size that keeps the aspect ratio of width x height and is still at least
// request.min_width x request.min_height; the full size when the request asks for that much
// (or for "full size", 0).
void ScaledSize(uint32_t width, uint32_t height, const DecodeRequest& request, uint32_t* out_width,
                uint32_t* out_height);

// Where a frame lands on the scaled canvas. The frame's region is rounded outwards and is
// never empty, so a one-pixel frame still draws at least one pixel.
struct FramePlacement {
  uint32_t canvas_width = 0;
  uint32_t canvas_height = 0;
  uint32_t x = 0;
  uint32_t y = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  bool scaled = false;  // the canvas is smaller than the header's
};

// The frame [x, x + width) x [y, y + height) must lie inside canvas_width x canvas_height.
FramePlacement PlaceFrame(uint32_t canvas_width, uint32_t canvas_height, uint32_t x, uint32_t y,
                          uint32_t width, uint32_t height, const DecodeRequest& request);

}  // namespace imgpipe::core
