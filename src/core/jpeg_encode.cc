// JPEG encoding with libjpeg-turbo: baseline, Huffman tables unoptimised, 4:2:0 for colour and
// a single component for gray, which is what Pillow's save(format="JPEG") does by default.
//
// libjpeg reports fatal errors through longjmp. Everything between setjmp and the last libjpeg
// call is a plain C struct, so the jump skips no C++ destructor; the output buffer is grown
// with realloc in our own destination manager and freed on every path.
#include <algorithm>
#include <csetjmp>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "encode.h"

// jpeglib.h needs FILE and size_t declared before it; keep this order.
// clang-format off
#include <cstdio>
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

namespace imgpipe::core {
namespace {

constexpr uint32_t kMaxJpegSide = 65500;  // JPEG_MAX_DIMENSION in libjpeg

struct ErrorManager {
  jpeg_error_mgr pub;  // first member: libjpeg hands us a pointer to it
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void OnFatalError(j_common_ptr cinfo) {
  auto* error = reinterpret_cast<ErrorManager*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, error->message);
  std::longjmp(error->jump, 1);
}

void OnMessage(j_common_ptr, int) {}  // the core never logs; warnings are not failures here

// A destination that grows a malloc'd buffer by doubling.
struct GrowingDestination {
  jpeg_destination_mgr pub;  // first member, as above
  JOCTET* buffer;
  size_t capacity;
  size_t size;  // valid after term_destination
};

void InitDestination(j_compress_ptr cinfo) {
  auto* dest = reinterpret_cast<GrowingDestination*>(cinfo->dest);
  dest->pub.next_output_byte = dest->buffer;
  dest->pub.free_in_buffer = dest->capacity;
}

boolean EmptyOutputBuffer(j_compress_ptr cinfo) {
  auto* dest = reinterpret_cast<GrowingDestination*>(cinfo->dest);
  // libjpeg asks for more room only when the buffer is completely full.
  const size_t grown = dest->capacity * 2;
  auto* bigger = static_cast<JOCTET*>(std::realloc(dest->buffer, grown));
  if (bigger == nullptr) {
    ERREXIT1(cinfo, JERR_OUT_OF_MEMORY, 0);
  }
  dest->pub.next_output_byte = bigger + dest->capacity;
  dest->pub.free_in_buffer = grown - dest->capacity;
  dest->buffer = bigger;
  dest->capacity = grown;
  return TRUE;
}

void TermDestination(j_compress_ptr cinfo) {
  auto* dest = reinterpret_cast<GrowingDestination*>(cinfo->dest);
  dest->size = dest->capacity - dest->pub.free_in_buffer;
}

// Compresses into dest->buffer. Only C structs live in this frame (see the file comment).
// Returns false with error->message set when libjpeg failed.
bool Compress(const Image& image, int quality, GrowingDestination* dest, ErrorManager* error) {
  jpeg_compress_struct cinfo;
  cinfo.err = jpeg_std_error(&error->pub);
  error->pub.error_exit = OnFatalError;
  error->pub.emit_message = OnMessage;
  if (setjmp(error->jump)) {
    jpeg_destroy_compress(&cinfo);
    return false;
  }
  jpeg_create_compress(&cinfo);
  dest->pub.init_destination = InitDestination;
  dest->pub.empty_output_buffer = EmptyOutputBuffer;
  dest->pub.term_destination = TermDestination;
  cinfo.dest = &dest->pub;

  cinfo.image_width = image.width;
  cinfo.image_height = image.height;
  cinfo.input_components = image.channels;
  cinfo.in_color_space = image.channels == 1 ? JCS_GRAYSCALE : JCS_RGB;
  jpeg_set_defaults(&cinfo);  // YCbCr with 2x2 luma sampling (4:2:0), or one gray component
  jpeg_set_quality(&cinfo, quality, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  while (cinfo.next_scanline < cinfo.image_height) {
    // libjpeg's API takes non-const rows but only reads them.
    JSAMPROW row = const_cast<JSAMPROW>(image.row(cinfo.next_scanline));
    jpeg_write_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  return true;
}

Error Fail(const std::string& reason) {
  return MakeError(ErrorCode::kEncodeFailed, "JPEG encode failed: " + reason);
}

}  // namespace

Result<std::vector<uint8_t>> EncodeJpeg(const Image& image, int quality) {
  if (quality < 1 || quality > 100) {
    return MakeError(
        ErrorCode::kInvalidOptions,
        "Expected an integer 1..100 for quality but received " + std::to_string(quality));
  }
  if (image.channels != 1 && image.channels != 3) {
    return Fail("JPEG holds 1 or 3 channels but the image has " + std::to_string(image.channels) +
                " (flatten alpha first)");
  }
  if (image.width == 0 || image.height == 0 || image.width > kMaxJpegSide ||
      image.height > kMaxJpegSide) {
    return Fail("size " + std::to_string(image.width) + "x" + std::to_string(image.height) +
                " is outside 1..65500 per side");
  }
  if (image.pixels.size() < image.stride() * image.height) {
    return Fail("pixel buffer is smaller than its size says");
  }

  GrowingDestination dest{};
  // Start near the expected size of a q75 thumbnail so small images never reallocate.
  dest.capacity = std::max<size_t>(16 << 10, image.stride() * image.height / 8);
  dest.buffer = static_cast<JOCTET*>(std::malloc(dest.capacity));
  if (dest.buffer == nullptr) {
    return Fail("out of memory");
  }
  ErrorManager error{};
  const bool ok = Compress(image, quality, &dest, &error);
  Result<std::vector<uint8_t>> result =
      ok ? Result<std::vector<uint8_t>>(std::vector<uint8_t>(dest.buffer, dest.buffer + dest.size))
         : Result<std::vector<uint8_t>>(Fail(error.message));
  std::free(dest.buffer);
  return result;
}

}  // namespace imgpipe::core
