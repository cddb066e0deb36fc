// Where and how S3Client connects: endpoint, region, credentials, TLS bundle, timeouts, retries.
// FromEnv reads the standard AWS variables; tests build the struct directly.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

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

// Reads an environment variable; nullopt when unset. Injected so tests need not touch the env.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
std::optional<std::string> ProcessEnv(const std::string& name);

// From AWS_REGION (else AWS_DEFAULT_REGION, else us-east-1), AWS_ENDPOINT_URL_S3 (else
// AWS_ENDPOINT_URL), AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN and the CA
// bundle chosen by ChooseCaBundle. Missing keys or a malformed endpoint give kInvalidOptions.
Result<S3Config> S3ConfigFromEnv(const EnvLookup& env = ProcessEnv);

// The CA bundle to verify TLS with: SSL_CERT_FILE when set, else Amazon Linux 2023's
// /etc/pki/tls/certs/ca-bundle.crt if it exists, else Debian's /etc/ssl/certs/ca-certificates.crt
// if it exists, else "" (curl's compiled-in default).
std::string ChooseCaBundle(const std::optional<std::string>& ssl_cert_file,
                           const std::function<bool(const std::string&)>& exists);

}  // namespace imgpipe::aws
