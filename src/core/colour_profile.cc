// Source colours for the colour step: ICC profiles opened with lcms2, nclx code points turned
// into an lcms2 RGB profile, the sRGB-equivalence test that keeps sRGB-tagged images bit-exact
// with untagged ones, and the bounded LRU cache that lets a batch open each profile once.
#include <lcms2.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <list>
#include <mutex>
#include <string_view>

#include "colour_convert.h"
#include "heif_boxes.h"
#include "icc_extract.h"
#include "imgpipe/pipeline.h"
#include "sniff.h"

namespace imgpipe::core {
namespace {

constexpr int kLayouts = 6;
// A profile whose conversion moves no colour of this grid by more than one level is sRGB for
// our purposes: skipping it keeps the output identical to an untagged image's.
constexpr int kIdentityGridStep = 17;  // 0, 17, ..., 255: 16 levels per channel
constexpr int kIdentityTolerance = 1;
// The cache keeps whole keys (profile bytes) to compare them in full; this bounds its memory.
constexpr size_t kColourCacheBytes = 32u << 20;

struct ProfileDeleter {
  void operator()(void* profile) const { cmsCloseProfile(profile); }
};
using ProfilePtr = std::unique_ptr<void, ProfileDeleter>;

struct CurveDeleter {
  void operator()(cmsToneCurve* curve) const { cmsFreeToneCurve(curve); }
};
using CurvePtr = std::unique_ptr<cmsToneCurve, CurveDeleter>;

// IEC 61966-2-1's curve as lcms2's parametric type 4: Y = (aX + b)^g for X >= d, else cX.
CurvePtr SrgbCurve() {
  const cmsFloat64Number params[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
  return CurvePtr(cmsBuildParametricToneCurve(nullptr, 4, params));
}

cmsUInt32Number LcmsFormat(PixelLayout layout, bool output) {
  switch (layout) {
    case PixelLayout::kGray:
      return TYPE_GRAY_8;
    case PixelLayout::kGrayAlpha:
      return TYPE_GRAYA_8;
    case PixelLayout::kRgb:
      return TYPE_RGB_8;
    case PixelLayout::kRgba:
      return TYPE_RGBA_8;
    case PixelLayout::kCmyk:
      return output ? TYPE_RGB_8 : TYPE_CMYK_8;
    case PixelLayout::kCmykInverted:
      return output ? TYPE_RGB_8 : TYPE_CMYK_8_REV;
  }
  return 0;
}

bool LayoutIsGray(PixelLayout layout) {
  return layout == PixelLayout::kGray || layout == PixelLayout::kGrayAlpha;
}
bool LayoutIsCmyk(PixelLayout layout) {
  return layout == PixelLayout::kCmyk || layout == PixelLayout::kCmykInverted;
}

// The destination: lcms2's built-in sRGB, or for gray sources a gray with the sRGB curve (the
// gray that sRGB's R = G = B axis shows).
ProfilePtr TargetFor(PixelLayout layout) {
  if (LayoutIsGray(layout)) {
    const CurvePtr curve = SrgbCurve();
    return ProfilePtr(cmsCreateGrayProfile(cmsD50_xyY(), curve.get()));
  }
  return ProfilePtr(cmsCreate_sRGBProfile());
}

class ProfileSource final : public SourceColour {
 public:
  ProfileSource(ProfilePtr profile, ColourSpace space)
      : profile_(std::move(profile)), space_(space) {}

  ColourSpace space() const override { return space_; }

  const ColourTransform* TransformFor(PixelLayout layout) const override {
    const bool fits = space_ == ColourSpace::kGray ? LayoutIsGray(layout)
                      : space_ == ColourSpace::kCmyk
                          ? LayoutIsCmyk(layout)
                          : !LayoutIsGray(layout) && !LayoutIsCmyk(layout);
    if (!fits) {
      return nullptr;
    }
    const auto slot = static_cast<size_t>(layout);
    std::lock_guard lock(mu_);  // lcms2 reads a profile's tags lazily: one builder at a time
    if (!tried_[slot]) {
      tried_[slot] = true;
      const ProfilePtr target = TargetFor(layout);
      const bool alpha = layout == PixelLayout::kGrayAlpha || layout == PixelLayout::kRgba;
      // NOCACHE: without it lcms2 remembers the last pixel inside the transform, which would
      // make one transform unsafe to share between threads.
      const cmsUInt32Number flags = cmsFLAGS_NOCACHE | (alpha ? cmsFLAGS_COPY_ALPHA : 0);
      cmsHTRANSFORM transform =
          target ? cmsCreateTransform(profile_.get(), LcmsFormat(layout, false), target.get(),
                                      LcmsFormat(layout, true), INTENT_PERCEPTUAL, flags)
                 : nullptr;
      if (transform != nullptr) {
        transforms_[slot] = std::make_unique<ColourTransform>(transform, layout);
      }
    }
    return transforms_[slot].get();
  }

 private:
  ProfilePtr profile_;
  ColourSpace space_;
  mutable std::mutex mu_;
  mutable std::array<bool, kLayouts> tried_{};
  mutable std::array<std::unique_ptr<ColourTransform>, kLayouts> transforms_;
};

// True when `transform` maps every colour of the identity grid (RGB) or ramp (gray) to
// itself within kIdentityTolerance.
bool IsIdentity(const ColourTransform& transform) {
  std::vector<uint8_t> in;
  if (transform.layout() == PixelLayout::kGray) {
    for (int v = 0; v < 256; ++v) {
      in.push_back(static_cast<uint8_t>(v));
    }
  } else {
    for (int r = 0; r < 256; r += kIdentityGridStep) {
      for (int g = 0; g < 256; g += kIdentityGridStep) {
        for (int b = 0; b < 256; b += kIdentityGridStep) {
          in.insert(in.end(),
                    {static_cast<uint8_t>(r), static_cast<uint8_t>(g), static_cast<uint8_t>(b)});
        }
      }
    }
  }
  std::vector<uint8_t> out(in.size());
  transform.Convert(in.data(), out.data(), in.size() / InputChannels(transform.layout()));
  for (size_t i = 0; i < in.size(); ++i) {
    if (std::abs(static_cast<int>(in[i]) - static_cast<int>(out[i])) > kIdentityTolerance) {
      return false;
    }
  }
  return true;
}

ColourResolution Refuse(std::string why) { return ColourResolution{nullptr, std::move(why)}; }

// Wraps an opened profile, refusing what the colour step cannot use and dropping what is sRGB.
ColourResolution FromProfile(ProfilePtr profile, const std::string& what) {
  const cmsProfileClassSignature device_class = cmsGetDeviceClass(profile.get());
  if (device_class == cmsSigLinkClass || device_class == cmsSigAbstractClass ||
      device_class == cmsSigNamedColorClass) {
    return Refuse("ignored " + what +
                  ": a device link, abstract or named-colour profile "
                  "cannot describe image pixels");
  }
  ColourSpace space;
  PixelLayout probe;
  switch (cmsGetColorSpace(profile.get())) {
    case cmsSigRgbData:
      space = ColourSpace::kRgb;
      probe = PixelLayout::kRgb;
      break;
    case cmsSigGrayData:
      space = ColourSpace::kGray;
      probe = PixelLayout::kGray;
      break;
    case cmsSigCmykData:
      space = ColourSpace::kCmyk;
      probe = PixelLayout::kCmyk;
      break;
    default:
      return Refuse("ignored " + what + ": its colour space is neither RGB, gray nor CMYK");
  }
  auto source = std::make_shared<ProfileSource>(std::move(profile), space);
  const ColourTransform* transform = source->TransformFor(probe);
  if (transform == nullptr) {
    return Refuse("ignored " + what + ": lcms2 cannot build a transform from it to sRGB");
  }
  if (space != ColourSpace::kCmyk && IsIdentity(*transform)) {
    return {};  // sRGB (or indistinguishable from it): untagged output, bit for bit
  }
  return ColourResolution{std::move(source), {}};
}

ColourResolution FromIcc(const std::vector<uint8_t>& icc) {
  if (icc.size() > kMaxIccBytes) {
    return Refuse("ignored ICC profile: " + std::to_string(icc.size()) + " bytes, over the " +
                  std::to_string(kMaxIccBytes) + " byte limit");
  }
  // lcms2 reads tags lazily, so a profile cut after its curves would still open and convert:
  // the header's own size field says whether bytes are missing.
  const size_t declared =
      icc.size() < 4 ? 0 : static_cast<size_t>(icc[0]) << 24 | icc[1] << 16 | icc[2] << 8 | icc[3];
  if (declared > icc.size()) {
    return Refuse("ignored ICC profile: truncated (its header says " + std::to_string(declared) +
                  " bytes, " + std::to_string(icc.size()) + " are present)");
  }
  ProfilePtr profile(cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size())));
  if (!profile) {
    return Refuse("ignored ICC profile: lcms2 cannot parse it (" + std::to_string(icc.size()) +
                  " bytes, truncated or corrupt)");
  }
  return FromProfile(std::move(profile), "ICC profile");
}

struct Chromaticities {
  cmsCIExyY white;
  cmsCIExyYTRIPLE primaries;
};

// ITU-T H.273 ColourPrimaries. 2 (unspecified) is read as BT.709, as untagged means sRGB.
bool PrimariesFor(uint16_t code, Chromaticities* out) {
  constexpr cmsCIExyY kD65 = {0.3127, 0.3290, 1.0};
  switch (code) {
    case 1:  // BT.709 / sRGB
    case 2:
      *out = {kD65, {{0.640, 0.330, 1}, {0.300, 0.600, 1}, {0.150, 0.060, 1}}};
      return true;
    case 9:  // BT.2020 / BT.2100
      *out = {kD65, {{0.708, 0.292, 1}, {0.170, 0.797, 1}, {0.131, 0.046, 1}}};
      return true;
    case 11:  // SMPTE RP 431-2 (DCI-P3, DCI white)
      *out = {{0.314, 0.351, 1.0}, {{0.680, 0.320, 1}, {0.265, 0.690, 1}, {0.150, 0.060, 1}}};
      return true;
    case 12:  // SMPTE EG 432-1 (Display P3, what iPhones write)
      *out = {kD65, {{0.680, 0.320, 1}, {0.265, 0.690, 1}, {0.150, 0.060, 1}}};
      return true;
    default:
      return false;
  }
}

// ITU-T H.273 TransferCharacteristics as an lcms2 curve (code value -> linear light).
CurvePtr TransferFor(uint16_t code) {
  switch (code) {
    case 1:  // BT.709, and the same curve at higher precision in BT.601 and BT.2020
    case 6:
    case 14:
    case 15: {
      const cmsFloat64Number params[5] = {1 / 0.45, 1 / 1.099, 0.099 / 1.099, 1 / 4.5, 0.081};
      return CurvePtr(cmsBuildParametricToneCurve(nullptr, 4, params));
    }
    case 2:  // unspecified: sRGB
    case 13:
      return SrgbCurve();
    case 4:
      return CurvePtr(cmsBuildGamma(nullptr, 2.2));
    case 5:
      return CurvePtr(cmsBuildGamma(nullptr, 2.8));
    case 8:
      return CurvePtr(cmsBuildGamma(nullptr, 1.0));
    default:
      return nullptr;
  }
}

ColourResolution FromNclx(const ColourTag& tag) {
  const std::string what = "nclx colour (primaries " + std::to_string(tag.cicp_primaries) +
                           ", transfer " + std::to_string(tag.cicp_transfer) + ")";
  if (tag.cicp_transfer == 16 || tag.cicp_transfer == 18) {
    return Refuse("ignored " + what + ": HDR (PQ or HLG) is not tone-mapped; pixels taken as sRGB");
  }
  const uint16_t primaries_code = tag.cicp_primaries == 0 ? 2 : tag.cicp_primaries;
  const uint16_t transfer_code = tag.cicp_transfer == 0 ? 2 : tag.cicp_transfer;
  Chromaticities chroma{};
  if (!PrimariesFor(primaries_code, &chroma)) {
    return Refuse("ignored " + what + ": unsupported primaries; pixels taken as sRGB");
  }
  const CurvePtr curve = TransferFor(transfer_code);
  if (!curve) {
    return Refuse("ignored " + what + ": unsupported transfer; pixels taken as sRGB");
  }
  if (primaries_code <= 2 && (transfer_code == 2 || transfer_code == 13)) {
    return {};  // sRGB itself
  }
  cmsToneCurve* curves[3] = {curve.get(), curve.get(), curve.get()};
  ProfilePtr profile(cmsCreateRGBProfile(&chroma.white, &chroma.primaries, curves));
  if (!profile) {
    return Refuse("ignored " + what + ": lcms2 cannot build a profile for it");
  }
  return FromProfile(std::move(profile), what);
}

ColourResolution Build(const ColourTag& tag) {
  return tag.icc.empty() ? FromNclx(tag) : FromIcc(tag.icc);
}

// The key is what the resolution depends on: the profile bytes, or the two code points.
std::string KeyOf(const ColourTag& tag) {
  if (!tag.icc.empty()) {
    return std::string("icc:").append(reinterpret_cast<const char*>(tag.icc.data()),
                                      tag.icc.size());
  }
  return "nclx:" + std::to_string(tag.cicp_primaries) + "/" + std::to_string(tag.cicp_transfer);
}

class ColourCache {
 public:
  ColourResolution Get(const ColourTag& tag) {
    std::string key = KeyOf(tag);
    const size_t hash = std::hash<std::string_view>{}(key);
    {
      std::lock_guard lock(mu_);
      for (auto it = entries_.begin(); it != entries_.end(); ++it) {
        if (it->hash == hash && it->key == key) {
          entries_.splice(entries_.begin(), entries_, it);  // most recently used first
          ++hits_;
          return it->resolution;
        }
      }
      ++misses_;
    }
    // Built outside the lock: two threads may build the same profile once each, which costs
    // less than making every other lookup wait for a build.
    ColourResolution resolution = Build(tag);
    std::lock_guard lock(mu_);
    bytes_ += key.size();
    entries_.push_front(Entry{hash, std::move(key), resolution});
    while (entries_.size() > kColourCacheEntries ||
           (bytes_ > kColourCacheBytes && entries_.size() > 1)) {
      bytes_ -= entries_.back().key.size();
      entries_.pop_back();
    }
    return resolution;
  }

