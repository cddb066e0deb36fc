// The pipeline's streaming path (kStreamingSteps in pipeline.cc): for codecs that hand out rows
// one at a time (PNG through libspng's progressive API), decode, flatten, grayscale and resize
// happen row by row, so memory depends on the output size and the image width, never on the
// image height. A 100 MP PNG made into a 256x256 thumbnail holds a few source rows at a time.
#pragma once

#include <span>

#include "decode.h"
#include "imgpipe/error.h"
#include "imgpipe/image.h"
#include "imgpipe/options.h"
#include "resize_geometry.h"

namespace imgpipe::core {

// True when `format` has a row-streaming decoder (DecodeAndResizeRows handles it).
bool StreamsRows(Format format);

// Decodes `input` and produces the plan's output (cropped, oriented, padded) without holding
// the decoded image: each row goes through the per-row steps (see RowSteps in stream_step.cc)
// into the streaming resampler, which works in the *stored* orientation; the small result is
// oriented and padded at the end. An Adam7 PNG, whose rows are final only after the last pass,
// is decoded whole first (under Limits::max_interlaced_pixels) and then fed the same way.
// `plan` is in upright coordinates, as PlanResize makes it.
// With `rest`, `input` is only the PNG's head (ReadInputHead) and libspng pulls the rest from it.
Result<Image> DecodeAndResizeRows(std::span<const uint8_t> input, const Header& header,
                                  const ResizePlan& plan, const Options& options,
                                  const DecodeRequest& request, ByteSource* rest = nullptr);

}  // namespace imgpipe::core
