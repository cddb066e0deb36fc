// A hostile progressive JPEG made at test time: one DC scan, then for each of the first 49 AC
// coefficients a first scan and nine successive-approximation refinements (491 scans, under the
// 500-scan cap). Every scan walks the whole coefficient buffer, so the decode costs about 490
// times a baseline one while the file stays small: the shape the deadline must stop.
#pragma once

// jpeglib.h uses FILE and size_t without including their headers: keep this order.
// clang-format off
#include <cstdio>
#include <jpeglib.h>
// clang-format on

#include <cstdint>
#include <cstdlib>
#include <vector>

namespace imgpipe::testing {

inline std::vector<uint8_t> ManyScansGrayJpeg(uint32_t width, uint32_t height) {
  constexpr int kAcCoefficients = 49;
  constexpr int kLowestBit = 9;  // first scan at Al = 9, then refinements down to Al = 0
  std::vector<jpeg_scan_info> scans;
  scans.push_back({1, {0, 0, 0, 0}, 0, 0, 0, 0});
  for (int k = 1; k <= kAcCoefficients; ++k) {
    scans.push_back({1, {0, 0, 0, 0}, k, k, 0, kLowestBit});
    for (int al = kLowestBit - 1; al >= 0; --al) {
      scans.push_back({1, {0, 0, 0, 0}, k, k, al + 1, al});
    }
  }
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);  // default handler exits: acceptable for a fixture
  jpeg_create_compress(&c);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buffer, &size);
  c.image_width = width;
  c.image_height = height;
  c.input_components = 1;
  c.in_color_space = JCS_GRAYSCALE;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 95, TRUE);
  c.scan_info = scans.data();
  c.num_scans = static_cast<int>(scans.size());
  jpeg_start_compress(&c, TRUE);
  std::vector<uint8_t> row(width);
  while (c.next_scanline < c.image_height) {
    const uint32_t y = c.next_scanline;
    for (uint32_t x = 0; x < width; ++x) {
      row[x] = static_cast<uint8_t>((x * 7 + y * 13 + ((x ^ y) & 31)) & 0xFF);  // busy texture
    }
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&c, rows, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::vector<uint8_t> out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

}  // namespace imgpipe::testing
