// EXIF orientation. Each orientation is written as "output pixel (x, y) comes from stored
// pixel (sx, sy)", which makes the eight cases one table and one copy loop.
#include "orient.h"

#include <cstring>
#include <utility>

namespace imgpipe::core {
namespace {

// Source coordinate = origin + x * step_x + y * step_y, in units of pixels, with the steps
// precomputed per orientation so the inner loop is a strided copy without branches.
struct Walk {
  ptrdiff_t origin;  // stored pixel index that lands at output (0, 0)
  ptrdiff_t step_x;  // stored index delta for output x + 1
  ptrdiff_t step_y;  // stored index delta for output y + 1
};

Walk WalkFor(int orientation, ptrdiff_t w, ptrdiff_t h) {
  switch (orientation) {
    case 2:  // mirror horizontal: out(x, y) = in(w-1-x, y)
      return {w - 1, -1, w};
    case 3:  // rotate 180: out(x, y) = in(w-1-x, h-1-y)
      return {(h - 1) * w + (w - 1), -1, -w};
    case 4:  // mirror vertical: out(x, y) = in(x, h-1-y)
      return {(h - 1) * w, 1, -w};
    case 5:  // transpose: out(x, y) = in(y, x)
      return {0, w, 1};
    case 6:  // rotate 90 CW: out(x, y) = in(y, h-1-x)
      return {(h - 1) * w, -w, 1};
    case 7:  // transverse: out(x, y) = in(w-1-y, h-1-x)
      return {(h - 1) * w + (w - 1), -w, -1};
    case 8:  // rotate 270 CW: out(x, y) = in(w-1-y, x)
      return {w - 1, w, -1};
    default:
      return {0, 1, w};
  }
}

// One instantiation per channel count so the per-pixel copy is a fixed-size move.
template <int kChannels>
void Copy(const uint8_t* in, uint8_t* out, uint32_t out_w, uint32_t out_h, const Walk& walk) {
  for (uint32_t y = 0; y < out_h; ++y) {
    ptrdiff_t src = walk.origin + static_cast<ptrdiff_t>(y) * walk.step_y;
    uint8_t* dst = out + static_cast<size_t>(y) * out_w * kChannels;
    for (uint32_t x = 0; x < out_w; ++x) {
      std::memcpy(dst, in + src * kChannels, kChannels);
      dst += kChannels;
      src += walk.step_x;
    }
  }
}

}  // namespace

bool SwapsAxes(int orientation) { return orientation >= 5 && orientation <= 8; }

Image ApplyOrientation(Image image, int orientation) {
  if (orientation < 2 || orientation > 8) {
    return image;
  }
  if (image.width == 0 || image.height == 0 || image.channels < 1 || image.channels > 4 ||
      image.pixels.size() < image.stride() * image.height) {
    return image;  // nothing sane to move; callers only pass decoder output
  }
  Image out;
  out.channels = image.channels;
  out.width = SwapsAxes(orientation) ? image.height : image.width;
  out.height = SwapsAxes(orientation) ? image.width : image.height;
  out.pixels.resize(out.stride() * out.height);
  const Walk walk = WalkFor(orientation, image.width, image.height);
  const uint8_t* in = image.pixels.data();
  switch (image.channels) {
    case 1:
      Copy<1>(in, out.pixels.data(), out.width, out.height, walk);
      break;
    case 2:
      Copy<2>(in, out.pixels.data(), out.width, out.height, walk);
      break;
    case 3:
      Copy<3>(in, out.pixels.data(), out.width, out.height, walk);
      break;
    default:
      Copy<4>(in, out.pixels.data(), out.width, out.height, walk);
      break;
  }
  return out;
}

}  // namespace imgpipe::core
