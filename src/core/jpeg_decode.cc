// JPEG through libjpeg-turbo's libjpeg API: header with EXIF orientation, DCT-domain shrink on
// load, luma straight from the Y plane for gray output, CMYK/YCCK to RGB, and scanlines
// decoded straight into the final buffer.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "box_shrink.h"
#include "colour_convert.h"
#include "decode.h"
#include "exif.h"
#include "imgpipe/byte_source.h"
#include "jpeg_error.h"
#include "limits.h"

namespace imgpipe::core {
namespace {

constexpr int kApp1 = JPEG_APP0 + 1;
constexpr uint8_t kExifPrefix[6] = {'E', 'x', 'i', 'f', 0, 0};
// Rows handed to jpeg_read_scanlines per call; more than any rec_outbuf_height (max 2-4).
constexpr int kRowBatch = 16;

// Like jpeg_mem_src, except where the bytes come from and at the end of the input. It hands
// libjpeg `head` (bytes in memory: the whole file, or the prefix the pipeline read first), then,
// when `rest` is set, pulls the rest from it one kPullBytes buffer at a time as the decoder asks,
// so a streamed body is never held whole. At the end it hands libjpeg one synthetic EOI marker
// (silently, where jpeg_mem_src warns "premature end") and flags the error manager. A file that
// lacks only its EOI then decodes; a file cut inside the entropy data makes the decoder need
// bits past that marker, which JpegEmitMessage turns into kTruncatedImage. A failed read, or
// more bytes than the limit, longjmps with `failure` set.
struct JpegByteSource {
  jpeg_source_mgr pub;  // first member: libjpeg hands us a pointer to it
  std::span<const uint8_t> head;
  ByteSource* rest;    // nullptr: `head` is the whole input
  uint64_t max_bytes;  // for `rest` only: head plus pulled bytes may not exceed it
  JpegErrorManager* errors;
  uint64_t pulled = 0;  // bytes read from `rest` so far
  std::vector<uint8_t> buffer;
  std::optional<Error> failure;

  static constexpr JOCTET kEoi[2] = {0xFF, JPEG_EOI};
  static constexpr size_t kPullBytes = size_t{64} * 1024;

  static void Init(j_decompress_ptr) {}
  static void Term(j_decompress_ptr) {}

  // The next piece of `rest` into `buffer`: its size, 0 at the end. Returns before any longjmp,
  // so the Result it handles is destroyed normally.
  size_t Pull() {
    if (rest == nullptr) {
      return 0;
    }
    buffer.resize(kPullBytes);
    auto got = rest->Read(buffer);
    if (!got.ok()) {
      failure = got.error();
      return 0;
    }
    pulled += *got;
    if (head.size() + pulled > max_bytes) {
      failure = StreamOverByteLimit(max_bytes);
      return 0;
    }
    return *got;
  }

  static boolean Fill(j_decompress_ptr cinfo) {
    auto* source = reinterpret_cast<JpegByteSource*>(cinfo->src);
    const size_t got = source->errors->reached_end ? 0 : source->Pull();
    if (source->failure) {
      std::longjmp(source->errors->jump, 1);
    }
    if (got > 0) {
      source->pub.next_input_byte = source->buffer.data();
      source->pub.bytes_in_buffer = got;
      return TRUE;
    }
    if (source->errors->reached_end) {
      // libjpeg asked again after our EOI: it is looking for data that does not exist.
      source->errors->code = ErrorCode::kTruncatedImage;
      JpegErrorExit(reinterpret_cast<j_common_ptr>(cinfo));
    }
    source->errors->reached_end = true;
    source->pub.next_input_byte = kEoi;
    source->pub.bytes_in_buffer = sizeof kEoi;
    return TRUE;
  }

  static void Skip(j_decompress_ptr cinfo, long count) {
    auto* source = reinterpret_cast<JpegByteSource*>(cinfo->src);
    if (count <= 0) {
      return;
    }
    while (static_cast<unsigned long>(count) > source->pub.bytes_in_buffer) {
      count -= static_cast<long>(source->pub.bytes_in_buffer);
      Fill(cinfo);
    }
    source->pub.next_input_byte += count;
    source->pub.bytes_in_buffer -= static_cast<size_t>(count);
  }

