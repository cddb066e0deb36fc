// Where a thumbnail goes: the input key with the output format's extension, under an optional
// prefix. Prefixes are kept, so a/x.jpg and b/x.jpg never overwrite each other.
#pragma once

#include <string>
#include <string_view>

#include "imgpipe/error.h"
#include "imgpipe/options.h"

namespace imgpipe::lambda {

// How output keys are named: the function's OUTPUT_PREFIX, then the variant's prefix, then the
// input key with the output format's extension.
struct OutputNaming {
  std::string_view output_prefix;   // OUTPUT_PREFIX
  std::string_view variant_prefix;  // the variant's own prefix; "" for the implicit variant
  bool keep_extension = false;      // KEEP_EXTENSION: `photo.png` -> `photo.png.jpg`
};

// `a/b/cat.png` -> `a/b/cat.jpg`; `photo.JPG` -> `photo.jpg`; `a/b/README` -> `a/b/README.jpg`;
// a dot that starts the file name (`.hidden`) or sits in a folder name (`v1.2/raw`) is not an
// extension. With keep_extension the input's extension stays and the output's is appended, so
// `photo.jpg` and `photo.png` in one folder no longer collide. The result is
// `output_prefix` + `variant_prefix` + that.
//
// On S3 a key is literal, but a path-style S3-compatible server may resolve `.` and `..`
// segments: a key whose segments would then leave the two prefixes (`../in/x.jpg`) is refused
// with kInvalidEvent, so an upload can never overwrite an object outside the output prefix.
Result<std::string> OutputKey(std::string_view input_key, const OutputNaming& naming,
                              OutputFormat format);

}  // namespace imgpipe::lambda
