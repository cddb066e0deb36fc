// The pure pieces of talking to S3: where a request goes, how S3 errors read, and how metadata
// values survive HTTP headers. Kept apart from S3Client so they are unit-tested without a server.
#pragma once

#include <string>
#include <string_view>

#include "aws/s3_config.h"

namespace imgpipe::aws {

struct S3Target {
  std::string url;            // scheme://authority + canonical_uri
  std::string host;           // Host header value (authority: host[:port])
  std::string canonical_uri;  // percent-encoded path, signed as is
};

// AWS endpoint (config.endpoint empty): virtual-hosted https://BUCKET.s3.REGION.amazonaws.com/KEY,
// or path-style on s3.REGION.amazonaws.com when the bucket name is not a plain DNS label (dots
// would break the *.s3 wildcard certificate). A custom endpoint is always path-style:
// ENDPOINT/BUCKET/KEY, keeping any base path the endpoint has.
S3Target BuildS3Target(const S3Config& config, std::string_view bucket, std::string_view key);

// True for names usable as a virtual host: 3-63 chars of [a-z0-9-], starting and ending with a
// letter or digit.
bool IsVirtualHostableBucket(std::string_view bucket);

struct S3ErrorBody {
  std::string code;     // "NoSuchKey", "SignatureDoesNotMatch"; empty when absent
  std::string message;  // S3's human-readable text; empty when absent
};
// Reads <Code> and <Message> from an S3 <Error> document, XML entities decoded. Never fails:
// unparseable bodies give empty fields.
S3ErrorBody ParseS3Error(std::string_view body);

// Metadata values travel as HTTP header values, which must be printable US-ASCII. Values with any
// other byte are sent RFC 2047-encoded ("=?UTF-8?B?<base64>?=", as S3 itself presents non-ASCII
// metadata) and decoded again when read, so a UTF-8 source key round-trips.
std::string EncodeMetadataValue(std::string_view value);
std::string DecodeMetadataValue(std::string_view value);

// A header name S3 accepts after "x-amz-meta-": non-empty, [a-z0-9-_.] (lower case).
bool IsValidMetadataName(std::string_view name);

// ETag as S3 sends it ("\"abc\"" or W/"abc") without the quotes.
std::string StripEtagQuotes(std::string_view etag);

}  // namespace imgpipe::aws
