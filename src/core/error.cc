// The one table mapping each ErrorCode to its name, CLI exit code and Lambda outcome.
#include "imgpipe/error.h"

#include <array>

namespace imgpipe {
namespace {

struct ErrorInfo {
  ErrorCode code;
  const char* name;
  bool permanent;  // retrying the same input cannot help
  int exit_code;   // CLI exit status for a batch whose worst failure is this code
};

// Exit codes: 1 = bad image data, 2 = usage/options, 3 = I/O, 4 = limits, 5 = internal/transient.
constexpr std::array kErrorTable = {
    ErrorInfo{ErrorCode::kInvalidOptions, "invalid_options", true, 2},
    ErrorInfo{ErrorCode::kEmptyInput, "empty_input", true, 1},
    ErrorInfo{ErrorCode::kUnsupportedFormat, "unsupported_format", true, 1},
    ErrorInfo{ErrorCode::kCorruptImage, "corrupt_image", true, 1},
    ErrorInfo{ErrorCode::kTruncatedImage, "truncated_image", true, 1},
    ErrorInfo{ErrorCode::kInputTooLarge, "input_too_large", true, 4},
    ErrorInfo{ErrorCode::kTooManyPixels, "too_many_pixels", true, 4},
    ErrorInfo{ErrorCode::kDeadlineExceeded, "deadline_exceeded", false, 5},
    ErrorInfo{ErrorCode::kEncodeFailed, "encode_failed", true, 5},
    ErrorInfo{ErrorCode::kIoError, "io_error", false, 3},
    ErrorInfo{ErrorCode::kNotFound, "not_found", true, 3},
    ErrorInfo{ErrorCode::kStorageError, "storage_error", false, 5},
    ErrorInfo{ErrorCode::kAccessDenied, "access_denied", false, 5},
    // Before kInternal: Info() falls back to the last row, which must stay kInternal.
    ErrorInfo{ErrorCode::kInvalidEvent, "invalid_event", true, 2},
    ErrorInfo{ErrorCode::kInternal, "internal", false, 5},
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
int ExitCode(ErrorCode code) { return Info(code).exit_code; }

}  // namespace imgpipe
