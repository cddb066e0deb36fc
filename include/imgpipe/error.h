// Errors are values: every fallible core call returns Result<T>, never throws across the API,
// and never logs. Codec longjmp/exception errors are converted inside the codec's own file.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace imgpipe {

// One enum for every failure the core (and the adapters around it) can report. The table in
// error.cc maps each code to a stable name and whether it is permanent; each adapter maps codes
// to its own outcomes (the CLI's exit codes live in src/cli/exit_code.cc).
enum class ErrorCode {
  kInvalidOptions,     // a configuration value is out of range or malformed
  kEmptyInput,         // zero bytes
  kUnsupportedFormat,  // magic bytes match no supported format (text, PDF, TIFF, ...)
  kCorruptImage,       // the codec rejected the data
  kTruncatedImage,     // the data ends before the image does
  kInputTooLarge,      // more bytes than Limits::max_input_bytes
  kTooManyPixels,      // header claims more than Limits::max_input_pixels
  kDeadlineExceeded,   // the caller's deadline passed between pipeline steps
  kEncodeFailed,       // the encoder failed (should not happen for valid pixels)
  kIoError,            // local file read/write failed (CLI)
  kNotFound,           // object or file does not exist
  kStorageError,       // object store failure that is worth retrying (5xx, reset, timeout)
  kAccessDenied,       // object store refused the credentials or the signature
  kInternal,           // a bug: an invariant did not hold
  kInvalidEvent,       // a Lambda event (or an SQS/SNS message in it) is malformed JSON/shape
};

struct Error {
  ErrorCode code;
  std::string message;  // human readable, names the reason; the caller adds the object name
};

// Stable snake_case name used in logs and error types, e.g. "too_many_pixels".
const char* ErrorCodeName(ErrorCode code);

// True when retrying the same input cannot succeed (corrupt, unsupported, too large ...).
// Lambda logs these and moves on; transient ones fail the invocation so Lambda retries it.
bool IsPermanent(ErrorCode code);

// A minimal expected<T, Error> (std::expected is C++23; we build as C++20).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & {
    assert(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const {
    assert(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success carries nothing.
struct Ok {};
using Status = Result<Ok>;
inline Status OkStatus() { return Ok{}; }

inline Error MakeError(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

}  // namespace imgpipe
