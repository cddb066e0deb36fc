// Embedded ICC profiles out of JPEG APP2 (one and several segments), PNG iCCP and WebP ICCP,
// and every way a container can get them wrong.
#include "core/icc_extract.h"

#include <gtest/gtest.h>

#include "core/colour_fixtures.h"

namespace imgpipe::core {
namespace {

using testing::Bytes;

constexpr uint32_t kW = 16;
constexpr uint32_t kH = 8;

// A profile-sized byte pattern: the extractor does not parse it, so any bytes will do, and
// distinct values show a misordered reassembly.
Bytes Pattern(size_t size) {
  Bytes out(size);
  for (size_t i = 0; i < size; ++i) {
    out[i] = static_cast<uint8_t>(i * 7 + i / 251);
  }
  return out;
}

Bytes Jpeg() { return testing::EncodeJpeg(testing::Gradient(kW, kH, 3), kW, kH, 3); }

TEST(IccExtractTest, JpegWithoutProfileYieldsNothing) {
  const IccExtraction out = ExtractJpegIcc(Jpeg());
  EXPECT_TRUE(out.icc.empty());
  EXPECT_EQ(out.warning, "");
}

TEST(IccExtractTest, JpegSingleSegment) {
  const Bytes icc = Pattern(3000);
  EXPECT_EQ(ExtractIcc(testing::JpegWithIcc(Jpeg(), icc), Format::kJpeg).icc, icc);
}

TEST(IccExtractTest, JpegSegmentsAreJoinedInSequenceOrderWhateverTheFileOrder) {
  const Bytes icc = Pattern(2500);
  const IccExtraction out = ExtractJpegIcc(testing::JpegWithIcc(Jpeg(), icc, 1000, {3, 1, 2}));
  EXPECT_EQ(out.warning, "");
  EXPECT_EQ(out.icc, icc);
}

TEST(IccExtractTest, JpegBrokenSegmentSetsAreIgnoredWithAWarning) {
  const Bytes icc = Pattern(2500);
  struct Case {
    std::vector<int> order;
    const char* says;
  };
  for (const Case& c :
       {Case{{1, 3}, "segment 2 of 3 is missing"}, Case{{1, 2, 2, 3}, "segment 2 appears twice"}}) {
    const IccExtraction out = ExtractJpegIcc(testing::JpegWithIcc(Jpeg(), icc, 1000, c.order));
    EXPECT_TRUE(out.icc.empty());
    EXPECT_NE(out.warning.find(c.says), std::string::npos) << out.warning;
  }
  // Sequence number 0, a number past the count, and disagreeing counts.
  Bytes jpeg = testing::JpegWithIcc(Jpeg(), icc, 1000);
  const size_t seq_at = 2 + 4 + 12;  // first segment: marker, length, signature
  for (auto [seq, count] : {std::pair{0, 3}, std::pair{4, 3}, std::pair{1, 2}}) {
    Bytes bad = jpeg;
    bad[seq_at] = static_cast<uint8_t>(seq);
    bad[seq_at + 1] = static_cast<uint8_t>(count);
    const IccExtraction out = ExtractJpegIcc(bad);
    EXPECT_TRUE(out.icc.empty()) << seq << "/" << count;
    EXPECT_NE(out.warning.find("ignored ICC profile"), std::string::npos) << out.warning;
  }
}

TEST(IccExtractTest, JpegMarkerRunningPastTheEndStopsTheWalk) {
  Bytes jpeg = testing::JpegWithIcc(Jpeg(), Pattern(500));
  jpeg.resize(300);  // cuts the APP2 segment
  EXPECT_TRUE(ExtractJpegIcc(jpeg).icc.empty());
  for (size_t n = 0; n < 40; ++n) {  // every short prefix: no read past the span
    EXPECT_TRUE(ExtractJpegIcc({jpeg.data(), n}).icc.empty());
  }
}

TEST(IccExtractTest, PngIccp) {
  const Bytes png = testing::RgbPng(kW, kH, testing::Gradient(kW, kH, 3));
  EXPECT_TRUE(ExtractPngIcc(png).icc.empty());
  const Bytes icc = Pattern(70000);  // more than one stored deflate block
  const IccExtraction out = ExtractIcc(testing::PngWithIcc(png, icc), Format::kPng);
  EXPECT_EQ(out.warning, "");
  EXPECT_EQ(out.icc, icc);
}

TEST(IccExtractTest, PngIccpWithBadZlibIsIgnoredWithAWarning) {
  const Bytes png = testing::RgbPng(kW, kH, testing::Gradient(kW, kH, 3));
  const Bytes payload = {'i', 'c', 'c', 0, 0, 0x78, 0x01, 0xFF, 0xFF, 0xFF};
  const IccExtraction out = ExtractPngIcc(testing::PngWithChunk(png, "iCCP", payload));
  EXPECT_TRUE(out.icc.empty());
  EXPECT_NE(out.warning.find("iCCP chunk is corrupt"), std::string::npos) << out.warning;
}

TEST(IccExtractTest, PngIccpOverTheLimitIsNotInflated) {
  const Bytes png = testing::RgbPng(kW, kH, testing::Gradient(kW, kH, 3));
  const IccExtraction out = ExtractPngIcc(testing::PngWithIcc(png, Bytes(kMaxIccBytes + 1, 0)));
  EXPECT_TRUE(out.icc.empty());
  EXPECT_FALSE(out.warning.empty());
}

TEST(IccExtractTest, WebpIccp) {
  const Bytes simple = testing::WebpLossless(testing::Gradient(kW, kH, 3), kW, kH, false);
  EXPECT_TRUE(ExtractWebpIcc(simple).icc.empty());
  const Bytes icc = Pattern(1001);  // odd: the chunk is padded
  const Bytes webp = testing::WebpWithIcc(simple, kW, kH, icc);
  EXPECT_EQ(ExtractIcc(webp, Format::kWebp).icc, icc);
}

TEST(IccExtractTest, WebpFlagWithoutChunkOrChunkPastTheEndWarns) {
  const Bytes simple = testing::WebpLossless(testing::Gradient(kW, kH, 3), kW, kH, false);
  const IccExtraction missing =
      ExtractWebpIcc(testing::WebpWithIcc(simple, kW, kH, Pattern(10), false));
  EXPECT_TRUE(missing.icc.empty());
  EXPECT_NE(missing.warning.find("no ICCP chunk"), std::string::npos) << missing.warning;
  Bytes webp = testing::WebpWithIcc(simple, kW, kH, Pattern(100));
  webp[12 + 18 + 4 + 3] = 0x7F;  // the ICCP size (after VP8X's 18 bytes) claims ~2 GB
  const IccExtraction past = ExtractWebpIcc(webp);
  EXPECT_TRUE(past.icc.empty());
  EXPECT_NE(past.warning.find("past the end"), std::string::npos) << past.warning;
}

TEST(IccExtractTest, GifAndUnknownYieldNothing) {
  const Bytes bytes = {'G', 'I', 'F', '8', '9', 'a'};
  EXPECT_TRUE(ExtractIcc(bytes, Format::kGif).icc.empty());
  EXPECT_TRUE(ExtractIcc(bytes, Format::kUnknown).icc.empty());
}

}  // namespace
}  // namespace imgpipe::core
