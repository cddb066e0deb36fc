#include "aws/s3_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
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

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool IsHostNameChar(char c) { return IsAsciiAlnum(c) || c == '-' || c == '.'; }

bool IsPathChar(char c) {
  return IsAsciiAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/' || c == '%';
}

// "[::1]" or "[2001:db8::1]": hex digits, ':' and '.' (an embedded IPv4) between brackets.
bool IsBracketedIpv6(std::string_view host) {
  if (host.size() < 4 || host.front() != '[' || host.back() != ']') {
    return false;
  }
  return std::ranges::all_of(host.substr(1, host.size() - 2), [](char c) {
    return std::isxdigit(static_cast<unsigned char>(c)) != 0 || c == ':' || c == '.';
  });
}

bool IsValidPort(std::string_view port) {
  unsigned value = 0;
  const auto parsed = std::from_chars(port.data(), port.data() + port.size(), value);
  return !port.empty() && port.size() <= 5 && parsed.ec == std::errc() &&
         parsed.ptr == port.data() + port.size() && value >= 1 && value <= 65535;
}

// Why `authority` (host[:port]) is refused, or "" when it is accepted.
std::string AuthorityProblem(std::string_view authority) {
  if (authority.find('@') != std::string_view::npos) {
    return "userinfo (\"user@\") is not allowed";
  }
  std::string_view host = authority;
  std::string_view port;
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (!IsValidPort(port)) {
      return "the port must be 1..65535";
    }
  }
  if (host.empty()) {
    return "the host is missing";
  }
  if (!IsBracketedIpv6(host) && !std::ranges::all_of(host, IsHostNameChar)) {
    return "the host must be a name of letters, digits, '-' and '.', or an IP address";
  }
  return "";
}

// Why `path` ("" or "/...") is refused, or "" when it is accepted.
std::string PathProblem(std::string_view path) {
  if (!std::ranges::all_of(path, IsPathChar)) {
    return "the path may only hold letters, digits, '-', '.', '_', '~', '/' and %XX escapes";
  }
  for (size_t i = path.find('%'); i != std::string_view::npos; i = path.find('%', i + 1)) {
    if (i + 2 >= path.size() || std::isxdigit(static_cast<unsigned char>(path[i + 1])) == 0 ||
        std::isxdigit(static_cast<unsigned char>(path[i + 2])) == 0) {
      return "the path has a '%' that is not a %XX escape";
    }
  }
  for (size_t start = 0; start < path.size();) {
    const size_t end = std::min(path.find('/', start), path.size());
    const std::string_view segment = path.substr(start, end - start);
    if (segment == "." || segment == "..") {
      return "the path must not contain \".\" or \"..\" segments";
    }
    start = end + 1;
  }
  return "";
}

}  // namespace

bool IsValidRegion(std::string_view region) {
  return !region.empty() && std::ranges::all_of(region, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

Result<std::string> ParseEndpoint(const std::string& variable, std::string_view url) {
  const auto refuse = [&](const std::string& why) {
    return MakeError(ErrorCode::kInvalidOptions,
                     variable + "=\"" + std::string(url) +
                         "\" is not an endpoint of the form http(s)://host[:port][/path]: " + why);
  };
  size_t authority_start = 0;
  if (url.starts_with("http://")) {
    authority_start = 7;
  } else if (url.starts_with("https://")) {
    authority_start = 8;
  } else {
    return refuse("the scheme must be http:// or https://");
  }
  if (url.find_first_of("?#") != std::string_view::npos) {
    return refuse("a query or fragment is not allowed");
  }
  const size_t path_start = std::min(url.find('/', authority_start), url.size());
  if (std::string why = AuthorityProblem(url.substr(authority_start, path_start - authority_start));
      !why.empty()) {
    return refuse(why);
  }
  if (std::string why = PathProblem(url.substr(path_start)); !why.empty()) {
    return refuse(why);
  }
  std::string normalized(url);
  while (normalized.ends_with('/')) {
    normalized.pop_back();
  }
  return normalized;
}

std::string ChooseCaBundle(const std::optional<std::string>& ssl_cert_file,
                           const std::function<bool(const std::string&)>& exists) {
  // An explicit override wins even if it does not exist: the handshake then fails clearly instead
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
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (auto region = NonEmpty(env, name)) {
      // The region becomes part of the host name (s3.REGION.amazonaws.com): anything else, such
      // as "x@127.0.0.1:9000/", would send signed requests and the session token elsewhere.
      if (!IsValidRegion(*region)) {
        return MakeError(ErrorCode::kInvalidOptions,
                         std::string(name) + "=\"" + *region +
                             "\" is not a region name (expected one or more of a-z 0-9 -)");
      }
      config.region = *region;
      break;
    }
  }

  for (const char* name : {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
    if (auto url = NonEmpty(env, name)) {
      auto endpoint = ParseEndpoint(name, *url);
      if (!endpoint) {
        return endpoint.error();
      }
      config.endpoint = std::move(endpoint).value();
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
