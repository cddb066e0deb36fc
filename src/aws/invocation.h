// One Lambda invocation and the Runtime API seam the runtime loop serves it through. RuntimeApi
// (runtime_api.h) implements RuntimeClient over HTTP; tests implement it in memory, the way
// S3Client and the fakes share ObjectStore.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "imgpipe/error.h"

namespace imgpipe::aws {

// What every S3 request made for one invocation carries. Passed with each call, never stored on
// a client shared across invocations, so nothing of one invocation leaks into the next.
struct InvocationContext {
  // Sent as X-Amzn-Trace-Id ("" = not sent); Lambda's recursive-loop detection follows it.
  std::string trace_id;
  // On the steady clock, so a wall-clock step cannot move it. No attempt starts and no retry
  // sleeps past it; max() = no deadline.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// One event handed to the function by GET /runtime/invocation/next.
struct Invocation {
  std::string request_id;     // Lambda-Runtime-Aws-Request-Id; never empty
  std::string payload;        // the event JSON, unparsed
  InvocationContext context;  // Lambda-Runtime-Trace-Id and Lambda-Runtime-Deadline-Ms
};

class RuntimeClient {
 public:
  virtual ~RuntimeClient() = default;
  // Blocks until the next invocation. An error means the Runtime API is gone: exit.
  virtual Result<Invocation> Next() = 0;
  // POST .../response with a JSON body.
  virtual Status PostResponse(const std::string& request_id, std::string_view body) = 0;
  // POST .../error: body {"errorType": ..., "errorMessage": ...}.
  virtual Status PostError(const std::string& request_id, std::string_view error_type,
                           std::string_view error_message) = 0;
  // POST /runtime/init/error, for configuration errors before the first Next().
  virtual Status PostInitError(std::string_view error_type, std::string_view error_message) = 0;
};

}  // namespace imgpipe::aws
