#include "aws/runtime_api.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "aws/header_text.h"
#include "aws/http.h"
#include "aws/sigv4.h"

namespace imgpipe::aws {
namespace {

std::span<const uint8_t> Bytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

using std::chrono::milliseconds;
using SteadyTime = std::chrono::steady_clock::time_point;

int64_t NowEpochMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
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

SteadyTime SteadyDeadline(std::string_view header, int64_t now_epoch_ms, SteadyTime now) {
  constexpr int64_t kLongestMs = milliseconds(kLongestInvocation).count();
  int64_t deadline_ms = 0;
  const auto parsed = std::from_chars(header.data(), header.data() + header.size(), deadline_ms);
  if (parsed.ec != std::errc() || parsed.ptr != header.data() + header.size() || deadline_ms <= 0) {
    return now + kLongestInvocation;
  }
  // Both values are kept non-negative, so deadline_ms - now_epoch_ms cannot overflow even for
  // INT64_MAX, and the time left is clamped before it is scaled to the steady clock's
  // nanoseconds, which overflows for any deadline past the year 2262.
  now_epoch_ms = std::max<int64_t>(now_epoch_ms, 0);
  int64_t left_ms = kLongestMs;
  if (deadline_ms <= now_epoch_ms) {
    left_ms = 0;
  } else if (deadline_ms - now_epoch_ms < kLongestMs) {
    left_ms = deadline_ms - now_epoch_ms;
  }
  return now + milliseconds(left_ms);
}

Result<std::unique_ptr<RuntimeApi>> RuntimeApi::FromEnv(const EnvLookup& env,
                                                        RuntimeApiOptions options) {
  const std::optional<std::string> endpoint = env("AWS_LAMBDA_RUNTIME_API");
  if (!endpoint || endpoint->empty()) {
    return MakeError(ErrorCode::kInvalidOptions,
                     "AWS_LAMBDA_RUNTIME_API is not set: bootstrap must run inside Lambda or "
                     "under a Runtime API emulator");
  }
  return std::make_unique<RuntimeApi>(*endpoint, options);
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
  inv.context.deadline = SteadyDeadline(r.Header("lambda-runtime-deadline-ms"), NowEpochMs(),
                                        std::chrono::steady_clock::now());
  inv.context.trace_id = r.Header("lambda-runtime-trace-id");
  inv.payload = r.BodyText();
  return inv;
}

Status RuntimeApi::Post(const std::string& path, std::string_view body,
                        std::string_view error_type) {
  HttpRequest request;
  request.method = "POST";
  request.url = base_url_ + path;
  request.headers.emplace_back("Content-Type", "application/json");
  if (!error_type.empty()) {
    // The error type travels in an HTTP header: keep it to printable ASCII.
    request.headers.emplace_back("Lambda-Runtime-Function-Error-Type",
                                 ToPrintableAscii(error_type));
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

Status RuntimeApi::PostResponse(const std::string& request_id, std::string_view body) {
  return Post("/invocation/" + UriEncode(request_id, false) + "/response", body, "");
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
              ErrorJson(error_type, error_message), error_type);
}

Status RuntimeApi::PostInitError(std::string_view error_type, std::string_view error_message) {
  return Post("/init/error", ErrorJson(error_type, error_message), error_type);
}

}  // namespace imgpipe::aws
