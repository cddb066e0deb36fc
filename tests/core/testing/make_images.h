// Test images built in memory with the real encoders (libjpeg-turbo, libspng, libwebp, giflib),
// so tests know the exact pixels they put in and no binary fixtures are committed.
// Header-only: each helper aborts the test binary on encoder failure (a broken fixture is a
// test bug, not a decoder result).
#pragma once

// jpeglib.h uses FILE and size_t without including their headers: keep this order.
// clang-format off
#include <cstdio>
#include <jpeglib.h>
// clang-format on
#include <gif_lib.h>
#include <spng.h>
#include <sys/resource.h>
#include <webp/encode.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "imgpipe/image.h"

namespace imgpipe::testing {

using Bytes = std::vector<uint8_t>;

inline void Require(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "test fixture encoder failed: %s\n", what);
    std::abort();
  }
}

// Smooth, channel-distinct pattern: lossy codecs reproduce it within a few levels, and a
// transposed/misplaced pixel still shows up because x and y weigh differently.
inline Bytes Gradient(uint32_t width, uint32_t height, int channels) {
  Bytes pixels(static_cast<size_t>(width) * height * channels);
  for (uint32_t y = 0; y < height; ++y) {
    for (uint32_t x = 0; x < width; ++x) {
      for (int c = 0; c < channels; ++c) {
        const uint32_t value = (x * 200 / (width > 1 ? width - 1 : 1)) * (c % 2 == 0 ? 1 : 0) +
                               (y * 200 / (height > 1 ? height - 1 : 1)) * (c % 2 == 1 ? 1 : 0) +
                               static_cast<uint32_t>(c) * 20;
        pixels[(static_cast<size_t>(y) * width + x) * channels + c] =
            static_cast<uint8_t>(value > 255 ? 255 : value);
      }
    }
  }
  return pixels;
}

inline Bytes Solid(uint32_t width, uint32_t height, std::initializer_list<uint8_t> color) {
  Bytes pixels;
  pixels.reserve(static_cast<size_t>(width) * height * color.size());
  for (size_t i = 0; i < static_cast<size_t>(width) * height; ++i) {
    pixels.insert(pixels.end(), color.begin(), color.end());
  }
  return pixels;
}

// Largest and mean per-sample difference between a decoded image and the expected samples
// (same layout). Lossy formats are compared with these, never byte for byte.
struct Difference {
  int max = 0;
  double mean = 0;
};
inline Difference Compare(const Image& image, const Bytes& expected) {
  Difference d;
  if (image.pixels.size() != expected.size()) return {256, 256};
  double total = 0;
  for (size_t i = 0; i < expected.size(); ++i) {
    const int diff = std::abs(int{image.pixels[i]} - int{expected[i]});
    d.max = diff > d.max ? diff : d.max;
    total += diff;
  }
  d.mean = expected.empty() ? 0 : total / static_cast<double>(expected.size());
  return d;
}

// Peak resident set size of this test process (gtest_discover_tests runs each test alone).
inline long PeakRssMiB() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;  // ru_maxrss is in KiB on Linux
}

inline const uint8_t* PixelAt(const Image& image, uint32_t x, uint32_t y) {
  return image.row(y) + static_cast<size_t>(x) * image.channels;
}

// ---------------------------------------------------------------------------------------- EXIF
inline void PutU16(Bytes& out, uint16_t v, bool big_endian) {
  if (big_endian) {
    out.push_back(static_cast<uint8_t>(v >> 8));
    out.push_back(static_cast<uint8_t>(v));
  } else {
    out.push_back(static_cast<uint8_t>(v));
    out.push_back(static_cast<uint8_t>(v >> 8));
  }
}
inline void PutU32(Bytes& out, uint32_t v, bool big_endian) {
  PutU16(out, static_cast<uint16_t>(big_endian ? v >> 16 : v), big_endian);
  PutU16(out, static_cast<uint16_t>(big_endian ? v : v >> 16), big_endian);
}

