#include "input_head.h"

#include <algorithm>
#include <string>

#include "byte_order.h"
#include "decode.h"
#include "limits.h"
#include "sniff.h"

namespace imgpipe::core {
namespace {

constexpr size_t kReadChunk = size_t{64} * 1024;
constexpr uint8_t kSos = 0xDA;
constexpr uint8_t kEoi = 0xD9;
constexpr size_t kPngSignature = 8;
constexpr size_t kRiffHeader = 12;  // 'RIFF' <size> 'WEBP'

// The first bytes agree with a PNG signature as far as they go.
bool LooksLikePngStart(std::span<const uint8_t> bytes) {
  constexpr uint8_t kSignature[kPngSignature] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  const size_t n = std::min(bytes.size(), kPngSignature);
  return std::equal(bytes.begin(), bytes.begin() + static_cast<long>(n), kSignature);
}

// Markers that stand alone, without a length: TEM, RSTn, SOI.
bool StandsAlone(uint8_t marker) { return marker == 0x01 || (marker >= 0xD0 && marker <= 0xD8); }

// Appends up to one chunk from `source` (never past max_bytes + 1 in all); the bytes read.
Result<size_t> ReadMore(ByteSource& source, std::vector<uint8_t>& bytes, uint64_t max_bytes) {
  const size_t old_size = bytes.size();
  const size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunk, max_bytes + 1 - old_size));
  bytes.resize(old_size + want);
  auto got = source.Read(std::span(bytes).subspan(old_size));
  bytes.resize(old_size + (got.ok() ? *got : 0));
  if (got.ok() && bytes.size() > max_bytes) {
    return StreamOverByteLimit(max_bytes);
  }
  return got;
}

// The rest after `head`, for inputs decoded from memory: other formats, and heads the scan
// cannot make sense of (a malformed length, EOI or IEND first), which the decoder then judges
// from exactly the bytes it would see in memory.
Result<InputHead> ReadWhole(ByteSource& source, uint64_t max_bytes, InputHead head) {
  auto all = ReadAll(source, max_bytes, std::move(head.bytes));
  if (!all.ok()) {
    return all.error();
  }
  head.bytes = std::move(all).value();
  head.rest_pending = false;
  return head;
}

// A head the scan found complete, confirmed by the codec's own header parser: on a malformed
// file the codec may read the segments differently (libjpeg's table parsing, say) and run past
// the head, and it must then see the whole input, as it would in memory.
Result<InputHead> Checked(ByteSource& source, uint64_t max_bytes, InputHead head) {
  auto header = ReadHeader(head.bytes);
  if (!header.ok() && header.error().code == ErrorCode::kTruncatedImage) {
    return ReadWhole(source, max_bytes, std::move(head));
  }
  head.rest_pending = true;
  return head;
}

// GIF's part of ReadInputHead (after its first three bytes).
Result<InputHead> ReadGifHead(ByteSource& source, uint64_t max_bytes, InputHead head) {
  size_t pos = 0;
  GifHeadScan scan;
  while ((scan = ScanGifHead(head.bytes, &pos)) == GifHeadScan::kNeedMore) {
    auto got = ReadMore(source, head.bytes, max_bytes);
    if (!got.ok()) {
      return got.error();
    }
    if (*got == 0) {
      return head;  // the whole file, ending inside its head
    }
  }
  if (scan == GifHeadScan::kComplete) {
    return Checked(source, max_bytes, std::move(head));
  }
  return ReadWhole(source, max_bytes, std::move(head));
}

// WebP's part of ReadInputHead (after its first 12 bytes).
Result<InputHead> ReadWebpHead(ByteSource& source, uint64_t max_bytes, InputHead head) {
  size_t pos = kRiffHeader;
  WebpHeadScan scan;
  while ((scan = ScanWebpHead(head.bytes, &pos)) == WebpHeadScan::kNeedMore) {
    auto got = ReadMore(source, head.bytes, max_bytes);
    if (!got.ok()) {
      return got.error();
    }
    if (*got == 0) {
      return head;  // the whole file, ending inside its head
    }
  }
  // A file within one read (64 KiB, the decoder's step too) gains nothing from streaming and is
  // decoded exactly as in memory, whatever size the reads of its body came in.
  const uint64_t riff_end = 8 + LittleEndian32(head.bytes, 4);  // 'RIFF', its size, then data
  if (scan == WebpHeadScan::kComplete && riff_end > kReadChunk) {
    return Checked(source, max_bytes, std::move(head));
  }
  return ReadWhole(source, max_bytes, std::move(head));
}

}  // namespace

