// The pipeline fed through a ByteSource: a JPEG or PNG decodes while its bytes arrive (whatever the
// chunk boundaries), with the same output as from memory; truncation, over-limit input and a
// failing source are clear errors; other formats are read whole within the limit.
#include "imgpipe/byte_source.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "colour_fixtures.h"
#include "core/input_head.h"
#include "imgpipe/pipeline.h"
#include "testing/make_images.h"

namespace imgpipe {
namespace {

using testing::Bytes;

// Serves `bytes` in pieces of `chunk`, then fails with kStorageError once `fail_after` bytes
// were handed out (when set), and counts what was read and how often.
class ScriptedSource final : public ByteSource {
 public:
  ScriptedSource(const Bytes& bytes, size_t chunk, size_t fail_after = SIZE_MAX)
      : bytes_(bytes), chunk_(chunk), fail_after_(fail_after) {}
  Result<size_t> Read(std::span<uint8_t> out) override {
    ++reads;
    if (offset >= fail_after_) {
      return MakeError(ErrorCode::kStorageError,
                       "connection reset after " + std::to_string(offset) + " bytes");
    }
    const size_t n = std::min({out.size(), chunk_, bytes_.size() - offset, fail_after_ - offset});
    std::copy_n(bytes_.begin() + static_cast<long>(offset), n, out.begin());
    offset += n;
    return n;
  }
  size_t offset = 0;
  size_t reads = 0;

 private:
  const Bytes& bytes_;
  size_t chunk_;
  size_t fail_after_;
};

Variant Thumb() { return Variant{"", "", Options{}}; }

Bytes Photo(uint32_t w, uint32_t h, const testing::JpegSpec& spec = {}) {
  return testing::EncodeJpeg(testing::Gradient(w, h, 3), w, h, 3, spec);
}

std::vector<uint8_t> StreamedOutput(const Bytes& input, size_t chunk,
                                    const Options& options = Options{}) {
  ScriptedSource source(input, chunk);
  const Variant only{"", "", options};
  auto out = ProcessVariants(source, std::span(&only, 1));
  EXPECT_TRUE(out.ok()) << out.error().message;
  return out.ok() ? out->front().bytes : std::vector<uint8_t>{};
}

std::vector<uint8_t> InMemoryOutput(const Bytes& input, const Options& options = Options{}) {
  auto out = Process(input, options);
  EXPECT_TRUE(out.ok()) << out.error().message;
  return out.ok() ? out->bytes : std::vector<uint8_t>{};
}

TEST(ByteSource, MemorySourceHandsOutPiecesThenZero) {
  const Bytes bytes = {1, 2, 3, 4, 5};
  MemorySource source(bytes, 2);
  uint8_t out[8];
  std::vector<size_t> sizes;
  for (;;) {
    auto got = source.Read(out);
    ASSERT_TRUE(got.ok());
    sizes.push_back(*got);
    if (*got == 0) {
      break;
    }
  }
  EXPECT_EQ(sizes, (std::vector<size_t>{2, 2, 1, 0}));
}

TEST(ByteSource, ReadAllStopsOneByteOverTheLimit) {
  const Bytes bytes(1000, 7);
  MemorySource exact(bytes, 3);
  auto all = ReadAll(exact, 1000);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(*all, bytes);

  ScriptedSource over(bytes, 64);
  auto refused = ReadAll(over, 999);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kInputTooLarge);
  EXPECT_NE(refused.error().message.find("999 byte limit"), std::string::npos);
}

TEST(ByteSource, JpegThroughOneByteChunksMatchesTheInMemoryOutput) {
  const Bytes baseline = Photo(640, 480);
  testing::JpegSpec progressive_spec;
  progressive_spec.progressive = true;
  const Bytes progressive = Photo(640, 480, progressive_spec);
  for (const Bytes* jpeg : {&baseline, &progressive}) {
    const auto expected = InMemoryOutput(*jpeg);
    for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}, size_t{1} << 20}) {
      EXPECT_EQ(StreamedOutput(*jpeg, chunk), expected) << "chunk " << chunk;
    }
  }
}

TEST(ByteSource, JpegStreamKeepsOrientationAndProfileFromTheHead) {
  testing::JpegSpec spec;
  spec.exif_tiff = testing::ExifTiff(6);  // rotate 90: the output's axes swap
  const Bytes oriented = testing::JpegWithIcc(Photo(300, 120, spec), testing::DisplayP3Profile());
  Options options;
  options.grayscale = false;
  options.width = 100;
  options.height = 100;
  EXPECT_EQ(StreamedOutput(oriented, 5, options), InMemoryOutput(oriented, options));
}