// A TIFF block whose IFD0 has one unrelated tag (ImageWidth) then Orientation = `orientation`.
inline Bytes ExifTiff(int orientation, bool big_endian = false) {
  Bytes out;
  out.push_back(big_endian ? 'M' : 'I');
  out.push_back(big_endian ? 'M' : 'I');
  PutU16(out, 42, big_endian);
  PutU32(out, 8, big_endian);       // IFD0 right after the header
  PutU16(out, 2, big_endian);       // two entries
  PutU16(out, 0x0100, big_endian);  // ImageWidth, LONG, 1, 640
  PutU16(out, 4, big_endian);
  PutU32(out, 1, big_endian);
  PutU32(out, 640, big_endian);
  PutU16(out, 0x0112, big_endian);  // Orientation, SHORT, 1
  PutU16(out, 3, big_endian);
  PutU32(out, 1, big_endian);
  PutU16(out, static_cast<uint16_t>(orientation), big_endian);
  PutU16(out, 0, big_endian);
  PutU32(out, 0, big_endian);  // no next IFD
  return out;
}

// ---------------------------------------------------------------------------------------- JPEG
struct JpegSpec {
  int quality = 95;
  bool progressive = false;
  bool arithmetic = false;  // arithmetic instead of Huffman entropy coding
  // Luma sampling factors: 2x2 = 4:2:0, 2x1 = 4:2:2, 1x1 = 4:4:4.
  int h_samp = 2;
  int v_samp = 2;
  J_COLOR_SPACE in_space = JCS_RGB;      // JCS_RGB, JCS_GRAYSCALE or JCS_CMYK
  J_COLOR_SPACE jpeg_space = JCS_YCbCr;  // JCS_YCbCr, JCS_GRAYSCALE, JCS_RGB, JCS_CMYK, JCS_YCCK
  bool adobe_marker = true;              // only meaningful for CMYK/YCCK
  Bytes exif_tiff;                       // written as APP1 "Exif\0\0" + this when not empty
};

// A one-component JPEG (gray in, gray stored), so that its decodes at every scale are plain luma.
inline JpegSpec GrayJpegSpec() {
  JpegSpec spec;
  spec.in_space = JCS_GRAYSCALE;
  spec.jpeg_space = JCS_GRAYSCALE;
  return spec;
}

inline Bytes EncodeJpeg(const Bytes& pixels, uint32_t width, uint32_t height, int components,
                        const JpegSpec& spec = {}) {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);  // default handler exits: acceptable for fixtures
  jpeg_create_compress(&c);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buffer, &size);
  c.image_width = width;
  c.image_height = height;
  c.input_components = components;
  c.in_color_space = spec.in_space;
  jpeg_set_defaults(&c);
  jpeg_set_colorspace(&c, spec.jpeg_space);
  if (spec.jpeg_space == JCS_CMYK || spec.jpeg_space == JCS_YCCK) {
    c.write_Adobe_marker = spec.adobe_marker ? TRUE : FALSE;
  }
  jpeg_set_quality(&c, spec.quality, TRUE);
  if (spec.jpeg_space == JCS_YCbCr || spec.jpeg_space == JCS_YCCK) {
    c.comp_info[0].h_samp_factor = spec.h_samp;
    c.comp_info[0].v_samp_factor = spec.v_samp;
  }
  if (spec.progressive) jpeg_simple_progression(&c);
  if (spec.arithmetic) c.arith_code = TRUE;
  jpeg_start_compress(&c, TRUE);
  if (!spec.exif_tiff.empty()) {
    Bytes app1 = {'E', 'x', 'i', 'f', 0, 0};
    app1.insert(app1.end(), spec.exif_tiff.begin(), spec.exif_tiff.end());
    jpeg_write_marker(&c, JPEG_APP0 + 1, app1.data(), static_cast<unsigned>(app1.size()));
  }
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<uint8_t*>(pixels.data()) +
                   static_cast<size_t>(c.next_scanline) * width * components;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  Bytes out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

// ----------------------------------------------------------------------------------------- PNG
struct PngSpec {
  uint32_t width = 0;
  uint32_t height = 0;
  uint8_t color_type = SPNG_COLOR_TYPE_TRUECOLOR;
  uint8_t bit_depth = 8;
  bool interlaced = false;
  std::vector<spng_plte_entry> palette;  // for SPNG_COLOR_TYPE_INDEXED
  bool has_trns = false;
  spng_trns trns{};
  Bytes exif;  // eXIf chunk payload (bare TIFF)
  Bytes icc;   // iCCP profile, deflated by libspng as a real writer would
};

