// The first step of an input that arrives as a ByteSource (ProcessVariants(ByteSource&) in
// pipeline.cc): read what the header and colour-profile steps need, and leave the rest on the
// source where the decoder can pull it as it goes.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "imgpipe/byte_source.h"
#include "imgpipe/error.h"

namespace imgpipe::core {

struct InputHead {
  // When `rest_pending`, a JPEG's markers up to and including its first SOS segment, or a PNG's
  // chunks up to the header of its first IDAT, or a GIF's records up to its first frame's LZW
  // data, or a lossy WebP's chunks up to its VP8 frame header (and whatever else the last read
  // brought); otherwise the whole input.
  std::vector<uint8_t> bytes;
  // The rest of the input is still on the source: JPEG (libjpeg's source manager), PNG
  // (libspng's read callback), GIF (giflib's read function) and still lossy WebP without alpha
  // over 64 KiB (libwebp's incremental decoder, which frees what it has decoded) decode from a
  // stream. Other WebPs and HEIF are read whole (HEIF must be: libheif reads from memory).
  bool rest_pending = false;
};

// Reads a JPEG's, PNG's, GIF's or lossy WebP's head, or any other input whole, never holding more
// than `max_bytes` plus one read (kInputTooLarge past it). A JPEG head holds every APP segment
// (EXIF orientation, ICC profile, Adobe marker) and the frame header; a PNG head IHDR, iCCP, eXIf
// and every other chunk before the image data: all that ReadHeader and ExtractIcc read.
Result<InputHead> ReadInputHead(ByteSource& source, uint64_t max_bytes);

// Where a JPEG's head ends, for ReadInputHead: scans markers from *pos (a segment start; 2 at
// first, after SOI). kComplete with *pos just past the first SOS segment; kNeedMore with *pos at
// the segment that is not complete yet; kNoScan when EOI or a malformed length comes first
// (ReadInputHead then reads the input whole, and the decoder judges it as it would in memory).
enum class JpegHeadScan { kComplete, kNeedMore, kNoScan };
JpegHeadScan ScanJpegHead(std::span<const uint8_t> bytes, size_t* pos);

// The same for a PNG, from *pos (8 at first, after the signature): kComplete with *pos at the
// first IDAT chunk, whose 8-byte header is in `bytes`; kNoData when IEND or an impossible
// length comes first.
enum class PngHeadScan { kComplete, kNeedMore, kNoData };
PngHeadScan ScanPngHead(std::span<const uint8_t> bytes, size_t* pos);

// The same for a GIF, from *pos (0 at first: the signature, screen descriptor and global colour
// table are the first record): kComplete with *pos just past the first image descriptor, its
// local colour table and its LZW code size byte (all ReadGifHeader reads); kNoImage when the
// trailer or an unknown record comes first. The header read from such a head says animated =
// false (the second frame is not in it): only `imgpipe info` uses that, from memory.
enum class GifHeadScan { kComplete, kNeedMore, kNoImage };
GifHeadScan ScanGifHead(std::span<const uint8_t> bytes, size_t* pos);

// The same for a WebP, from *pos (12 at first, after 'RIFF' <size> 'WEBP'): kComplete with *pos
// just past the 10-byte frame header of a lossy 'VP8 ' chunk that ends the RIFF, when nothing
// before it asks for the whole file; kWhole for what must be read whole: chunks after the image
// (DecodeWebp's demuxer parses them, and a stream would have to judge them alike), a lossless
// 'VP8L' frame (libwebp keeps its whole compressed body, so streaming it only adds copies), an
// 'ALPH' chunk or the VP8X alpha flag (libwebp keeps everything from the alpha data on until the
// last row), an animation, and the VP8X EXIF flag (the EXIF chunk, with the orientation, comes
// after the image data).
enum class WebpHeadScan { kComplete, kNeedMore, kWhole };
WebpHeadScan ScanWebpHead(std::span<const uint8_t> bytes, size_t* pos);

}  // namespace imgpipe::core