JpegHeadScan ScanJpegHead(std::span<const uint8_t> bytes, size_t* pos) {
  size_t at = *pos;
  for (;;) {
    *pos = at;  // the start of the segment being looked at
    // libjpeg skips stray bytes before a marker (with a warning) and any number of 0xFF fills.
    while (at < bytes.size() && bytes[at] != 0xFF) {
      ++at;
    }
    while (at < bytes.size() && bytes[at] == 0xFF) {
      ++at;
    }
    if (at >= bytes.size()) {
      return JpegHeadScan::kNeedMore;
    }
    const uint8_t marker = bytes[at++];
    if (marker == 0x00 || StandsAlone(marker)) {
      continue;
    }
    if (marker == kEoi) {
      return JpegHeadScan::kNoScan;
    }
    if (at + 2 > bytes.size()) {
      return JpegHeadScan::kNeedMore;
    }
    const size_t length = (size_t{bytes[at]} << 8) | bytes[at + 1];
    if (length < 2) {
      return JpegHeadScan::kNoScan;
    }
    if (at + length > bytes.size()) {
      return JpegHeadScan::kNeedMore;
    }
    at += length;
    if (marker == kSos) {
      *pos = at;
      return JpegHeadScan::kComplete;
    }
  }
}

PngHeadScan ScanPngHead(std::span<const uint8_t> bytes, size_t* pos) {
  size_t at = *pos;
  for (;;) {
    *pos = at;
    if (at + 8 > bytes.size()) {
      return PngHeadScan::kNeedMore;
    }
    const uint32_t length = (uint32_t{bytes[at]} << 24) | (uint32_t{bytes[at + 1]} << 16) |
                            (uint32_t{bytes[at + 2]} << 8) | bytes[at + 3];
    const std::span<const uint8_t> type = bytes.subspan(at + 4, 4);
    if (std::equal(type.begin(), type.end(), "IDAT")) {
      return PngHeadScan::kComplete;
    }
    if (length > 0x7FFFFFFFu || std::equal(type.begin(), type.end(), "IEND")) {
      return PngHeadScan::kNoData;
    }
    const size_t next = at + 12 + length;  // length, type, data, CRC
    if (next > bytes.size()) {
      return PngHeadScan::kNeedMore;
    }
    at = next;
  }
}

GifHeadScan ScanGifHead(std::span<const uint8_t> bytes, size_t* pos) {
  // Colour tables are 3 * 2^(size + 1) bytes when a packed field's top bit says they exist.
  auto table_bytes = [](uint8_t packed) {
    return (packed & 0x80) != 0 ? size_t{3} << ((packed & 0x07) + 1) : size_t{0};
  };
  constexpr size_t kScreen = 13;  // signature (6) and logical screen descriptor (7)
  size_t at = *pos;
  if (at == 0) {
    if (bytes.size() < kScreen) {
      return GifHeadScan::kNeedMore;
    }
    at = kScreen + table_bytes(bytes[10]);
  }
  for (;;) {
    *pos = at;  // the start of the record being looked at
    if (at >= bytes.size()) {
      return GifHeadScan::kNeedMore;
    }
    if (bytes[at] == 0x2C) {  // image descriptor (10 bytes), local table, LZW code size
      if (at + 10 > bytes.size()) {
        return GifHeadScan::kNeedMore;
      }
      const size_t end = at + 10 + table_bytes(bytes[at + 9]) + 1;
      if (end > bytes.size()) {
        return GifHeadScan::kNeedMore;
      }
      *pos = end;
      return GifHeadScan::kComplete;
    }
    if (bytes[at] != 0x21) {  // the trailer (0x3B) or garbage: no image to stream
      return GifHeadScan::kNoImage;
    }
    size_t next = at + 2;  // introducer and label, then sub-blocks up to an empty one
    for (;;) {
      if (next >= bytes.size()) {
        return GifHeadScan::kNeedMore;
      }
      const size_t size = bytes[next];
      next += 1 + size;
      if (size == 0) {
        break;
      }
    }
    at = next;
  }
}

