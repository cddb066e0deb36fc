// The resampler: exactness on flat images, monotonic ramps, clamped ringing, extreme sizes,
// a double-precision reference on random sizes, streaming, ApplyPlan, and parity with
// Pillow's Image.resize(BICUBIC) through committed golden data (tests/core/golden/).
#include "core/resize.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "core/color.h"
#include "core/resize_kernel.h"

namespace imgpipe::core {
namespace {

Image Blank(uint32_t width, uint32_t height, int channels) {
  Image image{width, height, channels, {}};
  image.pixels.resize(image.stride() * height);
  return image;
}

Image Noise(uint32_t width, uint32_t height, int channels, std::mt19937& rng) {
  Image image = Blank(width, height, channels);
  for (auto& p : image.pixels) p = static_cast<uint8_t>(rng());
  return image;
}

// Smooth pseudo-random image from integers only; identical to make_source() in
// tests/core/golden/make_resize_golden.py so the golden references apply to it.
Image SmoothSource(uint32_t width, uint32_t height, uint32_t seed) {
  constexpr uint32_t kCell = 8;
  const uint32_t grid_w = width / kCell + 2;
  const uint32_t grid_h = height / kCell + 2;
  std::vector<uint32_t> grid(static_cast<size_t>(grid_w) * grid_h);
  uint64_t state = seed;
  for (auto& g : grid) {
    state = (state * 1103515245u + 12345u) & 0x7fffffffu;
    g = static_cast<uint32_t>((state >> 16) & 255u);
  }
  Image image = Blank(width, height, 1);
  for (uint32_t y = 0; y < height; ++y) {
    const uint32_t gy = y / kCell, fy = y % kCell;
    for (uint32_t x = 0; x < width; ++x) {
      const uint32_t gx = x / kCell, fx = x % kCell;
      const uint32_t v00 = grid[gy * grid_w + gx], v10 = grid[gy * grid_w + gx + 1];
      const uint32_t v01 = grid[(gy + 1) * grid_w + gx], v11 = grid[(gy + 1) * grid_w + gx + 1];
      const uint32_t top = v00 * (kCell - fx) + v10 * fx;
      const uint32_t bottom = v01 * (kCell - fx) + v11 * fx;
      image.row(y)[x] = static_cast<uint8_t>((top * (kCell - fy) + bottom * fy + 32) / 64);
    }
  }
  return image;
}

// Interleaves a smooth gray image into `channels` channels with different offsets per channel.
Image SmoothColour(uint32_t width, uint32_t height, int channels, uint32_t seed) {
  Image image = Blank(width, height, channels);
  for (int c = 0; c < channels; ++c) {
    const Image plane = SmoothSource(width, height, seed * 7 + static_cast<uint32_t>(c));
    for (size_t i = 0; i < plane.pixels.size(); ++i)
      image.pixels[i * channels + c] = plane.pixels[i];
  }
  return image;
}

// Pillow's BICUBIC resample in double precision, written from Resample.c independently of
// resize_weights.cc: no fixed point, no intermediate rounding, no uniform-tap shifting.
// Images with alpha are filtered premultiplied (as Pillow does via RGBa) and the result is
// returned premultiplied; compare it with Premultiplied(ours).
struct RefTap {
  int first;
  std::vector<double> weights;
};
std::vector<RefTap> ReferenceAxis(int in_size, int out_size) {
  auto cubic = [](double x) {
    const double a = -0.5;
    x = std::fabs(x);
    if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
    if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
    return 0.0;
  };
  const double scale = static_cast<double>(in_size) / out_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = 2.0 * filter_scale;
  std::vector<RefTap> taps(out_size);
  for (int i = 0; i < out_size; ++i) {
    const double center = (i + 0.5) * scale;
    const int xmin = std::max(static_cast<int>(center - support + 0.5), 0);
    const int xmax = std::min(static_cast<int>(center + support + 0.5), in_size);
    double sum = 0;
    for (int x = xmin; x < xmax; ++x) {
      taps[i].weights.push_back(cubic((x - center + 0.5) / filter_scale));
      sum += taps[i].weights.back();
    }
    for (double& w : taps[i].weights) w /= sum;
    taps[i].first = xmin;
  }
  return taps;
}

Image ReferenceResize(const Image& src, uint32_t width, uint32_t height) {
  const int c = src.channels;
  const bool alpha = src.has_alpha();
  auto sample = [&](uint32_t y, size_t x, int ch) {
    const uint8_t* px = src.row(y) + x * c;
    return alpha && ch < c - 1 ? px[ch] * (px[c - 1] / 255.0) : static_cast<double>(px[ch]);
  };
  const auto hx = ReferenceAxis(static_cast<int>(src.width), static_cast<int>(width));
  const auto vy = ReferenceAxis(static_cast<int>(src.height), static_cast<int>(height));
  std::vector<double> mid(static_cast<size_t>(width) * src.height * c);
  for (uint32_t y = 0; y < src.height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      for (int ch = 0; ch < c; ++ch) {
        double v = 0;
        for (size_t k = 0; k < hx[x].weights.size(); ++k) {
          v += hx[x].weights[k] * sample(y, hx[x].first + k, ch);
        }
        mid[(static_cast<size_t>(y) * width + x) * c + ch] = v;
      }
    }
  }
  Image out = Blank(width, height, c);
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      for (int ch = 0; ch < c; ++ch) {
        double v = 0;
        for (size_t k = 0; k < vy[y].weights.size(); ++k) {
          v += vy[y].weights[k] * mid[((vy[y].first + k) * width + x) * c + ch];
        }
        out.row(y)[x * c + ch] = static_cast<uint8_t>(std::clamp(std::lround(v), 0L, 255L));
      }
    }
  }
  return out;
}

