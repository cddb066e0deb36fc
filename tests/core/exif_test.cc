// EXIF orientation parsing, including hostile TIFF blocks.
#include "core/exif.h"

#include <gtest/gtest.h>

#include <random>

#include "testing/make_images.h"

namespace imgpipe::core {
namespace {

using testing::Bytes;
using testing::ExifTiff;

TEST(ExifTest, ReadsEveryOrientationInBothByteOrders) {
  for (int orientation = 1; orientation <= 8; ++orientation) {
    EXPECT_EQ(ParseExifOrientation(ExifTiff(orientation, false)), orientation);
    EXPECT_EQ(ParseExifOrientation(ExifTiff(orientation, true)), orientation);
  }
}

TEST(ExifTest, OutOfRangeValuesMeanUpright) {
  EXPECT_EQ(ParseExifOrientation(ExifTiff(0)), 1);
  EXPECT_EQ(ParseExifOrientation(ExifTiff(9)), 1);
  EXPECT_EQ(ParseExifOrientation(ExifTiff(0xFFFF, true)), 1);
}

TEST(ExifTest, MissingTagBadMagicOrEmptyMeanUpright) {
  Bytes tiff = ExifTiff(6);
  tiff[22] = 0x13;  // second entry's tag 0x0112 -> 0x0113: no orientation tag left
  EXPECT_EQ(ParseExifOrientation(tiff), 1);
  Bytes bad_order = ExifTiff(6);
  bad_order[0] = 'X';
  EXPECT_EQ(ParseExifOrientation(bad_order), 1);
  Bytes bad_magic = ExifTiff(6);
  bad_magic[2] = 43;
  EXPECT_EQ(ParseExifOrientation(bad_magic), 1);
  EXPECT_EQ(ParseExifOrientation({}), 1);
}

TEST(ExifTest, WrongTypeOrCountIsIgnored) {
  Bytes long_type = ExifTiff(6);
  long_type[24] = 4;  // SHORT -> LONG
  EXPECT_EQ(ParseExifOrientation(long_type), 1);
  Bytes two_values = ExifTiff(6);
  two_values[26] = 2;
  EXPECT_EQ(ParseExifOrientation(two_values), 1);
}

TEST(ExifTest, EveryTruncationIsSafe) {
  const Bytes full = ExifTiff(6);
  for (size_t size = 0; size < full.size(); ++size) {
    const int orientation = ParseExifOrientation({full.data(), size});
    // The value field ends at byte 32: anything shorter cannot have a valid answer.
    EXPECT_EQ(orientation, size >= 32 ? 6 : 1) << "size " << size;
  }
}

TEST(ExifTest, HostileOffsetsAndCountsStayInBounds) {
  Bytes past_end = ExifTiff(6);
  past_end[4] = 0xF0;  // IFD0 offset far past the block
  past_end[7] = 0x7F;
  EXPECT_EQ(ParseExifOrientation(past_end), 1);
  Bytes max_offset = ExifTiff(6);
  max_offset[4] = max_offset[5] = max_offset[6] = max_offset[7] = 0xFF;
  EXPECT_EQ(ParseExifOrientation(max_offset), 1);
  Bytes huge_count = ExifTiff(6);
  huge_count[8] = huge_count[9] = 0xFF;  // 65535 entries in a 38-byte block
  huge_count[22] = 0x13;                 // and no orientation among the real ones
  EXPECT_EQ(ParseExifOrientation(huge_count), 1);
  Bytes self_loop = ExifTiff(6);
  self_loop[34] = 8;  // next-IFD offset pointing back at IFD0: never followed
  EXPECT_EQ(ParseExifOrientation(self_loop), 6);
  Bytes ifd_at_end = ExifTiff(6);
  ifd_at_end[4] = static_cast<uint8_t>(ifd_at_end.size() - 1);
  EXPECT_EQ(ParseExifOrientation(ifd_at_end), 1);
}

TEST(ExifTest, RandomBlocksNeverReadOutOfBounds) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20000; ++round) {
    // Exact-size heap copies so ASan catches any read past the end.
    std::vector<uint8_t> block(rng() % 64);
    for (auto& b : block) b = static_cast<uint8_t>(rng() % 16);
    if (block.size() >= 4 && round % 2 == 0) {
      block[0] = block[1] = (round % 4 == 0) ? 'I' : 'M';
      block[2] = round % 4 == 0 ? 42 : 0;
      block[3] = round % 4 == 0 ? 0 : 42;
    }
    const int orientation = ParseExifOrientation(block);
    ASSERT_GE(orientation, 1);
    ASSERT_LE(orientation, 8);
  }
}

}  // namespace
}  // namespace imgpipe::core
