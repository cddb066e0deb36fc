#include "aws/runtime_api.h"

#include <charconv>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "aws/http.h"
#include "aws/sigv4.h"

namespace imgpipe::aws {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Error type travels in an HTTP header: keep it to printable ASCII.
std::string SanitizeHeaderValue(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : '_');
  }
  return out;
}

std::string Describe(const HttpResult& result) {
  if (!result.ok()) {
    return result.transport_error.message + " (curl " +
           std::to_string(result.transport_error.curl_code) + ")";
  }
  std::string body = result.response.BodyText();
  if (body.size() > 200) {
    body = body.substr(0, 200) + "...";
  }
  return "HTTP " + std::to_string(result.response.status) + (body.empty() ? "" : ": " + body);
}

}  // namespace

RuntimeApi::RuntimeApi(const std::string& host_port, RuntimeApiOptions options)
    : base_url_("http://" + host_port + "/2018-06-01/runtime"),
      options_(options),
      http_(std::make_unique<HttpClient>()) {}

RuntimeApi::~RuntimeApi() = default;

Result<std::unique_ptr<RuntimeApi>> RuntimeApi::FromEnv(RuntimeApiOptions options) {
  const char* endpoint = std::getenv("AWS_LAMBDA_RUNTIME_API");
  if (endpoint == nullptr || *endpoint == '\0') {
    return MakeError(ErrorCode::kInvalidOptions,
                     "AWS_LAMBDA_RUNTIME_API is not set: bootstrap must run inside Lambda or "
                     "under a Runtime API emulator");
  }
  return std::make_unique<RuntimeApi>(endpoint, options);
}

Result<Invocation> RuntimeApi::Next() {
  HttpRequest request;
  request.method = "GET";
  request.url = base_url_ + "/invocation/next";
  request.connect_timeout = options_.connect_timeout;
  // No overall timeout and no stall detection: /next legitimately blocks (the sandbox may even be
  // frozen) until the next event arrives.
  HttpResult result = http_->Perform(request);
  if (!result.ok() || result.response.status != 200) {
    return MakeError(ErrorCode::kStorageError,
                     "Runtime API " + request.url + " failed: " + Describe(result));
  }
  HttpResponse& r = result.response;
  Invocation inv;
  inv.request_id = r.Header("lambda-runtime-aws-request-id");
  if (inv.request_id.empty()) {
    return MakeError(ErrorCode::kInternal,
                     "Runtime API /next answered without Lambda-Runtime-Aws-Request-Id");
  }
  const std::string deadline = r.Header("lambda-runtime-deadline-ms");
  if (!deadline.empty()) {
    const auto parsed =
        std::from_chars(deadline.data(), deadline.data() + deadline.size(), inv.deadline_ms);
    if (parsed.ec != std::errc() || parsed.ptr != deadline.data() + deadline.size()) {
      inv.deadline_ms = 0;  // a garbled deadline is treated as "none", not as "already past"
    }
  }
  inv.invoked_function_arn = r.Header("lambda-runtime-invoked-function-arn");
  inv.trace_id = r.Header("lambda-runtime-trace-id");
  inv.payload = r.BodyText();
  return inv;
}

Status RuntimeApi::Post(const std::string& path, std::string_view body,
                        std::string_view content_type, std::string_view error_type) {
  HttpRequest request;
  request.method = "POST";
  request.url = base_url_ + path;
  request.headers.emplace_back("Content-Type", std::string(content_type));
  if (!error_type.empty()) {
    request.headers.emplace_back("Lambda-Runtime-Function-Error-Type",
                                 SanitizeHeaderValue(error_type));
  }
  request.body = Bytes(body);
  request.connect_timeout = options_.connect_timeout;
  request.timeout = options_.post_timeout;
  const HttpResult result = http_->Perform(request);
  // 202 Accepted is the documented answer; accept any 2xx.
  if (!result.ok() || result.response.status < 200 || result.response.status >= 300) {
    return MakeError(ErrorCode::kStorageError,
                     "Runtime API POST " + request.url + " failed: " + Describe(result));
  }
  return OkStatus();
}

Status RuntimeApi::PostResponse(const std::string& request_id, std::string_view body,
                                std::string_view content_type) {
  return Post("/invocation/" + UriEncode(request_id, false) + "/response", body, content_type, "");
}

namespace {
std::string ErrorJson(std::string_view error_type, std::string_view error_message) {
  // dump() with the "replace" handler: a message quoting invalid UTF-8 (e.g. a bad key) must
  // still produce valid JSON rather than throw.
  nlohmann::json j = {{"errorType", std::string(error_type)},
                      {"errorMessage", std::string(error_message)}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}
}  // namespace

Status RuntimeApi::PostError(const std::string& request_id, std::string_view error_type,
                             std::string_view error_message) {
  return Post("/invocation/" + UriEncode(request_id, false) + "/error",
              ErrorJson(error_type, error_message), "application/json", error_type);
}

Status RuntimeApi::PostInitError(std::string_view error_type, std::string_view error_message) {
  return Post("/init/error", ErrorJson(error_type, error_message), "application/json", error_type);
}

}  // namespace imgpipe::aws
