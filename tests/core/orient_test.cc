// EXIF orientation: an asymmetric pattern stored in each of the 8 orientations comes out
// identical after ApplyOrientation. The stored images are built from the EXIF specification's
// wording ("row 0 is the visual top/bottom/left/right, column 0 is the visual ..."), not from
// the code under test.
#include "core/orient.h"

#include <gtest/gtest.h>

#include <utility>

namespace imgpipe::core {
namespace {

// Every pixel and channel distinct, so any mirror or rotation changes the image.
Image MakePattern(uint32_t width, uint32_t height, int channels) {
  Image image{width, height, channels, {}};
  image.pixels.resize(image.stride() * height);
  for (size_t i = 0; i < image.pixels.size(); ++i) {
    image.pixels[i] = static_cast<uint8_t>(i * 7 + 3);
  }
  return image;
}

// EXIF 2.3, tag 0x0112: what the stored 0th row and 0th column show of the upright picture.
enum Side { kTop, kBottom, kLeft, kRight };
struct Meaning {
  Side row0;
  Side col0;
};
constexpr Meaning kExif[9] = {
    {kTop, kLeft},                                                       // (unused 0)
    {kTop, kLeft}, {kTop, kRight}, {kBottom, kRight}, {kBottom, kLeft},  // 1..4
    {kLeft, kTop}, {kRight, kTop}, {kRight, kBottom}, {kLeft, kBottom},  // 5..8
};

// Builds what a camera would store for `upright` with orientation tag `orientation`.
Image Store(const Image& upright, int orientation) {
  const Meaning m = kExif[orientation];
  const bool rows_are_columns = m.row0 == kLeft || m.row0 == kRight;
  Image stored{rows_are_columns ? upright.height : upright.width,
               rows_are_columns ? upright.width : upright.height,
               upright.channels,
               {}};
  stored.pixels.resize(stored.stride() * stored.height);
  const uint32_t vw = upright.width;
  const uint32_t vh = upright.height;
  for (uint32_t ys = 0; ys < stored.height; ++ys) {
    for (uint32_t xs = 0; xs < stored.width; ++xs) {
      uint32_t xv = 0;
      uint32_t yv = 0;
      if (!rows_are_columns) {
        yv = m.row0 == kTop ? ys : vh - 1 - ys;
        xv = m.col0 == kLeft ? xs : vw - 1 - xs;
      } else {
        xv = m.row0 == kLeft ? ys : vw - 1 - ys;
        yv = m.col0 == kTop ? xs : vh - 1 - xs;
      }
      for (int c = 0; c < upright.channels; ++c) {
        stored.row(ys)[xs * upright.channels + c] = upright.row(yv)[xv * upright.channels + c];
      }
    }
  }
  return stored;
}

TEST(OrientTest, EveryOrientationComesOutUpright) {
  for (int channels = 1; channels <= 4; ++channels) {
    for (auto [w, h] : {std::pair{5u, 3u}, std::pair{3u, 5u}, std::pair{1u, 4u}, std::pair{4u, 1u},
                        std::pair{1u, 1u}, std::pair{16u, 9u}}) {
      const Image upright = MakePattern(w, h, channels);
      for (int orientation = 1; orientation <= 8; ++orientation) {
        const Image stored = Store(upright, orientation);
        const Image out = ApplyOrientation(stored, orientation);
        ASSERT_EQ(out.width, w) << "orientation " << orientation;
        ASSERT_EQ(out.height, h) << "orientation " << orientation;
        ASSERT_EQ(out.channels, channels);
        EXPECT_EQ(out.pixels, upright.pixels)
            << "orientation " << orientation << " channels " << channels << " " << w << "x" << h;
      }
    }
  }
}

TEST(OrientTest, StoredPatternsReallyDiffer) {
  // Guards the test above: if Store() ignored the tag, every orientation would trivially pass.
  const Image upright = MakePattern(5, 3, 1);
  for (int orientation = 2; orientation <= 8; ++orientation) {
    EXPECT_NE(Store(upright, orientation).pixels, upright.pixels) << orientation;
  }
}

TEST(OrientTest, RotationsCompose) {
  // Rotating 90 CW four times (orientation 6 is "stored rotated; rotate 90 CW to fix") is the
  // identity; 6 then 8 is too; 3 twice is too.
  const Image start = MakePattern(7, 4, 3);
  Image image = start;
  for (int i = 0; i < 4; ++i) image = ApplyOrientation(std::move(image), 6);
  EXPECT_EQ(image.pixels, start.pixels);
  EXPECT_EQ(ApplyOrientation(ApplyOrientation(start, 6), 8).pixels, start.pixels);
  EXPECT_EQ(ApplyOrientation(ApplyOrientation(start, 3), 3).pixels, start.pixels);
}

TEST(OrientTest, OutOfRangeIsUnchanged) {
  const Image image = MakePattern(4, 3, 2);
  for (int orientation : {-1, 0, 1, 9, 255}) {
    const Image out = ApplyOrientation(image, orientation);
    EXPECT_EQ(out.width, image.width);
    EXPECT_EQ(out.height, image.height);
    EXPECT_EQ(out.pixels, image.pixels);
  }
}

TEST(OrientTest, SwapsAxes) {
  for (int orientation = 0; orientation <= 9; ++orientation) {
    EXPECT_EQ(SwapsAxes(orientation), orientation >= 5 && orientation <= 8) << orientation;
  }
}

}  // namespace
}  // namespace imgpipe::core
