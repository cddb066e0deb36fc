// libjpeg reports errors by calling error_exit, which must not return; we longjmp back to the
// decoder's frame and turn the message into an Error there. Private to jpeg_decode.cc.
#pragma once

#include <csetjmp>
#include <string>

// jpeglib.h uses FILE and size_t without including their headers, and jerror.h uses
// jpeglib.h's types: keep this order.
// clang-format off
#include <cstdio>
#include <jpeglib.h>
#include <jerror.h>
// clang-format on

#include "imgpipe/error.h"

namespace imgpipe::core {

// A progressive JPEG may legally hold any number of scans; hostile ones use thousands to burn
// CPU. Real encoders write about 10. Same cap as TurboJPEG's fuzzers use.
inline constexpr int kMaxJpegScans = 500;

struct JpegErrorManager {
  jpeg_error_mgr pub;  // first member: libjpeg hands us a pointer to it
  std::jmp_buf jump;
  ErrorCode code = ErrorCode::kCorruptImage;
  // Set by the source manager once every input byte has been handed to libjpeg.
  bool reached_end = false;
  char message[JMSG_LENGTH_MAX] = {};

  Error ToError() const {
    if (code == ErrorCode::kTruncatedImage) {
      return MakeError(code, "JPEG data ends before the image does (truncated)");
    }
    if (code == ErrorCode::kUnsupportedFormat) {
      return MakeError(code, std::string("unsupported JPEG variant: ") + message);
    }
    return MakeError(code, std::string("corrupt JPEG data: ") + message);
  }
};

inline JpegErrorManager& ManagerOf(j_common_ptr cinfo) {
  return *reinterpret_cast<JpegErrorManager*>(cinfo->err);
}

// Any fatal error once the input is used up means the data stopped early (e.g. "no image"
// because the file ends inside the header).
[[noreturn]] inline void JpegErrorExit(j_common_ptr cinfo) {
  JpegErrorManager& manager = ManagerOf(cinfo);
  if (manager.reached_end) {
    manager.code = ErrorCode::kTruncatedImage;
  }
  // 12/16-bit JPEGs are valid files this 8-bit libjpeg build cannot decode.
  if (cinfo->err->msg_code == JERR_BAD_PRECISION) {
    manager.code = ErrorCode::kUnsupportedFormat;
  }
  (*cinfo->err->format_message)(cinfo, manager.message);
  std::longjmp(manager.jump, 1);
}

// Warnings (level -1) are recoverable for libjpeg, which fills the missing part of a truncated
// file with gray. Past the end of the input, the entropy decoder warns "hit marker" exactly
// when it needs bits that are not there: that is truncation, and a half-gray thumbnail is worse
// than a clear error. Other warnings ("extraneous bytes before marker") are common in real
// photos that decode fine, so they are ignored, as Pillow and browsers do.
inline void JpegEmitMessage(j_common_ptr cinfo, int level) {
  if (level >= 0) {
    return;
  }
  const int code = cinfo->err->msg_code;
  if (!ManagerOf(cinfo).reached_end || (code != JWRN_HIT_MARKER && code != JWRN_JPEG_EOF)) {
    return;
  }
  ManagerOf(cinfo).code = ErrorCode::kTruncatedImage;
  JpegErrorExit(cinfo);
}

inline void JpegProgressMonitor(j_common_ptr cinfo) {
  if (!cinfo->is_decompressor) {
    return;
  }
  const int scans = reinterpret_cast<j_decompress_ptr>(cinfo)->input_scan_number;
  if (scans <= kMaxJpegScans) {
    return;
  }
  JpegErrorManager& manager = ManagerOf(cinfo);
  (void)std::snprintf(manager.message, sizeof manager.message,
                      "progressive JPEG has more than %d scans", kMaxJpegScans);
  std::longjmp(manager.jump, 1);
}

}  // namespace imgpipe::core
