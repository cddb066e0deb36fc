// Fuzzes what the colour step parses from untrusted bytes before any pixel is decoded: ICC
// profile extraction from JPEG APP2, PNG iCCP and WebP ICCP (every extractor on every input,
// whatever the magic bytes say), the input itself as an ICC profile through lcms2 (open, sRGB
// test, transforms for every layout it fits, the description tag), and EXIF orientation.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "core/colour_convert.h"
#include "core/exif.h"
#include "core/icc_extract.h"
#include "imgpipe/pipeline.h"

namespace {

using imgpipe::core::PixelLayout;

// Runs a few pixels through every transform the source can build, checking the contract.
void Exercise(const imgpipe::ColourTag& tag) {
  const imgpipe::core::ColourResolution resolved = imgpipe::core::ResolveColour(tag);
  if (!resolved.source) {
    return;
  }
  std::array<uint8_t, 64> in{};
  for (size_t i = 0; i < in.size(); ++i) {
    in[i] = static_cast<uint8_t>(i * 37);
  }
  for (PixelLayout layout : {PixelLayout::kGray, PixelLayout::kGrayAlpha, PixelLayout::kRgb,
                             PixelLayout::kRgba, PixelLayout::kCmyk, PixelLayout::kCmykInverted}) {
    const imgpipe::core::ColourTransform* transform = resolved.source->TransformFor(layout);
    if (transform == nullptr) {
      continue;
    }
    if (transform->layout() != layout) {
      std::abort();
    }
    std::array<uint8_t, 64> out{};
    transform->Convert(in.data(), out.data(), in.size() / 4);  // 16 pixels of <= 4 channels
    volatile uint8_t sink = out[0];
    (void)sink;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::span<const uint8_t> bytes(data, size);
  for (const imgpipe::core::IccExtraction& icc :
       {imgpipe::core::ExtractJpegIcc(bytes), imgpipe::core::ExtractPngIcc(bytes),
        imgpipe::core::ExtractWebpIcc(bytes)}) {
    if (icc.icc.size() > imgpipe::core::kMaxIccBytes) {
      std::abort();
    }
    if (!icc.icc.empty() && !icc.warning.empty()) {
      std::abort();  // a profile or a reason
    }
    imgpipe::ColourTag tag;
    tag.icc = icc.icc;
    Exercise(tag);
  }
  if (size > 0 && size <= (1u << 16)) {
    imgpipe::ColourTag tag;
    tag.icc.assign(bytes.begin(), bytes.end());
    Exercise(tag);
    (void)imgpipe::IccDescription(bytes);
  }
  if (size >= 2) {  // two bytes of nclx code points
    imgpipe::ColourTag tag;
    tag.cicp_primaries = data[0];
    tag.cicp_transfer = data[1];
    Exercise(tag);
  }
  const int orientation = imgpipe::core::ParseExifOrientation(bytes);
  if (orientation < 1 || orientation > 8) {
    std::abort();
  }
  return 0;
}
