#include "box_shrink.h"

#include <algorithm>
#include <vector>

namespace imgpipe::core {

Image BoxShrink(const Image& source, uint32_t factor) {
  if (factor <= 1 || factor > 8 || source.width == 0 || source.height == 0) {
    return source;
  }
  Image out;
  out.width = (source.width + factor - 1) / factor;
  out.height = (source.height + factor - 1) / factor;
  out.channels = source.channels;
  out.pixels.resize(out.stride() * out.height);
  const size_t channels = static_cast<size_t>(source.channels);
  const size_t in_stride = source.stride();
  // A band's column sums first (at most 8 x 255, so 16 bits; this loop vectorizes), then each
  // block's sum across its columns.
  std::vector<uint16_t> column_sums(in_stride);
  for (uint32_t oy = 0; oy < out.height; ++oy) {
    const uint32_t y0 = oy * factor;
    const uint32_t rows = std::min(factor, source.height - y0);
    std::fill(column_sums.begin(), column_sums.end(), 0);
    for (uint32_t y = y0; y < y0 + rows; ++y) {
      const uint8_t* in = source.row(y);
      for (size_t i = 0; i < in_stride; ++i) {
        column_sums[i] = static_cast<uint16_t>(column_sums[i] + in[i]);
      }
    }
    uint8_t* dst = out.row(oy);
    for (uint32_t ox = 0; ox < out.width; ++ox) {
      const uint32_t x0 = ox * factor;
      const uint32_t cols = std::min(factor, source.width - x0);
      const uint32_t count = rows * cols;
      for (size_t c = 0; c < channels; ++c) {
        uint32_t sum = 0;
        for (uint32_t x = x0; x < x0 + cols; ++x) {
          sum += column_sums[x * channels + c];
        }
        dst[ox * channels + c] = static_cast<uint8_t>((sum + count / 2) / count);
      }
    }
  }
  return out;
}

}  // namespace imgpipe::core
