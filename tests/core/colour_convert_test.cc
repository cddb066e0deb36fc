// The colour step: profiles resolved (or refused) to sRGB, the transform cache, nclx code
// points, CMYK JPEGs through their profile, and the pipeline's colour and gray output.
#include "core/colour_convert.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/colour_fixtures.h"
#include "core/decode.h"
#include "core/icc_extract.h"
#include "imgpipe/pipeline.h"

namespace imgpipe::core {
namespace {

using testing::Bytes;

constexpr uint32_t kW = 64;
constexpr uint32_t kH = 32;

ColourTag Icc(Bytes icc) {
  ColourTag tag;
  tag.icc = std::move(icc);
  return tag;
}

ColourTag Nclx(uint16_t primaries, uint16_t transfer) {
  ColourTag tag;
  tag.cicp_primaries = primaries;
  tag.cicp_transfer = transfer;
  tag.cicp_matrix = 6;
  return tag;
}

// The sRGB colour lcms2 makes of `rgb` through `icc`, one pixel: the reference.
std::array<uint8_t, 3> LcmsToSrgb(const Bytes& icc, std::array<uint8_t, 3> rgb) {
  cmsHPROFILE in = cmsOpenProfileFromMem(icc.data(), static_cast<cmsUInt32Number>(icc.size()));
  cmsHPROFILE out = cmsCreate_sRGBProfile();
  cmsHTRANSFORM t = cmsCreateTransform(in, TYPE_RGB_8, out, TYPE_RGB_8, INTENT_PERCEPTUAL, 0);
  std::array<uint8_t, 3> result{};
  cmsDoTransform(t, rgb.data(), result.data(), 1);
  cmsDeleteTransform(t);
  cmsCloseProfile(in);
  cmsCloseProfile(out);
  return result;
}

TEST(ColourResolveTest, UntaggedAndSrgbNeedNoConversion) {
  EXPECT_EQ(ResolveColour({}).source, nullptr);
  const ColourResolution srgb = ResolveColour(Icc(testing::SrgbProfile()));
  EXPECT_EQ(srgb.source, nullptr);
  EXPECT_EQ(srgb.warning, "");
  EXPECT_EQ(ResolveColour(Nclx(1, 13)).source, nullptr);
  EXPECT_EQ(ResolveColour(Nclx(2, 2)).source, nullptr);
  EXPECT_EQ(ResolveColour(Icc(testing::GrayProfile(2.4))).warning, "");
}

TEST(ColourResolveTest, ATaggedWideGamutProfileConvertsLikeLcms) {
  const Bytes p3 = testing::DisplayP3Profile();
  const ColourResolution resolved = ResolveColour(Icc(p3));
  ASSERT_NE(resolved.source, nullptr) << resolved.warning;
  EXPECT_EQ(resolved.source->space(), ColourSpace::kRgb);
  const ColourTransform* transform = resolved.source->TransformFor(PixelLayout::kRgb);
  ASSERT_NE(transform, nullptr);
  const Bytes in = {0, 200, 0, 120, 60, 30, 255, 255, 255};
  Bytes out(in.size());
  transform->Convert(in.data(), out.data(), 3);
  for (size_t p = 0; p < 3; ++p) {
    const auto want = LcmsToSrgb(p3, {in[3 * p], in[3 * p + 1], in[3 * p + 2]});
    for (size_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(out[3 * p + c], want[c], 1) << p << "," << c;
    }
  }
  EXPECT_EQ(resolved.source->TransformFor(PixelLayout::kGray), nullptr);
  EXPECT_EQ(resolved.source->TransformFor(PixelLayout::kCmyk), nullptr);
}

// Bytes that are no profile, whose first field (the profile size) at least tells the truth.
Bytes Garbage(size_t size) {
  Bytes out(size, 0xAB);
  out[0] = 0;
  out[1] = 0;
  out[2] = static_cast<uint8_t>(size >> 8);
  out[3] = static_cast<uint8_t>(size);
  return out;
}

TEST(ColourResolveTest, BrokenProfilesAreIgnoredWithAWarning) {
  const Bytes good = testing::SwappedRedGreenProfile();
  struct Case {
    const char* name;
    Bytes icc;
    const char* says;
  };
  const Case cases[] = {
      {"truncated", Bytes(good.begin(), good.begin() + 200), "truncated"},
      {"garbage", Garbage(500), "cannot parse"},
      {"huge", Bytes(kMaxIccBytes + 1, 0), "over the"},
      {"abstract", testing::LabProfile(false), "abstract"},
      {"Lab pixels", testing::LabProfile(true), "colour space"},
  };
  for (const Case& c : cases) {
    const ColourResolution resolved = ResolveColour(Icc(c.icc));
    EXPECT_EQ(resolved.source, nullptr) << c.name;
    EXPECT_NE(resolved.warning.find(c.says), std::string::npos)
        << c.name << ": " << resolved.warning;
  }
}

TEST(ColourResolveTest, Nclx) {
  // Display P3 green is outside sRGB: it must come out clipped, not unchanged.
  const ColourResolution p3 = ResolveColour(Nclx(12, 13));
  ASSERT_NE(p3.source, nullptr) << p3.warning;
  const Bytes green = {0, 255, 0};
  Bytes out(3);
  p3.source->TransformFor(PixelLayout::kRgb)->Convert(green.data(), out.data(), 1);
  EXPECT_EQ(out[0], 0);
  EXPECT_EQ(out[1], 255);
  EXPECT_EQ(out[2], 0);
  const Bytes mid = {40, 180, 60};
  p3.source->TransformFor(PixelLayout::kRgb)->Convert(mid.data(), out.data(), 1);
  EXPECT_LT(out[0], 20);  // P3's greener green: sRGB needs less red, more green
  EXPECT_GT(out[1], 180);
  EXPECT_NE(ResolveColour(Nclx(9, 1)).source, nullptr);    // BT.2020, BT.709 transfer
  EXPECT_NE(ResolveColour(Nclx(1, 1)).source, nullptr);    // BT.709 transfer is not sRGB's
  EXPECT_NE(ResolveColour(Nclx(11, 13)).source, nullptr);  // DCI-P3
  for (auto [primaries, transfer, says] :
       {std::tuple{9, 16, "HDR"}, std::tuple{9, 18, "HDR"}, std::tuple{22, 13, "primaries"},
        std::tuple{1, 17, "transfer"}}) {
    const ColourResolution r =
        ResolveColour(Nclx(static_cast<uint16_t>(primaries), static_cast<uint16_t>(transfer)));
    EXPECT_EQ(r.source, nullptr) << primaries << "/" << transfer;
    EXPECT_NE(r.warning.find(says), std::string::npos) << r.warning;
  }
}

TEST(ColourCacheTest, ASecondImageWithTheSameProfileHitsTheCache) {
  const ColourTag tag = Icc(testing::RgbProfile({{0.65, 0.33, 1}, {0.3, 0.6, 1}, {0.15, 0.06, 1}}));
  const ColourCacheStats before = GetColourCacheStats();
  const ColourResolution first = ResolveColour(tag);
  const ColourCacheStats middle = GetColourCacheStats();
  const ColourResolution second = ResolveColour(tag);
  const ColourCacheStats after = GetColourCacheStats();
  EXPECT_EQ(middle.misses, before.misses + 1);
  EXPECT_EQ(after.hits, middle.hits + 1);
  EXPECT_EQ(after.misses, middle.misses);
  ASSERT_NE(first.source, nullptr);
  EXPECT_EQ(first.source.get(), second.source.get());  // the same transforms, not rebuilt
}

TEST(ColourCacheTest, IsBounded) {
  for (int i = 0; i < 40; ++i) {
    const double x = 0.60 + i * 0.002;
    (void)ResolveColour(Icc(testing::RgbProfile({{x, 0.33, 1}, {0.3, 0.6, 1}, {0.15, 0.06, 1}})));
  }
  EXPECT_LE(GetColourCacheStats().entries, kColourCacheEntries);
}

TEST(ColourConvertTest, TransformsAreSharedSafelyBetweenThreads) {
  const ColourResolution resolved = ResolveColour(Icc(testing::DisplayP3Profile()));
  ASSERT_NE(resolved.source, nullptr);
  Bytes in = testing::Gradient(512, 64, 3);
  Bytes want(in.size());
  resolved.source->TransformFor(PixelLayout::kRgb)
      ->Convert(in.data(), want.data(), size_t{512} * 64);
  std::vector<Bytes> outs(4, Bytes(in.size()));
  {
    std::vector<std::jthread> threads;
    threads.reserve(outs.size());
    for (Bytes& out : outs) {
      threads.emplace_back([&] {
        for (int round = 0; round < 20; ++round) {
          // Row by row, as a streaming decoder would feed the resizer.
          for (size_t y = 0; y < 64; ++y) {
            resolved.source->TransformFor(PixelLayout::kRgb)
                ->Convert(in.data() + y * 512 * 3, out.data() + y * 512 * 3, 512);
          }
        }
      });
    }
  }
  for (const Bytes& out : outs) {
    EXPECT_EQ(out, want);
  }
}

TEST(ColourConvertTest, AlphaIsCopiedAndGrayProfilesApplyToGrayPixels) {
  const ColourResolution p3 = ResolveColour(Icc(testing::DisplayP3Profile()));
  Image rgba{1, 2, 4, {0, 200, 0, 77, 255, 255, 255, 0}, {}};
  rgba = ConvertToSrgb(std::move(rgba), *p3.source, nullptr);
  EXPECT_EQ(rgba.pixels[3], 77);
  EXPECT_EQ(rgba.pixels[7], 0);
  const ColourResolution gray = ResolveColour(Icc(testing::GrayProfile(1.0)));  // linear
  ASSERT_NE(gray.source, nullptr) << gray.warning;
  Image g{2, 1, 1, {0, 50}, {}};
  g = ConvertToSrgb(std::move(g), *gray.source, nullptr);
  EXPECT_EQ(g.pixels[0], 0);
  EXPECT_GT(g.pixels[1], 110);  // linear 50/255 is sRGB-encoded ~124
  std::vector<std::string> warnings;
  Image rgb{1, 1, 3, {1, 2, 3}, {}};
  rgb = ConvertToSrgb(std::move(rgb), *gray.source, &warnings);
  EXPECT_EQ(rgb.pixels, (Bytes{1, 2, 3}));
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("gray profile on 3-channel"), std::string::npos) << warnings[0];
}

// ----------------------------------------------------------------------------- CMYK JPEGs
Bytes RedAndGrayInk(bool adobe) {
  Bytes cmyk;
  for (uint32_t y = 0; y < kH; ++y) {
    for (uint32_t x = 0; x < kW; ++x) {
      const uint8_t ink[4] = {0, static_cast<uint8_t>(x < kW / 2 ? 255 : 0),
                              static_cast<uint8_t>(x < kW / 2 ? 255 : 0),
                              static_cast<uint8_t>(x < kW / 2 ? 0 : 128)};
      for (uint8_t v : ink) {
        cmyk.push_back(adobe ? 255 - v : v);
      }
    }
  }
  return cmyk;
}

class CmykProfileTest : public ::testing::TestWithParam<bool> {};

TEST_P(CmykProfileTest, TheEmbeddedProfileReplacesTheNaiveInversion) {
  const bool adobe = GetParam();
  testing::JpegSpec spec;
  spec.in_space = JCS_CMYK;
  spec.jpeg_space = JCS_CMYK;
  spec.adobe_marker = adobe;
  const Bytes plain = testing::EncodeJpeg(RedAndGrayInk(adobe), kW, kH, 4, spec);
  const Bytes tagged = testing::JpegWithIcc(plain, testing::CmykRedBlueSwapProfile());
  for (const Bytes* jpeg : {&plain, &tagged}) {
    auto image = DecodeJpeg(*jpeg, {});
    ASSERT_TRUE(image) << image.error().message;
    ASSERT_EQ(image->channels, 3);
    const uint8_t* ink = testing::PixelAt(*image, 4, kH / 2);
    // Red ink: red through the naive inversion, blue through the red/blue-swapping profile.
    const bool profiled = jpeg == &tagged;
    EXPECT_NEAR(ink[profiled ? 2 : 0], 255, 8) << profiled;
    EXPECT_NEAR(ink[1], 0, 8) << profiled;
    EXPECT_NEAR(ink[profiled ? 0 : 2], 0, 8) << profiled;
    const uint8_t* gray = testing::PixelAt(*image, kW - 4, kH / 2);
    EXPECT_NEAR(gray[0], gray[2], 3) << profiled;
  }
  // The pipeline does not convert these pixels a second time, and says nothing.
  Options options;
  options.grayscale = false;
  options.format = OutputFormat::kPng;
  options.width = kW;
  options.height = kH;
  auto out = Process(tagged, options);
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->warnings.empty()) << out->warnings[0];
}