// Colour scaled by alpha, rounded, for images with alpha: what a viewer composites, and the
// space in which ReferenceResize returns alpha images.
Image Premultiplied(Image image) {
  if (!image.has_alpha()) return image;
  const int c = image.channels;
  for (size_t i = 0; i < image.pixels.size(); i += c) {
    for (int ch = 0; ch < c - 1; ++ch) {
      image.pixels[i + ch] =
          static_cast<uint8_t>(std::lround(image.pixels[i + ch] * image.pixels[i + c - 1] / 255.0));
    }
  }
  return image;
}

// Resamples the whole source to width x height through ApplyPlan, the entry point of the
// pipeline's resize step, with the plan PlanResize makes for Fit::kFill: no crop, no padding.
Image ResizeTo(const Image& source, uint32_t width, uint32_t height) {
  ResizePlan plan;
  plan.scaled_width = plan.crop_width = plan.canvas_width = width;
  plan.scaled_height = plan.crop_height = plan.canvas_height = height;
  return ApplyPlan(source, plan, Rgb{});
}

struct Diff {
  double mean = 0;
  int max = 0;
};
Diff Compare(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  Diff d;
  if (a.size() != b.size() || a.empty()) return {1e9, 1 << 30};
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    const int delta = std::abs(int{a[i]} - int{b[i]});
    sum += delta;
    d.max = std::max(d.max, delta);
  }
  d.mean = sum / static_cast<double>(a.size());
  return d;
}

