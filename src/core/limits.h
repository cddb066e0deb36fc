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
// kInputTooLarge for an input read as a stream that went past max_bytes: its whole size is not
// known, only that it is over.
Error StreamOverByteLimit(uint64_t max_bytes);
Status CheckHeader(const Header& header, const Limits& limits);

// Bytes of DCT coefficients per pixel of a 4:2:0 colour JPEG (1.5 coefficients of 2 bytes):
// the unit of max_progressive_pixels.
inline constexpr uint64_t kProgressiveBytesPerPixel = 3;

// A progressive JPEG holds all its DCT coefficients (`coefficient_bytes`, from its component
// sizes) until the last scan: kTooManyPixels when they exceed max_progressive_pixels counted at
// kProgressiveBytesPerPixel, so a 4:4:4 file counts each pixel twice and a gray one 2/3.
Status CheckProgressiveJpeg(uint32_t width, uint32_t height, uint64_t coefficient_bytes,
                            const Limits& limits);
// An Adam7 PNG is decoded into a full image before any row is final: kTooManyPixels over
// max_interlaced_pixels.
Status CheckInterlacedPng(uint32_t width, uint32_t height, const Limits& limits);
// An interlaced GIF frame's palette indices are held (a byte per pixel) until its last pass:
// kTooManyPixels over the same max_interlaced_pixels.
Status CheckInterlacedGif(uint32_t width, uint32_t height, const Limits& limits);
// libwebp holds a full-resolution plane of two kinds of WebP frame, whatever the output scale:
// a lossless (VP8L) frame as 32-bit ARGB (LZ77 back-references can reach any earlier pixel), and
// the alpha of a lossy frame, a lossless image itself, decoded whole into its own ARGB or byte
// buffer and a byte-per-pixel plane (up to 5 bytes a pixel). kTooManyPixels over
// max_lossless_webp_pixels for either.
enum class WebpPlane { kLosslessFrame, kLossyAlpha };
Status CheckLosslessWebp(uint32_t width, uint32_t height, WebpPlane plane, const Limits& limits);

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
