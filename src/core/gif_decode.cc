// GIF through giflib's low-level record API: the first frame only, composited on the logical
// screen. DGifSlurp is avoided on purpose: it decodes and keeps every frame, so a hostile GIF
// with thousands of frames would cost thousands of frames of memory.
#include <gif_lib.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "canvas.h"
#include "decode.h"
#include "limits.h"
#include "resize.h"

namespace imgpipe::core {
namespace {

// giflib's input: the whole GIF in `head` (in memory), or its head there and the rest pulled
// from `rest` as giflib asks for it (a sub-block at a time, never more than 255 bytes), so a
// streamed GIF costs one read, not its file size.
struct GifReader {
  std::span<const uint8_t> head;
  ByteSource* rest = nullptr;
  uint64_t max_bytes = 0;
  uint64_t position = 0;  // bytes handed to giflib
  // giflib sometimes reports a short read as another error (DGifOpen says "no screen
  // descriptor"), so truncation is judged from here, not from its error code.
  bool short_read = false;
  // A failed read of `rest` or more bytes than max_bytes: giflib only hears a short read.
  std::optional<Error> failure = {};
};

// Fills `out` from the head, then from the rest; fewer bytes than asked only at the end of the
// input or on a failure.
size_t ReadInto(GifReader& reader, uint8_t* out, size_t length) {
  size_t filled = 0;
  if (reader.position < reader.head.size()) {
    filled = std::min(length, reader.head.size() - static_cast<size_t>(reader.position));
    std::memcpy(out, reader.head.data() + reader.position, filled);
  }
  while (filled < length && reader.rest != nullptr && !reader.failure) {
    auto got = reader.rest->Read(std::span(out + filled, length - filled));
    if (!got.ok()) {
      reader.failure = got.error();
    } else if (*got == 0) {
      break;
    } else {
      filled += *got;
    }
  }
  reader.position += filled;
  if (reader.rest != nullptr && reader.position > reader.max_bytes && !reader.failure) {
    reader.failure = StreamOverByteLimit(reader.max_bytes);
  }
  return reader.failure ? 0 : filled;
}

int ReadGifBytes(GifFileType* gif, GifByteType* out, int length) {
  auto* reader = static_cast<GifReader*>(gif->UserData);
  const auto wanted = static_cast<size_t>(std::max(length, 0));
  const size_t count = ReadInto(*reader, out, wanted);
  if (count < wanted) {
    reader->short_read = true;
  }
  return static_cast<int>(count);  // short read: giflib reports D_GIF_ERR_READ_FAILED
}

struct GifClose {
  void operator()(GifFileType* gif) const {
    int ignored = 0;
    DGifCloseFile(gif, &ignored);
  }
};
using GifPtr = std::unique_ptr<GifFileType, GifClose>;

const GifReader* Reader(const GifFileType* gif) {
  return static_cast<const GifReader*>(gif->UserData);
}

Error GifError(int code, const char* what, const GifReader& reader) {
  if (reader.failure) {
    return *reader.failure;  // a broken download or the byte limit explains giflib's error best
  }
  if (reader.short_read || code == D_GIF_ERR_READ_FAILED || code == D_GIF_ERR_EOF_TOO_SOON) {
    return MakeError(ErrorCode::kTruncatedImage, "GIF data ends before the image does (truncated)");
  }
  const char* reason = GifErrorString(code);
  return MakeError(ErrorCode::kCorruptImage, std::string("corrupt GIF data (") + what +
                                                 "): " + (reason ? reason : "unknown error"));
}

Error GifFail(const GifFileType* gif, const char* what) {
  return GifError(gif->Error, what, *Reader(gif));
}

Result<GifPtr> OpenGif(GifReader* reader) {
  int error = 0;
  GifPtr gif(DGifOpen(reader, ReadGifBytes, &error));
  if (!gif) {
    return GifError(error, "header", *reader);
  }
  return gif;
}

Header ScreenHeader(const GifFileType* gif) {
  Header header;
  header.format = Format::kGif;
  header.width = static_cast<uint32_t>(gif->SWidth);
  header.height = static_cast<uint32_t>(gif->SHeight);
  header.channels = 3;  // palette entries are RGB; transparency makes it 4 (known per frame)
  header.bit_depth = 8;
  return header;
}

// Skips the rest of an extension (all its sub-blocks) without keeping it.
bool SkipExtensionBlocks(GifFileType* gif, GifByteType* block) {
  while (block != nullptr) {
    if (DGifGetExtensionNext(gif, &block) == GIF_ERROR) {
      return false;
    }
  }
  return true;
}

// Reads one extension record; returns its transparent index when it is a graphics control
// extension that names one (-1 otherwise).
Result<int> ReadExtension(GifFileType* gif) {
  int code = 0;
  GifByteType* block = nullptr;
  if (DGifGetExtension(gif, &code, &block) == GIF_ERROR) {
    return GifFail(gif, "extension");
  }
  int transparent = -1;
  if (code == GRAPHICS_EXT_FUNC_CODE && block != nullptr) {
    GraphicsControlBlock gcb{};
    if (DGifExtensionToGCB(block[0], block + 1, &gcb) == GIF_OK) {
      transparent = gcb.TransparentColor;
    }
  }
  if (!SkipExtensionBlocks(gif, block)) {
    return GifFail(gif, "extension");
  }
  return transparent;
}

// Skips the compressed data of the current frame without decompressing it.
bool SkipFrameData(GifFileType* gif) {
  int code_size = 0;
  GifByteType* block = nullptr;
  if (DGifGetCode(gif, &code_size, &block) == GIF_ERROR) {
    return false;
  }
  while (block != nullptr) {
    if (DGifGetCodeNext(gif, &block) == GIF_ERROR) {
      return false;
    }
  }
  return true;
}

// Walks the records up to the first image descriptor (read with DGifGetImageHeader, which
// unlike DGifGetImageDesc does not append to SavedImages). Returns the last transparent index.
Result<int> SeekFirstFrame(GifFileType* gif) {
  int transparent = -1;
  for (;;) {
    GifRecordType type = UNDEFINED_RECORD_TYPE;
    if (DGifGetRecordType(gif, &type) == GIF_ERROR) {
      return GifFail(gif, "records");
    }
    if (type == IMAGE_DESC_RECORD_TYPE) {
      if (DGifGetImageHeader(gif) == GIF_ERROR) {
        return GifFail(gif, "frame header");
      }
      return transparent;
    }
    if (type == EXTENSION_RECORD_TYPE) {
      auto index = ReadExtension(gif);
      if (!index) {
        return index.error();
      }
      transparent = *index;
      continue;
    }
    if (type == TERMINATE_RECORD_TYPE) {
      return MakeError(ErrorCode::kCorruptImage, "corrupt GIF data: no image in the file");
    }
    return MakeError(ErrorCode::kCorruptImage, "corrupt GIF data: unknown record type");
  }
}

// True when another image follows the first: reads record headers and skips data, at most
// until the second image descriptor, so the cost does not grow with the frame count.
bool HasSecondFrame(GifFileType* gif) {
  if (!SkipFrameData(gif)) {
    return false;
  }
  for (;;) {
    GifRecordType type = UNDEFINED_RECORD_TYPE;
    if (DGifGetRecordType(gif, &type) == GIF_ERROR) {
      return false;
    }
    if (type == IMAGE_DESC_RECORD_TYPE) {
      return true;
    }
    if (type != EXTENSION_RECORD_TYPE) {
      return false;
    }
    if (!ReadExtension(gif)) {
      return false;
    }
  }
}

// Storage order of an interlaced GIF's rows: four passes (every 8th from 0, every 8th from 4,
// every 4th from 2, every 2nd from 1).
uint32_t InterlacedRow(uint32_t stored, uint32_t height) {
  constexpr uint32_t kStart[4] = {0, 4, 2, 1};
  constexpr uint32_t kStep[4] = {8, 8, 4, 2};
  for (int pass = 0; pass < 4; ++pass) {
    const uint32_t rows =
        height > kStart[pass] ? (height - kStart[pass] + kStep[pass] - 1) / kStep[pass] : 0;
    if (stored < rows) {
      return kStart[pass] + stored * kStep[pass];
    }
    stored -= rows;
  }
  return height;  // unreachable for stored < height
}

// Writes `width` palette indices as RGB or RGBA pixels. The transparent index leaves its pixel
// as it is (transparent black).
void PaintRow(const GifPixelType* line, uint32_t width, const ColorMapObject& palette,
              int transparent, int channels, uint8_t* out) {
  for (uint32_t x = 0; x < width; ++x, out += channels) {
    const int index = line[x];
    if (index == transparent) {
      continue;
    }
    if (index >= palette.ColorCount) {
      out[0] = out[1] = out[2] = 0;  // out-of-palette index: black, as browsers draw it
    } else {
      const GifColorType& color = palette.Colors[index];
      out[0] = color.Red;
      out[1] = color.Green;
      out[2] = color.Blue;
    }
    if (channels == 4) {
      out[3] = 255;
    }
  }
}

// The first frame's geometry: its stored size, and the part of it that lies on the screen.
struct FrameOnScreen {
  const ColorMapObject& palette;
  int transparent;
  uint32_t left;
  uint32_t top;
  uint32_t width;
  uint32_t height;
  uint32_t visible_width;
  uint32_t visible_height;
  bool interlaced;
};

// Decodes the frame's rows in stored order and hands `row(y, indices)` each row that lands on
// the screen, with y relative to the frame. Interlaced frames are collected first (one byte
// per frame pixel: what is drawn, never the screen) so rows can be handed over top to bottom.
template <typename RowFn>
Status ForEachVisibleRow(GifFileType* gif, const FrameOnScreen& frame, const Deadline& deadline,
                         RowFn row) {
  std::vector<GifPixelType> line(frame.width);
  std::vector<GifPixelType> frame_rows(
      frame.interlaced ? static_cast<size_t>(frame.width) * frame.visible_height : 0);
  for (uint32_t stored = 0; stored < frame.height; ++stored) {
    if (auto status = CheckDeadline(deadline, "GIF decode"); !status) {
      return status;
    }
    if (DGifGetLine(gif, line.data(), static_cast<int>(line.size())) == GIF_ERROR) {
      return GifFail(gif, "image data");
    }
    const uint32_t y = frame.interlaced ? InterlacedRow(stored, frame.height) : stored;
    if (y >= frame.visible_height) {
      continue;
    }
    if (frame.interlaced) {
      std::copy(line.begin(), line.end(),
                frame_rows.begin() + static_cast<std::ptrdiff_t>(y) * frame.width);
    } else {
      row(y, line.data());
    }
  }
  for (uint32_t y = 0; frame.interlaced && y < frame.visible_height; ++y) {
    row(y, frame_rows.data() + static_cast<size_t>(y) * frame.width);
  }
  return OkStatus();
}

// Draws the first frame on a transparent screen. When the pipeline wants less than the
// screen, the screen is shrunk on load (canvas.h) and the frame streams through the resampler
// into its share of it, so neither the full screen nor the full frame is ever allocated.
Result<Image> DrawFirstFrame(GifFileType* gif, const Header& screen, const FrameOnScreen& frame,
                             int channels, const DecodeRequest& request) {
  const FramePlacement placement =
      PlaceFrame(screen.width, screen.height, std::min(frame.left, screen.width - 1),
                 std::min(frame.top, screen.height - 1), std::max(frame.visible_width, 1u),
                 std::max(frame.visible_height, 1u), request);
  Image image;
  image.width = placement.canvas_width;
  image.height = placement.canvas_height;
  image.channels = channels;
  image.pixels.assign(image.stride() * image.height, 0);
  if (!placement.scaled) {
    auto paint = [&](uint32_t y, const GifPixelType* indices) {
      if (frame.visible_width == 0) {
        return;
      }
      PaintRow(indices, frame.visible_width, frame.palette, frame.transparent, channels,
               image.row(frame.top + y) + static_cast<size_t>(frame.left) * channels);
    };
    if (auto status = ForEachVisibleRow(gif, frame, request.deadline, paint); !status) {
      return status.error();
    }
    return image;
  }
  if (frame.visible_width == 0 || frame.visible_height == 0) {
    return image;  // the frame lies entirely off the screen: nothing is drawn
  }
  RegionResizer resizer(
      frame.visible_width, frame.visible_height, channels,
      {placement.width, placement.height, 0, 0, placement.width, placement.height}, &image,
      placement.x, placement.y);
  std::vector<uint8_t> pixels(static_cast<size_t>(frame.visible_width) * channels);
  auto resample = [&](uint32_t, const GifPixelType* indices) {
    std::fill(pixels.begin(), pixels.end(), 0);  // the transparent index leaves pixels as is
    PaintRow(indices, frame.visible_width, frame.palette, frame.transparent, channels,
             pixels.data());
    resizer.PushRow(pixels.data());
  };
  if (auto status = ForEachVisibleRow(gif, frame, request.deadline, resample); !status) {
    return status.error();
  }
  return image;
}

}  // namespace

Result<Header> ReadGifHeader(std::span<const uint8_t> bytes) {
  GifReader reader{bytes};
  auto gif = OpenGif(&reader);
  if (!gif) {
    return gif.error();
  }
  Header header = ScreenHeader(gif->get());
  auto transparent = SeekFirstFrame(gif->get());
  if (!transparent) {
    return transparent.error();
  }
  header.has_alpha = *transparent >= 0;
  if (header.has_alpha) {
    header.channels = 4;
  }
  // From a streamed head (ReadInputHead stops at the first frame's data) no second frame is in
  // `bytes`, so animated stays false there; only `imgpipe info` reads it, from the whole file.
  header.animated = HasSecondFrame(gif->get());
  return header;
}

namespace {

// The first frame, from `reader` (memory or stream). Reads nothing past the first frame's
// image data, so a streamed GIF with thousands of frames leaves them on the source.
Result<Image> DecodeFirstFrame(GifReader* reader, const DecodeRequest& request) {
  auto opened = OpenGif(reader);
  if (!opened) {
    return opened.error();
  }
  GifFileType* gif = opened->get();
  const Header screen = ScreenHeader(gif);
  if (auto status = CheckHeader(screen, request.limits); !status) {
    return status.error();
  }
  auto transparent = SeekFirstFrame(gif);
  if (!transparent) {
    return transparent.error();
  }

  const GifImageDesc& frame = gif->Image;
  Header frame_header = screen;
  frame_header.width = static_cast<uint32_t>(std::max(frame.Width, 0));
  frame_header.height = static_cast<uint32_t>(std::max(frame.Height, 0));
  // Every stored row must be decompressed even when it falls off the screen, so the frame's
  // own size counts against the limit too.
  if (auto status = CheckHeader(frame_header, request.limits); !status) {
    return status.error();
  }
  const ColorMapObject* palette = frame.ColorMap ? frame.ColorMap : gif->SColorMap;
  if (palette == nullptr || palette->Colors == nullptr) {
    return MakeError(ErrorCode::kCorruptImage, "corrupt GIF data: frame has no colour table");
  }

  const uint32_t left = static_cast<uint32_t>(std::max(frame.Left, 0));
  const uint32_t top = static_cast<uint32_t>(std::max(frame.Top, 0));
  const FrameOnScreen on_screen{
      *palette,
      *transparent,
      left,
      top,
      frame_header.width,
      frame_header.height,
      left < screen.width ? std::min(frame_header.width, screen.width - left) : 0,
      top < screen.height ? std::min(frame_header.height, screen.height - top) : 0,
      frame.Interlace};
  if (on_screen.interlaced) {
    // ForEachVisibleRow holds an interlaced frame's indices until its last pass.
    if (auto status = CheckInterlacedGif(on_screen.width, on_screen.visible_height, request.limits);
        !status) {
      return status.error();
    }
  }
  const bool covers = left == 0 && top == 0 && frame_header.width >= screen.width &&
                      frame_header.height >= screen.height;
  // Uncovered screen and transparent pixels show what is behind the GIF: transparent, as in
  // browsers (the background colour index is ignored by them too).
  const int channels = covers && *transparent < 0 ? 3 : 4;
  return DrawFirstFrame(gif, screen, on_screen, channels, request);
}

}  // namespace

Result<Image> DecodeGif(std::span<const uint8_t> bytes, const DecodeRequest& request) {
  if (auto status = CheckInputBytes(bytes.size(), request.limits); !status) {
    return status.error();
  }
  GifReader reader{bytes};
  return DecodeFirstFrame(&reader, request);
}

Result<Image> DecodeGifStream(std::span<const uint8_t> head, ByteSource& rest,
                              const DecodeRequest& request) {
  GifReader reader{head, &rest, request.limits.max_input_bytes};
  return DecodeFirstFrame(&reader, request);
}

}  // namespace imgpipe::core
