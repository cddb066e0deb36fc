// HEIF and AVIF input: sniffing by brand, the header from the container, decoding through the
// isolated libheif worker (depth, alpha, monochrome, grid, irot/clap applied once, EXIF ignored),
// and broken files.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/color.h"
#include "core/colour_convert.h"
#include "core/decode.h"
#include "core/sniff.h"
#include "heif_testing.h"
#include "imgpipe/pipeline.h"

namespace imgpipe::core {
namespace {

using testing::HeifSample;
using testing::MeanAbsDiff;
using testing::RotateCcw;

Result<Image> DecodeSample(const std::string& name, DecodeRequest request = {}) {
  const auto bytes = HeifSample(name);
  auto header = ReadHeader(bytes);
  if (!header) {
    return header.error();
  }
  return Decode(bytes, *header, request);
}

Image Decoded(const std::string& name) {
  auto image = DecodeSample(name);
  EXPECT_TRUE(image.ok()) << name << ": " << (image ? "" : image.error().message);
  return image ? std::move(image).value() : Image{};
}

TEST(HeifSniffTest, BrandsDecideBetweenHeifAndAvif) {
  EXPECT_EQ(Sniff(HeifSample("photo.heic")), Format::kHeif);
  EXPECT_EQ(Sniff(HeifSample("photo.avif")), Format::kAvif);
  EXPECT_EQ(Sniff(HeifSample("sequence.avif")), Format::kAvif);
}

TEST(HeifHeaderTest, ReadsSizeDepthAlphaAndBrandFromTheContainer) {
  auto photo = ReadHeader(HeifSample("photo.heic"));
  ASSERT_TRUE(photo.ok()) << photo.error().message;
  EXPECT_EQ(photo->format, Format::kHeif);
  EXPECT_EQ(photo->brand, "heic");
  EXPECT_EQ(photo->width, 240u);
  EXPECT_EQ(photo->height, 160u);
  EXPECT_EQ(photo->bit_depth, 8);
  EXPECT_EQ(photo->channels, 3);
  EXPECT_FALSE(photo->has_alpha);

  auto deep = ReadHeader(HeifSample("photo_10bit.heic"));
  ASSERT_TRUE(deep.ok());
  EXPECT_EQ(deep->bit_depth, 10);
  auto twelve = ReadHeader(HeifSample("photo_12bit.avif"));
  ASSERT_TRUE(twelve.ok());
  EXPECT_EQ(twelve->bit_depth, 12);
  EXPECT_EQ(twelve->brand, "avif");

  auto alpha = ReadHeader(HeifSample("alpha.avif"));
  ASSERT_TRUE(alpha.ok());
  EXPECT_TRUE(alpha->has_alpha);
  EXPECT_EQ(alpha->channels, 4);
  auto mono = ReadHeader(HeifSample("mono.heic"));
  ASSERT_TRUE(mono.ok());
  EXPECT_EQ(mono->channels, 1);

  auto grid = ReadHeader(HeifSample("grid.avif"));
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ(grid->grid_tiles, 4u);
  EXPECT_EQ(grid->tile_width, 128u);
  EXPECT_EQ(grid->tile_height, 128u);
  EXPECT_EQ(grid->width, 256u);
}

TEST(HeifHeaderTest, SizeIsAfterCropAndRotationAndOrientationIsAlwaysOne) {
  auto rotated = ReadHeader(HeifSample("irot90.heic"));
  ASSERT_TRUE(rotated.ok());
  EXPECT_EQ(rotated->width, 160u);
  EXPECT_EQ(rotated->height, 240u);
  auto cropped = ReadHeader(HeifSample("clap.avif"));
  ASSERT_TRUE(cropped.ok());
  EXPECT_EQ(cropped->width, 200u);
  EXPECT_EQ(cropped->height, 120u);
  // EXIF says 6 (rotate 90 clockwise); HEIF's own transforms are the only ones applied.
  auto contradicting = ReadHeader(HeifSample("exif6_no_irot.heic"));
  ASSERT_TRUE(contradicting.ok());
  EXPECT_EQ(contradicting->orientation, 1);
  EXPECT_EQ(contradicting->width, 240u);
}

TEST(HeifDecodeTest, EightBitColourHeicAndAvif) {
  for (const char* name : {"photo.heic", "photo.avif"}) {
    const Image image = Decoded(name);
    EXPECT_EQ(image.width, 240u) << name;
    EXPECT_EQ(image.height, 160u) << name;
    EXPECT_EQ(image.channels, 3) << name;
    EXPECT_EQ(image.pixels.size(), 240u * 160u * 3u) << name;
  }
  // Both encode the same photo (lossy, ~5 levels apart): a decoder that scrambled rows or
  // channels would be tens of levels off.
  EXPECT_LT(MeanAbsDiff(Decoded("photo.heic"), Decoded("photo.avif")), 8.0);
}

TEST(HeifDecodeTest, DeepSamplesAreScaledToEightBits) {
  struct Case {
    const char* deep;
    const char* eight;
  };
  for (const Case& c :
       {Case{"photo_10bit.heic", "photo.heic"}, Case{"photo_10bit.avif", "photo.avif"},
        Case{"photo_12bit.avif", "photo.avif"}}) {
    const Image deep = Decoded(c.deep);
    ASSERT_EQ(deep.channels, 3) << c.deep;
    // Reading the low byte only, or clipping 10-bit values to 255, is tens of levels off.
    EXPECT_LT(MeanAbsDiff(deep, Decoded(c.eight)), 5.0) << c.deep;
  }
}

TEST(HeifDecodeTest, AlphaMonochromeAndGrid) {
  const Image alpha = Decoded("alpha.heic");
  ASSERT_EQ(alpha.channels, 4);
  // The ramp: transparent on one side, opaque on the other.
  EXPECT_LT(alpha.row(80)[3], 40);
  EXPECT_GT(alpha.row(80)[239 * 4 + 3], 215);
  EXPECT_EQ(Decoded("alpha.avif").channels, 4);
  for (const char* name : {"mono.heic", "mono.avif"}) {
    const Image mono = Decoded(name);
    EXPECT_EQ(mono.channels, 1) << name;
    EXPECT_EQ(mono.pixels.size(), 240u * 160u) << name;
  }
  const Image grid = Decoded("grid.avif");
  EXPECT_EQ(grid.width, 256u);
  EXPECT_EQ(grid.height, 256u);
}

TEST(HeifDecodeTest, IrotIsAppliedExactlyOnce) {
  const Image upright = Decoded("photo.heic");
  const Image ccw90 = RotateCcw(upright);
  const Image ccw180 = RotateCcw(ccw90);
  const Image ccw270 = RotateCcw(ccw180);
  struct Case {
    const char* name;
    const Image& want;
    const Image& wrong;
  };
  for (const Case& c : {Case{"irot90.heic", ccw90, ccw270}, Case{"irot180.heic", ccw180, upright},
                        Case{"irot270.heic", ccw270, ccw90}, Case{"irot90.avif", ccw90, ccw270}}) {
    const Image image = Decoded(c.name);
    const double right = MeanAbsDiff(image, c.want);
    EXPECT_LT(right, 6.0) << c.name;
    EXPECT_LT(right * 3, MeanAbsDiff(image, c.wrong)) << c.name;
  }
}

TEST(HeifDecodeTest, ContradictingExifDoesNotRotateAgain) {
  const Image upright = Decoded("photo.heic");
  // EXIF 6 in a file without irot: stays as stored, through the whole pipeline too.
  EXPECT_LT(MeanAbsDiff(Decoded("exif6_no_irot.heic"), upright), 6.0);
  // irot 270 with EXIF 8 (which would undo it): exactly the container's rotation.
  const Image once = Decoded("irot270_exif8.heic");
  EXPECT_LT(MeanAbsDiff(once, RotateCcw(RotateCcw(RotateCcw(upright)))), 6.0);

  Options options;
  options.width = 120;
  options.height = 120;
  options.fit = Fit::kInside;
  auto out = Process(HeifSample("exif6_no_irot.heic"), options);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->width, 120u);  // landscape, as stored: EXIF 6 would have made it portrait
  EXPECT_EQ(out->height, 80u);
  auto rotated = Process(HeifSample("irot270_exif8.heic"), options);
  ASSERT_TRUE(rotated.ok()) << rotated.error().message;
  EXPECT_EQ(rotated->width, 80u);
  EXPECT_EQ(rotated->height, 120u);
}

TEST(HeifDecodeTest, GrayRequestTakesTheLumaPlaneWhichMatchesGrayFromRgb) {
  DecodeRequest gray;
  gray.gray = true;
  // avifenc writes an nclx of BT.601 full range; irot90 and clap check that the transforms apply
  // to the luma plane as to RGB.
  for (const char* name : {"photo.avif", "irot90.avif", "clap.avif"}) {
    auto luma = DecodeSample(name, gray);
    ASSERT_TRUE(luma.ok()) << name << ": " << luma.error().message;
    EXPECT_EQ(luma->channels, 1) << name;
    const Image from_rgb = ToGray(Decoded(name));
    EXPECT_LT(MeanAbsDiff(*luma, from_rgb), 1.0) << name;
  }
  // With alpha the pipeline needs the RGBA to flatten first: no shortcut.
  auto alpha = DecodeSample("alpha.heic", gray);
  ASSERT_TRUE(alpha.ok());
  EXPECT_EQ(alpha->channels, 4);
  // The lossless AVIF says "RGB" (matrix 0) in its nclx, and heif-enc's HEIC has no nclx (its
  // matrix is only in the HEVC stream): no luma plane to take for either.
  for (const char* name : {"lossless.avif", "lossless.heic", "photo.heic"}) {
    auto rgb = DecodeSample(name, gray);
    ASSERT_TRUE(rgb.ok()) << rgb.error().message;
    EXPECT_EQ(rgb->channels, 3) << name;
  }
}

// prophoto.heic/.avif hold photo.heic/.avif's pixels with a ProPhoto RGB profile in `colr`.
TEST(HeifDecodeTest, TheColrProfileIsNamedAndConvertedToSrgb) {
  for (const char* name : {"prophoto.heic", "prophoto.avif"}) {
    // What `imgpipe info` shows, read from the container without decoding.
    EXPECT_NE(IccDescription(EmbeddedIccProfile(HeifSample(name))).find("ProPhoto"),
              std::string::npos)
        << name;
  }
  EXPECT_TRUE(EmbeddedIccProfile(HeifSample("photo.heic")).empty());
  for (const auto& [tagged, untagged] :
       {std::pair{"prophoto.heic", "photo.heic"}, std::pair{"prophoto.avif", "photo.avif"}}) {
    const Image tagged_pixels = Decoded(tagged);
    ASSERT_FALSE(tagged_pixels.colour.icc.empty()) << tagged;
    // The pipeline's colour step on the tagged file equals the untagged pixels converted from
    // ProPhoto here, and is far from taking them as sRGB.
    auto source = ResolveColour(tagged_pixels.colour).source;
    ASSERT_NE(source, nullptr) << tagged;
    std::vector<std::string> warnings;
    const Image expected = ConvertToSrgb(Decoded(untagged), *source, &warnings);
    Options colour;
    colour.grayscale = false;
    colour.format = OutputFormat::kPng;
    colour.width = 240;
    colour.height = 160;
    auto converted = Process(HeifSample(tagged), colour);
    auto as_srgb = Process(HeifSample(untagged), colour);
    ASSERT_TRUE(converted.ok() && as_srgb.ok()) << tagged;
    const auto png = [](const Encoded& out) {
      auto header = ReadHeader(out.bytes);
      EXPECT_TRUE(header.ok());
      auto image = Decode(out.bytes, *header, DecodeRequest{});
      EXPECT_TRUE(image.ok());
      return image ? std::move(image).value() : Image{};
    };
    EXPECT_LT(MeanAbsDiff(png(*converted), expected), 0.5) << tagged;
    EXPECT_GT(MeanAbsDiff(png(*converted), png(*as_srgb)), 5.0) << tagged;
  }
}

// Box averages of `factor` x `factor` blocks, computed here the plain way.
Image BoxShrink(const Image& full, uint32_t factor) {
  Image out;
  out.width = (full.width + factor - 1) / factor;
  out.height = (full.height + factor - 1) / factor;
  out.channels = full.channels;
  out.pixels.resize(out.stride() * out.height);
  for (uint32_t oy = 0; oy < out.height; ++oy) {
    for (uint32_t ox = 0; ox < out.width; ++ox) {
      for (int c = 0; c < full.channels; ++c) {
        uint32_t sum = 0;
        uint32_t count = 0;
        for (uint32_t y = oy * factor; y < std::min(full.height, (oy + 1) * factor); ++y) {
          for (uint32_t x = ox * factor; x < std::min(full.width, (ox + 1) * factor); ++x) {
            sum += full.pixels[y * full.stride() + x * full.channels + c];
            ++count;
          }
        }
        out.pixels[oy * out.stride() + ox * out.channels + c] =
            static_cast<uint8_t>((sum + count / 2) / count);
      }
    }
  }
  return out;
}

TEST(HeifDecodeTest, ShrinksOnLoadByTheLargestBoxThatKeepsTheMinimum) {
  struct Case {
    const char* name;
    uint32_t min_width, min_height;
    uint32_t width, height;  // 240x160 reduced by 1, 2, 4 or 8
  };
  for (const Case& c :
       {Case{"photo.heic", 60, 40, 60, 40}, Case{"photo.avif", 61, 40, 120, 80},
        Case{"photo_10bit.heic", 30, 20, 30, 20}, Case{"mono.avif", 100, 20, 120, 80},
        Case{"irot90.heic", 20, 30, 20, 30}, Case{"photo.heic", 0, 0, 240, 160},
        Case{"photo.avif", 241, 10, 240, 160}}) {
    DecodeRequest request;
    request.min_width = c.min_width;
    request.min_height = c.min_height;
    auto shrunk = DecodeSample(c.name, request);
    ASSERT_TRUE(shrunk.ok()) << c.name << ": " << shrunk.error().message;
    EXPECT_EQ(shrunk->width, c.width) << c.name;
    EXPECT_EQ(shrunk->height, c.height) << c.name;
    const Image full = Decoded(c.name);
    const Image expected = BoxShrink(full, full.width / c.width);
    // Deep samples are averaged before their scaling to 8 bits: at most a rounding apart.
    EXPECT_LT(MeanAbsDiff(*shrunk, expected), 0.6) << c.name;
  }
  // With alpha, no reduction: flatten needs the unaveraged colour of each pixel first.
  DecodeRequest request;
  request.min_width = 30;
  request.min_height = 20;
  auto alpha = DecodeSample("alpha.avif", request);
  ASSERT_TRUE(alpha.ok());
  EXPECT_EQ(alpha->width, 240u);
}

TEST(HeifDecodeTest, CleanApertureCrops) {
  const Image cropped = Decoded("clap.avif");
  EXPECT_EQ(cropped.width, 200u);
  EXPECT_EQ(cropped.height, 120u);
}

TEST(HeifDecodeTest, PipelineMakesAThumbnailFromHeicAndAvif) {
  Options options;  // the tutorial's job: 256x256 fill, grayscale JPEG
  for (const char* name : {"photo.heic", "photo.avif", "alpha.avif", "mono.heic", "grid.avif"}) {
    auto out = Process(HeifSample(name), options);
    ASSERT_TRUE(out.ok()) << name << ": " << out.error().message;
    EXPECT_EQ(out->width, 256u);
    EXPECT_EQ(out->source.format, Sniff(HeifSample(name)));
  }
}

TEST(HeifDecodeTest, BrokenFilesAreClearErrors) {
  auto cut_meta = DecodeSample("truncated_meta.heic");
  ASSERT_FALSE(cut_meta.ok());
  EXPECT_EQ(cut_meta.error().code, ErrorCode::kTruncatedImage) << cut_meta.error().message;
  for (const char* name : {"truncated.heic", "truncated.avif"}) {
    auto image = DecodeSample(name);
    ASSERT_FALSE(image.ok()) << name;
    const ErrorCode code = image.error().code;
    EXPECT_TRUE(code == ErrorCode::kTruncatedImage || code == ErrorCode::kCorruptImage)
        << name << ": " << image.error().message;
  }
  // Overwritten coded data: an error, or the right shape, never a crash of this process.
  auto corrupted = DecodeSample("corrupted.heic");
  if (corrupted.ok()) {
    EXPECT_EQ(corrupted->width, 240u);
  } else {
    EXPECT_EQ(corrupted.error().code, ErrorCode::kCorruptImage) << corrupted.error().message;
  }
}

TEST(HeifDecodeTest, SequenceGivesItsPrimaryImageOrAClearError) {
  auto image = DecodeSample("sequence.avif");
  if (image.ok()) {
    EXPECT_EQ(image->width, 240u);
    auto header = ReadHeader(HeifSample("sequence.avif"));
    ASSERT_TRUE(header.ok());
    EXPECT_TRUE(header->animated);
  } else {
    EXPECT_EQ(image.error().code, ErrorCode::kUnsupportedFormat) << image.error().message;
  }
}

}  // namespace
}  // namespace imgpipe::core