INSTANTIATE_TEST_SUITE_P(Both, CmykProfileTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Adobe" : "Plain"; });

// ----------------------------------------------------------------------------- the pipeline
// Red on the left half, blue on the right.
Bytes RedBlue() {
  Bytes rgb;
  for (uint32_t y = 0; y < kH; ++y) {
    for (uint32_t x = 0; x < kW; ++x) {
      rgb.insert(rgb.end(), {static_cast<uint8_t>(x < kW / 2 ? 230 : 20), 20,
                             static_cast<uint8_t>(x < kW / 2 ? 20 : 230)});
    }
  }
  return rgb;
}

Options PngOptions(bool gray) {
  Options options;
  options.format = OutputFormat::kPng;
  options.grayscale = gray;
  options.width = kW / 2;
  options.height = kH / 2;
  return options;
}

Image DecodeOutput(const Encoded& encoded) {
  auto header = ReadHeader(encoded.bytes);
  EXPECT_TRUE(header);
  auto image = Decode(encoded.bytes, *header, {});
  EXPECT_TRUE(image);
  return image ? std::move(image).value() : Image{};
}

// A small PNG whose deflated profile inflates to more than the whole file (a 4x4 icon with a
// 100 KB profile) is decoded and converted, not refused as corrupt: libspng bounds an inflated
// iCCP by its chunk size limit, which must not be the file's size.
TEST(ColourPipelineTest, SmallPngWithAProfileLargerThanTheFileIsConverted) {
  const Bytes icc = testing::LargeSwappedRedGreenProfile();
  testing::PngSpec spec;
  spec.width = kW;
  spec.height = kH;
  spec.icc = icc;
  const Bytes png = testing::EncodePng(spec, RedBlue());
  ASSERT_LT(png.size(), icc.size() / 2);  // the case: profile inflates past the file
  auto colour = Process(png, PngOptions(false));
  ASSERT_TRUE(colour) << colour.error().message;
  EXPECT_TRUE(colour->warnings.empty());
  const auto want = LcmsToSrgb(icc, {230, 20, 20});
  const Image decoded = DecodeOutput(*colour);
  const uint8_t* left = testing::PixelAt(decoded, 2, 2);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(left[c], want[c], 6) << c;
  }
}

