// Profile extraction per container. JPEG and WebP are walked by hand (marker and chunk
// headers only, stopping at the first scan or image chunk); PNG goes through libspng, which
// already validates chunk order and CRCs and inflates iCCP with a memory cap.
#include "icc_extract.h"

#include <spng.h>

#include <array>
#include <cstring>
#include <memory>

#include "byte_order.h"

namespace imgpipe::core {
namespace {

constexpr uint8_t kMarkerSos = 0xDA;
constexpr uint8_t kMarkerEoi = 0xD9;
constexpr uint8_t kMarkerApp2 = 0xE2;
constexpr std::array<uint8_t, 12> kIccSignature = {'I', 'C', 'C', '_', 'P', 'R',
                                                   'O', 'F', 'I', 'L', 'E', 0};
// Signature, then a 1-based sequence number and the number of segments.
constexpr size_t kIccSegmentHeader = kIccSignature.size() + 2;

IccExtraction Ignored(const std::string& why) {
  return IccExtraction{{}, "ignored ICC profile: " + why};
}

IccExtraction TooLarge(size_t size) {
  return Ignored(std::to_string(size) + " bytes, over the " + std::to_string(kMaxIccBytes) +
                 " byte limit");
}

// Markers without a length field: TEM and RST0..7 (SOI cannot recur before a scan).
bool IsStandalone(uint8_t marker) { return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7); }

struct IccSegment {
  std::span<const uint8_t> data;
  bool present = false;
};

IccExtraction Assemble(const std::array<IccSegment, 256>& segments, int count) {
  IccExtraction out;
  size_t total = 0;
  for (int i = 1; i <= count; ++i) {
    if (!segments[i].present) {
      return Ignored("APP2 segment " + std::to_string(i) + " of " + std::to_string(count) +
                     " is missing");
    }
    total += segments[i].data.size();
  }
  if (total > kMaxIccBytes) {
    return TooLarge(total);
  }
  out.icc.reserve(total);
  for (int i = 1; i <= count; ++i) {
    out.icc.insert(out.icc.end(), segments[i].data.begin(), segments[i].data.end());
  }
  return out;
}

// True when a chunk of `type` precedes the first IDAT: libspng drops an ancillary chunk it
// cannot decode without saying so, and a dropped profile deserves a warning.
bool HasPngChunkBeforeIdat(std::span<const uint8_t> bytes, const char* type) {
  constexpr size_t kSignature = 8;
  size_t at = kSignature;
  while (at + 8 <= bytes.size()) {
    const size_t length = static_cast<size_t>(bytes[at]) << 24 | bytes[at + 1] << 16 |
                          bytes[at + 2] << 8 | bytes[at + 3];
    if (std::memcmp(bytes.data() + at + 4, type, 4) == 0) {
      return true;
    }
    if (std::memcmp(bytes.data() + at + 4, "IDAT", 4) == 0 || length > bytes.size() - at - 8) {
      return false;
    }
    at += 12 + length;  // length, type, data, CRC
  }
  return false;
}

}  // namespace

IccExtraction ExtractJpegIcc(std::span<const uint8_t> bytes) {
  if (bytes.size() < 4 || bytes[0] != 0xFF || bytes[1] != 0xD8) {
    return {};
  }
  std::array<IccSegment, 256> segments{};  // indexed by sequence number, 1..255
  int count = 0;                           // from the first ICC segment; 0 until one is seen
  size_t at = 2;
  while (at + 1 < bytes.size()) {
    if (bytes[at] != 0xFF) {
      break;  // not a marker: the decoder will say what is wrong, we just stop looking
    }
    const uint8_t marker = bytes[at + 1];
    if (marker == 0xFF) {
      ++at;  // fill byte
      continue;
    }
    at += 2;
    if (IsStandalone(marker)) {
      continue;
    }
    if (marker == kMarkerSos || marker == kMarkerEoi || at + 2 > bytes.size()) {
      break;  // profiles precede the first scan
    }
    const size_t length = static_cast<size_t>(bytes[at]) << 8 | bytes[at + 1];
    if (length < 2 || at + length > bytes.size()) {
      break;
    }
    const std::span<const uint8_t> payload = bytes.subspan(at + 2, length - 2);
    at += length;
    if (marker != kMarkerApp2 || payload.size() < kIccSegmentHeader ||
        std::memcmp(payload.data(), kIccSignature.data(), kIccSignature.size()) != 0) {
      continue;
    }
    const int seq = payload[kIccSignature.size()];
    const int of = payload[kIccSignature.size() + 1];
    if (of == 0 || seq == 0 || seq > of || (count != 0 && of != count)) {
      return Ignored("APP2 segment numbered " + std::to_string(seq) + " of " + std::to_string(of) +
                     (count != 0 ? " in a set of " + std::to_string(count) : std::string()));
    }
    if (segments[seq].present) {
      return Ignored("APP2 segment " + std::to_string(seq) + " appears twice");
    }
    count = of;
    segments[seq] = {payload.subspan(kIccSegmentHeader), true};
  }
  if (count == 0) {
    return {};
  }
  return Assemble(segments, count);
}