  JpegByteSource(std::span<const uint8_t> input, ByteSource* more, uint64_t limit,
                 JpegErrorManager* manager)
      : head(input), rest(more), max_bytes(limit), errors(manager) {
    pub.next_input_byte = head.data();
    pub.bytes_in_buffer = head.size();
    pub.init_source = Init;
    pub.fill_input_buffer = Fill;
    pub.skip_input_data = Skip;
    pub.resync_to_restart = jpeg_resync_to_restart;
    pub.term_source = Term;
  }
};

// libjpeg's progress monitor runs once per iMCU row of every scan while jpeg_start_decompress
// absorbs a progressive file, and once per jpeg_read_scanlines call after that: the one place a
// long decode (hundreds of refinement scans) can be stopped at the deadline. It also enforces
// the scan cap (JpegProgressMonitor).
struct DeadlineProgress {
  jpeg_progress_mgr pub;  // first member: libjpeg hands us a pointer to it
  Deadline deadline;
  bool expired = false;

  static void Monitor(j_common_ptr cinfo) {
    JpegProgressMonitor(cinfo);
    auto* self = reinterpret_cast<DeadlineProgress*>(cinfo->progress);
    if (self->deadline && std::chrono::steady_clock::now() >= *self->deadline) {
      self->expired = true;
      std::longjmp(ManagerOf(cinfo).jump, 1);
    }
  }
};

// Owns one decompressor. libjpeg longjmps to the setjmp in the function holding this object,
// so it is never unwound past; its destructor runs on every normal return.
class JpegSession {
 public:
  explicit JpegSession(std::span<const uint8_t> bytes, Deadline deadline = std::nullopt,
                       ByteSource* rest = nullptr, uint64_t max_bytes = 0)
      : source_(bytes, rest, max_bytes, &errors) {
    cinfo.err = jpeg_std_error(&errors.pub);
    errors.pub.error_exit = JpegErrorExit;
    errors.pub.emit_message = JpegEmitMessage;
    progress_.pub.progress_monitor = DeadlineProgress::Monitor;
    progress_.deadline = deadline;
  }
  ~JpegSession() { jpeg_destroy_decompress(&cinfo); }
  JpegSession(const JpegSession&) = delete;
  JpegSession& operator=(const JpegSession&) = delete;

  // Must be called after setjmp(errors.jump): any libjpeg call may longjmp.
  void ReadHeader(Header* header) {
    jpeg_create_decompress(&cinfo);
    cinfo.progress = &progress_.pub;
    cinfo.src = &source_.pub;
    jpeg_save_markers(&cinfo, kApp1, 0xFFFF);
    jpeg_read_header(&cinfo, TRUE);
    header->format = Format::kJpeg;
    header->width = cinfo.image_width;
    header->height = cinfo.image_height;
    header->channels = cinfo.num_components;
    header->bit_depth = cinfo.data_precision;
    header->orientation = Orientation();
  }

  // The error a longjmp back to the caller's setjmp stands for.
  Error LongjmpError() const {
    if (source_.failure) {
      return *source_.failure;
    }
    if (progress_.expired) {
      return MakeError(ErrorCode::kDeadlineExceeded,
                       "deadline passed during the JPEG decode (scan " +
                           std::to_string(cinfo.input_scan_number) +
                           "); stopped before the invocation's time ran out");
    }
    return errors.ToError();
  }

  jpeg_decompress_struct cinfo = {};
  JpegErrorManager errors;

 private:
  int Orientation() const {
    for (jpeg_saved_marker_ptr m = cinfo.marker_list; m != nullptr; m = m->next) {
      if (m->marker != kApp1 || m->data_length < sizeof kExifPrefix) {
        continue;
      }
      if (std::memcmp(m->data, kExifPrefix, sizeof kExifPrefix) != 0) {
        continue;
      }
      return ParseExifOrientation({m->data + sizeof kExifPrefix, m->data_length - 6});
    }
    return 1;
  }