TEST(ColourPipelineTest, EveryContainerIsConvertedAndGrayFollowsTheConvertedColour) {
  const Bytes swapped = testing::SwappedRedGreenProfile();
  testing::JpegSpec spec;
  spec.h_samp = spec.v_samp = 1;
  const Bytes inputs[] = {
      testing::JpegWithIcc(testing::EncodeJpeg(RedBlue(), kW, kH, 3, spec), swapped),
      testing::PngWithIcc(testing::RgbPng(kW, kH, RedBlue()), swapped),
      testing::WebpWithIcc(testing::WebpLossless(RedBlue(), kW, kH, false), kW, kH, swapped),
  };
  const auto want = LcmsToSrgb(swapped, {230, 20, 20});
  ASSERT_GT(want[1], 150);  // stored red shows green through this profile
  for (const Bytes& input : inputs) {
    auto colour = Process(input, PngOptions(false));
    ASSERT_TRUE(colour) << colour.error().message;
    EXPECT_TRUE(colour->warnings.empty());
    const Image rgb = DecodeOutput(*colour);
    const uint8_t* left = testing::PixelAt(rgb, 2, 2);
    for (int c = 0; c < 3; ++c) {
      EXPECT_NEAR(left[c], want[c], 6) << c;
    }
    // Gray from the converted green, not from the stored red (the decoder's own luma).
    auto gray = Process(input, PngOptions(true));
    ASSERT_TRUE(gray);
    const Image g = DecodeOutput(*gray);
    ASSERT_EQ(g.channels, 1);
    const int luma = (want[0] * 19595 + want[1] * 38470 + want[2] * 7471 + 0x8000) >> 16;
    EXPECT_NEAR(testing::PixelAt(g, 2, 2)[0], luma, 6);
  }
}