TEST(ByteSource, JpegIsPulledAsTheDecoderGoesNotReadWholeFirst) {
  const Bytes jpeg = Photo(1024, 1024);
  ScriptedSource source(jpeg, SIZE_MAX);
  const Variant only = Thumb();
  auto out = ProcessVariants(source, std::span(&only, 1));
  ASSERT_TRUE(out.ok()) << out.error().message;
  // Head first (one 64 KiB read), then the decoder's own 64 KiB pulls.
  EXPECT_GT(source.reads, jpeg.size() / (size_t{64} * 1024));
}

TEST(ByteSource, TruncatedJpegStreamIsTruncatedImage) {
  Bytes jpeg = Photo(400, 300);
  jpeg.resize(jpeg.size() / 2);
  ScriptedSource source(jpeg, 100);
  const Variant only = Thumb();
  auto out = ProcessVariants(source, std::span(&only, 1));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kTruncatedImage) << out.error().message;
}

TEST(ByteSource, JpegCutInsideItsHeadIsAClearError) {
  Bytes jpeg = Photo(400, 300);
  jpeg.resize(100);  // inside the quantisation tables
  ScriptedSource source(jpeg, 1);
  const Variant only = Thumb();
  auto out = ProcessVariants(source, std::span(&only, 1));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kTruncatedImage) << out.error().message;
}

TEST(ByteSource, JpegOverMaxInputBytesFailsWhileStreaming) {
  const Bytes jpeg = Photo(800, 800);
  Options options;
  options.limits.max_input_bytes = jpeg.size() / 2;
  ScriptedSource source(jpeg, 1000);
  const Variant only{"", "", options};
  auto out = ProcessVariants(source, std::span(&only, 1));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kInputTooLarge) << out.error().message;
  // It stopped at the limit, not at the end of the input.
  EXPECT_LE(source.offset, options.limits.max_input_bytes + uint64_t{64} * 1024);
}

TEST(ByteSource, ASourceErrorMidBodyFailsTheInputWithThatError) {
  const Bytes jpeg = Photo(800, 800);
  ScriptedSource source(jpeg, 512, jpeg.size() / 2);
  const Variant only = Thumb();
  auto out = ProcessVariants(source, std::span(&only, 1));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kStorageError);
  EXPECT_NE(out.error().message.find("connection reset after"), std::string::npos)
      << out.error().message;
}

Bytes Png(uint32_t w, uint32_t h, uint8_t color_type, int channels, bool interlaced,
          const Bytes& exif = {}) {
  testing::PngSpec spec;
  spec.width = w;
  spec.height = h;
  spec.color_type = color_type;
  spec.interlaced = interlaced;
  spec.exif = exif;
  return testing::EncodePng(spec, testing::Gradient(w, h, channels));
}

// PNG streams through libspng's read callback: plain, RGBA, Adam7 (decoded whole from the same
// decoder), with an eXIf orientation and with an ICC profile (the in-memory steps), and for
// several variants at once, always the in-memory output.
TEST(ByteSource, PngThroughSmallChunksMatchesTheInMemoryOutput) {
  const Bytes rgb = Png(300, 200, SPNG_COLOR_TYPE_TRUECOLOR, 3, false);
  const Bytes rgba = Png(300, 200, SPNG_COLOR_TYPE_TRUECOLOR_ALPHA, 4, false);
  const Bytes adam7 = Png(300, 200, SPNG_COLOR_TYPE_TRUECOLOR, 3, true);
  const Bytes oriented = Png(300, 120, SPNG_COLOR_TYPE_TRUECOLOR, 3, false, testing::ExifTiff(6));
  const Bytes tagged = testing::PngWithIcc(rgb, testing::DisplayP3Profile());
  Options colour;
  colour.grayscale = false;
  colour.format = OutputFormat::kPng;
  for (const Bytes* png : {&rgb, &rgba, &adam7, &oriented, &tagged}) {
    for (size_t chunk : {size_t{1}, size_t{1000}, size_t{1} << 20}) {
      EXPECT_EQ(StreamedOutput(*png, chunk), InMemoryOutput(*png)) << "chunk " << chunk;
      EXPECT_EQ(StreamedOutput(*png, chunk, colour), InMemoryOutput(*png, colour))
          << "chunk " << chunk;
    }
  }
  const std::vector<Variant> two = {{"a", "a/", Options{}}, {"b", "b/", colour}};
  ScriptedSource source(rgba, 7);
  auto streamed = ProcessVariants(source, two);
  auto in_memory = ProcessVariants(rgba, two);
  ASSERT_TRUE(streamed.ok()) << streamed.error().message;
  ASSERT_TRUE(in_memory.ok()) << in_memory.error().message;
  for (size_t i = 0; i < two.size(); ++i) {
    EXPECT_EQ((*streamed)[i].bytes, (*in_memory)[i].bytes) << two[i].name;
  }
}

