#include "aws/s3_config.h"

#include <cstdlib>
#include <filesystem>

namespace imgpipe::aws {
namespace {

constexpr char kAmazonLinuxBundle[] = "/etc/pki/tls/certs/ca-bundle.crt";
constexpr char kDebianBundle[] = "/etc/ssl/certs/ca-certificates.crt";

std::optional<std::string> NonEmpty(const EnvLookup& env, const std::string& name) {
  auto v = env(name);
  if (v && v->empty()) {
    return std::nullopt;
  }
  return v;
}

// Accepts "http(s)://host[:port][/base/path]"; returns the URL without a trailing '/'.
Result<std::string> NormalizeEndpoint(const std::string& name, std::string url) {
  const bool http = url.starts_with("http://");
  const bool https = url.starts_with("https://");
  const size_t host_start = http ? 7 : 8;
  if ((!http && !https) || url.size() <= host_start || url[host_start] == '/') {
    return MakeError(ErrorCode::kInvalidOptions,
                     name + "=\"" + url + "\" is not an http:// or https:// URL with a host");
  }
  if (url.find_first_of("?# ") != std::string::npos) {
    return MakeError(ErrorCode::kInvalidOptions,
                     name + "=\"" + url + "\" must not contain a query, fragment or space");
  }
  while (url.ends_with('/')) {
    url.pop_back();
  }
  return url;
}

}  // namespace

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  if (v == nullptr) {
    return std::nullopt;
  }
  return std::string(v);
}

std::string ChooseCaBundle(const std::optional<std::string>& ssl_cert_file,
                           const std::function<bool(const std::string&)>& exists) {
  // An explicit override wins even if it does not exist: curl then reports a clear error instead
  // of silently verifying against a different trust store.
  if (ssl_cert_file && !ssl_cert_file->empty()) {
    return *ssl_cert_file;
  }
  if (exists(kAmazonLinuxBundle)) {
    return kAmazonLinuxBundle;
  }
  if (exists(kDebianBundle)) {
    return kDebianBundle;
  }
  return "";
}

Result<S3Config> S3ConfigFromEnv(const EnvLookup& env) {
  S3Config config;
  if (auto region = NonEmpty(env, "AWS_REGION")) {
    config.region = *region;
  } else if (auto fallback = NonEmpty(env, "AWS_DEFAULT_REGION")) {
    config.region = *fallback;
  }

  for (const char* name : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    if (auto url = NonEmpty(env, name)) {
      auto normalized = NormalizeEndpoint(name, *url);
      if (!normalized) {
        return normalized.error();
      }
      config.endpoint = std::move(normalized).value();
      break;
    }
  }

  auto key_id = NonEmpty(env, "AWS_ACCESS_KEY_ID");
  auto secret = NonEmpty(env, "AWS_SECRET_ACCESS_KEY");
  if (!key_id || !secret) {
    return MakeError(ErrorCode::kInvalidOptions,
                     "S3 credentials missing: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                     "(Lambda sets them from the execution role)");
  }
  config.credentials.access_key_id = *key_id;
  config.credentials.secret_access_key = *secret;
  config.credentials.session_token = NonEmpty(env, "AWS_SESSION_TOKEN").value_or("");

  config.ca_bundle = ChooseCaBundle(env("SSL_CERT_FILE"), [](const std::string& path) {
    std::error_code ec;
    return std::filesystem::is_regular_file(path, ec);
  });
  return config;
}

}  // namespace imgpipe::aws