TEST(ResizeTest, FlatStaysExactlyFlat) {
  std::mt19937 rng(11);
  for (int channels = 1; channels <= 4; ++channels) {
    for (auto [sw, sh, dw, dh] : {std::array<uint32_t, 4>{640, 480, 256, 256},
                                  {256, 256, 640, 480},
                                  {3, 1000, 256, 7},
                                  {1000, 3, 1, 256},
                                  {17, 13, 16, 14}}) {
      Image flat = Blank(sw, sh, channels);
      uint8_t value[4];
      for (auto& v : value) v = static_cast<uint8_t>(rng());
      value[0] = 255;  // the worst case for a weight sum that is off by one unit
      if (channels == 2 || channels == 4) value[channels - 1] = 255;  // see PartialAlpha below
      for (size_t i = 0; i < flat.pixels.size(); ++i) flat.pixels[i] = value[i % channels];
      const Image out = ResizeTo(flat, dw, dh);
      ASSERT_EQ(out.width, dw);
      ASSERT_EQ(out.height, dh);
      ASSERT_EQ(out.channels, channels);
      for (size_t i = 0; i < out.pixels.size(); ++i) {
        ASSERT_EQ(out.pixels[i], value[i % channels])
            << sw << "x" << sh << "->" << dw << "x" << dh << " c" << channels << " at " << i;
      }
    }
  }
}

TEST(ResizeTest, PartialAlphaFlatStaysFlat) {
  // Premultiplying and dividing back must not drift a flat colour: with alpha a the colour
  // can move by at most about 255 / (2a) through the 8-bit premultiplied intermediate.
  for (uint8_t alpha : {uint8_t{1}, uint8_t{7}, uint8_t{128}, uint8_t{254}}) {
    Image flat = Blank(50, 40, 4);
    for (size_t i = 0; i < flat.pixels.size(); i += 4) {
      flat.pixels[i] = 200, flat.pixels[i + 1] = 10, flat.pixels[i + 2] = 99;
      flat.pixels[i + 3] = alpha;
    }
    const Image out = ResizeTo(flat, 17, 23);
    const double slack = 255.0 / (2 * alpha) + 1;
    for (size_t i = 0; i < out.pixels.size(); i += 4) {
      ASSERT_EQ(out.pixels[i + 3], alpha);
      ASSERT_NEAR(out.pixels[i], 200, slack) << int{alpha};
      ASSERT_NEAR(out.pixels[i + 1], 10, slack) << int{alpha};
      ASSERT_NEAR(out.pixels[i + 2], 99, slack) << int{alpha};
    }
  }
}

TEST(ResizeTest, TransparentColourDoesNotBleed) {
  // Left half opaque red, right half fully transparent green. Filtered straight, the edge would
  // turn olive; premultiplied, visible edge pixels stay red and only their alpha falls off.
  for (int channels : {2, 4}) {
    Image image = Blank(64, 8, channels);
    for (uint32_t y = 0; y < 8; ++y) {
      for (uint32_t x = 0; x < 64; ++x) {
        uint8_t* px = image.row(y) + x * channels;
        const bool left = x < 32;
        if (channels == 4) {
          px[0] = left ? 255 : 0, px[1] = left ? 0 : 255, px[2] = 0, px[3] = left ? 255 : 0;
        } else {
          px[0] = left ? 255 : 0, px[1] = left ? 255 : 0;
        }
      }
    }
    const Image out = ResizeTo(image, 13, 3);
    bool saw_partial = false;
    for (uint32_t x = 0; x < 13; ++x) {
      const uint8_t* px = out.row(1) + x * channels;
      const uint8_t a = px[channels - 1];
      if (a == 0) continue;
      saw_partial = saw_partial || a < 250;
      EXPECT_GE(px[0], 250) << "x=" << x << " alpha " << int{a};
      if (channels == 4) {
        EXPECT_LE(px[1], 5) << "x=" << x << " alpha " << int{a};
      }
    }
    EXPECT_TRUE(saw_partial);
  }
}

