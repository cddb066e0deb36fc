// Sniffing by magic bytes, and the ReadHeader/Decode dispatch for inputs no codec accepts.
#include "core/sniff.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/decode.h"
#include "testing/make_images.h"

namespace imgpipe::core {
namespace {

using testing::Bytes;

// Takes the literal's full size: several magics contain NUL bytes.
template <size_t kSize>
Bytes FromString(const char (&text)[kSize]) {
  return Bytes(text, text + kSize - 1);
}

TEST(SniffTest, RecognisesEachFormatFromMagicBytes) {
  EXPECT_EQ(Sniff(Bytes{0xFF, 0xD8, 0xFF, 0xE0}), Format::kJpeg);
  EXPECT_EQ(Sniff(Bytes{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0}), Format::kPng);
  EXPECT_EQ(Sniff(FromString("RIFF\x10\0\0\0WEBPVP8 ")), Format::kWebp);
  EXPECT_EQ(Sniff(FromString("GIF87a")), Format::kGif);
  EXPECT_EQ(Sniff(FromString("GIF89a\x01\0")), Format::kGif);
}

TEST(SniffTest, RealEncodersOutputIsRecognised) {
  const Bytes rgb = testing::Gradient(8, 8, 3);
  EXPECT_EQ(Sniff(testing::EncodeJpeg(rgb, 8, 8, 3)), Format::kJpeg);
  EXPECT_EQ(Sniff(testing::WebpLossless(rgb, 8, 8, false)), Format::kWebp);
  EXPECT_EQ(Sniff(testing::EncodeGif(2, 1, {{0, 0, 0}}, {{0, 0, 2, 1, false, -1, {0, 0}}})),
            Format::kGif);
  testing::PngSpec spec;
  spec.width = spec.height = 8;
  EXPECT_EQ(Sniff(testing::EncodePng(spec, rgb)), Format::kPng);
}

// An ISO BMFF `ftyp` box: size, "ftyp", major brand, minor version, compatible brands.
Bytes Ftyp(const std::string& major, const std::vector<std::string>& compatible) {
  std::string box = std::string(3, '\0') + static_cast<char>(16 + 4 * compatible.size()) + "ftyp" +
                    major + std::string(4, '\0');
  for (const std::string& brand : compatible) {
    box += brand;
  }
  return Bytes(box.begin(), box.end());
}

TEST(SniffTest, HeifAndAvifComeFromTheFtypBrands) {
  EXPECT_EQ(Sniff(Ftyp("heic", {"mif1", "heic"})), Format::kHeif);
  for (const char* brand : {"heix", "hevc", "heim", "heis", "mif1", "msf1"}) {
    EXPECT_EQ(Sniff(Ftyp(brand, {})), Format::kHeif) << brand;
  }
  EXPECT_EQ(Sniff(Ftyp("avif", {"mif1", "miaf"})), Format::kAvif);
  EXPECT_EQ(Sniff(Ftyp("avis", {})), Format::kAvif);
  // A generic major brand with the codec brand among the compatible ones.
  EXPECT_EQ(Sniff(Ftyp("mif1", {"avif"})), Format::kAvif);
  EXPECT_EQ(Sniff(Ftyp("mif1", {"heic"})), Format::kHeif);
  // MP4 video and QuickTime share the box but carry no image brand.
  EXPECT_EQ(Sniff(Ftyp("isom", {"iso2", "mp41"})), Format::kUnknown);
  EXPECT_EQ(Sniff(Ftyp("qt  ", {})), Format::kUnknown);
  // The brand must be inside the box: a box of 12 bytes has no room for one.
  Bytes cut = Ftyp("heic", {});
  cut[3] = 12;
  EXPECT_EQ(Sniff(cut), Format::kUnknown);
  // "ftyp" not at offset 4 is not a HEIF, whatever follows.
  Bytes shifted = Ftyp("heic", {});
  shifted.insert(shifted.begin(), 0);
  EXPECT_EQ(Sniff(shifted), Format::kUnknown);
}

TEST(SniffTest, RejectsNearMissesAndShortInputs) {
  EXPECT_EQ(Sniff(Bytes{}), Format::kUnknown);
  EXPECT_EQ(Sniff(Bytes{0xFF, 0xD8}), Format::kUnknown);                     // JPEG needs 3 bytes
  EXPECT_EQ(Sniff(Bytes{0x89, 'P', 'N', 'G'}), Format::kUnknown);            // half a signature
  EXPECT_EQ(Sniff(FromString("RIFF\x10\0\0\0WAVEfmt ")), Format::kUnknown);  // RIFF, not WebP
  EXPECT_EQ(Sniff(FromString("RIFF\x10\0\0\0WEB")), Format::kUnknown);
  EXPECT_EQ(Sniff(FromString("GIF88a")), Format::kUnknown);
  EXPECT_EQ(Sniff(FromString("II*\0")), Format::kUnknown);  // TIFF is not supported
  EXPECT_EQ(Sniff(FromString("%PDF-1.7")), Format::kUnknown);
}

TEST(ReadHeaderTest, ZeroBytesIsEmptyInput) {
  auto header = ReadHeader({});
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kEmptyInput);
  EXPECT_NE(header.error().message.find("empty"), std::string::npos);
}

TEST(ReadHeaderTest, TextFileIsUnsupported) {
  const Bytes text = FromString("This is not an image, whatever its .jpg name says.\n");
  auto header = ReadHeader(text);
  ASSERT_FALSE(header);
  EXPECT_EQ(header.error().code, ErrorCode::kUnsupportedFormat);
  EXPECT_NE(header.error().message.find("not a JPEG, PNG, WebP, GIF, HEIF or AVIF image"),
            std::string::npos)
      << header.error().message;
}

TEST(ReadHeaderTest, RandomBytesNeverCrashAndAreRefused) {
  std::mt19937 rng(1234);
  for (int round = 0; round < 200; ++round) {
    Bytes bytes(1 + rng() % 512);
    for (auto& b : bytes) {
      b = static_cast<uint8_t>(rng());
    }
    auto header = ReadHeader(bytes);
    ASSERT_FALSE(header) << "round " << round;
  }
}

TEST(ReadHeaderTest, RandomBytesBehindEachMagicAreRefusedCleanly) {
  std::mt19937 rng(99);
  const std::vector<Bytes> magics = {{0xFF, 0xD8, 0xFF},
                                     {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'},
                                     FromString("RIFF\xff\0\0\0WEBP"),
                                     FromString("GIF89a"),
                                     Ftyp("heic", {"mif1"}),
                                     Ftyp("avif", {"mif1", "miaf"})};
  for (const Bytes& magic : magics) {
    for (int round = 0; round < 50; ++round) {
      Bytes bytes = magic;
      const size_t extra = rng() % 300;
      for (size_t i = 0; i < extra; ++i) {
        bytes.push_back(static_cast<uint8_t>(rng()));
      }
      auto header = ReadHeader(bytes);
      if (!header) {
        EXPECT_NE(header.error().code, ErrorCode::kInternal);
        EXPECT_FALSE(header.error().message.empty());
        continue;
      }
      // A header that parses must still decode (or fail) cleanly.
      DecodeRequest request;
      request.limits.max_input_pixels = 1 << 20;
      auto image = Decode(bytes, *header, request);
      if (image) {
        EXPECT_EQ(image->pixels.size(), image->stride() * image->height);
      }
    }
  }
}

TEST(DecodeTest, DispatchesOnTheHeaderFormat) {
  const Bytes rgb = testing::Gradient(16, 8, 3);
  const Bytes webp = testing::WebpLossless(rgb, 16, 8, false);
  auto header = ReadHeader(webp);
  ASSERT_TRUE(header) << header.error().message;
  EXPECT_EQ(header->format, Format::kWebp);
  auto image = Decode(webp, *header, {});
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(image->width, 16u);
  EXPECT_EQ(image->pixels, rgb);
}

TEST(DecodeTest, UnknownFormatAndEmptyInputAreErrors) {
  Header unknown;
  auto image = Decode(FromString("hello"), unknown, {});
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().code, ErrorCode::kUnsupportedFormat);
  Header jpeg;
  jpeg.format = Format::kJpeg;
  auto empty = Decode({}, jpeg, {});
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kEmptyInput);
}

TEST(FormatNameTest, NamesEveryFormat) {
  EXPECT_STREQ(FormatName(Format::kJpeg), "jpeg");
  EXPECT_STREQ(FormatName(Format::kPng), "png");
  EXPECT_STREQ(FormatName(Format::kWebp), "webp");
  EXPECT_STREQ(FormatName(Format::kGif), "gif");
  EXPECT_STREQ(FormatName(Format::kUnknown), "unknown");
}

}  // namespace
}  // namespace imgpipe::core
