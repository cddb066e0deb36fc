// The pipeline is data: a list of steps over one context, with the deadline checked between
// steps (imgproxy's shape). Each step lives in its own file; this one only orders them.
#include "imgpipe/pipeline.h"

#include <array>
#include <span>
#include <string>
#include <utility>

#include "color.h"
#include "decode.h"
#include "encode.h"
#include "limits.h"
#include "orient.h"
#include "resize.h"
#include "resize_geometry.h"
#include "stream_step.h"

namespace imgpipe {
namespace {

enum class Phase { kDecode, kResize, kEncode };

struct Context {
  std::span<const uint8_t> input;
  const Options& options;
  core::Deadline deadline;  // the caller's, or the per-image limit's if that comes first
  Header header;            // filled by ReadHeaderStep
  core::ResizePlan plan;    // filled by PlanStep, in upright (post-orientation) coordinates
  Image image;              // the working pixels, replaced step by step
  std::vector<uint8_t> encoded;
};

Status ReadHeaderStep(Context& ctx) {
  if (auto bytes = core::CheckInputBytes(ctx.input.size(), ctx.options.limits); !bytes.ok()) {
    return bytes;
  }
  auto header = core::ReadHeader(ctx.input);
  if (!header.ok()) {
    return header.error();
  }
  ctx.header = std::move(header).value();
  // Limits are checked here, right after the header and before any pixel buffer exists.
  return core::CheckHeader(ctx.header, ctx.options.limits);
}

Status PlanStep(Context& ctx) {
  const bool swap = core::SwapsAxes(ctx.header.orientation);
  const uint32_t upright_w = swap ? ctx.header.height : ctx.header.width;
  const uint32_t upright_h = swap ? ctx.header.width : ctx.header.height;
  ctx.plan = core::PlanResize(upright_w, upright_h, ctx.options);
  return OkStatus();
}

// A codec's reduced-scale output is only roughly filtered (JPEG's DCT scaling is close to a box
// filter). When it lands just above the target (e.g. 263 rows for 256) the resampler has almost
// nothing left to smooth, and the result drifts from a full-resolution bicubic (the tutorial's
// Pillow output) by over 2 gray levels on fine textures (tests/parity: dune.jpg 2.27 at 1x, 0.24
// at 1.15x). So the codec is asked for 15% more than the target: enough to leave the antialiasing
// filter a real reduction, small enough that typical photos (3:2 and 16:9 at 0.5-24 MP) keep the
// same DCT scale, because the next scale up costs ~1.5x the decode time.
constexpr uint64_t kResamplerHeadroomPercent = 115;

uint32_t WithResamplerHeadroom(uint32_t needed) {
  return static_cast<uint32_t>((static_cast<uint64_t>(needed) * kResamplerHeadroomPercent + 99) /
                               100);
}

core::DecodeRequest MakeDecodeRequest(const Context& ctx) {
  core::DecodeRequest request;
  // Shrink on load: ask the codec for no more than the resampler needs, expressed in the
  // stored orientation because the codec knows nothing of EXIF.
  const bool swap = core::SwapsAxes(ctx.header.orientation);
  const uint32_t need_w = swap ? ctx.plan.scaled_height : ctx.plan.scaled_width;
  const uint32_t need_h = swap ? ctx.plan.scaled_width : ctx.plan.scaled_height;
  // Not for WebP: libwebp's scaled decode is an area-averaging rescaler, a real antialiasing
  // filter. On the bench's six WebP photos the PNG output was 0.08-0.79 gray levels from the
  // tutorial's Pillow output with the headroom and 0.09-0.82 without (no better on average), while
  // the headroom made libwebp emit 2.4x the pixels: ~3% of the whole job.
  const bool headroom = ctx.header.format != Format::kWebp;
  request.min_width = headroom ? WithResamplerHeadroom(need_w) : need_w;
  request.min_height = headroom ? WithResamplerHeadroom(need_h) : need_h;
  request.gray = ctx.options.grayscale;
  request.limits = ctx.options.limits;
  request.deadline = ctx.deadline;
  return request;
}

Status DecodeStep(Context& ctx) {
  auto image = core::Decode(ctx.input, ctx.header, MakeDecodeRequest(ctx));
  if (!image.ok()) {
    return image.error();
  }
  ctx.image = std::move(image).value();
  return OkStatus();
}

Status OrientStep(Context& ctx) {
  ctx.image = core::ApplyOrientation(std::move(ctx.image), ctx.header.orientation);
  return OkStatus();
}

Status FlattenStep(Context& ctx) {
  // JPEG has no alpha channel; PNG and WebP keep it.
  if (ctx.options.format == OutputFormat::kJpeg) {
    ctx.image = core::FlattenAlpha(std::move(ctx.image), ctx.options.background);
  }
  return OkStatus();
}

// Grayscale runs before the resize, although the tutorial's Pillow function converts after it
// (`resize(...).convert("L")`): both are linear, so the result is the same up to rounding
// (docs/options.md has the measured difference), and resampling one channel instead of three is
// ~3x cheaper.
Status GrayscaleStep(Context& ctx) {
  if (ctx.options.grayscale) {
    ctx.image = core::ToGray(std::move(ctx.image));
  }
  return OkStatus();
}

Status ResizeStep(Context& ctx) {
  ctx.image = core::ApplyPlan(ctx.image, ctx.plan, ctx.options.background);
  return OkStatus();
}

// The streaming path: decode, flatten, grayscale and resize row by row (stream_step.h), for
// codecs that stream. It replaces the in-memory steps from decode to resize, in their order.
Status DecodeAndResizeRowsStep(Context& ctx) {
  auto image = core::DecodeAndResizeRows(ctx.input, ctx.header, ctx.plan, ctx.options,
                                         MakeDecodeRequest(ctx));
  if (!image.ok()) {
    return image.error();
  }
  ctx.image = std::move(image).value();
  return OkStatus();
}

Status EncodeStep(Context& ctx) {
  auto bytes = core::Encode(ctx.image, ctx.options.format, ctx.options.quality);
  if (!bytes.ok()) {
    return bytes.error();
  }
  ctx.encoded = std::move(bytes).value();
  return OkStatus();
}

struct Step {
  const char* name;
  Phase phase;
  Status (*run)(Context&);
};

// Header and plan, then either the in-memory steps or, when the codec streams rows, the
// streaming one, then encode.
constexpr std::array kHeaderSteps = {
    Step{"read header", Phase::kDecode, ReadHeaderStep},
    Step{"plan", Phase::kDecode, PlanStep},
};

constexpr std::array kInMemorySteps = {
    Step{"decode", Phase::kDecode, DecodeStep},   Step{"orient", Phase::kDecode, OrientStep},
    Step{"flatten", Phase::kResize, FlattenStep}, Step{"grayscale", Phase::kResize, GrayscaleStep},
    Step{"resize", Phase::kResize, ResizeStep},
};

// Decode and resize interleave here, so their time is counted as decode.
constexpr std::array kStreamingSteps = {
    Step{"decode and resize rows", Phase::kDecode, DecodeAndResizeRowsStep},
};

constexpr std::array kEncodeSteps = {
    Step{"encode", Phase::kEncode, EncodeStep},
};

double& PhaseSlot(StepTimings& timings, Phase phase) {
  switch (phase) {
    case Phase::kDecode:
      return timings.decode_ms;
    case Phase::kResize:
      return timings.resize_ms;
    case Phase::kEncode:
      break;
  }
  return timings.encode_ms;
}

}  // namespace

// core::ReadHeader refuses empty input itself (kEmptyInput), for both entry points.
Result<Header> Probe(std::span<const uint8_t> input) { return core::ReadHeader(input); }

Result<Encoded> Process(std::span<const uint8_t> input, const Options& options,
                        std::optional<Clock::time_point> deadline) {
  Context ctx{input, options, core::EffectiveDeadline(deadline, options.limits, Clock::now()),
              {},    {},      {},
              {}};
  StepTimings timings;
  auto run = [&](std::span<const Step> steps) -> Status {
    for (const Step& step : steps) {
      if (ctx.deadline && Clock::now() >= *ctx.deadline) {
        return MakeError(ErrorCode::kDeadlineExceeded,
                         std::string("deadline passed before step '") + step.name + "'");
      }
      const auto start = Clock::now();
      Status status = step.run(ctx);
      PhaseSlot(timings, step.phase) +=
          std::chrono::duration<double, std::milli>(Clock::now() - start).count();
      if (!status.ok()) {
        return status;
      }
    }
    return OkStatus();
  };
  if (auto status = run(kHeaderSteps); !status.ok()) {
    return status.error();
  }
  const bool streams = core::StreamsRows(ctx.header.format);
  if (auto status = streams ? run(kStreamingSteps) : run(kInMemorySteps); !status.ok()) {
    return status.error();
  }
  if (auto status = run(kEncodeSteps); !status.ok()) {
    return status.error();
  }
  Encoded out;
  out.bytes = std::move(ctx.encoded);
  out.format = options.format;
  out.width = ctx.image.width;
  out.height = ctx.image.height;
  out.channels = ctx.image.channels;
  out.source = ctx.header;
  out.timings = timings;
  return out;
}

}  // namespace imgpipe