TEST(ResizeTest, RampStaysMonotonic) {
  for (auto [sw, dw] :
       {std::pair{300u, 97u}, {300u, 256u}, {40u, 256u}, {256u, 255u}, {256u, 3u}, {5u, 64u}}) {
    Image ramp = Blank(sw, 9, 1);
    for (uint32_t y = 0; y < 9; ++y) {
      for (uint32_t x = 0; x < sw; ++x) ramp.row(y)[x] = static_cast<uint8_t>(x * 255 / (sw - 1));
    }
    const Image out = ResizeTo(ramp, dw, 5);
    for (uint32_t y = 0; y < out.height; ++y) {
      for (uint32_t x = 1; x < out.width; ++x) {
        ASSERT_LE(out.row(y)[x - 1], out.row(y)[x]) << sw << "->" << dw << " at x=" << x;
      }
    }
    // Same ramp vertically (exercises the vertical pass).
    Image vramp = Blank(3, sw, 1);
    for (uint32_t y = 0; y < sw; ++y) {
      std::memset(vramp.row(y), static_cast<int>(y * 255 / (sw - 1)), 3);
    }
    const Image vout = ResizeTo(vramp, 2, dw);
    for (uint32_t y = 1; y < vout.height; ++y) {
      ASSERT_LE(vout.row(y - 1)[0], vout.row(y)[0]) << sw << "->" << dw << " at y=" << y;
    }
  }
}

TEST(ResizeTest, SharpEdgeClampsInsteadOfWrappingAround) {
  // A 0|255 step: the bicubic's negative lobes undershoot below 0 and overshoot above 255 next
  // to the edge. Clamped, the profile stays monotonic; wrapped around, a dark pixel beside
  // the edge would turn almost white (and vice versa), breaking monotonicity.
  for (auto [sw, dw] : {std::pair{8u, 61u}, {64u, 256u}, {200u, 37u}, {64u, 64u + 5u}}) {
    Image step = Blank(sw, sw, 1);
    for (uint32_t y = 0; y < sw; ++y) {
      for (uint32_t x = 0; x < sw; ++x) step.row(y)[x] = (x < sw / 2) == (y < sw / 2) ? 0 : 255;
    }
    const Image out = ResizeTo(step, dw, dw);
    const uint32_t row = dw / 4;  // top-left quadrant is dark, top-right bright
    for (uint32_t x = 1; x < dw; ++x) {
      ASSERT_LE(out.row(row)[x - 1], out.row(row)[x]) << sw << "->" << dw << " x=" << x;
    }
    EXPECT_EQ(out.row(row)[0], 0);
    EXPECT_EQ(out.row(row)[dw - 1], 255);
  }
  // A one-pixel bright line upscaled 8x: beyond one source pixel from its centre the bicubic
  // is negative or zero, so those outputs must be exactly 0, never 250-something.
  Image line = Blank(9, 9, 1);
  for (uint32_t y = 0; y < 9; ++y) line.row(y)[4] = 255;
  const Image out = ResizeTo(line, 72, 72);
  for (uint32_t x = 0; x < 72; ++x) {
    const double source_x = (x + 0.5) / 8.0 - 0.5;  // output centre in source pixel units
    if (std::fabs(source_x - 4.0) > 1.0) {
      ASSERT_EQ(out.row(36)[x], 0) << "x=" << x;
    }
  }
  EXPECT_GE(*std::max_element(out.row(36), out.row(36) + 72), 250);
}

TEST(ResizeTest, OnePixelToThumbnailAndBack) {
  Image one = Blank(1, 1, 3);
  one.pixels = {12, 200, 99};
  const Image big = ResizeTo(one, 256, 256);
  ASSERT_EQ(big.width, 256u);
  ASSERT_EQ(big.height, 256u);
  for (size_t i = 0; i < big.pixels.size(); ++i) ASSERT_EQ(big.pixels[i], one.pixels[i % 3]);

  // 256x256 horizontal ramp 0..255 -> 1x1: the antialiased filter averages the whole image.
  Image ramp = Blank(256, 256, 1);
  for (uint32_t y = 0; y < 256; ++y) {
    for (uint32_t x = 0; x < 256; ++x) ramp.row(y)[x] = static_cast<uint8_t>(x);
  }
  const Image dot = ResizeTo(ramp, 1, 1);
  ASSERT_EQ(dot.pixels.size(), 1u);
  EXPECT_NEAR(dot.pixels[0], 127.5, 1.0);
}

