// Weight tables for the separable resampler, computed once per call and per axis.
//
// The sampling positions follow Pillow's Resample.c (precompute_coeffs) on purpose: output
// sample i is centred at (i + 0.5) * scale in source coordinates, the bicubic is stretched by
// the downscale factor (antialiasing: every source pixel contributes when shrinking), the
// window is [round(centre - support), round(centre + support)) clipped to the image, and the
// weights are normalised to sum to 1. Matching the positions is what makes our 256x256
// thumbnails agree with the tutorial's Image.resize to a fraction of a gray level.
#include <algorithm>
#include <cmath>
#include <vector>

#include "resize_kernel.h"

namespace imgpipe::core {
namespace {

// Keys cubic convolution with a = -0.5 (Catmull-Rom), support 2: Pillow's BICUBIC.
double Bicubic(double x) {
  constexpr double kA = -0.5;
  x = std::fabs(x);
  if (x < 1.0) {
    return ((kA + 2.0) * x - (kA + 3.0)) * x * x + 1.0;
  }
  if (x < 2.0) {
    return (((x - 5.0) * x + 8.0) * x - 4.0) * kA;
  }
  return 0.0;
}
constexpr double kBicubicSupport = 2.0;

// std::lround without the libm call (it was a quarter of this file's cost per thumbnail):
// rounds half away from zero, like lround, for the small magnitudes weights have.
inline int32_t RoundHalfAway(double v) { return static_cast<int32_t>(v < 0.0 ? v - 0.5 : v + 0.5); }

// No scaling on this axis: a crop at most. The passes turn this into a memcpy.
AxisWeights IdentityWeights(uint32_t in_size, uint32_t out_first, uint32_t count) {
  AxisWeights result;
  result.in_size = in_size;
  result.count = count;
  result.identity = true;
  result.taps = 1;
  result.first.resize(count);
  result.weights.assign(count, static_cast<int16_t>(kWeightOne));
  for (uint32_t i = 0; i < count; ++i) {
    result.first[i] = out_first + i;
  }
  return result;
}

// Each output's clipped source window and its normalised float weights, before the tap count
// is made uniform.
struct FloatWindows {
  uint32_t max_taps = 0;        // the stride of `raw`
  uint32_t taps = 1;            // the widest window
  std::vector<uint32_t> start;  // per output
  std::vector<uint32_t> size;   // per output, <= max_taps
  std::vector<double> raw;      // count * max_taps, zero beyond each window
};

FloatWindows ComputeFloatWindows(uint32_t in_size, uint32_t out_size, uint32_t out_first,
                                 uint32_t count) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = kBicubicSupport * filter_scale;
  const double inv_filter_scale = 1.0 / filter_scale;

  FloatWindows windows;
  windows.max_taps = static_cast<uint32_t>(std::min<double>(std::ceil(support) * 2 + 1, in_size));
  windows.start.resize(count);
  windows.size.resize(count);
  windows.raw.assign(static_cast<size_t>(count) * windows.max_taps, 0.0);
  for (uint32_t i = 0; i < count; ++i) {
    const double center = (static_cast<double>(out_first) + i + 0.5) * scale;
    // Pillow truncates (int)(v + 0.5); clamping first keeps negative values out of the cast.
    const double lo = std::max(center - support + 0.5, 0.0);
    const double hi = std::min(center + support + 0.5, static_cast<double>(in_size));
    uint32_t start = std::min(static_cast<uint32_t>(lo), in_size - 1);
    uint32_t end = std::max(static_cast<uint32_t>(hi), start + 1);
    end = std::min({end, in_size, start + windows.max_taps});
    double* w = &windows.raw[static_cast<size_t>(i) * windows.max_taps];
    double sum = 0.0;
    for (uint32_t x = start; x < end; ++x) {
      w[x - start] = Bicubic((x - center + 0.5) * inv_filter_scale);
      sum += w[x - start];
    }
    if (sum != 0.0) {
      const double inverse = 1.0 / sum;
      for (uint32_t k = 0; k < end - start; ++k) {
        w[k] *= inverse;
      }
    } else {
      // Cannot happen for the bicubic (the tap nearest the centre is always > 0), but a zero
      // row would turn pixels black, so fall back to nearest-neighbour.
      w[0] = 1.0;
    }
    windows.start[i] = start;
    windows.size[i] = end - start;
    windows.taps = std::max(windows.taps, end - start);
  }
  return windows;
}

// A uniform tap count (so the inner loops have no per-pixel bounds), windows shifted left at
// the right edge so first + taps <= in_size, and weights quantised to 14 bits. Quantising the
// running sum (not each weight) makes every row sum to exactly one, so a flat image stays
// exactly flat, and keeps each partial sum within half a unit of the ideal, which bounds the
// error even for a 10000-tap extreme downscale where a weight is ~1.6 units.
AxisWeights Quantise(const FloatWindows& windows, uint32_t in_size, uint32_t count,
                     uint32_t tap_multiple) {
  AxisWeights result;
  result.in_size = in_size;
  result.count = count;
  uint32_t taps = windows.taps;
  const uint32_t padded = (taps + tap_multiple - 1) / tap_multiple * tap_multiple;
  if (padded <= in_size) {
    taps = padded;  // shifting the window left keeps it inside the row
  }
  result.taps = taps;
  result.first.resize(count);
  result.weights.assign(static_cast<size_t>(count) * taps, 0);
  for (uint32_t i = 0; i < count; ++i) {
    const uint32_t first = std::min(windows.start[i], in_size - taps);
    const uint32_t offset = windows.start[i] - first;
    const double* w = &windows.raw[static_cast<size_t>(i) * windows.max_taps];
    int16_t* q = &result.weights[static_cast<size_t>(i) * taps];
    double cumulative = 0.0;
    int32_t quantised_so_far = 0;
    for (uint32_t k = 0; k < windows.size[i]; ++k) {
      cumulative += w[k];
      const int32_t target =
          k + 1 == windows.size[i] ? kWeightOne : RoundHalfAway(cumulative * kWeightOne);
      q[offset + k] = static_cast<int16_t>(target - quantised_so_far);
      quantised_so_far = target;
    }
    result.first[i] = first;
  }
  return result;
}

}  // namespace

AxisWeights ComputeAxisWeights(uint32_t in_size, uint32_t out_size, uint32_t out_first,
                               uint32_t count, uint32_t tap_multiple) {
  if (in_size == out_size) {
    return IdentityWeights(in_size, out_first, count);
  }
  return Quantise(ComputeFloatWindows(in_size, out_size, out_first, count), in_size, count,
                  tap_multiple);
}

}  // namespace imgpipe::core
