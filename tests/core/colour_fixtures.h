// ICC profiles made with lcms2 and containers that embed them, for the colour tests. Profiles
// are built in memory so each test knows exactly what the profile does: a swapped-primaries
// profile makes an ignored (or applied) profile obvious in the pixels.
#pragma once

#include <lcms2.h>

#include <cstring>
#include <vector>

#include "testing/make_images.h"

namespace imgpipe::testing {

inline Bytes SaveProfile(cmsHPROFILE profile) {
  Require(profile != nullptr, "lcms2 profile");
  cmsUInt32Number size = 0;
  Require(cmsSaveProfileToMem(profile, nullptr, &size) != 0, "cmsSaveProfileToMem size");
  Bytes out(size);
  Require(cmsSaveProfileToMem(profile, out.data(), &size) != 0, "cmsSaveProfileToMem");
  cmsCloseProfile(profile);
  return out;
}

inline cmsToneCurve* SrgbTone() {
  const cmsFloat64Number params[5] = {2.4, 1 / 1.055, 0.055 / 1.055, 1 / 12.92, 0.04045};
  return cmsBuildParametricToneCurve(nullptr, 4, params);
}

// An RGB matrix/TRC profile with the sRGB curve and the given primaries (D65 white).
inline Bytes RgbProfile(cmsCIExyYTRIPLE primaries) {
  const cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
  cmsToneCurve* tone = SrgbTone();
  cmsToneCurve* curves[3] = {tone, tone, tone};
  Bytes out = SaveProfile(cmsCreateRGBProfile(&d65, &primaries, curves));
  cmsFreeToneCurve(tone);
  return out;
}

inline Bytes SrgbProfile() { return SaveProfile(cmsCreate_sRGBProfile()); }

// sRGB with the red and green primaries exchanged: stored red shows as green.
inline Bytes SwappedRedGreenProfile() {
  return RgbProfile({{0.300, 0.600, 1}, {0.640, 0.330, 1}, {0.150, 0.060, 1}});
}

// Display P3 primaries with the sRGB curve, as iPhones tag their photos.
inline Bytes DisplayP3Profile() {
  return RgbProfile({{0.680, 0.320, 1}, {0.265, 0.690, 1}, {0.150, 0.060, 1}});
}

// SwappedRedGreenProfile with each curve tabulated at 16384 points instead of parametric: about
// 100 KB that deflate to a fraction of it, as printer and LUT profiles do.
inline Bytes LargeSwappedRedGreenProfile() {
  const cmsCIExyY d65 = {0.3127, 0.3290, 1.0};
  const cmsCIExyYTRIPLE primaries = {{0.300, 0.600, 1}, {0.640, 0.330, 1}, {0.150, 0.060, 1}};
  cmsToneCurve* srgb = SrgbTone();
  constexpr int kPoints = 16384;
  std::vector<cmsFloat32Number> samples(kPoints);
  for (int i = 0; i < kPoints; ++i) {
    samples[i] = cmsEvalToneCurveFloat(srgb, static_cast<cmsFloat32Number>(i) / (kPoints - 1));
  }
  cmsFreeToneCurve(srgb);
  cmsToneCurve* curves[3];
  for (auto& curve : curves) {
    curve = cmsBuildTabulatedToneCurveFloat(nullptr, kPoints, samples.data());
  }
  Bytes out = SaveProfile(cmsCreateRGBProfile(&d65, &primaries, curves));
  for (auto* curve : curves) {
    cmsFreeToneCurve(curve);
  }
  return out;
}

inline Bytes GrayProfile(double gamma) {
  cmsToneCurve* tone = cmsBuildGamma(nullptr, gamma);
  Bytes out = SaveProfile(cmsCreateGrayProfile(cmsD50_xyY(), tone));
  cmsFreeToneCurve(tone);
  return out;
}

// lcms2's Lab identity is an abstract profile; as an input profile it describes Lab pixels.
inline Bytes LabProfile(bool as_input) {
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  if (as_input) cmsSetDeviceClass(lab, cmsSigInputClass);
  return SaveProfile(lab);
}

// A CMYK input profile whose ink maps to the naive RGB with red and blue exchanged: red ink
// (M+Y) shows blue through the profile, red through the naive fallback.
inline Bytes CmykRedBlueSwapProfile() {
  struct Cargo {
    cmsHTRANSFORM rgb_to_lab;
  };
  cmsHPROFILE srgb = cmsCreate_sRGBProfile();
  cmsHPROFILE lab = cmsCreateLab4Profile(nullptr);
  Cargo cargo{cmsCreateTransform(srgb, TYPE_RGB_DBL, lab, TYPE_Lab_DBL, INTENT_PERCEPTUAL, 0)};
  cmsCloseProfile(srgb);
  cmsCloseProfile(lab);
  Require(cargo.rgb_to_lab != nullptr, "sRGB to Lab");
  auto sampler = [](const cmsUInt16Number in[], cmsUInt16Number out[], void* data) -> int {
    const double c = in[0] / 65535.0, m = in[1] / 65535.0, y = in[2] / 65535.0, k = in[3] / 65535.0;
    const double rgb[3] = {(1 - y) * (1 - k), (1 - m) * (1 - k), (1 - c) * (1 - k)};  // R<->B
    cmsCIELab lab_value;
    cmsDoTransform(static_cast<Cargo*>(data)->rgb_to_lab, rgb, &lab_value, 1);
    cmsFloat2LabEncoded(out, &lab_value);
    return 1;
  };
  cmsHPROFILE profile = cmsCreateProfilePlaceholder(nullptr);
  cmsSetProfileVersion(profile, 4.3);
  cmsSetDeviceClass(profile, cmsSigInputClass);
  cmsSetColorSpace(profile, cmsSigCmykData);
  cmsSetPCS(profile, cmsSigLabData);
  cmsPipeline* pipeline = cmsPipelineAlloc(nullptr, 4, 3);
  cmsStage* clut = cmsStageAllocCLut16bit(nullptr, 9, 4, 3, nullptr);
  Require(cmsStageSampleCLut16bit(clut, sampler, &cargo, 0) != 0, "sample the CMYK CLUT");
  // lutAtoBType wants A curves, CLUT, B curves around the table: identity curves here.
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocToneCurves(nullptr, 4, nullptr));
  cmsPipelineInsertStage(pipeline, cmsAT_END, clut);
  cmsPipelineInsertStage(pipeline, cmsAT_END, cmsStageAllocToneCurves(nullptr, 3, nullptr));
  cmsWriteTag(profile, cmsSigAToB0Tag, pipeline);
  cmsWriteTag(profile, cmsSigMediaWhitePointTag, cmsD50_XYZ());
  cmsPipelineFree(pipeline);
  cmsDeleteTransform(cargo.rgb_to_lab);
  return SaveProfile(profile);
}