TEST(ResizeTest, UpscaleInterpolates) {
  std::mt19937 rng(3);
  const Image small = SmoothColour(12, 9, 3, 5);
  const Image big = ResizeTo(small, 48, 36);
  ASSERT_EQ(big.width, 48u);
  ASSERT_EQ(big.height, 36u);
  ASSERT_EQ(big.channels, 3);
  const Diff d = Compare(big.pixels, ReferenceResize(small, 48, 36).pixels);
  EXPECT_LE(d.max, 1);
  // Downscaling the upscaled image by the same factor gets close to the original.
  const Diff back = Compare(ResizeTo(big, 12, 9).pixels, small.pixels);
  EXPECT_LT(back.mean, 3.0);
}

TEST(ResizeTest, ExactSizeReturnsIdenticalPixels) {
  std::mt19937 rng(5);
  for (int channels = 1; channels <= 4; ++channels) {
    const Image image = Noise(31, 17, channels, rng);
    const Image out = ResizeTo(image, 31, 17);
    EXPECT_EQ(out.width, 31u);
    EXPECT_EQ(out.height, 17u);
    EXPECT_EQ(out.pixels, image.pixels);
  }
}

TEST(ResizeTest, OneAxisOnly) {
  std::mt19937 rng(9);
  const Image image = Noise(40, 30, 3, rng);
  // Only the height changes: every column is resampled on its own, rows keep their width.
  const Image tall = ResizeTo(image, 40, 77);
  EXPECT_LE(Compare(tall.pixels, ReferenceResize(image, 40, 77).pixels).max, 1);
  const Image wide = ResizeTo(image, 13, 30);
  EXPECT_LE(Compare(wide.pixels, ReferenceResize(image, 13, 30).pixels).max, 1);
}

TEST(ResizeTest, RandomSizesStayInRangeAndMatchReference) {
  std::mt19937 rng(1234);
  for (int iteration = 0; iteration < 400; ++iteration) {
    const uint32_t sw = 1 + rng() % 63, sh = 1 + rng() % 63;
    const uint32_t dw = 1 + rng() % 63, dh = 1 + rng() % 63;
    const int channels = 1 + static_cast<int>(rng() % 4);
    SCOPED_TRACE(testing::Message()
                 << sw << "x" << sh << " -> " << dw << "x" << dh << " c" << channels);
    // Noise: the worst case for ringing. Stay within the input's range plus the most the two
    // bicubic passes can overshoot (each pass's negative lobes sum to at most 1/8 of the range).
    const Image noise = Noise(sw, sh, channels, rng);
    const Image out = ResizeTo(noise, dw, dh);
    ASSERT_EQ(out.width, dw);
    ASSERT_EQ(out.height, dh);
    ASSERT_EQ(out.pixels.size(), static_cast<size_t>(dw) * dh * channels);
    for (int c = 0; c < channels; ++c) {
      int lo = 255, hi = 0;
      for (size_t i = c; i < noise.pixels.size(); i += channels) {
        lo = std::min<int>(lo, noise.pixels[i]);
        hi = std::max<int>(hi, noise.pixels[i]);
      }
      const int slack = static_cast<int>(std::ceil(0.3 * (hi - lo))) + 1;
      for (size_t i = c; i < out.pixels.size(); i += channels) {
        ASSERT_GE(out.pixels[i], lo - slack) << "channel " << c;
        ASSERT_LE(out.pixels[i], hi + slack) << "channel " << c;
      }
    }
    // Smooth input: within 2 levels of the double-precision reference everywhere.
    const Image smooth = SmoothColour(sw, sh, channels, static_cast<uint32_t>(iteration));
    const Diff d = Compare(Premultiplied(ResizeTo(smooth, dw, dh)).pixels,
                           ReferenceResize(smooth, dw, dh).pixels);
    // Alpha adds the 8-bit premultiplied intermediate and the division back: one more level.
    ASSERT_LE(d.max, channels == 2 || channels == 4 ? 3 : 2);
    ASSERT_LE(d.mean, 0.5);
  }
}