TEST(ByteSource, PngOverTheLimitOrFailingMidwayFailsWithThatError) {
  const Bytes png = testing::RgbPng(800, 600, testing::Gradient(800, 600, 3));
  Options options;
  options.limits.max_input_bytes = png.size() / 2;
  ScriptedSource over(png, 100);
  const Variant limited{"", "", options};
  auto out = ProcessVariants(over, std::span(&limited, 1));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kInputTooLarge) << out.error().message;

  ScriptedSource failing(png, 512, png.size() / 2);
  const Variant only = Thumb();
  out = ProcessVariants(failing, std::span(&only, 1));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kStorageError) << out.error().message;
}

TEST(ByteSource, OtherFormatsAreReadWholeWithinTheLimit) {
  const Bytes webp = testing::WebpLossy(testing::Gradient(300, 200, 3), 300, 200, false);
  EXPECT_EQ(StreamedOutput(webp, 3), InMemoryOutput(webp));

  Options options;
  options.limits.max_input_bytes = webp.size() - 1;
  ScriptedSource source(webp, 100);
  const Variant only{"", "", options};
  auto out = ProcessVariants(source, std::span(&only, 1));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kInputTooLarge);
}

TEST(ByteSource, EmptyAndTinyInputsKeepTheirErrors) {
  const Bytes empty;
  ScriptedSource none(empty, 1);
  const Variant only = Thumb();
  auto out = ProcessVariants(none, std::span(&only, 1));
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, ErrorCode::kEmptyInput);

  const Bytes soi = {0xFF, 0xD8};
  ScriptedSource two(soi, 1);
  out = ProcessVariants(two, std::span(&only, 1));
  ASSERT_FALSE(out.ok());
  EXPECT_NE(out.error().code, ErrorCode::kInternal);
}

// Cut anywhere, streamed in awkward pieces, a JPEG or PNG fails exactly as the same bytes in
// memory do (or succeeds as they do: a JPEG missing only its EOI decodes).
TEST(ByteSource, EveryCutOfAStreamedInputMatchesTheInMemoryResult) {
  testing::JpegSpec progressive;
  progressive.progressive = true;
  for (const Bytes& jpeg :
       {Photo(96, 64), Photo(96, 64, progressive), Png(96, 64, SPNG_COLOR_TYPE_TRUECOLOR, 3, false),
        Png(96, 64, SPNG_COLOR_TYPE_TRUECOLOR, 3, true)}) {
    for (size_t cut = 0; cut <= jpeg.size(); cut += 1 + cut / 16) {
      const Bytes part(jpeg.begin(), jpeg.begin() + static_cast<long>(cut));
      auto in_memory = Process(part, Options{});
      ScriptedSource source(part, 3);
      const Variant only = Thumb();
      auto streamed = ProcessVariants(source, std::span(&only, 1));
      ASSERT_EQ(streamed.ok(), in_memory.ok()) << "cut " << cut;
      if (in_memory.ok()) {
        EXPECT_EQ(streamed->front().bytes, in_memory->bytes) << "cut " << cut;
      } else {
        EXPECT_EQ(streamed.error().code, in_memory.error().code)
            << "cut " << cut << ": " << streamed.error().message << " vs "
            << in_memory.error().message;
      }
    }
  }
}

TEST(JpegHeadScan, FindsTheEndOfTheFirstScanHeader) {
  const Bytes jpeg = Photo(64, 64);
  size_t pos = 2;
  ASSERT_EQ(core::ScanJpegHead(jpeg, &pos), core::JpegHeadScan::kComplete);
  // Just past SOS: the bytes before are FF DA and the SOS segment.
  const uint8_t sos_marker[] = {0xFF, 0xDA};
  const auto sos =
      std::search(jpeg.begin(), jpeg.end(), std::begin(sos_marker), std::end(sos_marker));
  ASSERT_NE(sos, jpeg.end());
  const size_t sos_at = static_cast<size_t>(sos - jpeg.begin());
  EXPECT_EQ(pos, sos_at + 2 + ((size_t{jpeg[sos_at + 2]} << 8) | jpeg[sos_at + 3]));

  // Every prefix short of that asks for more, resuming from a segment start.
  for (size_t cut = 3; cut < pos; cut += 5) {
    size_t at = 2;
    EXPECT_EQ(core::ScanJpegHead(std::span(jpeg).first(cut), &at), core::JpegHeadScan::kNeedMore)
        << cut;
    EXPECT_LE(at, cut);
  }
  const Bytes eoi = {0xFF, 0xD8, 0xFF, 0xD9};
  size_t at = 2;
  EXPECT_EQ(core::ScanJpegHead(eoi, &at), core::JpegHeadScan::kNoScan);
}

}  // namespace
}  // namespace imgpipe