// `data` is in PNG layout: packed sub-byte samples, 16-bit samples in host byte order.
inline Bytes EncodePng(const PngSpec& spec, const Bytes& data) {
  spng_ctx* ctx = spng_ctx_new(SPNG_CTX_ENCODER);
  Require(ctx != nullptr, "spng_ctx_new");
  spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1);
  spng_ihdr ihdr{};
  ihdr.width = spec.width;
  ihdr.height = spec.height;
  ihdr.bit_depth = spec.bit_depth;
  ihdr.color_type = spec.color_type;
  ihdr.interlace_method = spec.interlaced ? SPNG_INTERLACE_ADAM7 : SPNG_INTERLACE_NONE;
  Require(spng_set_ihdr(ctx, &ihdr) == 0, "spng_set_ihdr");
  if (!spec.palette.empty()) {
    spng_plte plte{};
    plte.n_entries = static_cast<uint32_t>(spec.palette.size());
    std::memcpy(plte.entries, spec.palette.data(), spec.palette.size() * sizeof(spng_plte_entry));
    Require(spng_set_plte(ctx, &plte) == 0, "spng_set_plte");
  }
  if (spec.has_trns) {
    spng_trns trns = spec.trns;
    Require(spng_set_trns(ctx, &trns) == 0, "spng_set_trns");
  }
  // libspng keeps a pointer to the eXIf data until encoding: it must outlive this block.
  Bytes exif_copy = spec.exif;
  if (!exif_copy.empty()) {
    spng_exif exif{exif_copy.size(), reinterpret_cast<char*>(exif_copy.data())};
    Require(spng_set_exif(ctx, &exif) == 0, "spng_set_exif");
  }
  Bytes icc_copy = spec.icc;
  if (!icc_copy.empty()) {
    spng_iccp iccp{};
    std::memcpy(iccp.profile_name, "icc", 4);
    iccp.profile_len = icc_copy.size();
    iccp.profile = reinterpret_cast<char*>(icc_copy.data());
    Require(spng_set_iccp(ctx, &iccp) == 0, "spng_set_iccp");
  }
  Bytes copy = data;
  const int rc =
      spng_encode_image(ctx, copy.data(), copy.size(), SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE);
  if (rc != 0) std::fprintf(stderr, "spng_encode_image: %s\n", spng_strerror(rc));
  Require(rc == 0, "spng_encode_image");
  size_t size = 0;
  int error = 0;
  auto* buffer = static_cast<uint8_t*>(spng_get_png_buffer(ctx, &size, &error));
  Require(buffer != nullptr && error == 0, "spng_get_png_buffer");
  Bytes out(buffer, buffer + size);
  std::free(buffer);
  spng_ctx_free(ctx);
  return out;
}