TEST(ResizeTest, InvalidSourceGivesEmptyImageAndZeroTargetIsClamped) {
  EXPECT_EQ(ResizeTo(Image{}, 10, 10).width, 0u);
  std::mt19937 rng(1);
  const Image out = ResizeTo(Noise(10, 10, 1, rng), 0, 0);
  EXPECT_EQ(out.width, 1u);
  EXPECT_EQ(out.height, 1u);
}

// Weight tables: uniform taps, windows inside the source, each row summing to exactly one.
TEST(AxisWeightsTest, RowsSumToOneAndStayInBounds) {
  std::mt19937 rng(77);
  for (int i = 0; i < 300; ++i) {
    const uint32_t in = 1 + rng() % 5000, out = 1 + rng() % 700;
    const uint32_t first = out > 1 ? rng() % out : 0;
    const uint32_t count = 1 + rng() % (out - first);
    const AxisWeights w = ComputeAxisWeights(in, out, first, count);
    ASSERT_EQ(w.first.size(), count);
    ASSERT_EQ(w.weights.size(), static_cast<size_t>(count) * w.taps);
    for (uint32_t j = 0; j < count; ++j) {
      ASSERT_LE(w.first[j] + w.taps, in) << in << "->" << out;
      if (j > 0) {
        ASSERT_GE(w.first[j], w.first[j - 1]);  // the ring relies on this
      }
      int32_t sum = 0;
      for (uint32_t k = 0; k < w.taps; ++k) sum += w.weights[j * w.taps + k];
      ASSERT_EQ(sum, kWeightOne) << in << "->" << out << " row " << j;
    }
  }
}

TEST(AxisWeightsTest, ExtremeDownscaleStaysAccurate) {
  // 20000 -> 1: about 1.6 weight units per tap. The running-sum quantisation must still
  // average a ramp correctly.
  Image ramp = Blank(20000, 1, 1);
  for (uint32_t x = 0; x < 20000; ++x) ramp.pixels[x] = static_cast<uint8_t>(x * 256 / 20000);
  const Image out = ResizeTo(ramp, 1, 1);
  EXPECT_NEAR(out.pixels[0], 127.5, 1.0);
}

// Streaming: rows pushed from a scratch buffer that is scribbled over after every push give the
// same output as the in-memory path, in both pass orders.
TEST(RowResizerTest, StreamingMatchesInMemory) {
  std::mt19937 rng(99);
  struct Case {
    uint32_t sw, sh, dw, dh;
    bool expect_vertical_first;
  };
  for (const Case& k : {Case{100, 300, 90, 50, true}, Case{300, 100, 50, 90, false},
                        Case{64, 64, 64, 20, true}, Case{64, 64, 20, 64, false}}) {
    for (int channels = 1; channels <= 4; ++channels) {
      Image source = Noise(k.sw, k.sh, channels, rng);
      if (source.has_alpha()) {
        // RowResizer is channel-agnostic; ApplyPlan premultiplies alpha images, which is the
        // identity only when they are opaque.
        for (size_t i = channels - 1; i < source.pixels.size(); i += channels)
          source.pixels[i] = 255;
      }
      Image streamed = Blank(k.dw, k.dh, channels);
      uint32_t rows_out = 0;
      RowResizer resizer(k.sw, k.sh, channels, k.dw, k.dh, 0, 0, k.dw, k.dh,
                         [&](uint32_t y, const uint8_t* row) {
                           ASSERT_EQ(y, rows_out);
                           std::memcpy(streamed.row(y), row, streamed.stride());
                           ++rows_out;
                         });
      EXPECT_EQ(resizer.vertical_first(), k.expect_vertical_first);
      std::vector<uint8_t> scratch(source.stride());
      for (uint32_t y = 0; y < k.sh; ++y) {
        std::memcpy(scratch.data(), source.row(y), scratch.size());
        resizer.PushRow(scratch.data());
        std::fill(scratch.begin(), scratch.end(), 0xA5);
      }
      EXPECT_TRUE(resizer.done());
      EXPECT_EQ(rows_out, k.dh);
      EXPECT_EQ(streamed.pixels, ResizeTo(source, k.dw, k.dh).pixels);
      // Either pass order is within rounding of the reference.
      EXPECT_LE(Compare(streamed.pixels, ReferenceResize(source, k.dw, k.dh).pixels).max, 2);
    }
  }
}

