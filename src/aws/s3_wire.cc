#include "aws/s3_wire.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "aws/header_text.h"
#include "aws/sigv4.h"

namespace imgpipe::aws {
namespace {

std::string DecodeXmlEntities(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    const size_t semi = s.find(';', i);
    if (semi == std::string_view::npos || semi - i > 8) {
      out.push_back('&');
      continue;
    }
    const std::string_view entity = s.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else {
      out.append(s.substr(i, semi - i + 1));  // numeric or unknown: keep verbatim
    }
    i = semi;
  }
  return out;
}

std::string ElementText(std::string_view body, std::string_view name) {
  // Built with append: GCC 12 raises a false -Wrestrict on "<" + std::string(name) + ">".
  std::string open("<");
  open.append(name).append(">");
  std::string close("</");
  close.append(name).append(">");
  const size_t start = body.find(open);
  if (start == std::string_view::npos) {
    return "";
  }
  const size_t from = start + open.size();
  const size_t end = body.find(close, from);
  if (end == std::string_view::npos) {
    return "";
  }
  return DecodeXmlEntities(body.substr(from, end - from));
}

// UriEncode keeps '.', so a key segment "." or ".." would reach the server as a dot segment,
// which path-style servers resolve (a key "../x" could then name another bucket, or a file
// outside a local server's data directory). "%2E" is an encoded unreserved character that S3
// decodes back to '.', so the key stays literal; other segments, ".hidden" or "...", are kept.
std::string EncodeKeyPath(std::string_view key) {
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t end = std::min(key.find('/', start), key.size());
    const std::string_view segment = key.substr(start, end - start);
    if (segment == "." || segment == "..") {
      for (size_t i = 0; i < segment.size(); ++i) {
        out += "%2E";
      }
    } else {
      out += UriEncode(segment, false);
    }
    if (end == key.size()) {
      return out;
    }
    out.push_back('/');
    start = end + 1;
  }
}

}  // namespace

bool IsVirtualHostableBucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) {
    return false;
  }
  for (char c : bucket) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-')) {
      return false;
    }
  }
  return bucket.front() != '-' && bucket.back() != '-';
}

S3Target BuildS3Target(const S3Config& config, std::string_view bucket, std::string_view key) {
  const std::string encoded_key = EncodeKeyPath(key);
  const std::string encoded_bucket = UriEncode(bucket, false);
  S3Target t;
  std::string scheme_authority;
  std::string base_path;
  if (config.endpoint.empty()) {
    const std::string regional = "s3." + config.region + ".amazonaws.com";
    if (IsVirtualHostableBucket(bucket)) {
      t.host = std::string(bucket) + "." + regional;
      t.canonical_uri = "/" + encoded_key;
    } else {
      t.host = regional;
      t.canonical_uri = "/" + encoded_bucket + "/" + encoded_key;
    }
    t.url = "https://" + t.host + t.canonical_uri;
    return t;
  }
  const size_t authority_start = config.endpoint.find("://") + 3;
  const size_t path_start = config.endpoint.find('/', authority_start);
  t.host = config.endpoint.substr(authority_start, path_start == std::string::npos
                                                       ? std::string::npos
                                                       : path_start - authority_start);
  base_path = path_start == std::string::npos ? "" : config.endpoint.substr(path_start);
  t.canonical_uri = base_path + "/" + encoded_bucket + "/" + encoded_key;
  t.url = config.endpoint.substr(0, authority_start) + t.host + t.canonical_uri;
  return t;
}

S3ErrorBody ParseS3Error(std::string_view body) {
  return S3ErrorBody{ElementText(body, "Code"), ElementText(body, "Message")};
}

std::string EncodeMetadataValue(std::string_view value) {
  if (IsPrintableAscii(value) && !value.starts_with("=?")) {
    return std::string(value);
  }
  std::string out(4 * ((value.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(value.data()),
                                static_cast<int>(value.size()));
  out.resize(static_cast<size_t>(n));
  return "=?UTF-8?B?" + out + "?=";
}

std::string DecodeMetadataValue(std::string_view value) {
  constexpr std::string_view kPrefixUpper = "=?UTF-8?B?";
  constexpr std::string_view kSuffix = "?=";
  if (value.size() < kPrefixUpper.size() + kSuffix.size() || !value.ends_with(kSuffix)) {
    return std::string(value);
  }
  for (size_t i = 0; i < kPrefixUpper.size(); ++i) {
    if (std::toupper(static_cast<unsigned char>(value[i])) != kPrefixUpper[i]) {
      return std::string(value);
    }
  }
  const std::string_view b64 =
      value.substr(kPrefixUpper.size(), value.size() - kPrefixUpper.size() - kSuffix.size());
  if (b64.size() % 4 != 0) {
    return std::string(value);
  }
  std::vector<unsigned char> out(b64.size() / 4 * 3 + 1);
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(b64.data()),
                                static_cast<int>(b64.size()));
  if (n < 0) {
    return std::string(value);
  }
  // EVP_DecodeBlock counts the '=' padding as zero bytes; drop them.
  size_t len = static_cast<size_t>(n);
  if (b64.ends_with("==")) {
    len -= 2;
  } else if (b64.ends_with("=")) {
    len -= 1;
  }
  return std::string(reinterpret_cast<const char*>(out.data()), len);
}

bool IsValidMetadataName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) ||
          std::isdigit(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) {
      return false;
    }
  }
  return true;
}

std::string StripEtagQuotes(std::string_view etag) {
  if (etag.starts_with("W/")) {
    etag.remove_prefix(2);
  }
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return std::string(etag);
}

}  // namespace imgpipe::aws