inline uint32_t Crc32(const uint8_t* data, size_t size, uint32_t crc = 0) {
  crc = ~crc;
  for (size_t i = 0; i < size; ++i) {
    crc ^= data[i];
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// Rewrites the IHDR of a real PNG to claim width x height, with a valid CRC, so a decoder
// trusts the header and only its pixel-limit check can stop it.
inline Bytes PatchPngSize(Bytes png, uint32_t width, uint32_t height) {
  Require(png.size() > 33 && std::memcmp(&png[12], "IHDR", 4) == 0, "PNG starts with IHDR");
  Bytes fields;
  PutU32(fields, width, true);
  PutU32(fields, height, true);
  std::memcpy(&png[16], fields.data(), 8);
  Bytes crc;
  PutU32(crc, Crc32(&png[12], 17), true);
  std::memcpy(&png[29], crc.data(), 4);
  return png;
}

// Rewrites the SOF marker of a real baseline/progressive JPEG to claim width x height.
inline Bytes PatchJpegSize(Bytes jpeg, uint16_t width, uint16_t height) {
  for (size_t at = 2; at + 9 < jpeg.size();) {
    Require(jpeg[at] == 0xFF, "JPEG marker");
    const uint8_t marker = jpeg[at + 1];
    if (marker == 0xC0 || marker == 0xC1 || marker == 0xC2) {
      jpeg[at + 5] = static_cast<uint8_t>(height >> 8);
      jpeg[at + 6] = static_cast<uint8_t>(height);
      jpeg[at + 7] = static_cast<uint8_t>(width >> 8);
      jpeg[at + 8] = static_cast<uint8_t>(width);
      return jpeg;
    }
    at += 2 + (static_cast<size_t>(jpeg[at + 2]) << 8 | jpeg[at + 3]);
  }
  Require(false, "JPEG has a SOF marker");
  return jpeg;
}

// ---------------------------------------------------------------------------------------- WebP
inline Bytes WebpLossy(const Bytes& pixels, uint32_t width, uint32_t height, bool alpha,
                       float quality = 95) {
  uint8_t* out = nullptr;
  const int w = static_cast<int>(width), h = static_cast<int>(height);
  const size_t size = alpha ? WebPEncodeRGBA(pixels.data(), w, h, w * 4, quality, &out)
                            : WebPEncodeRGB(pixels.data(), w, h, w * 3, quality, &out);
  Require(size > 0, "WebPEncode");
  Bytes bytes(out, out + size);
  WebPFree(out);
  return bytes;
}

inline Bytes WebpLossless(const Bytes& pixels, uint32_t width, uint32_t height, bool alpha) {
  uint8_t* out = nullptr;
  const int w = static_cast<int>(width), h = static_cast<int>(height);
  const size_t size = alpha ? WebPEncodeLosslessRGBA(pixels.data(), w, h, w * 4, &out)
                            : WebPEncodeLosslessRGB(pixels.data(), w, h, w * 3, &out);
  Require(size > 0, "WebPEncodeLossless");
  Bytes bytes(out, out + size);
  WebPFree(out);
  return bytes;
}

inline void PutChunk(Bytes& out, const char* fourcc, const uint8_t* data, size_t size) {
  out.insert(out.end(), fourcc, fourcc + 4);
  PutU32(out, static_cast<uint32_t>(size), false);
  out.insert(out.end(), data, data + size);
  if (size % 2 == 1) out.push_back(0);  // RIFF chunks are padded to even sizes
}

inline void Put24(Bytes& out, uint32_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
  out.push_back(static_cast<uint8_t>(v >> 16));
}

// The chunks after "RIFF....WEBP" of a file from WebPEncode*, minus any VP8X header.
inline Bytes WebpImageChunks(const Bytes& file) {
  Bytes out;
  size_t at = 12;
  while (at + 8 <= file.size()) {
    const uint32_t size = file[at + 4] | file[at + 5] << 8 | file[at + 6] << 16 |
                          static_cast<uint32_t>(file[at + 7]) << 24;
    const size_t total = 8 + size + (size % 2);
    if (std::memcmp(&file[at], "VP8X", 4) != 0) {
      out.insert(out.end(), file.begin() + static_cast<long>(at),
                 file.begin() + static_cast<long>(at + total));
    }
    at += total;
  }
  return out;
}

inline Bytes Riff(const Bytes& body) {
  Bytes out = {'R', 'I', 'F', 'F'};
  PutU32(out, static_cast<uint32_t>(body.size() + 4), false);
  out.insert(out.end(), {'W', 'E', 'B', 'P'});
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

// Re-wraps a simple WebP in the extended (VP8X) format with an EXIF chunk.
inline Bytes WebpWithExif(const Bytes& simple, uint32_t width, uint32_t height, bool alpha,
                          const Bytes& exif) {
  Bytes body;
  Bytes vp8x = {static_cast<uint8_t>(0x08 | (alpha ? 0x10 : 0)), 0, 0, 0};
  Put24(vp8x, width - 1);
  Put24(vp8x, height - 1);
  PutChunk(body, "VP8X", vp8x.data(), vp8x.size());
  const Bytes image = WebpImageChunks(simple);
  body.insert(body.end(), image.begin(), image.end());
  PutChunk(body, "EXIF", exif.data(), exif.size());
  return Riff(body);
}

struct WebpFrame {
  Bytes simple_webp;  // a complete WebP file from WebpLossy/WebpLossless
  uint32_t x = 0;     // even: ANMF stores offsets / 2
  uint32_t y = 0;
  uint32_t width = 0;
  uint32_t height = 0;
};

// An animated WebP (VP8X + ANIM + one ANMF per frame) on a width x height canvas.
inline Bytes WebpAnimation(uint32_t width, uint32_t height, const std::vector<WebpFrame>& frames) {
  Bytes body;
  Bytes vp8x = {0x02 | 0x10, 0, 0, 0};  // animation + alpha
  Put24(vp8x, width - 1);
  Put24(vp8x, height - 1);
  PutChunk(body, "VP8X", vp8x.data(), vp8x.size());
  const Bytes anim = {0, 0, 0, 0, 0, 0};  // transparent background, loop forever
  PutChunk(body, "ANIM", anim.data(), anim.size());
  for (const WebpFrame& frame : frames) {
    Bytes anmf;
    Put24(anmf, frame.x / 2);
    Put24(anmf, frame.y / 2);
    Put24(anmf, frame.width - 1);
    Put24(anmf, frame.height - 1);
    Put24(anmf, 100);   // duration ms
    anmf.push_back(0);  // blend, no dispose
    const Bytes image = WebpImageChunks(frame.simple_webp);
    anmf.insert(anmf.end(), image.begin(), image.end());
    PutChunk(body, "ANMF", anmf.data(), anmf.size());
  }
  return Riff(body);
}

// ----------------------------------------------------------------------------------------- GIF
struct GifFrame {
  uint32_t left = 0;
  uint32_t top = 0;
  uint32_t width = 0;
  uint32_t height = 0;
  bool interlaced = false;
  int transparent = -1;  // palette index, -1 for none
  Bytes indices;         // width*height palette indices, row-major, top to bottom
};

inline int WriteToBytes(GifFileType* gif, const GifByteType* data, int length) {
  auto* out = static_cast<Bytes*>(gif->UserData);
  out->insert(out->end(), data, data + length);
  return length;
}

// A GIF89a with a 256-entry global palette (entries past `palette` are black).
inline Bytes EncodeGif(uint32_t width, uint32_t height, const std::vector<GifColorType>& palette,
                       const std::vector<GifFrame>& frames) {
  Bytes out;
  int error = 0;
  GifFileType* gif = EGifOpen(&out, WriteToBytes, &error);
  Require(gif != nullptr, "EGifOpen");
  EGifSetGifVersion(gif, true);
  ColorMapObject* map = GifMakeMapObject(256, nullptr);
  for (size_t i = 0; i < palette.size() && i < 256; ++i) map->Colors[i] = palette[i];
  Require(EGifPutScreenDesc(gif, static_cast<int>(width), static_cast<int>(height), 8, 0, map) ==
              GIF_OK,
          "EGifPutScreenDesc");
  for (const GifFrame& frame : frames) {
    GraphicsControlBlock gcb{};
    gcb.TransparentColor = frame.transparent;
    gcb.DelayTime = 10;
    GifByteType extension[4];
    const size_t length = EGifGCBToExtension(&gcb, extension);
    Require(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(length), extension) ==
                GIF_OK,
            "EGifPutExtension");
    Require(EGifPutImageDesc(gif, static_cast<int>(frame.left), static_cast<int>(frame.top),
                             static_cast<int>(frame.width), static_cast<int>(frame.height),
                             frame.interlaced, nullptr) == GIF_OK,
            "EGifPutImageDesc");
    // giflib writes lines in the order given: interlaced frames need the four-pass order.
    std::vector<uint32_t> order;
    if (frame.interlaced) {
      for (uint32_t start : {0u, 4u, 2u, 1u}) {
        const uint32_t step = start == 0 || start == 4 ? 8 : start == 2 ? 4 : 2;
        for (uint32_t y = start; y < frame.height; y += step) order.push_back(y);
      }
    } else {
      for (uint32_t y = 0; y < frame.height; ++y) order.push_back(y);
    }
    for (uint32_t y : order) {
      auto* line =
          const_cast<GifPixelType*>(frame.indices.data()) + static_cast<size_t>(y) * frame.width;
      Require(EGifPutLine(gif, line, static_cast<int>(frame.width)) == GIF_OK, "EGifPutLine");
    }
  }
  Require(EGifCloseFile(gif, &error) == GIF_OK, "EGifCloseFile");
  GifFreeMapObject(map);
  return out;
}

}  // namespace imgpipe::testing