  ColourCacheStats Stats() {
    std::lock_guard lock(mu_);
    return ColourCacheStats{hits_, misses_, entries_.size()};
  }

 private:
  struct Entry {
    size_t hash;
    std::string key;
    ColourResolution resolution;
  };
  std::mutex mu_;
  std::list<Entry> entries_;
  size_t bytes_ = 0;
  uint64_t hits_ = 0;
  uint64_t misses_ = 0;
};

ColourCache& Cache() {
  static ColourCache cache;
  return cache;
}

}  // namespace

ColourResolution ResolveColour(const ColourTag& tag) {
  if (tag.empty()) {
    return {};
  }
  return Cache().Get(tag);
}

ColourCacheStats GetColourCacheStats() { return Cache().Stats(); }

}  // namespace imgpipe::core

namespace imgpipe {

std::string IccDescription(std::span<const uint8_t> icc) {
  if (icc.empty() || icc.size() > core::kMaxIccBytes) {
    return {};
  }
  core::ProfilePtr profile(
      cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size())));
  if (!profile) {
    return {};
  }
  std::array<char, 256> text{};
  const cmsUInt32Number n = cmsGetProfileInfoASCII(profile.get(), cmsInfoDescription, "en", "US",
                                                   text.data(), text.size());
  return n == 0 ? std::string() : std::string(text.data());
}

std::vector<uint8_t> EmbeddedIccProfile(std::span<const uint8_t> input) {
  const Format format = core::Sniff(input);
  if (format == Format::kHeif || format == Format::kAvif) {
    auto container = core::ParseHeifContainer(input);
    return container ? std::move(container->icc) : std::vector<uint8_t>{};
  }
  return core::ExtractIcc(input, format).icc;
}

}  // namespace imgpipe
