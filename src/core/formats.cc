// The input format table (see formats.h). Adding a format is one row here plus its codec file.
#include "formats.h"

#include <array>

#include "sniff.h"

namespace imgpipe::core {
namespace {

constexpr std::array<std::string_view, 2> kJpegExtensions = {"jpg", "jpeg"};
constexpr std::array<std::string_view, 1> kPngExtensions = {"png"};
constexpr std::array<std::string_view, 1> kWebpExtensions = {"webp"};
constexpr std::array<std::string_view, 1> kGifExtensions = {"gif"};
constexpr std::array<std::string_view, 2> kHeifExtensions = {"heic", "heif"};
constexpr std::array<std::string_view, 1> kAvifExtensions = {"avif"};

// AVIF before HEIF does not matter (their brand tests exclude each other), but JPEG first does:
// it is by far the most common input.
const std::array kFormats = {
    FormatEntry{Format::kJpeg, "JPEG", LooksLikeJpeg, ReadJpegHeader, DecodeJpeg, kJpegExtensions,
                "image/jpeg"},
    FormatEntry{Format::kPng, "PNG", LooksLikePng, ReadPngHeader, DecodePng, kPngExtensions,
                "image/png"},
    FormatEntry{Format::kWebp, "WebP", LooksLikeWebp, ReadWebpHeader, DecodeWebp, kWebpExtensions,
                "image/webp"},
    FormatEntry{Format::kGif, "GIF", LooksLikeGif, ReadGifHeader, DecodeGif, kGifExtensions,
                "image/gif"},
    FormatEntry{Format::kHeif, "HEIF", LooksLikeHeif, ReadHeifHeader, DecodeHeif, kHeifExtensions,
                "image/heif"},
    FormatEntry{Format::kAvif, "AVIF", LooksLikeAvif, ReadHeifHeader, DecodeHeif, kAvifExtensions,
                "image/avif"},
};

}  // namespace

std::span<const FormatEntry> InputFormats() { return kFormats; }

const FormatEntry* FindFormat(Format format) {
  for (const FormatEntry& entry : kFormats) {
    if (entry.format == format) {
      return &entry;
    }
  }
  return nullptr;
}

std::string InputFormatList(std::string_view last_separator) {
  std::string text;
  for (size_t i = 0; i < kFormats.size(); ++i) {
    if (i > 0) {
      text += i + 1 == kFormats.size() ? last_separator : std::string_view(", ");
    }
    text += kFormats[i].display_name;
  }
  return text;
}

}  // namespace imgpipe::core
