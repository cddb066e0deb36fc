// Part of the pipeline's "read header" step (kSteps in pipeline.cc): recognise the format
// from magic bytes only (never the file name).
#pragma once

#include <cstdint>
#include <span>

#include "imgpipe/image.h"

namespace imgpipe::core {

// Returns Format::kUnknown for anything that is not JPEG, PNG, WebP (RIFF....WEBP) or GIF.
Format Sniff(std::span<const uint8_t> bytes);

}  // namespace imgpipe::core
