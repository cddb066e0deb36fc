// Shared helpers of the HEIF/AVIF tests: the committed samples (heif_samples/, made by its
// make.sh) and small pixel comparisons.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "imgpipe/image.h"

namespace imgpipe::testing {

inline std::vector<uint8_t> HeifSample(const std::string& name) {
  std::ifstream in(std::string(IMGPIPE_SOURCE_DIR) + "/tests/core/heif_samples/" + name,
                   std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing sample " << name;
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Rotates an image 90 degrees anticlockwise (the direction of `irot` 1).
inline Image RotateCcw(const Image& in) {
  Image out;
  out.width = in.height;
  out.height = in.width;
  out.channels = in.channels;
  out.pixels.resize(in.pixels.size());
  for (uint32_t y = 0; y < in.height; ++y) {
    for (uint32_t x = 0; x < in.width; ++x) {
      for (int c = 0; c < in.channels; ++c) {
        // (x, y) goes to (y, W-1-x).
        out.row(in.width - 1 - x)[static_cast<size_t>(y) * in.channels + c] =
            in.row(y)[static_cast<size_t>(x) * in.channels + c];
      }
    }
  }
  return out;
}

// Mean absolute difference over all samples; infinity when the shapes differ.
inline double MeanAbsDiff(const Image& a, const Image& b) {
  if (a.width != b.width || a.height != b.height || a.channels != b.channels) {
    return INFINITY;
  }
  double sum = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) {
    sum += std::abs(static_cast<int>(a.pixels[i]) - static_cast<int>(b.pixels[i]));
  }
  return a.pixels.empty() ? 0 : sum / static_cast<double>(a.pixels.size());
}

}  // namespace imgpipe::testing
