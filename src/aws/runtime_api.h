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

#include "imgpipe/error.h"

namespace imgpipe::aws {

class HttpClient;

// One event handed to the function by /next.
struct Invocation {
  std::string request_id;            // Lambda-Runtime-Aws-Request-Id; never empty
  int64_t deadline_ms = 0;           // Lambda-Runtime-Deadline-Ms: epoch ms; 0 if absent
  std::string invoked_function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;              // Lambda-Runtime-Trace-Id; set _X_AMZN_TRACE_ID from it
  std::string payload;               // the event JSON, unparsed
};

struct RuntimeApiOptions {
  std::chrono::milliseconds connect_timeout{1000};
  // Posting a result or error; /next has no timeout because it blocks until an event arrives.
  std::chrono::milliseconds post_timeout{5000};
};

class RuntimeApi {
 public:
  // host_port as in AWS_LAMBDA_RUNTIME_API, e.g. "127.0.0.1:9001".
  explicit RuntimeApi(const std::string& host_port, RuntimeApiOptions options = {});
  // Reads AWS_LAMBDA_RUNTIME_API; kInvalidOptions when unset or empty.
  static Result<std::unique_ptr<RuntimeApi>> FromEnv(RuntimeApiOptions options = {});
  ~RuntimeApi();
  RuntimeApi(const RuntimeApi&) = delete;
  RuntimeApi& operator=(const RuntimeApi&) = delete;

  // Blocks until the next event. kStorageError on transport failure or a non-200 answer,
  // kInternal when the answer lacks a request id.
  Result<Invocation> Next();
  Status PostResponse(const std::string& request_id, std::string_view body,
                      std::string_view content_type = "application/json");
  // Body {"errorType": ..., "errorMessage": ...}, header Lambda-Runtime-Function-Error-Type.
  Status PostError(const std::string& request_id, std::string_view error_type,
                   std::string_view error_message);
  // For configuration errors before the first /next; the process should exit afterwards.
  Status PostInitError(std::string_view error_type, std::string_view error_message);

  const std::string& endpoint() const { return base_url_; }

 private:
  Status Post(const std::string& path, std::string_view body, std::string_view content_type,
              std::string_view error_type);
  std::string base_url_;  // "http://HOST:PORT/2018-06-01/runtime"
  RuntimeApiOptions options_;
  std::unique_ptr<HttpClient> http_;
};

}  // namespace imgpipe::aws