Options Target(uint32_t width, uint32_t height, Fit fit) {
  Options options;
  options.width = width;
  options.height = height;
  options.fit = fit;
  return options;
}

TEST(ApplyPlanTest, CoverIsTheCentreOfTheFullResize) {
  const Image source = SmoothColour(120, 60, 3, 8);
  const ResizePlan plan = PlanResize(120, 60, Target(40, 40, Fit::kCover));
  ASSERT_EQ(plan.scaled_width, 80u);
  ASSERT_EQ(plan.crop_x, 20u);
  const Image out = ApplyPlan(source, plan, Rgb{});
  ASSERT_EQ(out.width, 40u);
  ASSERT_EQ(out.height, 40u);
  const Image full = ResizeTo(source, 80, 40);
  std::vector<uint8_t> centre;
  for (uint32_t y = 0; y < 40; ++y) {
    centre.insert(centre.end(), full.row(y) + 20 * 3, full.row(y) + 60 * 3);
  }
  // Only the window's samples are computed, with the same weights as the full resize; the
  // pass order may differ, which can move a pixel by one level.
  EXPECT_LE(Compare(out.pixels, centre).max, 1);
}

TEST(ApplyPlanTest, ContainPadsWithBackground) {
  const Rgb background{255, 0, 0};
  for (int channels = 1; channels <= 4; ++channels) {
    Image source = Blank(100, 50, channels);
    std::fill(source.pixels.begin(), source.pixels.end(), 9);
    if (source.has_alpha()) {
      for (size_t i = channels - 1; i < source.pixels.size(); i += channels) source.pixels[i] = 255;
    }
    const ResizePlan plan = PlanResize(100, 50, Target(64, 64, Fit::kContain));
    const Image out = ApplyPlan(source, plan, background);
    ASSERT_EQ(out.width, 64u);
    ASSERT_EQ(out.height, 64u);
    ASSERT_EQ(out.channels, channels);
    const uint8_t* corner = out.row(0);
    const uint8_t* middle = out.row(32) + 32 * channels;
    switch (channels) {
      case 1:
        EXPECT_EQ(corner[0], Luma(background));
        break;
      case 2:
        EXPECT_EQ(corner[0], Luma(background));
        EXPECT_EQ(corner[1], 255);  // padding is opaque
        break;
      default:
        EXPECT_EQ(corner[0], 255);
        EXPECT_EQ(corner[1], 0);
        EXPECT_EQ(corner[2], 0);
        if (channels == 4) {
          EXPECT_EQ(corner[3], 255);
        }
        break;
    }
    const int colour = source.has_alpha() ? channels - 1 : channels;
    for (int c = 0; c < colour; ++c) EXPECT_EQ(middle[c], 9);
    if (source.has_alpha()) {
      EXPECT_EQ(middle[channels - 1], 255);
    }
    // The image occupies rows [16, 48): 64x32, centred.
    EXPECT_EQ(out.row(15)[0], corner[0]);
    EXPECT_EQ(out.row(16)[0], 9);
    EXPECT_EQ(out.row(47)[0], 9);
    EXPECT_EQ(out.row(48)[0], corner[0]);
  }
}

