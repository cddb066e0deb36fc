// Client for the Lambda Runtime API (the custom-runtime protocol), in the spirit of
// aws-lambda-cpp: a handful of calls, responses as values, errors as values.
//   GET  /2018-06-01/runtime/invocation/next
//   POST /2018-06-01/runtime/invocation/{id}/response
//   POST /2018-06-01/runtime/invocation/{id}/error
//   POST /2018-06-01/runtime/init/error
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "aws/env.h"
#include "aws/invocation.h"
#include "imgpipe/error.h"

namespace imgpipe::aws {

class HttpClient;

struct RuntimeApiOptions {
  std::chrono::milliseconds connect_timeout{1000};
  // Posting a result or error; /next has no timeout because it blocks until an event arrives.
  std::chrono::milliseconds post_timeout{5000};
};

// Lambda's longest function timeout: the deadline of an invocation whose
// Lambda-Runtime-Deadline-Ms is absent or unreadable, and the furthest a deadline can lie ahead.
inline constexpr std::chrono::minutes kLongestInvocation{15};

// Lambda-Runtime-Deadline-Ms (Unix epoch milliseconds) on the steady clock, given the same
// instant on both clocks. The time left is clamped to [0, kLongestInvocation]: a deadline in the
// past means "now" (already expired); one further ahead than Lambda allows, such as INT64_MAX,
// means kLongestInvocation; an absent, negative or non-numeric header also means
// kLongestInvocation ("no deadline known", not "already expired").
std::chrono::steady_clock::time_point SteadyDeadline(std::string_view header, int64_t now_epoch_ms,
                                                     std::chrono::steady_clock::time_point now);

class RuntimeApi final : public RuntimeClient {
 public:
  // host_port as in AWS_LAMBDA_RUNTIME_API, e.g. "127.0.0.1:9001".
  explicit RuntimeApi(const std::string& host_port, RuntimeApiOptions options = {});
  // Reads AWS_LAMBDA_RUNTIME_API; kInvalidOptions when unset or empty.
  static Result<std::unique_ptr<RuntimeApi>> FromEnv(const EnvLookup& env,
                                                     RuntimeApiOptions options = {});
  ~RuntimeApi() override;
  RuntimeApi(const RuntimeApi&) = delete;
  RuntimeApi& operator=(const RuntimeApi&) = delete;

  // Blocks until the next event. kStorageError on transport failure or a non-200 answer,
  // kInternal when the answer lacks a request id.
  Result<Invocation> Next() override;
  Status PostResponse(const std::string& request_id, std::string_view body) override;
  // Also sends the header Lambda-Runtime-Function-Error-Type.
  Status PostError(const std::string& request_id, std::string_view error_type,
                   std::string_view error_message) override;
  // The process should exit afterwards.
  Status PostInitError(std::string_view error_type, std::string_view error_message) override;

  const std::string& endpoint() const { return base_url_; }

 private:
  Status Post(const std::string& path, std::string_view body, std::string_view error_type);
  std::string base_url_;  // "http://HOST:PORT/2018-06-01/runtime"
  RuntimeApiOptions options_;
  std::unique_ptr<HttpClient> http_;
};

}  // namespace imgpipe::aws