IccExtraction ExtractPngIcc(std::span<const uint8_t> bytes) {
  struct SpngFree {
    void operator()(spng_ctx* ctx) const { spng_ctx_free(ctx); }
  };
  std::unique_ptr<spng_ctx, SpngFree> ctx(spng_ctx_new(0));
  if (!ctx) {
    return {};
  }
  // The cache cap bounds what iCCP may inflate to (plus any text chunks cached on the way).
  spng_set_chunk_limits(ctx.get(), kMaxIccBytes, kMaxIccBytes);
  if (spng_set_png_buffer(ctx.get(), bytes.data(), bytes.size()) != 0) {
    return {};
  }
  spng_iccp iccp{};
  const int rc = spng_get_iccp(ctx.get(), &iccp);
  if (rc == SPNG_ECHUNKAVAIL) {
    if (HasPngChunkBeforeIdat(bytes, "iCCP")) {
      return Ignored("iCCP chunk is corrupt (bad zlib data or CRC)");
    }
    return {};
  }
  if (rc != 0) {
    // The decoder reports a broken file; here it only means "no profile we can trust".
    return Ignored(std::string("iCCP chunk unreadable: ") + spng_strerror(rc));
  }
  if (iccp.profile_len > kMaxIccBytes) {
    return TooLarge(iccp.profile_len);
  }
  const auto* data = reinterpret_cast<const uint8_t*>(iccp.profile);
  return IccExtraction{{data, data + iccp.profile_len}, {}};
}

IccExtraction ExtractWebpIcc(std::span<const uint8_t> bytes) {
  constexpr uint8_t kIccFlag = 0x20;
  auto fourcc = [&](size_t at, const char* name) {
    return std::memcmp(bytes.data() + at, name, 4) == 0;
  };
  // RIFF <size> WEBP VP8X <size> <flags...>
  if (bytes.size() < 21 || !fourcc(0, "RIFF") || !fourcc(8, "WEBP") || !fourcc(12, "VP8X") ||
      (bytes[20] & kIccFlag) == 0) {
    return {};
  }
  size_t at = 12;
  while (at + 8 <= bytes.size()) {
    // The ICCP chunk must precede the image data; stopping there also keeps a streamed head
    // (which ends inside the image chunk, input_head.h) from reading as a cut file.
    if (fourcc(at, "VP8 ") || fourcc(at, "VP8L") || fourcc(at, "ANIM")) {
      break;
    }
    const size_t size = LittleEndian32(bytes, at + 4);
    if (size > bytes.size() - at - 8) {
      return Ignored("WebP chunk runs past the end of the file");
    }
    if (fourcc(at, "ICCP")) {
      if (size > kMaxIccBytes) {
        return TooLarge(size);
      }
      const auto data = bytes.subspan(at + 8, size);
      return IccExtraction{{data.begin(), data.end()}, {}};
    }
    at += 8 + size + (size & 1);
  }
  return Ignored("the WebP header announces a profile but has no ICCP chunk");
}

IccExtraction ExtractIcc(std::span<const uint8_t> bytes, Format format) {
  switch (format) {
    case Format::kJpeg:
      return ExtractJpegIcc(bytes);
    case Format::kPng:
      return ExtractPngIcc(bytes);
    case Format::kWebp:
      return ExtractWebpIcc(bytes);
    case Format::kGif:
    case Format::kHeif:
    case Format::kAvif:
    case Format::kUnknown:
      break;
  }
  return {};
}

}  // namespace imgpipe::core
