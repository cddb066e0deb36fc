// Alpha flattening and ITU-R 601 luma. Both run in place over the pixel vector (the output
// is never wider than the input), so no second full-size buffer is allocated.
#include "color.h"

#include <algorithm>
#include <cstring>

namespace imgpipe::core {
namespace {

// Exact round(v / 255) for v in [0, 255 * 255], without a division.
inline uint8_t Div255(uint32_t v) {
  return static_cast<uint8_t>((v + 128 + ((v + 128) >> 8)) >> 8);
}

// Straight-alpha "over": c * a + bg * (1 - a), rounded.
inline uint8_t Over(uint8_t c, uint8_t a, uint8_t bg) {
  return Div255(static_cast<uint32_t>(c) * a + static_cast<uint32_t>(bg) * (255u - a));
}

// Pillow's L = R * 299/1000 + G * 587/1000 + B * 114/1000, in its 16-bit fixed point.
inline uint8_t LumaOf(uint32_t r, uint32_t g, uint32_t b) {
  return static_cast<uint8_t>((r * 19595u + g * 38470u + b * 7471u + 0x8000u) >> 16);
}

}  // namespace

uint8_t Luma(Rgb color) { return LumaOf(color.r, color.g, color.b); }

Image FlattenAlpha(Image image, Rgb background) {
  if (!image.has_alpha()) {
    return image;
  }
  const size_t pixels = static_cast<size_t>(image.width) * image.height;
  uint8_t* p = image.pixels.data();
  if (image.channels == 4) {
    for (size_t i = 0; i < pixels; ++i) {
      const uint8_t a = p[4 * i + 3];
      p[3 * i + 0] = Over(p[4 * i + 0], a, background.r);
      p[3 * i + 1] = Over(p[4 * i + 1], a, background.g);
      p[3 * i + 2] = Over(p[4 * i + 2], a, background.b);
    }
    image.channels = 3;
  } else {
    // Gray + alpha composites onto the background's luma, as the gray canvas would show it.
    const uint8_t bg = Luma(background);
    for (size_t i = 0; i < pixels; ++i) {
      p[i] = Over(p[2 * i], p[2 * i + 1], bg);
    }
    image.channels = 1;
  }
  image.pixels.resize(image.stride() * image.height);
  return image;
}

// RGB -> L for n pixels into a separate buffer. Cloned for AVX2 (GCC's target_clones: the
// loader picks the clone once, where the resampler's hand-written kernels check the CPU
// themselves): there GCC vectorizes the stride-3 loads with byte shuffles, which SSE2 lacks;
// the default clone is the plain loop.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
__attribute__((target_clones("avx2", "default")))
#endif
void RgbChunkToLuma(const uint8_t* __restrict in, uint8_t* __restrict out, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    out[i] = LumaOf(in[3 * i], in[3 * i + 1], in[3 * i + 2]);
  }
}

// In place, through a small stack buffer: the compiler cannot vectorize p[i] = f(p[3i..])
// because the ranges overlap, while chunk-then-copy never writes bytes not yet read.
void RgbToLuma(uint8_t* p, size_t pixels) {
  constexpr size_t kChunk = 512;
  uint8_t chunk[kChunk];
  for (size_t i = 0; i < pixels; i += kChunk) {
    const size_t n = std::min(kChunk, pixels - i);
    RgbChunkToLuma(p + 3 * i, chunk, n);
    std::memcpy(p + i, chunk, n);
  }
}

Image ToGray(Image image) {
  if (image.channels != 3 && image.channels != 4) {
    return image;
  }
  const size_t pixels = static_cast<size_t>(image.width) * image.height;
  uint8_t* p = image.pixels.data();
  if (image.channels == 3) {
    RgbToLuma(p, pixels);
    image.channels = 1;
  } else {
    for (size_t i = 0; i < pixels; ++i) {
      const uint8_t a = p[4 * i + 3];
      p[2 * i] = LumaOf(p[4 * i], p[4 * i + 1], p[4 * i + 2]);
      p[2 * i + 1] = a;
    }
    image.channels = 2;
  }
  image.pixels.resize(image.stride() * image.height);
  return image;
}

}  // namespace imgpipe::core