WebpHeadScan ScanWebpHead(std::span<const uint8_t> bytes, size_t* pos) {
  constexpr size_t kChunkHeader = 8;      // fourcc, little-endian size
  constexpr size_t kVp8FrameHeader = 10;  // what WebPGetFeatures reads of a 'VP8 ' chunk
  constexpr size_t kVp8xPayload = 10;
  constexpr uint8_t kAnimationFlag = 0x02;
  constexpr uint8_t kExifFlag = 0x08;
  constexpr uint8_t kAlphaFlag = 0x10;
  auto is = [&](size_t at, const char* fourcc) {
    return std::equal(bytes.begin() + static_cast<long>(at),
                      bytes.begin() + static_cast<long>(at + 4), fourcc);
  };
  size_t at = *pos;
  for (;;) {
    *pos = at;  // the start of the chunk being looked at
    if (at + kChunkHeader > bytes.size()) {
      return WebpHeadScan::kNeedMore;
    }
    const uint64_t size = LittleEndian32(bytes, at + 4);
    if (is(at, "VP8 ")) {
      if (at + kChunkHeader + kVp8FrameHeader > bytes.size()) {
        return WebpHeadScan::kNeedMore;
      }
      // Only a frame that ends the RIFF streams: the demuxer that judges a file in memory also
      // parses the chunks after the image, and the streamed path must judge it alike.
      const uint64_t riff_end = kChunkHeader + LittleEndian32(bytes, 4);
      if (at + kChunkHeader + size + (size & 1) != riff_end) {
        return WebpHeadScan::kWhole;
      }
      *pos = at + kChunkHeader + kVp8FrameHeader;
      return WebpHeadScan::kComplete;
    }
    if (is(at, "VP8X")) {
      if (at + kChunkHeader + kVp8xPayload > bytes.size()) {
        return WebpHeadScan::kNeedMore;
      }
      if ((bytes[at + kChunkHeader] & (kAnimationFlag | kExifFlag | kAlphaFlag)) != 0) {
        return WebpHeadScan::kWhole;
      }
    } else if (is(at, "VP8L") || is(at, "ALPH") || is(at, "ANIM") || is(at, "ANMF")) {
      return WebpHeadScan::kWhole;
    }
    at += kChunkHeader + size + (size & 1);  // chunks are padded to an even size
  }
}

Result<InputHead> ReadInputHead(ByteSource& source, uint64_t max_bytes) {
  InputHead head;
  // Three bytes tell a JPEG (FF D8 FF); a short read may bring fewer.
  while (head.bytes.size() < 3) {
    auto got = ReadMore(source, head.bytes, max_bytes);
    if (!got.ok()) {
      return got.error();
    }
    if (*got == 0) {
      return head;  // the whole input, too short to be a JPEG
    }
  }
  // A PNG's signature is 8 bytes; a read that stops short of it is finished here.
  while (LooksLikePngStart(head.bytes) && head.bytes.size() < kPngSignature) {
    auto got = ReadMore(source, head.bytes, max_bytes);
    if (!got.ok()) {
      return got.error();
    }
    if (*got == 0) {
      break;
    }
  }
  if (LooksLikePng(head.bytes)) {
    size_t pos = kPngSignature;
    PngHeadScan scan;
    while ((scan = ScanPngHead(head.bytes, &pos)) == PngHeadScan::kNeedMore) {
      auto got = ReadMore(source, head.bytes, max_bytes);
      if (!got.ok()) {
        return got.error();
      }
      if (*got == 0) {
        return head;  // the whole file, ending before its image data
      }
    }
    if (scan == PngHeadScan::kComplete) {
      return Checked(source, max_bytes, std::move(head));
    }
    return ReadWhole(source, max_bytes, std::move(head));
  }
  if (std::equal(head.bytes.begin(), head.bytes.begin() + 3, "GIF")) {
    return ReadGifHead(source, max_bytes, std::move(head));
  }
  if (std::equal(head.bytes.begin(), head.bytes.begin() + 3, "RIF")) {
    // 'RIFF' <size> 'WEBP' is 12 bytes; a read that stops short of it is finished here.
    while (head.bytes.size() < kRiffHeader) {
      auto got = ReadMore(source, head.bytes, max_bytes);
      if (!got.ok()) {
        return got.error();
      }
      if (*got == 0) {
        return head;
      }
    }
    if (LooksLikeWebp(head.bytes)) {
      return ReadWebpHead(source, max_bytes, std::move(head));
    }
  }
  if (!LooksLikeJpeg(head.bytes)) {
    return ReadWhole(source, max_bytes, std::move(head));
  }
  size_t pos = 2;
  JpegHeadScan scan;
  while ((scan = ScanJpegHead(head.bytes, &pos)) == JpegHeadScan::kNeedMore) {
    auto got = ReadMore(source, head.bytes, max_bytes);
    if (!got.ok()) {
      return got.error();
    }
    if (*got == 0) {
      return head;  // the whole file, ending inside its head
    }
  }
  if (scan == JpegHeadScan::kComplete) {
    return Checked(source, max_bytes, std::move(head));
  }
  return ReadWhole(source, max_bytes, std::move(head));
}

}  // namespace imgpipe::core
