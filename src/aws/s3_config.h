// Where and how S3Client connects: endpoint, region, credentials, TLS bundle, timeouts, retries.
// S3ConfigFromEnv reads the standard AWS variables; tests build the struct directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "aws/env.h"
#include "aws/retry.h"
#include "aws/sigv4.h"
#include "imgpipe/error.h"

namespace imgpipe::aws {

struct S3Config {
  std::string region = "us-east-1";  // signing region and the default endpoint's region
  // Empty: AWS, virtual-hosted ("https://BUCKET.s3.REGION.amazonaws.com/KEY"). Otherwise a base
  // URL such as "http://127.0.0.1:4569" used path-style ("BASE/BUCKET/KEY"), as local servers and
  // most S3-compatible stores need.
  std::string endpoint;
  Credentials credentials;
  std::string ca_bundle;  // PEM file for TLS verification; empty: curl's built-in default
  std::chrono::milliseconds connect_timeout{3000};   // TCP + TLS handshake
  std::chrono::milliseconds request_timeout{60000};  // one whole attempt, 0 = none
  // An attempt is aborted when it moves fewer than low_speed_bytes per second for low_speed_time
  // (a stalled connection), which catches hangs long before request_timeout.
  long low_speed_bytes = 1024;
  std::chrono::seconds low_speed_time{10};
  RetryPolicy retry;
  uint64_t max_get_bytes = 0;  // Get fails with kInputTooLarge above this size; 0 = no limit
};

// From AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1), AWS_ENDPOINT_URL_S3 (else
// AWS_ENDPOINT_URL), AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN and the CA
// bundle chosen by ChooseCaBundle. kInvalidOptions, naming the variable, for missing keys, a
// region that is not [a-z0-9-]+ (it becomes part of the host name) or an endpoint that is not
// exactly scheme://host[:port][/path] (see ParseEndpoint).
Result<S3Config> S3ConfigFromEnv(const EnvLookup& env);

// Checks an endpoint URL and returns it without a trailing '/'. Accepted: http or https, then a
// host name ([A-Za-z0-9.-]) or an IPv4 or bracketed IPv6 address, an optional port 1..65535 and an
// optional path of unreserved characters, '/' and %XX escapes. Refused with a message naming
// `variable`: userinfo ("http://a@host": curl would connect to "host" while a reader sees "a"),
// a query, a fragment, dot segments in the path, and any other character.
Result<std::string> ParseEndpoint(const std::string& variable, std::string_view url);

// True for a region name as AWS spells them: one or more of [a-z0-9-].
bool IsValidRegion(std::string_view region);

// The CA bundle to verify TLS with: SSL_CERT_FILE when set, else Amazon Linux 2023's
// /etc/pki/tls/certs/ca-bundle.crt if it exists, else Debian's /etc/ssl/certs/ca-certificates.crt
// if it exists, else "" (curl's compiled-in default).
std::string ChooseCaBundle(const std::optional<std::string>& ssl_cert_file,
                           const std::function<bool(const std::string&)>& exists);

}  // namespace imgpipe::aws
