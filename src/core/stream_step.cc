// Row-wise decode + resize. The order of the per-row steps is the in-memory pipeline's
// (flatten, then grayscale, then resize: kInMemorySteps in pipeline.cc), so both paths compute
// the same pixels up to the resampler's rounding.
#include "stream_step.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <utility>

#include "color.h"
#include "orient.h"
#include "resize.h"

namespace imgpipe::core {
namespace {

// The crop window of the plan expressed in the stored orientation: orientation maps the stored
// image onto the upright one (orient.cc: out(x, y) = in(...)), so the stored window is the
// upright one with axes swapped (5..8) and flipped where the orientation mirrors.
ResizePlan StoredWindow(const ResizePlan& plan, int orientation) {
  const bool swap = SwapsAxes(orientation);
  // Which stored axes run backwards in the upright image, per orientation 1..8.
  constexpr bool kFlipX[9] = {false, false, true, true, false, false, false, true, true};
  constexpr bool kFlipY[9] = {false, false, false, true, true, false, true, true, false};
  const int o = orientation >= 1 && orientation <= 8 ? orientation : 1;
  ResizePlan window;
  window.scaled_width = swap ? plan.scaled_height : plan.scaled_width;
  window.scaled_height = swap ? plan.scaled_width : plan.scaled_height;
  const uint32_t x = swap ? plan.crop_y : plan.crop_x;
  const uint32_t y = swap ? plan.crop_x : plan.crop_y;
  window.crop_width = swap ? plan.crop_height : plan.crop_width;
  window.crop_height = swap ? plan.crop_width : plan.crop_height;
  window.crop_x = kFlipX[o] ? window.scaled_width - x - window.crop_width : x;
  window.crop_y = kFlipY[o] ? window.scaled_height - y - window.crop_height : y;
  return window;
}

// Channels after the per-row steps, as the in-memory flatten and grayscale steps leave them.
int ChannelsAfterRowSteps(int channels, const Options& options) {
  if (options.format == OutputFormat::kJpeg && (channels == 2 || channels == 4)) {
    --channels;  // flattened
  }
  if (options.grayscale && channels >= 3) {
    channels -= 2;  // RGB -> L, RGBA -> LA
  }
  return channels;
}

// Receives decoded rows, runs the per-row steps on each and feeds the resampler.
class ResizingSink : public RowSink {
 public:
  ResizingSink(const ResizePlan& plan, const Header& header, const Options& options)
      : window_(StoredWindow(plan, header.orientation)), options_(options) {}

  Status Start(uint32_t width, uint32_t height, int channels) override {
    width_ = width;
    channels_ = channels;
    out_.width = window_.crop_width;
    out_.height = window_.crop_height;
    out_.channels = ChannelsAfterRowSteps(channels, options_);
    out_.pixels.resize(out_.stride() * out_.height);
    resizer_ = std::make_unique<RegionResizer>(width, height, out_.channels, window_, &out_, 0, 0);
    return OkStatus();
  }

  void Row(const uint8_t* row) override {
    if (resizer_->done()) {
      return;  // the rest of the image lies below the crop window
    }
    if (out_.channels == channels_) {
      return resizer_->PushRow(row);
    }
    // The per-row steps, in the in-memory pipeline's order. A colour conversion to sRGB that
    // works on rows belongs first, before flatten, as its in-memory step comes before flatten.
    row_.width = width_;
    row_.height = 1;
    row_.channels = channels_;
    row_.pixels.assign(row, row + static_cast<size_t>(width_) * channels_);
    if (options_.format == OutputFormat::kJpeg) {
      row_ = FlattenAlpha(std::move(row_), options_.background);
    }
    if (options_.grayscale) {
      row_ = ToGray(std::move(row_));
    }
    resizer_->PushRow(row_.pixels.data());
  }

  Image TakeOutput() { return std::move(out_); }

 private:
  ResizePlan window_;
  const Options& options_;
  uint32_t width_ = 0;
  int channels_ = 0;
  Image row_;  // one row being transformed, its buffer reused
  Image out_;  // the crop window, stored orientation
  std::unique_ptr<RegionResizer> resizer_;
};

// The plan's padding (contain) around the already resized and oriented crop.
Image Pad(Image cropped, const ResizePlan& plan, Rgb background) {
  if (plan.canvas_width <= cropped.width && plan.canvas_height <= cropped.height) {
    return cropped;
  }
  ResizePlan pad = plan;
  pad.scaled_width = pad.crop_width = cropped.width;
  pad.scaled_height = pad.crop_height = cropped.height;
  pad.crop_x = pad.crop_y = 0;
  return ApplyPlan(cropped, pad, background);
}

}  // namespace

bool StreamsRows(Format format) { return format == Format::kPng; }

Result<Image> DecodeAndResizeRows(std::span<const uint8_t> input, const Header& header,
                                  const ResizePlan& plan, const Options& options,
                                  const DecodeRequest& request, ByteSource* rest) {
  ResizingSink sink(plan, header, options);
  if (rest != nullptr) {
    if (auto status = DecodePngRowsStream(input, *rest, request, sink); !status) {
      return status.error();
    }
    return Pad(ApplyOrientation(sink.TakeOutput(), header.orientation), plan, options.background);
  }
  auto streamed = DecodePngRows(input, request, sink);
  if (!streamed) {
    return streamed.error();
  }
  if (!*streamed) {
    // Adam7: the whole image first (its own, lower pixel limit applies), then the same rows.
    auto image = DecodePng(input, request);
    if (!image) {
      return image.error();
    }
    if (auto status = sink.Start(image->width, image->height, image->channels); !status) {
      return status.error();
    }
    for (uint32_t y = 0; y < image->height; ++y) {
      sink.Row(image->row(y));
    }
  }
  return Pad(ApplyOrientation(sink.TakeOutput(), header.orientation), plan, options.background);
}

}  // namespace imgpipe::core
