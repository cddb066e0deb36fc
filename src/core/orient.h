// The pipeline's "orient" step (kSteps in pipeline.cc): apply EXIF orientation so phone
// photos come out upright.
#pragma once

#include "imgpipe/image.h"

namespace imgpipe::core {

// Orientation 1..8 per the EXIF spec (2 = mirror horizontal, 3 = rotate 180, 4 = mirror
// vertical, 5 = transpose, 6 = rotate 90 CW, 7 = transverse, 8 = rotate 270 CW).
// 1 or an out-of-range value returns the image unchanged (moved, not copied).
Image ApplyOrientation(Image image, int orientation);

// True when the orientation swaps width and height (5..8).
bool SwapsAxes(int orientation);

}  // namespace imgpipe::core