  JpegByteSource source_;
  DeadlineProgress progress_ = {};
};

// Only 1/2, 1/4, 1/8: those have SIMD IDCTs in libjpeg-turbo, while M/8 scales use slower
// generic C code (bench/NOTES.md measures them).
void ChooseScale(jpeg_decompress_struct* cinfo, const DecodeRequest& request) {
  cinfo->scale_num = 1;
  cinfo->scale_denom = BoxShrinkFactor(cinfo->image_width, cinfo->image_height, request.min_width,
                                       request.min_height);
  jpeg_calc_output_dimensions(cinfo);
}

// x*y/255 rounded, exact for 8-bit x and y.
inline uint8_t MulDiv255(unsigned x, unsigned y) {
  const unsigned t = x * y + 128;
  return static_cast<uint8_t>((t + (t >> 8)) >> 8);
}

// Without a usable embedded CMYK profile, the naive conversion is what Pillow and browsers
// fall back to. Adobe writers store CMYK inverted (0 = full ink), hence two forms.
void CmykRowToRgb(const uint8_t* cmyk, uint8_t* rgb, uint32_t width, bool adobe_inverted) {
  for (uint32_t x = 0; x < width; ++x, cmyk += 4, rgb += 3) {
    unsigned c = cmyk[0], m = cmyk[1], y = cmyk[2], k = cmyk[3];
    if (!adobe_inverted) {
      c = 255 - c;
      m = 255 - m;
      y = 255 - y;
      k = 255 - k;
    }
    rgb[0] = MulDiv255(c, k);
    rgb[1] = MulDiv255(m, k);
    rgb[2] = MulDiv255(y, k);
  }
}

// Sets cinfo.out_color_space for the file's colour space; `cmyk` says the rows come out as
// CMYK and need CmykRowToRgb. Calls no libjpeg function, so it never longjmps.
Status ChooseColorSpace(jpeg_decompress_struct& cinfo, bool gray, bool* cmyk) {
  *cmyk = false;
  switch (cinfo.jpeg_color_space) {
    case JCS_GRAYSCALE:
      cinfo.out_color_space = JCS_GRAYSCALE;
      return OkStatus();
    case JCS_YCbCr:
      // Y is luma already: skipping the YCbCr->RGB->luma round trip is both faster and what
      // the caller's grayscale step would compute anyway.
      cinfo.out_color_space = gray ? JCS_GRAYSCALE : JCS_RGB;
      return OkStatus();
    case JCS_RGB:
      cinfo.out_color_space = JCS_RGB;
      return OkStatus();
    case JCS_CMYK:
    case JCS_YCCK:
      cinfo.out_color_space = JCS_CMYK;  // libjpeg turns YCCK into (Adobe) CMYK for us
      *cmyk = true;
      return OkStatus();
    default:
      return MakeError(ErrorCode::kUnsupportedFormat,
                       "JPEG with " + std::to_string(cinfo.num_components) +
                           " components in an unknown colour space is not supported");
  }
}

// What libjpeg's whole-image coefficient buffer for a multi-scan file takes: every block of
// every component, 64 coefficients of 2 bytes. Valid after jpeg_read_header.
uint64_t CoefficientBytes(const jpeg_decompress_struct& cinfo) {
  uint64_t blocks = 0;
  for (int i = 0; i < cinfo.num_components; ++i) {
    blocks += static_cast<uint64_t>(cinfo.comp_info[i].width_in_blocks) *
              cinfo.comp_info[i].height_in_blocks;
  }
  return blocks * DCTSIZE2 * sizeof(JCOEF);
}

// The row loops run inside DecodeInto's setjmp frame, so like it they keep only trivially
// destructible locals: a longjmp out of jpeg_read_scanlines skips no destructor.
// `profile` (when not null) converts the CMYK rows to sRGB with the embedded profile.
void ReadCmykRows(jpeg_decompress_struct& cinfo, Image* image, std::vector<uint8_t>* cmyk_row,
                  const ColourTransform* profile) {
  cmyk_row->resize(static_cast<size_t>(cinfo.output_width) * 4);
  JSAMPROW row = cmyk_row->data();
  const bool inverted = cinfo.saw_Adobe_marker;
  while (cinfo.output_scanline < cinfo.output_height) {
    const uint32_t y = cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &row, 1);
    if (profile != nullptr) {
      profile->Convert(row, image->row(y), image->width);
    } else {
      CmykRowToRgb(row, image->row(y), image->width, inverted);
    }
  }
}

void ReadRows(jpeg_decompress_struct& cinfo, Image* image) {
  std::array<JSAMPROW, kRowBatch> rows;
  while (cinfo.output_scanline < cinfo.output_height) {
    const uint32_t first = cinfo.output_scanline;
    const uint32_t count = std::min<uint32_t>(kRowBatch, image->height - first);
    for (uint32_t i = 0; i < count; ++i) {
      rows[i] = image->row(first + i);
    }
    jpeg_read_scanlines(&cinfo, rows.data(), count);
  }
}

// The setjmp frame: only trivially destructible locals are live across libjpeg calls, and
// `image` / `cmyk_row` / `cmyk_profile` belong to the caller, so a longjmp never skips a
// destructor.
Status DecodeInto(JpegSession& session, std::span<const uint8_t> bytes,
                  const DecodeRequest& request, Image* image, std::vector<uint8_t>* cmyk_row,
                  std::shared_ptr<const SourceColour>* cmyk_profile) {
  jpeg_decompress_struct& cinfo = session.cinfo;
  if (setjmp(session.errors.jump)) {
    return session.LongjmpError();
  }

  Header header;
  session.ReadHeader(&header);
  if (auto status = CheckHeader(header, request.limits); !status) {
    return status;
  }
  if (jpeg_has_multiple_scans(&cinfo)) {
    if (auto status = CheckProgressiveJpeg(header.width, header.height, CoefficientBytes(cinfo),
                                           request.limits);
        !status) {
      return status;
    }
  }
  bool cmyk = false;
  if (auto status = ChooseColorSpace(cinfo, request.gray, &cmyk); !status) {
    return status;
  }
  ChooseScale(&cinfo, request);
  jpeg_start_decompress(&cinfo);

  image->width = cinfo.output_width;
  image->height = cinfo.output_height;
  image->channels = cmyk ? 3 : cinfo.output_components;
  image->pixels.resize(image->stride() * image->height);
  if (cmyk) {
    ReadCmykRows(cinfo, image, cmyk_row,
                 JpegCmykTransform(bytes, cinfo.saw_Adobe_marker, cmyk_profile));
  } else {
    ReadRows(cinfo, image);
  }
  // No jpeg_finish_decompress: every pixel is in, and a file missing only its EOI marker
  // (common for camera uploads) should not fail over bytes we do not need.
  return OkStatus();
}

}  // namespace

