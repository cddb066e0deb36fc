// Where a thumbnail goes: the input key with the output format's extension, under an optional
// prefix. Prefixes are kept, so a/x.jpg and b/x.jpg never overwrite each other.
#pragma once

#include <string>
#include <string_view>

#include "imgpipe/error.h"
#include "imgpipe/options.h"

namespace imgpipe::lambda {

// `a/b/cat.png` -> `a/b/cat.jpg`; `photo.JPG` -> `photo.jpg`; `a/b/README` -> `a/b/README.jpg`;
// a dot that starts the file name (`.hidden`) or sits in a folder name (`v1.2/raw`) is not an
// extension. The result is `output_prefix` + that.
//
// On S3 a key is literal, but a path-style S3-compatible server may resolve `.` and `..`
// segments: a key whose segments would then leave `output_prefix` (`../in/x.jpg`) is refused
// with kInvalidEvent, so an upload can never overwrite an object outside the output prefix.
Result<std::string> OutputKey(std::string_view input_key, std::string_view output_prefix,
                              OutputFormat format);

}  // namespace imgpipe::lambda