TEST(ApplyPlanTest, FillAndInsideAreAPlainResize) {
  std::mt19937 rng(4);
  const Image source = Noise(90, 45, 1, rng);
  EXPECT_EQ(ApplyPlan(source, PlanResize(90, 45, Target(30, 30, Fit::kFill)), Rgb{}).pixels,
            ResizeTo(source, 30, 30).pixels);
  const Image inside = ApplyPlan(source, PlanResize(90, 45, Target(30, 30, Fit::kInside)), Rgb{});
  EXPECT_EQ(inside.width, 30u);
  EXPECT_EQ(inside.height, 15u);
  EXPECT_EQ(inside.pixels, ResizeTo(source, 30, 15).pixels);
}

TEST(ApplyPlanTest, ExactSizeIsUnchangedAndHugeCoverIsCheap) {
  std::mt19937 rng(6);
  const Image source = Noise(32, 32, 3, rng);
  EXPECT_EQ(ApplyPlan(source, PlanResize(32, 32, Target(32, 32, Fit::kCover)), Rgb{}).pixels,
            source.pixels);
  // 1x10000 covering 256x256 plans a 256 x 2,560,000 scaled image; only the window is made.
  Image strip = Blank(1, 10000, 1);
  for (uint32_t y = 0; y < 10000; ++y) strip.pixels[y] = static_cast<uint8_t>(y % 251);
  const Image out = ApplyPlan(strip, PlanResize(1, 10000, Target(256, 256, Fit::kCover)), Rgb{});
  EXPECT_EQ(out.width, 256u);
  EXPECT_EQ(out.height, 256u);
}

TEST(ApplyPlanTest, InconsistentPlanIsClampedNotOverrun) {
  std::mt19937 rng(8);
  const Image source = Noise(20, 20, 2, rng);
  ResizePlan bad;
  bad.scaled_width = 10;
  bad.scaled_height = 10;
  bad.crop_x = 50;
  bad.crop_y = 5;
  bad.crop_width = 100;
  bad.crop_height = 100;
  bad.canvas_width = 3;
  bad.pad_x = 99;
  const Image out = ApplyPlan(source, bad, Rgb{});
  EXPECT_GE(out.width, 1u);
  EXPECT_EQ(out.pixels.size(), out.stride() * out.height);
}

// Parity with Pillow: golden data written offline by tests/core/golden/make_resize_golden.py.
TEST(ResizeParityTest, MatchesPillowBicubic) {
  std::ifstream file(std::string(IMGPIPE_SOURCE_DIR) + "/tests/core/golden/resize_golden.txt");
  ASSERT_TRUE(file) << "missing tests/core/golden/resize_golden.txt";
  std::string line;
  int cases = 0;
  while (std::getline(file, line)) {
    if (line.empty() || line[0] == '#') continue;
    uint32_t sw = 0, sh = 0, dw = 0, dh = 0, seed = 0;
    std::istringstream(line) >> sw >> sh >> dw >> dh >> seed;
    std::string hex;
    ASSERT_TRUE(std::getline(file, hex));
    ASSERT_EQ(hex.size(), 2u * dw * dh) << line;
    std::vector<uint8_t> pillow(static_cast<size_t>(dw) * dh);
    for (size_t i = 0; i < pillow.size(); ++i) {
      pillow[i] = static_cast<uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    }
    const Image ours = ResizeTo(SmoothSource(sw, sh, seed), dw, dh);
    const Diff d = Compare(ours.pixels, pillow);
    EXPECT_LE(d.mean, 0.5) << line;
    EXPECT_LE(d.max, 2) << line;
    std::printf("parity %s: mean %.3f max %d\n", line.c_str(), d.mean, d.max);
    ++cases;
  }
  EXPECT_EQ(cases, 5);
}

}  // namespace
}  // namespace imgpipe::core
