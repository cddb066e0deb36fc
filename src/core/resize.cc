// The resampler: separable Keys bicubic (a = -0.5), antialiased, in 14-bit fixed point.
//
// Why this filter:
// - It is what the tutorial's Pillow code uses: Image.resize() defaults to BICUBIC, which is
//   Keys' cubic convolution with a = -0.5 whose support is stretched by the downscale factor.
//   Using the same kernel at the same sample positions (resize_weights.cc) is what lets our
//   output match the tutorial's Pillow function to well under one gray level before JPEG, so
//   users see no change.
// - Stretching the support when shrinking makes it a proper low-pass filter: every source
//   pixel contributes, so thumbnails do not alias (moire, jagged edges), unlike the fixed
//   4x4 bicubic of many GPU/OpenCV paths.
// - a = -0.5 is the only Keys parameter that reproduces quadratics exactly; it is sharper than
//   a B-spline and has milder ringing than Lanczos-3 (which needs 1.5x the taps per pass).
//   The small negative lobes can overshoot near hard edges, so results are clamped to 0..255.
//
// Why it is fast:
// - Weights are computed once per call per axis (resize_weights.cc), in int16, with a uniform
//   tap count per axis: the inner loops are int16 x uint8 -> int32 multiply-accumulates with no
//   bounds checks. On x86-64 the hot ones are hand-written SSE2 (resize_sse2.cc) and, picked at
//   run time, AVX2 (resize_avx2.cc); the portable loops (resize_scalar.cc) serve the other
//   shapes and targets, and GCC vectorizes them at -O3 (checked with -fopt-info-vec).
// - Two 1-D passes (horizontal then vertical, or vertical first when the height shrinks more;
//   see RowResizer) cost O(taps) per pixel instead of O(taps^2).
// - Rows stream through a ring of `vertical taps` rows, so memory is O(width * taps) and a
//   decoder can push scanlines as it produces them. Only the crop window is ever computed.
// - No per-pixel allocation and no floating point per pixel.
#include "resize.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "color.h"
#include "resize_isa.h"
#include "resize_kernel.h"

