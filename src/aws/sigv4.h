// AWS Signature Version 4, implemented over OpenSSL. Pure: no clock, no network, no env, so every
// step can be checked against AWS's published examples. The caller supplies the timestamp.
//
// We sign ourselves rather than use curl's CURLOPT_AWS_SIGV4 because curl 7.88 neither
// canonicalizes the query nor the path, and does not add x-amz-content-sha256 or
// x-amz-security-token (see docs/aws-client.md).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imgpipe::aws {

// Long-lived or temporary (STS / Lambda role) credentials.
struct Credentials {
  std::string access_key_id;      // e.g. "AKIAIOSFODNN7EXAMPLE"
  std::string secret_access_key;  // never logged
  std::string session_token;      // empty: long-lived keys, no x-amz-security-token header
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

// One request as it will go on the wire.
struct SigV4Request {
  std::string method;          // "GET", "PUT", "HEAD", ...
  std::string canonical_uri;   // the path exactly as sent, already percent-encoded ("/b/a%20b")
  HeaderList query;            // raw (decoded) query parameters; encoded and sorted when signing
  HeaderList headers;          // every header to sign, any case; must include "host"
  std::string payload_sha256;  // lower-case hex SHA-256 of the body, or "UNSIGNED-PAYLOAD"
};

// Where and when the request is signed.
struct SigV4Scope {
  std::string amz_date;  // ISO 8601 basic, UTC: "20130524T000000Z"; its first 8 chars are the date
  std::string region;    // "us-east-1"
  std::string service;   // "s3"
};

// Every intermediate value, so tests can compare each step with the published one.
struct SigV4Result {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signed_headers;  // "host;range;x-amz-content-sha256;x-amz-date"
  std::string signature;       // 64 lower-case hex chars
  std::string authorization;   // the full Authorization header value
};

// AWS URI encoding: unreserved (A-Z a-z 0-9 - _ . ~) kept, everything else as %XX with upper-case
// hex, byte by byte (so UTF-8 becomes several %XX). With keep_slash, '/' is kept: that is how an
// S3 object key becomes a path. Spaces become %20, never '+'.
std::string UriEncode(std::string_view in, bool keep_slash);

// "a=1&b=&c%20d=x": parameters encoded, then sorted by name and value (byte order).
std::string CanonicalQueryString(const HeaderList& query);

std::string Sha256Hex(std::span<const uint8_t> data);
std::string Sha256Hex(std::string_view data);

// kSecret = "AWS4" + secret, then HMAC chain over date, region, service, "aws4_request".
std::vector<uint8_t> SigningKey(std::string_view secret_access_key, std::string_view date,
                                std::string_view region, std::string_view service);

// Signs `request`. Header names are lower-cased, values trimmed and inner runs of spaces
// collapsed, as the specification requires.
SigV4Result SignV4(const SigV4Request& request, const Credentials& credentials,
                   const SigV4Scope& scope);

// Current time as "YYYYMMDDTHHMMSSZ" (UTC), from the system clock.
std::string AmzDateNow();

}  // namespace imgpipe::aws
