#include "lambda/bucket_name.h"

#include <string>

namespace imgpipe::lambda {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// Four dot-separated runs of 1-3 digits: S3 refuses such names so that a bucket can never be
// mistaken for a host address.
bool LooksLikeIpv4(std::string_view name) {
  int groups = 1;
  int digits = 0;
  for (const char c : name) {
    if (c == '.') {
      if (digits == 0) {
        return false;
      }
      ++groups;
      digits = 0;
    } else if (c >= '0' && c <= '9' && digits < 3) {
      ++digits;
    } else {
      return false;
    }
  }
  return groups == 4 && digits > 0;
}

Error Refuse(std::string_view name, const char* rule) {
  return MakeError(ErrorCode::kInvalidEvent,
                   "bucket \"" + std::string(name) + "\" is not a valid S3 bucket name: " + rule);
}

}  // namespace

Status ValidateBucketName(std::string_view name) {
  if (name.size() < 3 || name.size() > 63) {
    return Refuse(name, "it must be 3 to 63 characters long");
  }
  for (const char c : name) {
    if (!IsLowerAlnum(c) && c != '.' && c != '-') {
      return Refuse(name, "only a-z, 0-9, '.' and '-' are allowed");
    }
  }
  if (!IsLowerAlnum(name.front()) || !IsLowerAlnum(name.back())) {
    return Refuse(name, "it must start and end with a letter or digit");
  }
  if (name.find("..") != std::string_view::npos) {
    return Refuse(name, "it must not contain \"..\"");
  }
  if (LooksLikeIpv4(name)) {
    return Refuse(name, "it must not be formatted as an IP address");
  }
  return OkStatus();
}

}  // namespace imgpipe::lambda
