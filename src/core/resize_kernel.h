// Private to the resampler (resize.cc, resize_weights.cc, the kernel files listed in
// resize_isa.h) and its tests: fixed-point weight tables, the two 1-D passes, and a streaming
// row resizer that the pipeline can feed scanline by scanline straight from a decoder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

namespace imgpipe::core {

// Weights are int16 with 14 fractional bits: |weight| < 2 always holds for the bicubic
// (its normalised taps never exceed ~1.1), and int16 x uint8 products summed into int32 are
// the shape that the SSE2/AVX2 multiply-add instruction (pmaddwd) takes: the hand-written
// kernels (resize_sse2.cc, resize_avx2.cc) use it directly, and GCC vectorizes the portable
// loops (resize_scalar.cc) into it.
inline constexpr int kWeightBits = 14;
inline constexpr int32_t kWeightOne = 1 << kWeightBits;

// Weights for one axis: output sample i (of the window [out_first, out_first + count) of an
// axis scaled from in_size to out_size) is sum_k weights[i * taps + k] * in[first[i] + k].
struct AxisWeights {
  uint32_t in_size = 0;
  uint32_t count = 0;            // output samples described
  uint32_t taps = 0;             // weights per output sample, uniform (zero-padded)
  std::vector<uint32_t> first;   // first source sample per output; first + taps <= in_size
  std::vector<int16_t> weights;  // count * taps; each row sums to exactly kWeightOne
  bool identity = false;         // out[i] == in[first[0] + i]: a plain copy (no scaling)
};

// Keys bicubic (a = -0.5) weights with the support widened by the downscale factor, sampled
// exactly where Pillow's Resample.c samples them (see resize_weights.cc). The tap count is
// rounded up to a multiple of `tap_multiple` (with zero weights) when the source is wide
// enough, so the horizontal dot products run in whole vectors.
AxisWeights ComputeAxisWeights(uint32_t in_size, uint32_t out_size, uint32_t out_first,
                               uint32_t count, uint32_t tap_multiple = 1);

// Taps are padded to this multiple on the horizontal axis of 1-channel images so every tap
// runs in whole vectors. The SSE2 and AVX2 passes (x86-64) load 8 bytes at a time at least:
// 8 keeps a 17-tap window at 24 taps instead of 32. GCC's vectorized portable loop consumes 16
// source bytes per iteration, so other targets keep 16 (see HorizontalPassGrayPadded in
// resize_isa.h).
#if defined(__SSE2__)
inline constexpr uint32_t kHorizontalTapMultiple = 8;
#else
inline constexpr uint32_t kHorizontalTapMultiple = 16;
#endif

// Horizontal pass over one row of `channels`-interleaved samples: writes weights.count pixels.
void ResampleRow(const uint8_t* in, int channels, const AxisWeights& weights, uint8_t* out);

// Vertical pass: out[i] = clamp(sum_k weights[k] * rows[k][i]) for i in [0, n), where n counts
// samples (pixels * channels). rows[k] may be any rows; only element i of each is read.
void ResampleColumns(const uint8_t* const* rows, const int16_t* weights, uint32_t taps, size_t n,
                     uint8_t* out);

// Resamples a source of in_width x in_height to scaled_width x scaled_height and delivers only
// the window [crop_x, crop_x + crop_width) x [crop_y, crop_y + crop_height) of the result.
// Source rows are pushed top to bottom; each finished output row goes to the sink as soon as
// the source rows under its filter window have arrived. Memory is O(width * vertical taps):
// a ring of rows, never the whole image.
//
// The pass order is chosen per call by estimated cost: horizontal-first (Pillow's order)
// resamples every needed source row horizontally and keeps the ring of narrow rows;
// vertical-first blends raw source rows and resamples only the output rows horizontally,
// which is cheaper when the height shrinks more than the width.
class RowResizer {
 public:
  using Sink = std::function<void(uint32_t y, const uint8_t* row)>;  // y within the crop

  RowResizer(uint32_t in_width, uint32_t in_height, int channels, uint32_t scaled_width,
             uint32_t scaled_height, uint32_t crop_x, uint32_t crop_y, uint32_t crop_width,
             uint32_t crop_height, Sink sink);

  // Feeds source row `next_row()`. `stable` promises the row stays valid and unchanged until
  // the resizer is destroyed (an in-memory image), which lets vertical-first skip a copy.
  void PushRow(const uint8_t* row, bool stable = false);
  uint32_t next_row() const { return next_in_; }
  bool done() const { return next_out_ == crop_height_; }
  bool vertical_first() const { return vertical_first_; }

 private:
  void Emit(uint32_t out_y);

  uint32_t in_height_;
  int channels_;
  uint32_t crop_width_;
  uint32_t crop_height_;
  Sink sink_;
  AxisWeights horizontal_;
  AxisWeights vertical_;
  bool vertical_first_ = false;
  // Ring of the last vertical_.taps rows (horizontally resampled ones when horizontal-first,
  // raw source rows when vertical-first). ring_rows_ point into ring_storage_ or, for stable
  // pushes, straight at the caller's rows.
  std::vector<uint8_t> ring_storage_;
  std::vector<const uint8_t*> ring_rows_;
  size_t ring_stride_ = 0;
  std::vector<const uint8_t*> window_;  // the current output row's taps, in order
  std::vector<uint8_t> blended_;        // vertical-first: one vertically blended source row
  std::vector<uint8_t> out_row_;
  uint32_t next_in_ = 0;
  uint32_t next_out_ = 0;
};

}  // namespace imgpipe::core
