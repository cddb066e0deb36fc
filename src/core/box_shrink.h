// The pipeline's "shrink" step for variants (kVariantSteps in pipeline.cc): a variant that would
// have been decoded at a smaller JPEG DCT scale on its own, but shares a larger decode with a more
// demanding variant, is first box-averaged down to that scale. So a variant's pixels do not
// depend on which other variants share its upload, and a thumbnail is not resampled from the
// full-size image at several times the cost.
#pragma once

#include <cstdint>

#include "imgpipe/image.h"

namespace imgpipe::core {

// Averages each `factor` x `factor` block into one pixel (rounded), giving ceil(width / factor) x
// ceil(height / factor) pixels, as JPEG's 1/factor DCT scaling does; the blocks at the right and
// bottom edges average the pixels they have. For factor 8 this is what the DCT gives exactly up to
// rounding (a block's DC coefficient is its mean); for 2 and 4 the DCT keeps a little more of each
// block's detail. factor 1..8; 1 returns a copy. Meant for images without alpha (JPEG's):
// straight alpha would need premultiplying first.
Image BoxShrink(const Image& source, uint32_t factor);

}  // namespace imgpipe::core
