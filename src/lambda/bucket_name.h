// S3 bucket names as events carry them. An event's bucket goes into the request path, so a name
// S3 could never have created (`..`, `a/b`) is refused before any request is made.
#pragma once

#include <string_view>

#include "imgpipe/error.h"

namespace imgpipe::lambda {

// S3's naming rules: 3 to 63 characters of a-z 0-9 . -, starting and ending with a letter or
// digit, no `..`, and not shaped like an IPv4 address. The error (kInvalidEvent) names the
// rule broken. Directory bucket names (`name--usw2-az1--x-s3`) pass.
Status ValidateBucketName(std::string_view name);

}  // namespace imgpipe::lambda