namespace imgpipe::core {

// This file only picks a kernel; resize_isa.h lists them.
void ResampleRow(const uint8_t* in, int channels, const AxisWeights& weights, uint8_t* out) {
  if (weights.identity) {
    std::memcpy(out, in + static_cast<size_t>(weights.first[0]) * channels,
                static_cast<size_t>(weights.count) * channels);
    return;
  }
  if (channels == 1 && weights.taps % kHorizontalTapMultiple == 0) {
#if defined(IMGPIPE_AVX2_KERNELS)
    if (HasAvx2()) {
      return HorizontalPassGrayAvx2(in, weights, out);
    }
#endif
#if defined(__SSE2__)
    return HorizontalPassGraySse2(in, weights, out);
#else
    return HorizontalPassGrayPadded(in, weights, out);
#endif
  }
  HorizontalPassScalar(in, channels, weights, out);
}

void ResampleColumns(const uint8_t* const* rows, const int16_t* weights, uint32_t taps, size_t n,
                     uint8_t* out) {
  size_t done = 0;
#if defined(IMGPIPE_AVX2_KERNELS)
  if (HasAvx2()) {
    done = ResampleColumnsAvx2(rows, weights, taps, n, out);
  }
#endif
#if defined(__SSE2__)
  // SSE2 takes over where AVX2 stopped (a 16-sample tail) or was not available.
  done = ResampleColumnsSse2(rows, weights, taps, done, n, out);
#endif
  ResampleColumnsScalar(rows, weights, taps, done, n, out);
}

RowResizer::RowResizer(uint32_t in_width, uint32_t in_height, int channels, uint32_t scaled_width,
                       uint32_t scaled_height, uint32_t crop_x, uint32_t crop_y,
                       uint32_t crop_width, uint32_t crop_height, Sink sink)
    : in_height_(in_height),
      channels_(channels),
      crop_width_(crop_width),
      crop_height_(crop_height),
      sink_(std::move(sink)),
      horizontal_(ComputeAxisWeights(in_width, scaled_width, crop_x, crop_width,
                                     channels == 1 ? kHorizontalTapMultiple : 1)),
      vertical_(ComputeAxisWeights(in_height, scaled_height, crop_y, crop_height)) {
  const size_t c = static_cast<size_t>(channels);
  const uint32_t x_lo = horizontal_.first.front();
  const uint32_t x_hi = horizontal_.first.back() + horizontal_.taps;
  const uint32_t y_lo = vertical_.first.front();
  const uint32_t y_hi = vertical_.first.back() + vertical_.taps;
  // Cost in multiply-adds per sample. Both passes vectorize and measured about 0.13 ns per
  // tap on gray (horizontal taps counted padded), so one horizontal tap costs one vertical tap.
  constexpr double kHorizontalCost = 1.0;
  const double h_taps = horizontal_.identity ? 0.0 : horizontal_.taps * kHorizontalCost;
  const double v_taps = vertical_.identity ? 0.0 : vertical_.taps;
  const double out_samples = static_cast<double>(crop_width) * crop_height * c;
  const double horizontal_first =
      static_cast<double>(y_hi - y_lo) * crop_width * c * h_taps + out_samples * v_taps;
  const double vertical_first =
      static_cast<double>(x_hi - x_lo) * crop_height * c * v_taps + out_samples * h_taps;
  // Vertical-first also wins outright when there is no horizontal scaling: blending stable
  // source rows directly skips copying each row into the ring.
  vertical_first_ =
      !vertical_.identity && (horizontal_.identity || vertical_first < horizontal_first);

  ring_stride_ = vertical_first_ ? static_cast<size_t>(in_width) * c : crop_width * c;
  ring_storage_.resize(ring_stride_ * vertical_.taps);
  ring_rows_.assign(vertical_.taps, nullptr);
  window_.assign(vertical_.taps, nullptr);
  if (vertical_first_) {
    blended_.resize(static_cast<size_t>(in_width) * c);
  }
  out_row_.resize(static_cast<size_t>(crop_width) * c);
}

void RowResizer::PushRow(const uint8_t* row, bool stable) {
  if (next_in_ >= in_height_) {
    return;
  }
  const uint32_t y = next_in_++;
  const uint32_t taps = vertical_.taps;
  if (y < vertical_.first.front() || y >= vertical_.first.back() + taps) {
    return;  // unused
  }
  const size_t slot = y % taps;
  uint8_t* storage = ring_storage_.data() + slot * ring_stride_;
  if (!vertical_first_) {
    ResampleRow(row, channels_, horizontal_, storage);
    ring_rows_[slot] = storage;
  } else if (stable) {
    ring_rows_[slot] = row;
  } else {
    const size_t c = static_cast<size_t>(channels_);
    const size_t x_lo = horizontal_.first.front() * c;
    const size_t x_hi = (horizontal_.first.back() + horizontal_.taps) * c;
    std::memcpy(storage + x_lo, row + x_lo, x_hi - x_lo);
    ring_rows_[slot] = storage;
  }
  // Windows only move forward, so outputs complete in order as their last row arrives.
  while (next_out_ < crop_height_ && vertical_.first[next_out_] + taps - 1 <= y) {
    Emit(next_out_++);
  }
}

void RowResizer::Emit(uint32_t out_y) {
  const uint32_t taps = vertical_.taps;
  const uint32_t first = vertical_.first[out_y];
  for (uint32_t k = 0; k < taps; ++k) {
    window_[k] = ring_rows_[(first + k) % taps];
  }
  const int16_t* weights = vertical_.weights.data() + static_cast<size_t>(out_y) * taps;
  const size_t c = static_cast<size_t>(channels_);
  if (!vertical_first_) {
    if (vertical_.identity) {
      return sink_(out_y, window_[0]);
    }
    ResampleColumns(window_.data(), weights, taps, crop_width_ * c, out_row_.data());
    return sink_(out_y, out_row_.data());
  }
  // Blend only the source columns the horizontal windows touch.
  const size_t x_lo = horizontal_.first.front() * c;
  const size_t x_hi = (horizontal_.first.back() + horizontal_.taps) * c;
  for (uint32_t k = 0; k < taps; ++k) {
    window_[k] += x_lo;
  }
  ResampleColumns(window_.data(), weights, taps, x_hi - x_lo, blended_.data() + x_lo);
  ResampleRow(blended_.data(), channels_, horizontal_, out_row_.data());
  sink_(out_y, out_row_.data());
}

namespace {

bool Resamplable(const Image& image) {
  return image.width > 0 && image.height > 0 && image.channels >= 1 && image.channels <= 4 &&
         image.pixels.size() >= image.stride() * image.height;
}

// Straight alpha must not be resampled as it is: a fully transparent pixel's colour (often
// black or junk) would bleed into its visible neighbours as a dark fringe. Like Pillow (which
// converts RGBA to RGBa for resize), colour is premultiplied by alpha before filtering and
// divided back after, so each pixel contributes in proportion to its opacity.
void Premultiply(const uint8_t* in, uint8_t* out, uint32_t width, int channels) {
  const int colour = channels - 1;
  for (uint32_t x = 0; x < width; ++x, in += channels, out += channels) {
    const uint32_t a = in[colour];
    for (int c = 0; c < colour; ++c) {
      const uint32_t v = in[c] * a + 128;
      out[c] = static_cast<uint8_t>((v + (v >> 8)) >> 8);  // round(in * a / 255)
    }
    out[colour] = static_cast<uint8_t>(a);
  }
}

void Unpremultiply(const uint8_t* in, uint8_t* out, uint32_t width, int channels) {
  const int colour = channels - 1;
  for (uint32_t x = 0; x < width; ++x, in += channels, out += channels) {
    const uint32_t a = in[colour];
    for (int c = 0; c < colour; ++c) {
      out[c] =
          a == 0 ? 0 : static_cast<uint8_t>(std::min<uint32_t>(255, (in[c] * 255 + a / 2) / a));
    }
    out[colour] = static_cast<uint8_t>(a);
  }
}

// Paints every pixel of `canvas` with the padding colour: the background (its luma on gray),
// always opaque where there is alpha.
void FillWithBackground(Rgb background, Image* canvas) {
  const uint8_t gray = Luma(background);
  uint8_t pixel[4];
  switch (canvas->channels) {
    case 1:
      pixel[0] = gray;
      break;
    case 2:
      pixel[0] = gray, pixel[1] = 255;
      break;
    case 3:
      pixel[0] = background.r, pixel[1] = background.g, pixel[2] = background.b;
      break;
    default:
      pixel[0] = background.r, pixel[1] = background.g, pixel[2] = background.b;
      pixel[3] = 255;
      break;
  }
  const size_t c = static_cast<size_t>(canvas->channels);
  for (size_t i = 0; i < static_cast<size_t>(canvas->width) * canvas->height; ++i) {
    std::memcpy(&canvas->pixels[i * c], pixel, c);
  }
}

}  // namespace

Image ApplyPlan(const Image& source, const ResizePlan& plan, Rgb background) {
  if (!Resamplable(source)) {
    return Image{};
  }
  // A plan from PlanResize is always consistent; clamping here only keeps a hand-made or
  // corrupted plan from writing out of bounds.
  const uint32_t scaled_w = std::max<uint32_t>(plan.scaled_width, 1);
  const uint32_t scaled_h = std::max<uint32_t>(plan.scaled_height, 1);
  const uint32_t crop_x = std::min(plan.crop_x, scaled_w - 1);
  const uint32_t crop_y = std::min(plan.crop_y, scaled_h - 1);
  const uint32_t crop_w = std::clamp<uint32_t>(plan.crop_width, 1, scaled_w - crop_x);
  const uint32_t crop_h = std::clamp<uint32_t>(plan.crop_height, 1, scaled_h - crop_y);
  const uint32_t canvas_w = std::max(plan.canvas_width, crop_w);
  const uint32_t canvas_h = std::max(plan.canvas_height, crop_h);
  const uint32_t pad_x = std::min(plan.pad_x, canvas_w - crop_w);
  const uint32_t pad_y = std::min(plan.pad_y, canvas_h - crop_h);

  if (scaled_w == source.width && scaled_h == source.height && crop_w == scaled_w &&
      crop_h == scaled_h && canvas_w == crop_w && canvas_h == crop_h) {
    return source;  // exact size: pixels unchanged
  }

  Image canvas;
  canvas.width = canvas_w;
  canvas.height = canvas_h;
  canvas.channels = source.channels;
  canvas.pixels.resize(canvas.stride() * canvas_h);
  if (canvas_w != crop_w || canvas_h != crop_h) {
    FillWithBackground(background, &canvas);
  }
  RegionResizer resizer(source.width, source.height, source.channels,
                        {scaled_w, scaled_h, crop_x, crop_y, crop_w, crop_h}, &canvas, pad_x,
                        pad_y);
  for (uint32_t y = 0; y < source.height && !resizer.done(); ++y) {
    resizer.PushRow(source.row(y), /*stable=*/true);
  }
  return canvas;
}

RegionResizer::RegionResizer(uint32_t in_width, uint32_t in_height, int channels,
                             const ResizePlan& window, Image* destination, uint32_t x, uint32_t y)
    : in_width_(in_width),
      channels_(channels),
      alpha_(channels == 2 || channels == 4),
      crop_width_(window.crop_width),
      destination_(destination),
      x_(x),
      y_(y),
      premultiplied_(alpha_ ? static_cast<size_t>(in_width) * channels : 0),
      resizer_(in_width, in_height, channels, window.scaled_width, window.scaled_height,
               window.crop_x, window.crop_y, window.crop_width, window.crop_height,
               [this](uint32_t out_y, const uint8_t* row) { Deliver(out_y, row); }) {}

void RegionResizer::PushRow(const uint8_t* row, bool stable) {
  if (!alpha_) {
    return resizer_.PushRow(row, stable);
  }
  Premultiply(row, premultiplied_.data(), in_width_, channels_);
  resizer_.PushRow(premultiplied_.data());
}

void RegionResizer::Deliver(uint32_t y, const uint8_t* row) {
  uint8_t* out = destination_->row(y_ + y) + static_cast<size_t>(x_) * channels_;
  if (alpha_) {
    Unpremultiply(row, out, crop_width_, channels_);
  } else {
    std::memcpy(out, row, static_cast<size_t>(crop_width_) * channels_);
  }
}

}  // namespace imgpipe::core