Result<Header> ReadJpegHeader(std::span<const uint8_t> bytes) {
  JpegSession session(bytes);
  Header header;
  if (setjmp(session.errors.jump)) {
    return session.LongjmpError();
  }
  session.ReadHeader(&header);
  return header;
}

Result<Image> DecodeJpeg(std::span<const uint8_t> bytes, const DecodeRequest& request) {
  if (auto status = CheckInputBytes(bytes.size(), request.limits); !status) {
    return status.error();
  }
  JpegSession session(bytes, request.deadline);
  Image image;
  std::vector<uint8_t> cmyk_row;
  std::shared_ptr<const SourceColour> cmyk_profile;
  if (auto status = DecodeInto(session, bytes, request, &image, &cmyk_row, &cmyk_profile);
      !status) {
    return status.error();
  }
  return image;
}

Result<Image> DecodeJpegStream(std::span<const uint8_t> head, ByteSource& rest,
                               const DecodeRequest& request) {
  if (auto status = CheckInputBytes(head.size(), request.limits); !status) {
    return status.error();
  }
  JpegSession session(head, request.deadline, &rest, request.limits.max_input_bytes);
  Image image;
  std::vector<uint8_t> cmyk_row;
  std::shared_ptr<const SourceColour> cmyk_profile;
  // The CMYK profile is in APP2 markers, which come before the scan: `head` holds them.
  if (auto status = DecodeInto(session, head, request, &image, &cmyk_row, &cmyk_profile); !status) {
    return status.error();
  }
  return image;
}

}  // namespace imgpipe::core
