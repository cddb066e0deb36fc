// The pixel and byte limits. Both are checked on numbers from the header, so a hostile file
// is refused before a single pixel buffer exists.
#include "limits.h"

#include <cstdio>
#include <string>

namespace imgpipe::core {
namespace {

// "3600 MP", "0.3 MP", "100 MP": whole megapixels when exact, one decimal otherwise.
std::string Megapixels(uint64_t pixels) {
  char text[48];
  if (pixels % 1'000'000 == 0) {
    (void)std::snprintf(text, sizeof text, "%llu MP",
                        static_cast<unsigned long long>(pixels / 1'000'000));
  } else {
    (void)std::snprintf(text, sizeof text, "%.1f MP", static_cast<double>(pixels) / 1e6);
  }
  return text;
}

}  // namespace

Status CheckInputBytes(size_t input_bytes, const Limits& limits) {
  if (static_cast<uint64_t>(input_bytes) <= limits.max_input_bytes) {
    return OkStatus();
  }
  return MakeError(ErrorCode::kInputTooLarge,
                   "input is " + std::to_string(input_bytes) + " bytes, over the " +
                       std::to_string(limits.max_input_bytes) + " byte limit");
}

Error StreamOverByteLimit(uint64_t max_bytes) {
  return MakeError(ErrorCode::kInputTooLarge,
                   "input is over the " + std::to_string(max_bytes) + " byte limit");
}

Status CheckHeader(const Header& header, const Limits& limits) {
  const std::string size = std::to_string(header.width) + "x" + std::to_string(header.height);
  if (header.width == 0 || header.height == 0) {
    return MakeError(ErrorCode::kCorruptImage, "image header claims an empty size " + size);
  }
  // 64-bit product: two 32-bit sides can never overflow it.
  const uint64_t pixels = static_cast<uint64_t>(header.width) * header.height;
  if (pixels <= limits.max_input_pixels) {
    return OkStatus();
  }
  return MakeError(ErrorCode::kTooManyPixels, "image is " + size + " = " + Megapixels(pixels) +
                                                  ", over the " +
                                                  Megapixels(limits.max_input_pixels) + " limit");
}

Status CheckProgressiveJpeg(uint32_t width, uint32_t height, uint64_t coefficient_bytes,
                            const Limits& limits) {
  const uint64_t counted = coefficient_bytes / kProgressiveBytesPerPixel;
  if (counted <= limits.max_progressive_pixels) {
    return OkStatus();
  }
  return MakeError(ErrorCode::kTooManyPixels,
                   "progressive JPEG " + std::to_string(width) + "x" + std::to_string(height) +
                       " needs " + std::to_string(coefficient_bytes >> 20) +
                       " MiB of DCT coefficients (" + Megapixels(counted) +
                       " at 3 bytes per pixel), over the " +
                       Megapixels(limits.max_progressive_pixels) +
                       " limit for progressive JPEGs (max_progressive_pixels)");
}

Status CheckInterlacedPng(uint32_t width, uint32_t height, const Limits& limits) {
  const uint64_t pixels = static_cast<uint64_t>(width) * height;
  if (pixels <= limits.max_interlaced_pixels) {
    return OkStatus();
  }
  return MakeError(ErrorCode::kTooManyPixels,
                   "interlaced (Adam7) PNG " + std::to_string(width) + "x" +
                       std::to_string(height) + " = " + Megapixels(pixels) + ", over the " +
                       Megapixels(limits.max_interlaced_pixels) +
                       " limit for interlaced PNGs (max_interlaced_pixels)");
}

Status CheckInterlacedGif(uint32_t width, uint32_t height, const Limits& limits) {
  const uint64_t pixels = static_cast<uint64_t>(width) * height;
  if (pixels <= limits.max_interlaced_pixels) {
    return OkStatus();
  }
  return MakeError(ErrorCode::kTooManyPixels,
                   "interlaced GIF frame " + std::to_string(width) + "x" + std::to_string(height) +
                       " = " + Megapixels(pixels) + ", over the " +
                       Megapixels(limits.max_interlaced_pixels) +
                       " limit for interlaced GIFs (max_interlaced_pixels)");
}

Status CheckLosslessWebp(uint32_t width, uint32_t height, WebpPlane plane, const Limits& limits) {
  const uint64_t pixels = static_cast<uint64_t>(width) * height;
  if (pixels <= limits.max_lossless_webp_pixels) {
    return OkStatus();
  }
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  return MakeError(ErrorCode::kTooManyPixels,
                   (plane == WebpPlane::kLosslessFrame
                        ? "lossless WebP " + size
                        : "lossy WebP " + size + " with a lossless alpha channel") +
                       " = " + Megapixels(pixels) + ", over the " +
                       Megapixels(limits.max_lossless_webp_pixels) +
                       " limit for lossless WebP (max_lossless_webp_pixels)");
}

Deadline EffectiveDeadline(Deadline deadline, const Limits& limits,
                           std::chrono::steady_clock::time_point start) {
  if (limits.max_seconds <= 0) {
    return deadline;
  }
  const auto own = start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                               std::chrono::duration<double>(limits.max_seconds));
  return deadline && *deadline < own ? *deadline : own;
}

Status CheckDeadline(const Deadline& deadline, const char* where) {
  if (!deadline || std::chrono::steady_clock::now() < *deadline) {
    return OkStatus();
  }
  return MakeError(ErrorCode::kDeadlineExceeded, std::string("deadline passed during the ") +
                                                     where + "; stopped before the " +
                                                     "invocation's time ran out");
}

}  // namespace imgpipe::core