// `icc` as APP2 "ICC_PROFILE" segments of at most `segment` bytes, inserted after SOI, in the
// order `order` gives (1-based sequence numbers; empty = in sequence).
inline Bytes JpegWithIcc(const Bytes& jpeg, const Bytes& icc, size_t segment = 60000,
                         std::vector<int> order = {}) {
  const size_t count = (icc.size() + segment - 1) / segment;
  if (order.empty()) {
    for (size_t i = 1; i <= count; ++i) order.push_back(static_cast<int>(i));
  }
  Bytes out(jpeg.begin(), jpeg.begin() + 2);
  for (int seq : order) {
    const size_t begin = (static_cast<size_t>(seq) - 1) * segment;
    const size_t size = std::min(segment, icc.size() - begin);
    const size_t length = 2 + 14 + size;
    out.insert(out.end(),
               {0xFF, 0xE2, static_cast<uint8_t>(length >> 8), static_cast<uint8_t>(length)});
    const char* signature = "ICC_PROFILE";
    out.insert(out.end(), signature, signature + 12);  // with its NUL
    out.push_back(static_cast<uint8_t>(seq));
    out.push_back(static_cast<uint8_t>(count));
    out.insert(out.end(), icc.begin() + static_cast<long>(begin),
               icc.begin() + static_cast<long>(begin + size));
  }
  out.insert(out.end(), jpeg.begin() + 2, jpeg.end());
  return out;
}

// zlib stream of stored (uncompressed) deflate blocks: what iCCP needs, with no zlib library.
inline Bytes ZlibStored(const Bytes& data) {
  Bytes out = {0x78, 0x01};
  size_t at = 0;
  do {
    const size_t n = std::min<size_t>(65535, data.size() - at);
    out.push_back(at + n == data.size() ? 1 : 0);
    out.insert(out.end(), {static_cast<uint8_t>(n), static_cast<uint8_t>(n >> 8),
                           static_cast<uint8_t>(~n), static_cast<uint8_t>(~n >> 8)});
    out.insert(out.end(), data.begin() + static_cast<long>(at),
               data.begin() + static_cast<long>(at + n));
    at += n;
  } while (at < data.size());
  uint32_t a = 1, b = 0;
  for (uint8_t v : data) {
    a = (a + v) % 65521;
    b = (b + a) % 65521;
  }
  PutU32(out, b << 16 | a, true);
  return out;
}

// A PNG chunk with its CRC, inserted after IHDR.
inline Bytes PngWithChunk(const Bytes& png, const char* type, const Bytes& payload) {
  Bytes chunk;
  PutU32(chunk, static_cast<uint32_t>(payload.size()), true);
  chunk.insert(chunk.end(), type, type + 4);
  chunk.insert(chunk.end(), payload.begin(), payload.end());
  PutU32(chunk, Crc32(chunk.data() + 4, chunk.size() - 4), true);
  Bytes out;
  out.reserve(png.size() + chunk.size());
  out.insert(out.end(), png.begin(), png.begin() + 33);  // signature + IHDR
  out.insert(out.end(), chunk.begin(), chunk.end());
  out.insert(out.end(), png.begin() + 33, png.end());
  return out;
}

inline Bytes RgbPng(uint32_t width, uint32_t height, const Bytes& rgb) {
  PngSpec spec;
  spec.width = width;
  spec.height = height;
  return EncodePng(spec, rgb);
}

inline Bytes PngWithIcc(const Bytes& png, const Bytes& icc) {
  Bytes payload = {'i', 'c', 'c', 0, 0};  // name, NUL, compression method 0
  const Bytes z = ZlibStored(icc);
  payload.insert(payload.end(), z.begin(), z.end());
  return PngWithChunk(png, "iCCP", payload);
}

// A simple WebP re-wrapped as VP8X with the ICC flag and an ICCP chunk (omitted when
// `with_chunk` is false, to make a header that lies).
inline Bytes WebpWithIcc(const Bytes& simple, uint32_t width, uint32_t height, const Bytes& icc,
                         bool with_chunk = true) {
  Bytes body;
  Bytes vp8x = {0x20, 0, 0, 0};
  Put24(vp8x, width - 1);
  Put24(vp8x, height - 1);
  PutChunk(body, "VP8X", vp8x.data(), vp8x.size());
  if (with_chunk) PutChunk(body, "ICCP", icc.data(), icc.size());
  const Bytes image = WebpImageChunks(simple);
  body.insert(body.end(), image.begin(), image.end());
  return Riff(body);
}

}  // namespace imgpipe::testing
