#include "box_shrink.h"

#include <algorithm>
#include <vector>

namespace imgpipe::core {
namespace {

// The means of the blocks that are whole (factor x factor pixels, so a power-of-two count and a
// shift), from a band's column sums. The factor is a template argument so that the inner sum
// unrolls: with a runtime factor and a division per pixel this step took 3x as long as the column
// sums.
template <uint32_t kFactor>
void WholeBlockMeans(const uint16_t* sums, size_t channels, uint32_t blocks, uint8_t* out) {
  constexpr uint32_t kShift = kFactor == 2 ? 2 : kFactor == 4 ? 4 : 6;
  constexpr uint32_t kHalf = (1u << kShift) / 2;
  if (channels == 1) {
    for (uint32_t b = 0; b < blocks; ++b) {
      uint32_t sum = 0;
      for (uint32_t x = 0; x < kFactor; ++x) {
        sum += sums[b * kFactor + x];
      }
      out[b] = static_cast<uint8_t>((sum + kHalf) >> kShift);
    }
    return;
  }
  for (uint32_t b = 0; b < blocks; ++b) {
    for (size_t c = 0; c < channels; ++c) {
      uint32_t sum = 0;
      for (uint32_t x = 0; x < kFactor; ++x) {
        sum += sums[(b * kFactor + x) * channels + c];
      }
      out[b * channels + c] = static_cast<uint8_t>((sum + kHalf) >> kShift);
    }
  }
}

}  // namespace

uint32_t BoxShrinkFactor(uint32_t width, uint32_t height, uint32_t min_width, uint32_t min_height) {
  if (min_width == 0 || min_height == 0) {
    return 1;
  }
  for (uint32_t factor : {8u, 4u, 2u}) {
    if ((uint64_t{width} + factor - 1) / factor >= min_width &&
        (uint64_t{height} + factor - 1) / factor >= min_height) {
      return factor;
    }
  }
  return 1;
}

void BoxShrinkPlane(const uint8_t* plane, size_t stride, uint32_t width, uint32_t height,
                    int channel_count, uint32_t factor, uint8_t* out) {
  if ((factor != 2 && factor != 4 && factor != 8) || width == 0 || height == 0) {
    return;
  }
  const auto channels = static_cast<size_t>(channel_count);
  const size_t row_samples = static_cast<size_t>(width) * channels;
  const uint32_t out_width = (width + factor - 1) / factor;
  const uint32_t out_height = (height + factor - 1) / factor;
  const uint32_t whole_blocks = width / factor;
  // A band's column sums first (at most 8 x 255, so 16 bits; these loops vectorize), then each
  // block's sum across its columns.
  std::vector<uint16_t> column_sums(row_samples);
  uint16_t* sums = column_sums.data();
  for (uint32_t oy = 0; oy < out_height; ++oy) {
    const uint32_t y0 = oy * factor;
    const uint32_t rows = std::min(factor, height - y0);
    const uint8_t* first = plane + stride * y0;
    for (size_t i = 0; i < row_samples; ++i) {
      sums[i] = first[i];
    }
    for (uint32_t y = y0 + 1; y < y0 + rows; ++y) {
      const uint8_t* in = plane + stride * y;
      for (size_t i = 0; i < row_samples; ++i) {
        sums[i] = static_cast<uint16_t>(sums[i] + in[i]);
      }
    }
    uint8_t* dst = out + static_cast<size_t>(oy) * out_width * channels;
    uint32_t ox = 0;
    if (rows == factor) {
      if (factor == 2) {
        WholeBlockMeans<2>(sums, channels, whole_blocks, dst);
      } else if (factor == 4) {
        WholeBlockMeans<4>(sums, channels, whole_blocks, dst);
      } else {
        WholeBlockMeans<8>(sums, channels, whole_blocks, dst);
      }
      ox = whole_blocks;
    }
    // The bottom band and the right edge: blocks of fewer pixels, each divided by its own count.
    for (; ox < out_width; ++ox) {
      const uint32_t x0 = ox * factor;
      const uint32_t cols = std::min(factor, width - x0);
      const uint32_t count = std::max(rows * cols, 1u);  // >= 1 anyway: blocks start inside
      for (size_t c = 0; c < channels; ++c) {
        uint32_t sum = 0;
        for (uint32_t x = x0; x < x0 + cols; ++x) {
          sum += sums[x * channels + c];
        }
        dst[ox * channels + c] = static_cast<uint8_t>((sum + count / 2) / count);
      }
    }
  }
}

Image BoxShrink(const Image& source, uint32_t factor) {
  if ((factor != 2 && factor != 4 && factor != 8) || source.width == 0 || source.height == 0) {
    return source;
  }
  Image out;
  out.width = (source.width + factor - 1) / factor;
  out.height = (source.height + factor - 1) / factor;
  out.channels = source.channels;
  out.pixels.resize(out.stride() * out.height);
  BoxShrinkPlane(source.pixels.data(), source.stride(), source.width, source.height,
                 source.channels, factor, out.pixels.data());
  return out;
}

}  // namespace imgpipe::core
