// The public core API: a few verbs on value types. No I/O, no logging, no network.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "imgpipe/byte_source.h"
#include "imgpipe/error.h"
#include "imgpipe/image.h"
#include "imgpipe/options.h"
#include "imgpipe/variants.h"

namespace imgpipe {

using Clock = std::chrono::steady_clock;

// Wall time spent in each phase, for logs and metrics.
struct StepTimings {
  double decode_ms = 0;  // sniff + header + limits + decode (+ orientation)
  double resize_ms = 0;  // colour + flatten + grayscale + resize (+ padding/crop)
  double encode_ms = 0;
};

struct Encoded {
  std::vector<uint8_t> bytes;
  OutputFormat format = OutputFormat::kJpeg;
  uint32_t width = 0;
  uint32_t height = 0;
  int channels = 0;
  Header source;  // the input's header, e.g. for input megapixels in logs
  StepTimings timings;
  // What was ignored without failing the image, e.g. "ignored ICC profile: lcms2 cannot parse
  // it (...)". The core does not log: adapters print or log these next to the object's name.
  std::vector<std::string> warnings;
};

// Reads only what is needed to describe the image (format, size, orientation, depth).
// Refuses inputs over options-independent sanity limits but does not apply Limits.
Result<Header> Probe(std::span<const uint8_t> input);

// Runs the whole pipeline for one output. `deadline`, when set, is checked between steps and yields
// kDeadlineExceeded instead of running past it. `options` must have passed Validate().
Result<Encoded> Process(std::span<const uint8_t> input, const Options& options,
                        std::optional<Clock::time_point> deadline = std::nullopt);

// Runs the pipeline for several outputs of one input: one header read and one decode, at the
// scale the most demanding variant needs, then each variant's flatten, grayscale, resize and
// encode from that decoded image. The outputs come in the order of `variants`; any failure
// fails the whole input. Limits are the first variant's (they are function-wide). Every
// variant's options must have passed Validate().
Result<std::vector<Encoded>> ProcessVariants(
    std::span<const uint8_t> input, std::span<const Variant> variants,
    std::optional<Clock::time_point> deadline = std::nullopt);

// The same for an input read from `input` as it is needed: a JPEG or PNG is decoded while its
// bytes arrive and never held whole (the head up to the first scan or IDAT is kept for the
// header and colour-profile steps, then the decoder pulls the rest as it goes); WebP, GIF and
// HEIF are read whole first, within Limits::max_input_bytes. A read error fails the input with
// that error. The decoder stops after the image, so bytes after it may stay unread.
Result<std::vector<Encoded>> ProcessVariants(
    ByteSource& input, std::span<const Variant> variants,
    std::optional<Clock::time_point> deadline = std::nullopt);

// The embedded ICC profile of a JPEG, PNG, WebP, HEIF or AVIF input (empty when it has none or it
// is unusable), and a profile's description tag (e.g. "Adobe RGB (1998)"; empty when it has none or
// cannot be parsed), for `imgpipe info`.
std::vector<uint8_t> EmbeddedIccProfile(std::span<const uint8_t> input);
std::string IccDescription(std::span<const uint8_t> icc);

}  // namespace imgpipe
