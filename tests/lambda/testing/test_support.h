// Small helpers shared by the lambda tests: fixtures, captured log lines, real JPEG bytes.
// Header-only because only *_test.cc files join the lambda_tests binary.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// clang-format off: jpeglib.h needs FILE and size_t declared first, so it must stay here.
#include <jpeglib.h>
// clang-format on
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "lambda/log.h"

namespace imgpipe::lambda::testing {

// Reads tests/fixtures/events/<name>; fails the test (empty string) when missing.
std::string ReadEventFixture(const std::string& name);

// Keeps every line and parses it, so tests assert on fields instead of substrings.
class CapturingSink : public LineSink {
 public:
  void Write(std::string_view line) override { lines.emplace_back(line); }
  std::vector<nlohmann::json> Parsed() const;
  // Parsed lines that are per-record logs (they carry "outcome").
  std::vector<nlohmann::json> Records() const;
  std::vector<std::string> lines;
};

// A real baseline JPEG (RGB gradient) of the given size, encoded with libjpeg in memory.
std::vector<uint8_t> MakeJpeg(int width, int height, int quality = 90);

// Width and height from a JPEG's header via libjpeg; {0, 0} when it is not a JPEG.
std::pair<int, int> JpegSize(const std::vector<uint8_t>& bytes);

// ---- definitions ----

inline std::string ReadEventFixture(const std::string& name) {
  const std::string path = std::string(IMGPIPE_SOURCE_DIR) + "/tests/fixtures/events/" + name;
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "missing fixture " << path;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<nlohmann::json> CapturingSink::Parsed() const {
  std::vector<nlohmann::json> out;
  for (const auto& line : lines) {
    auto doc = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << "log line is not JSON: " << line;
    out.push_back(doc);
  }
  return out;
}

inline std::vector<nlohmann::json> CapturingSink::Records() const {
  std::vector<nlohmann::json> out;
  for (auto& doc : Parsed()) {
    if (doc.is_object() && doc.contains("outcome")) out.push_back(doc);
  }
  return out;
}

inline std::vector<uint8_t> MakeJpeg(int width, int height, int quality) {
  jpeg_compress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = static_cast<JDIMENSION>(width);
  cinfo.image_height = static_cast<JDIMENSION>(height);
  cinfo.input_components = 3;
  cinfo.in_color_space = JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<uint8_t> row(static_cast<size_t>(width) * 3);
  while (cinfo.next_scanline < cinfo.image_height) {
    const int y = static_cast<int>(cinfo.next_scanline);
    for (int x = 0; x < width; ++x) {
      row[x * 3 + 0] = static_cast<uint8_t>(x * 255 / std::max(1, width - 1));
      row[x * 3 + 1] = static_cast<uint8_t>(y * 255 / std::max(1, height - 1));
      row[x * 3 + 2] = static_cast<uint8_t>((x + y) & 0xFF);
    }
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::vector<uint8_t> out(buffer, buffer + size);
  std::free(buffer);
  return out;
}

inline std::pair<int, int> JpegSize(const std::vector<uint8_t>& bytes) {
  if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) return {0, 0};
  jpeg_decompress_struct cinfo;
  jpeg_error_mgr jerr;
  cinfo.err = jpeg_std_error(&jerr);
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes.data(), static_cast<unsigned long>(bytes.size()));
  // Only called on our own outputs in tests; a bad header would exit() via libjpeg's default.
  jpeg_read_header(&cinfo, TRUE);
  std::pair<int, int> size{static_cast<int>(cinfo.image_width),
                           static_cast<int>(cinfo.image_height)};
  jpeg_destroy_decompress(&cinfo);
  return size;
}

}  // namespace imgpipe::lambda::testing
