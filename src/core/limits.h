// Part of the pipeline's "read header" step (kSteps in pipeline.cc): limits are checked
// after the header and before any pixel buffer is allocated.
#pragma once

#include <cstddef>

#include "imgpipe/error.h"
#include "imgpipe/image.h"
#include "imgpipe/options.h"

namespace imgpipe::core {

// kInputTooLarge when input_bytes > max_input_bytes; kTooManyPixels when the 64-bit product
// width*height exceeds max_input_pixels (or a side is zero: kCorruptImage).
Status CheckInputBytes(size_t input_bytes, const Limits& limits);
Status CheckHeader(const Header& header, const Limits& limits);

}  // namespace imgpipe::core
