// The pipeline is data: a list of steps over one context, with the deadline checked between
// steps (imgproxy's shape). Each step lives in its own file; this one only orders them.
// The steps up to the decoded, upright image run once per input; the steps after it run once
// per variant, each from that same decoded image (never from another variant's output, so blur
// does not compound).
#include "imgpipe/pipeline.h"

#include <algorithm>
#include <array>
#include <deque>
#include <string>
#include <utility>

#include "box_shrink.h"
#include "color.h"
#include "colour_convert.h"
#include "decode.h"
#include "encode.h"
#include "icc_extract.h"
#include "input_head.h"
#include "limits.h"
#include "orient.h"
#include "resize.h"
#include "resize_geometry.h"
#include "stream_step.h"

namespace imgpipe {
namespace {

enum class Phase { kDecode, kResize, kEncode };

// What is shared by every variant of one input: read, planned and decoded once.
struct Context {
  std::span<const uint8_t> input;
  std::span<const Variant> variants;
  core::Deadline deadline;             // the caller's, or the per-image limit's if earlier
  Header header = {};                  // filled by ReadHeaderStep
  core::ColourResolution colour = {};  // filled by ColourProfileStep; null source means sRGB
  std::vector<core::ResizePlan> plans =
      {};                            // one per variant, in upright (post-orientation) coords
  Image image = {};                  // the decoded, upright, sRGB pixels
  std::optional<Image> luma = {};    // `image` converted to gray, shared by gray variants
  uint32_t decoded_denominator = 1;  // `image` is a 1/N JPEG DCT scale (DecodeStep); else 1
  // Box-shrunk copies of `image` or `luma` (ShrinkStep), one per source and factor. A deque, so
  // a variant's pointer into it stays valid as later variants add theirs.
  struct Shrunk {
    const Image* from;
    uint32_t factor;
    Image image;
  };
  std::deque<Shrunk> shrunk = {};
  std::vector<std::string> warnings = {};  // what was ignored without failing the input
  bool streamed = false;  // the streaming path made the one variant's final pixels already
  // Set when `input` is only the head of a JPEG, PNG, GIF or lossy WebP (ReadInputHead): the
  // decoder pulls the rest.
  ByteSource* rest = nullptr;
};

// One variant's work: a view of the shared image, replaced by its own pixels step by step.
struct VariantWork {
  const Variant& variant;
  const core::ResizePlan& plan;
  bool last;            // the last variant may take the shared pixels instead of copying them
  const Image* source;  // the pixels the next step reads: the shared image or `owned`
  Image owned;
  std::vector<uint8_t> encoded;
};

const Limits& SharedLimits(std::span<const Variant> variants) {
  return variants.front().options.limits;
}
const Limits& SharedLimits(const Context& ctx) { return SharedLimits(ctx.variants); }

Status ReadHeaderStep(Context& ctx) {
  if (auto bytes = core::CheckInputBytes(ctx.input.size(), SharedLimits(ctx)); !bytes.ok()) {
    return bytes;
  }
  auto header = core::ReadHeader(ctx.input);
  if (!header.ok()) {
    return header.error();
  }
  ctx.header = std::move(header).value();
  // Limits are checked here, right after the header and before any pixel buffer exists.
  return core::CheckHeader(ctx.header, SharedLimits(ctx));
}

// Before decoding, so the decode step knows whether it may ask the codec for gray: a tagged
// image's gray must come from its sRGB-converted colour, not from the codec's own luma.
Status ColourProfileStep(Context& ctx) {
  core::IccExtraction icc = core::ExtractIcc(ctx.input, ctx.header.format);
  if (!icc.warning.empty()) {
    ctx.warnings.push_back(std::move(icc.warning));
  }
  if (icc.icc.empty()) {
    return OkStatus();
  }
  ColourTag tag;
  tag.icc = std::move(icc.icc);
  ctx.colour = core::ResolveColour(tag);
  if (!ctx.colour.warning.empty()) {
    ctx.warnings.push_back(ctx.colour.warning);
  }
  if (ctx.colour.source &&
      !core::SpaceFitsChannels(ctx.colour.source->space(), ctx.header.channels)) {
    ctx.warnings.push_back(std::string("ignored ICC profile: ") +
                           core::ColourSpaceName(ctx.colour.source->space()) + " profile on " +
                           std::to_string(ctx.header.channels) + "-channel pixels");
    ctx.colour = {};
  }
  return OkStatus();
}

// Whether the decoder may hand back gray straight away (libjpeg's Y plane, say): only when every
// variant is gray, not when an RGB profile will convert the colour first, and not for
// HEIF/AVIF, whose decoder reports the colour only with the pixels.
bool MayDecodeGray(const Context& ctx) {
  const bool all_gray = std::ranges::all_of(
      ctx.variants, [](const Variant& variant) { return variant.options.grayscale; });
  if (!all_gray || ctx.header.format == Format::kHeif || ctx.header.format == Format::kAvif) {
    return false;
  }
  return !ctx.colour.source || ctx.colour.source->space() != core::ColourSpace::kRgb;
}

Status PlanStep(Context& ctx) {
  const bool swap = core::SwapsAxes(ctx.header.orientation);
  const uint32_t upright_w = swap ? ctx.header.height : ctx.header.width;
  const uint32_t upright_h = swap ? ctx.header.width : ctx.header.height;
  ctx.plans.clear();
  for (const Variant& variant : ctx.variants) {
    ctx.plans.push_back(core::PlanResize(upright_w, upright_h, variant.options));
  }
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

// SHRINK_ON_LOAD=accurate asks the codec for 3x the target instead. Measured with fill 256x256,
// lossless output against the tutorial's image before it saves (tests/parity/shrink_on_load):
// on 30 textured 3 MP wallpapers (Debian's plasma-workspace-wallpapers) worst 5.24 gray levels
// (mean) with `fast`, 1.53 with 2x, 0.21 with 3x or a full decode. 2x was the rule until the
// bench corpus's 24 MP Dragonfly (a smooth upscale whose 1/8 decode lands at 2.1x the target)
// measured 3.14 with it, over the 2.5 that `accurate` promises; 3x takes it to 1/4 and 1.18.
constexpr uint64_t kAccurateHeadroomPercent = 300;

uint32_t WithHeadroom(uint32_t needed, uint64_t percent) {
  return static_cast<uint32_t>((static_cast<uint64_t>(needed) * percent + 99) / 100);
}

// The decode size one variant needs, in the stored orientation (the codec knows nothing of EXIF).
core::DecodeRequest NeedOf(const Header& header, const core::ResizePlan& plan, bool headroom,
                           ShrinkOnLoad mode) {
  const bool swap = core::SwapsAxes(header.orientation);
  const uint32_t need_w = swap ? plan.scaled_height : plan.scaled_width;
  const uint32_t need_h = swap ? plan.scaled_width : plan.scaled_height;
  const uint64_t percent = !headroom                         ? 100
                           : mode == ShrinkOnLoad::kAccurate ? kAccurateHeadroomPercent
                                                             : kResamplerHeadroomPercent;
  core::DecodeRequest need;
  need.min_width = WithHeadroom(need_w, percent);
  need.min_height = WithHeadroom(need_h, percent);
  return need;
}

core::DecodeRequest MakeDecodeRequest(const Context& ctx) {
  // Shrink on load, bounded by the most demanding variant: the codec is asked for the largest
  // size any variant needs.
  // Not for WebP: libwebp's scaled decode is an area-averaging rescaler, a real antialiasing
  // filter. On the bench's six WebP photos the PNG output was 0.08-0.79 gray levels from the
  // tutorial's Pillow output with the headroom and 0.09-0.82 without (no better on average), while
  // the headroom made libwebp emit 2.4x the pixels: ~3% of the whole job.
  const bool headroom = ctx.header.format != Format::kWebp;
  core::DecodeRequest request;
  // Only a set of gray variants decodes straight to luma; a mixed set decodes colour once.
  request.gray = MayDecodeGray(ctx);
  for (size_t i = 0; i < ctx.variants.size(); ++i) {
    const core::DecodeRequest need =
        NeedOf(ctx.header, ctx.plans[i], headroom, ctx.variants[i].options.shrink_on_load);
    request.min_width = std::max(request.min_width, need.min_width);
    request.min_height = std::max(request.min_height, need.min_height);
  }
  request.limits = SharedLimits(ctx);
  request.deadline = ctx.deadline;
  return request;
}

Status DecodeStep(Context& ctx) {
  const core::DecodeRequest request = MakeDecodeRequest(ctx);
  auto image =
      ctx.rest == nullptr                  ? core::Decode(ctx.input, ctx.header, request)
      : ctx.header.format == Format::kPng  ? core::DecodePngStream(ctx.input, *ctx.rest, request)
      : ctx.header.format == Format::kGif  ? core::DecodeGifStream(ctx.input, *ctx.rest, request)
      : ctx.header.format == Format::kWebp ? core::DecodeWebpStream(ctx.input, *ctx.rest, request)
                                           : core::DecodeJpegStream(ctx.input, *ctx.rest, request);
  if (!image.ok()) {
    return image.error();
  }
  ctx.image = std::move(image).value();
  if (ctx.header.format == Format::kJpeg) {
    const uint32_t denominator = core::BoxShrinkFactor(ctx.header.width, ctx.header.height,
                                                       request.min_width, request.min_height);
    // Stored orientation still: OrientStep comes next.
    const bool matches = ctx.image.width == (ctx.header.width + denominator - 1) / denominator &&
                         ctx.image.height == (ctx.header.height + denominator - 1) / denominator;
    ctx.decoded_denominator = matches ? denominator : 1;
  }
  return OkStatus();
}

Status OrientStep(Context& ctx) {
  ctx.image = core::ApplyOrientation(std::move(ctx.image), ctx.header.orientation);
  return OkStatus();
}

// To sRGB before flatten, grayscale and resize, which all assume sRGB, once for every variant.
// Untagged and sRGB-tagged images pass untouched. A CMYK JPEG's profile was applied by the JPEG
// decoder itself: its rows are CMYK only there.
Status ColourStep(Context& ctx) {
  if (!ctx.colour.source && !ctx.image.colour.empty()) {
    ctx.colour = core::ResolveColour(ctx.image.colour);  // the decoder's own tag (HEIF colr)
    if (!ctx.colour.warning.empty()) {
      ctx.warnings.push_back(ctx.colour.warning);
    }
  }
  ctx.image.colour = {};
  const bool cmyk_jpeg = ctx.header.format == Format::kJpeg && ctx.header.channels == 4;
  if (ctx.colour.source && !cmyk_jpeg) {
    ctx.image = core::ConvertToSrgb(std::move(ctx.image), *ctx.colour.source, &ctx.warnings);
  }
  return OkStatus();
}

// The streaming path (stream_step.h): decode, flatten, grayscale and resize row by row, so memory
// follows the output size and the image width, never the image height. It makes one output from
// an untagged (or sRGB) image; several variants would each need their own resampler fed the same
// rows, and a profile's conversion is not applied per row yet, so those take the in-memory steps.
bool Streams(const Context& ctx) {
  return ctx.variants.size() == 1 && !ctx.colour.source && core::StreamsRows(ctx.header.format);
}

Status DecodeAndResizeRowsStep(Context& ctx) {
  auto image =
      core::DecodeAndResizeRows(ctx.input, ctx.header, ctx.plans.front(),
                                ctx.variants.front().options, MakeDecodeRequest(ctx), ctx.rest);
  if (!image.ok()) {
    return image.error();
  }
  ctx.image = std::move(image).value();
  ctx.streamed = true;
  return OkStatus();
}

// The pixels a variant step may change in place: the shared image is copied, or taken by the
// last variant, which no one reads after.
Image TakeSource(Context& ctx, VariantWork& work) {
  if (work.source != &ctx.image) {
    return std::move(work.owned);
  }
  return work.last ? std::move(ctx.image) : ctx.image;
}

Status FlattenStep(Context& ctx, VariantWork& work) {
  // JPEG has no alpha channel; PNG and WebP keep it.
  if (work.variant.options.format == OutputFormat::kJpeg && work.source->has_alpha()) {
    work.owned = core::FlattenAlpha(TakeSource(ctx, work), work.variant.options.background);
    work.source = &work.owned;
  }
  return OkStatus();
}

// Grayscale runs before the resize, although the tutorial's Pillow function converts after it
// (`resize(...).convert("L")`): both are linear, so the result is the same up to rounding
// (docs/options.md has the measured difference), and resampling one channel instead of three is
// ~3x cheaper.
Status GrayscaleStep(Context& ctx, VariantWork& work) {
  if (!work.variant.options.grayscale || work.source->channels < 3) {
    return OkStatus();
  }
  if (work.source == &ctx.image && !work.last) {
    // Straight from the shared image: its luma is computed once for every gray variant.
    if (!ctx.luma) {
      ctx.luma = core::ToGray(ctx.image);
    }
    work.source = &*ctx.luma;
    return OkStatus();
  }
  if (work.source == &ctx.image && ctx.luma) {
    work.source = &*ctx.luma;
    return OkStatus();
  }
  // This variant's own pixels, or the shared ones that no later variant reads: converted in
  // place, which is the single-output case's only cost.
  work.owned = core::ToGray(TakeSource(ctx, work));
  work.source = &work.owned;
  return OkStatus();
}

// A JPEG variant that alone would have been decoded at a smaller DCT scale than the shared
// decode (a thumbnail beside a 2048 variant: 1/8 against full size) is box-averaged to that scale
// first (box_shrink.h). Its pixels are then what it would have got alone, whichever variants share
// the upload, and its resize reads 1/64 of the pixels. Shrunk copies of the shared image are kept
// for the variants after it.
Status ShrinkStep(Context& ctx, VariantWork& work) {
  if (ctx.header.format != Format::kJpeg || work.source->has_alpha()) {
    return OkStatus();
  }
  const core::DecodeRequest need =
      NeedOf(ctx.header, work.plan, /*headroom=*/true, work.variant.options.shrink_on_load);
  const uint32_t alone =
      core::BoxShrinkFactor(ctx.header.width, ctx.header.height, need.min_width, need.min_height);
  if (alone <= ctx.decoded_denominator) {
    return OkStatus();
  }
  const uint32_t factor = alone / ctx.decoded_denominator;
  if (work.source == &work.owned) {
    work.owned = core::BoxShrink(work.owned, factor);
    return OkStatus();
  }
  const auto cached = std::ranges::find_if(ctx.shrunk, [&](const Context::Shrunk& shrunk) {
    return shrunk.from == work.source && shrunk.factor == factor;
  });
  if (cached != ctx.shrunk.end()) {
    work.source = &cached->image;
    return OkStatus();
  }
  ctx.shrunk.push_back({work.source, factor, core::BoxShrink(*work.source, factor)});
  work.source = &ctx.shrunk.back().image;
  return OkStatus();
}

Status ResizeStep(Context& /*ctx*/, VariantWork& work) {
  work.owned = core::ApplyPlan(*work.source, work.plan, work.variant.options.background);
  work.source = &work.owned;
  return OkStatus();
}

Status EncodeStep(Context& /*ctx*/, VariantWork& work) {
  auto bytes =
      core::Encode(*work.source, work.variant.options.format, work.variant.options.quality);
  if (!bytes.ok()) {
    return bytes.error();
  }
  work.encoded = std::move(bytes).value();
  return OkStatus();
}

template <typename Run>
struct Step {
  const char* name;
  Phase phase;
  Run run;
};

using SharedStep = Step<Status (*)(Context&)>;
using VariantStep = Step<Status (*)(Context&, VariantWork&)>;

// Header, profile and plan; then either the in-memory decode or, when it Streams(), the
// streaming one; then each variant's steps (only encode after the streaming path).
constexpr std::array kHeaderSteps = {
    SharedStep{"read header", Phase::kDecode, ReadHeaderStep},
    SharedStep{"colour profile", Phase::kDecode, ColourProfileStep},
    SharedStep{"plan", Phase::kDecode, PlanStep},
};

constexpr std::array kInMemorySteps = {
    SharedStep{"decode", Phase::kDecode, DecodeStep},
    SharedStep{"orient", Phase::kDecode, OrientStep},
    SharedStep{"colour", Phase::kResize, ColourStep},
};

// Decode and resize interleave here, so their time is counted as decode.
constexpr std::array kStreamingSteps = {
    SharedStep{"decode and resize rows", Phase::kDecode, DecodeAndResizeRowsStep},
};

constexpr std::array kVariantSteps = {
    VariantStep{"flatten", Phase::kResize, FlattenStep},
    VariantStep{"grayscale", Phase::kResize, GrayscaleStep},
    VariantStep{"shrink", Phase::kResize, ShrinkStep},
    VariantStep{"resize", Phase::kResize, ResizeStep},
    VariantStep{"encode", Phase::kEncode, EncodeStep},
};

constexpr std::array kEncodeOnlySteps = {
    VariantStep{"encode", Phase::kEncode, EncodeStep},
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

// Runs one step unless the deadline has passed, adding its wall time to its phase.
template <typename Step, typename... Args>
Status RunTimed(const Step& step, core::Deadline deadline, StepTimings& timings, Args&... args) {
  if (deadline && Clock::now() >= *deadline) {
    return MakeError(ErrorCode::kDeadlineExceeded,
                     std::string("deadline passed before step '") + step.name + "'");
  }
  const auto start = Clock::now();
  Status status = step.run(args...);
  PhaseSlot(timings, step.phase) +=
      std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return status;
}

}  // namespace

// core::ReadHeader refuses empty input itself (kEmptyInput), for both entry points.
Result<Header> Probe(std::span<const uint8_t> input) { return core::ReadHeader(input); }

namespace {

// Both entry points: `input` is the whole file, or the head of a JPEG whose rest is on `rest`.
Result<std::vector<Encoded>> RunPipeline(std::span<const uint8_t> input, ByteSource* rest,
                                         std::span<const Variant> variants,
                                         std::optional<Clock::time_point> deadline) {
  if (variants.empty()) {
    return MakeError(ErrorCode::kInvalidOptions, "no variant to make");
  }
  Context ctx{.input = input,
              .variants = variants,
              .deadline = core::EffectiveDeadline(deadline, SharedLimits(variants), Clock::now()),
              .rest = rest};
  StepTimings shared;
  auto run_shared = [&](std::span<const SharedStep> steps) -> Status {
    for (const SharedStep& step : steps) {
      if (Status status = RunTimed(step, ctx.deadline, shared, ctx); !status.ok()) {
        return status;
      }
    }
    return OkStatus();
  };
  if (Status status = run_shared(kHeaderSteps); !status.ok()) {
    return status.error();
  }
  if (Status status = run_shared(Streams(ctx) ? std::span<const SharedStep>(kStreamingSteps)
                                              : std::span<const SharedStep>(kInMemorySteps));
      !status.ok()) {
    return status.error();
  }
  const std::span<const VariantStep> variant_steps =
      ctx.streamed ? std::span<const VariantStep>(kEncodeOnlySteps) : kVariantSteps;
  std::vector<Encoded> outputs;
  outputs.reserve(variants.size());
  for (size_t i = 0; i < variants.size(); ++i) {
    VariantWork work{variants[i], ctx.plans[i], i + 1 == variants.size(), &ctx.image, {}, {}};
    StepTimings timings;
    timings.decode_ms = shared.decode_ms;
    timings.resize_ms = shared.resize_ms;  // the colour conversion, shared by every variant
    for (const VariantStep& step : variant_steps) {
      if (Status status = RunTimed(step, ctx.deadline, timings, ctx, work); !status.ok()) {
        return status.error();
      }
    }
    Encoded out;
    out.bytes = std::move(work.encoded);
    out.format = variants[i].options.format;
    out.width = work.source->width;
    out.height = work.source->height;
    out.channels = work.source->channels;
    out.source = ctx.header;
    out.timings = timings;
    out.warnings = ctx.warnings;  // each output carries them: an adapter may log any one
    outputs.push_back(std::move(out));
  }
  return outputs;
}

}  // namespace

Result<std::vector<Encoded>> ProcessVariants(std::span<const uint8_t> input,
                                             std::span<const Variant> variants,
                                             std::optional<Clock::time_point> deadline) {
  return RunPipeline(input, nullptr, variants, deadline);
}

Result<std::vector<Encoded>> ProcessVariants(ByteSource& input, std::span<const Variant> variants,
                                             std::optional<Clock::time_point> deadline) {
  if (variants.empty()) {
    return MakeError(ErrorCode::kInvalidOptions, "no variant to make");
  }
  auto head = core::ReadInputHead(input, SharedLimits(variants).max_input_bytes);
  if (!head.ok()) {
    return head.error();
  }
  return RunPipeline(head->bytes, head->rest_pending ? &input : nullptr, variants, deadline);
}

Result<Encoded> Process(std::span<const uint8_t> input, const Options& options,
                        std::optional<Clock::time_point> deadline) {
  const Variant only{"", "", options};
  auto outputs = ProcessVariants(input, std::span(&only, 1), deadline);
  if (!outputs.ok()) {
    return outputs.error();
  }
  return std::move(outputs->front());
}

}  // namespace imgpipe
