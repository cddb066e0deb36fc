// The pipeline's "flatten" and "grayscale" steps (kSteps in pipeline.cc), between orient and
// resize: flatten alpha and convert to luma.
#pragma once

#include "imgpipe/image.h"
#include "imgpipe/options.h"

namespace imgpipe::core {

// Composites straight alpha over `background` (4 -> 3 channels, 2 -> 1). No-op without alpha.
Image FlattenAlpha(Image image, Rgb background);

// ITU-R 601 luma, exactly Pillow's convert("L"): L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16
// (3 -> 1, 4 -> 2 keeping alpha). No-op when already gray.
Image ToGray(Image image);

// Luma of a colour, with the same formula (for padding a gray canvas).
uint8_t Luma(Rgb color);

}  // namespace imgpipe::core
