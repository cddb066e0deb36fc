// The CLI's exit codes: the one table mapping each imgpipe::ErrorCode to a process exit status.
// It lives in the CLI because only the CLI has exit codes; core names none.
#pragma once

#include "imgpipe/error.h"

namespace imgpipe::cli {

// 1 bad image data, 2 usage or invalid options, 3 I/O, 4 over a limit, 5 internal or transient.
constexpr int ExitCodeFor(ErrorCode code) {
  // No `default:` on purpose: -Wswitch (an error under -Werror) then refuses to build when a
  // new ErrorCode has no exit code here. tests/cli/exit_code_test.cc checks every code's value.
  switch (code) {
    case ErrorCode::kEmptyInput:
    case ErrorCode::kUnsupportedFormat:
    case ErrorCode::kCorruptImage:
    case ErrorCode::kTruncatedImage:
      return 1;  // bad image data
    case ErrorCode::kInvalidOptions:
    case ErrorCode::kInvalidEvent:
      return 2;  // usage or invalid options (an event never reaches the CLI)
    case ErrorCode::kIoError:
    case ErrorCode::kNotFound:
      return 3;  // I/O
    case ErrorCode::kInputTooLarge:
    case ErrorCode::kTooManyPixels:
      return 4;  // over a limit
    case ErrorCode::kDeadlineExceeded:
    case ErrorCode::kEncodeFailed:
    case ErrorCode::kStorageError:
    case ErrorCode::kAccessDenied:
    case ErrorCode::kInternal:
      return 5;  // internal or transient
  }
  return 5;  // a value outside the enum: a broken invariant, like kInternal
}

// A usage error or an invalid option value: nothing was processed.
inline constexpr int kUsageExitCode = ExitCodeFor(ErrorCode::kInvalidOptions);

}  // namespace imgpipe::cli
