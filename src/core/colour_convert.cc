// Running the colour step's transforms over pixels: whole images in place through a small row
// buffer (the transform may not write over its own input), and the JPEG decoder's CMYK rows.
#include "colour_convert.h"

#include <lcms2.h>

#include <algorithm>

#include "icc_extract.h"

namespace imgpipe::core {
namespace {

// Pixels converted per call when an image is converted in place.
constexpr size_t kChunkPixels = 1024;

bool LayoutFor(int channels, PixelLayout* layout) {
  switch (channels) {
    case 1:
      *layout = PixelLayout::kGray;
      return true;
    case 2:
      *layout = PixelLayout::kGrayAlpha;
      return true;
    case 3:
      *layout = PixelLayout::kRgb;
      return true;
    case 4:
      *layout = PixelLayout::kRgba;
      return true;
    default:
      return false;
  }
}

}  // namespace

int InputChannels(PixelLayout layout) {
  switch (layout) {
    case PixelLayout::kGray:
      return 1;
    case PixelLayout::kGrayAlpha:
      return 2;
    case PixelLayout::kRgb:
      return 3;
    case PixelLayout::kRgba:
    case PixelLayout::kCmyk:
    case PixelLayout::kCmykInverted:
      break;
  }
  return 4;
}

int OutputChannels(PixelLayout layout) {
  const bool cmyk = layout == PixelLayout::kCmyk || layout == PixelLayout::kCmykInverted;
  return cmyk ? 3 : InputChannels(layout);
}

ColourTransform::ColourTransform(void* lcms_transform, PixelLayout layout)
    : transform_(lcms_transform), layout_(layout) {}

ColourTransform::~ColourTransform() { cmsDeleteTransform(transform_); }

void ColourTransform::Convert(const uint8_t* in, uint8_t* out, size_t pixels) const {
  // cmsDoTransform counts pixels in 32 bits; rows are far shorter, but stay correct anyway.
  constexpr size_t kMaxPerCall = 1u << 30;
  const auto in_step = static_cast<size_t>(InputChannels(layout_));
  const auto out_step = static_cast<size_t>(OutputChannels(layout_));
  while (pixels > 0) {
    const size_t n = std::min(pixels, kMaxPerCall);
    cmsDoTransform(transform_, in, out, static_cast<cmsUInt32Number>(n));
    in += n * in_step;
    out += n * out_step;
    pixels -= n;
  }
}

const char* ColourSpaceName(ColourSpace space) {
  switch (space) {
    case ColourSpace::kGray:
      return "gray";
    case ColourSpace::kRgb:
      return "RGB";
    case ColourSpace::kCmyk:
      break;
  }
  return "CMYK";
}

bool SpaceFitsChannels(ColourSpace space, int channels) {
  switch (space) {
    case ColourSpace::kGray:
      return channels == 1 || channels == 2;
    case ColourSpace::kRgb:
      return channels == 3 || channels == 4;
    case ColourSpace::kCmyk:
      break;
  }
  return channels == 4;
}

Image ConvertToSrgb(Image image, const SourceColour& source, std::vector<std::string>* warnings) {
  PixelLayout layout = PixelLayout::kRgb;
  const ColourTransform* transform =
      LayoutFor(image.channels, &layout) ? source.TransformFor(layout) : nullptr;
  if (transform == nullptr) {
    warnings->push_back(std::string("ignored colour profile: ") + ColourSpaceName(source.space()) +
                        " profile on " + std::to_string(image.channels) + "-channel pixels");
    return image;
  }
  const auto channels = static_cast<size_t>(image.channels);
  const size_t pixels = static_cast<size_t>(image.width) * image.height;
  std::vector<uint8_t> chunk(std::min(pixels, kChunkPixels) * channels);
  uint8_t* p = image.pixels.data();
  for (size_t done = 0; done < pixels; done += kChunkPixels) {
    const size_t n = std::min(kChunkPixels, pixels - done);
    transform->Convert(p + done * channels, chunk.data(), n);
    std::copy_n(chunk.data(), n * channels, p + done * channels);
  }
  return image;
}

const ColourTransform* JpegCmykTransform(std::span<const uint8_t> jpeg, bool adobe_inverted,
                                         std::shared_ptr<const SourceColour>* keep) {
  IccExtraction icc = ExtractJpegIcc(jpeg);
  if (icc.icc.empty()) {
    return nullptr;
  }
  ColourTag tag;
  tag.icc = std::move(icc.icc);
  ColourResolution resolution = ResolveColour(tag);
  if (!resolution.source || resolution.source->space() != ColourSpace::kCmyk) {
    return nullptr;  // the pipeline's colour step has already said why
  }
  *keep = std::move(resolution.source);
  return (*keep)->TransformFor(adobe_inverted ? PixelLayout::kCmykInverted : PixelLayout::kCmyk);
}

}  // namespace imgpipe::core