TEST(ColourPipelineTest, IgnoredProfilesWarnAndLeaveTheOutputAsUntagged) {
  testing::JpegSpec spec;
  const Bytes jpeg = testing::EncodeJpeg(RedBlue(), kW, kH, 3, spec);
  const Bytes swapped = testing::SwappedRedGreenProfile();
  struct Case {
    const char* name;
    Bytes icc;
    const char* says;
  };
  const Case cases[] = {
      {"truncated", Bytes(swapped.begin(), swapped.begin() + swapped.size() / 2),
       "ignored ICC profile"},
      {"gray on RGB", testing::GrayProfile(2.2), "gray profile on 3-channel"},
      {"CMYK on RGB", testing::CmykRedBlueSwapProfile(), "CMYK profile on 3-channel"},
      {"sRGB", testing::SrgbProfile(), nullptr},
  };
  for (bool gray : {true, false}) {
    auto untagged = Process(jpeg, PngOptions(gray));
    ASSERT_TRUE(untagged);
    for (const Case& c : cases) {
      auto out = Process(testing::JpegWithIcc(jpeg, c.icc), PngOptions(gray));
      ASSERT_TRUE(out) << c.name << ": " << out.error().message;
      EXPECT_EQ(out->bytes, untagged->bytes) << c.name;
      if (c.says == nullptr) {
        EXPECT_TRUE(out->warnings.empty()) << c.name;
      } else {
        ASSERT_EQ(out->warnings.size(), 1u) << c.name;
        EXPECT_NE(out->warnings[0].find(c.says), std::string::npos)
            << c.name << ": " << out->warnings[0];
      }
    }
  }
}

TEST(ColourPipelineTest, DescriptionAndEmbeddedProfileForInfo) {
  const Bytes p3 = testing::DisplayP3Profile();
  const Bytes jpeg = testing::JpegWithIcc(testing::EncodeJpeg(RedBlue(), kW, kH, 3), p3);
  EXPECT_EQ(EmbeddedIccProfile(jpeg), p3);
  EXPECT_EQ(IccDescription(testing::SrgbProfile()), "sRGB built-in");
  EXPECT_EQ(IccDescription(Bytes(100, 1)), "");
  EXPECT_TRUE(EmbeddedIccProfile(testing::EncodeJpeg(RedBlue(), kW, kH, 3)).empty());
}

}  // namespace
}  // namespace imgpipe::core
