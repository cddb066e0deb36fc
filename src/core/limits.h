// Part of the pipeline's "read header" step (kSteps in pipeline.cc): limits are checked
// after the header and before any pixel buffer is allocated.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>

#include "imgpipe/error.h"
#include "imgpipe/image.h"
#include "imgpipe/options.h"

namespace imgpipe::core {

// kInputTooLarge when input_bytes > max_input_bytes; kTooManyPixels when the 64-bit product
// width*height exceeds max_input_pixels (or a side is zero: kCorruptImage).
Status CheckInputBytes(size_t input_bytes, const Limits& limits);
Status CheckHeader(const Header& header, const Limits& limits);

// The time by which a decode must give up: the caller's deadline (Lambda's, minus its margin)
// or the per-image limit (Limits::max_seconds), whichever comes first. Codecs check it inside
// their row loops, so one long decode cannot run past it.
using Deadline = std::optional<std::chrono::steady_clock::time_point>;

// The earlier of `deadline` and `start + limits.max_seconds` (when that is set).
Deadline EffectiveDeadline(Deadline deadline, const Limits& limits,
                           std::chrono::steady_clock::time_point start);

// kDeadlineExceeded, naming `where` ("JPEG decode"), once the deadline has passed.
Status CheckDeadline(const Deadline& deadline, const char* where);

}  // namespace imgpipe::core
