// The pipeline's "shrink" step for variants (kVariantSteps in pipeline.cc): a variant that would
// have been decoded at a smaller JPEG DCT scale on its own, but shares a larger decode with a more
// demanding variant, is first box-averaged down to that scale. So a variant's pixels do not
// depend on which other variants share its upload, and a thumbnail is not resampled from the
// full-size image at several times the cost.
#pragma once

#include <cstddef>
#include <cstdint>

#include "imgpipe/image.h"

namespace imgpipe::core {

// Averages each `factor` x `factor` block into one pixel (rounded), giving ceil(width / factor) x
// ceil(height / factor) pixels, as JPEG's 1/factor DCT scaling does; the blocks at the right and
// bottom edges average the pixels they have. For factor 8 this is what the DCT gives exactly up to
// rounding (a block's DC coefficient is its mean); for 2 and 4 the DCT keeps a little more of each
// block's detail. factor 2, 4 or 8 (JPEG's scales); any other returns a copy. Meant for images
// without alpha (JPEG's): straight alpha would need premultiplying first.
// Measured on a 4619x2598 gray image (12 MP class, -O3): 1.1-1.4 ms for 4, 0.7 ms for 8, where
// resampling the thumbnail and the 512 variant from it directly took 5.1 ms.
Image BoxShrink(const Image& source, uint32_t factor);

// BoxShrink on a plane of 8-bit samples, `channels` interleaved, rows `stride` bytes apart, into
// packed rows at `out` (ceil(width / factor) x ceil(height / factor) pixels). factor 2, 4 or 8.
// HEIF's shrink on load (heif_decode.cc) uses it on libheif's planes.
void BoxShrinkPlane(const uint8_t* plane, size_t stride, uint32_t width, uint32_t height,
                    int channels, uint32_t factor, uint8_t* out);

// The one shrink-on-load rule: the largest reduction among 8, 4 and 2 whose output, ceil(width /
// factor) x ceil(height / factor), still holds min_width x min_height; else 1 (a 0 minimum means
// full size). JPEG's DCT scale (only 1/2, 1/4 and 1/8 have SIMD IDCTs in libjpeg-turbo), HEIF's
// box shrink, and the variants' ShrinkStep all pick with it.
uint32_t BoxShrinkFactor(uint32_t width, uint32_t height, uint32_t min_width, uint32_t min_height);

}  // namespace imgpipe::core
