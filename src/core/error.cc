// The one table mapping each ErrorCode to its stable name and its permanence.
#include "imgpipe/error.h"

#include <array>

namespace imgpipe {
namespace {

struct ErrorInfo {
  ErrorCode code;
  const char* name;
  bool permanent;  // retrying the same input cannot help
};

constexpr std::array kErrorTable = {
    ErrorInfo{ErrorCode::kInvalidOptions, "invalid_options", true},
    ErrorInfo{ErrorCode::kEmptyInput, "empty_input", true},
    ErrorInfo{ErrorCode::kUnsupportedFormat, "unsupported_format", true},
    ErrorInfo{ErrorCode::kCorruptImage, "corrupt_image", true},
    ErrorInfo{ErrorCode::kTruncatedImage, "truncated_image", true},
    ErrorInfo{ErrorCode::kInputTooLarge, "input_too_large", true},
    ErrorInfo{ErrorCode::kTooManyPixels, "too_many_pixels", true},
    ErrorInfo{ErrorCode::kDeadlineExceeded, "deadline_exceeded", false},
    ErrorInfo{ErrorCode::kEncodeFailed, "encode_failed", true},
    ErrorInfo{ErrorCode::kIoError, "io_error", false},
    ErrorInfo{ErrorCode::kNotFound, "not_found", true},
    ErrorInfo{ErrorCode::kStorageError, "storage_error", false},
    ErrorInfo{ErrorCode::kAccessDenied, "access_denied", false},
    // Before kInternal: Info() falls back to the last row, which must stay kInternal.
    ErrorInfo{ErrorCode::kInvalidEvent, "invalid_event", true},
    ErrorInfo{ErrorCode::kInternal, "internal", false},
};

const ErrorInfo& Info(ErrorCode code) {
  for (const auto& info : kErrorTable) {
    if (info.code == code) {
      return info;
    }
  }
  return kErrorTable.back();
}

}  // namespace

const char* ErrorCodeName(ErrorCode code) { return Info(code).name; }
bool IsPermanent(ErrorCode code) { return Info(code).permanent; }

}  // namespace imgpipe
