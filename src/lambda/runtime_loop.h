// The custom-runtime loop over a narrow RuntimeClient, so it is testable without HTTP. main.cc
// adapts the real Runtime API client (src/aws) to this interface.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "aws/object_store.h"
#include "imgpipe/error.h"
#include "imgpipe/pipeline.h"
#include "lambda/config.h"
#include "lambda/log.h"

namespace imgpipe::lambda {

// One invocation as GET /2018-06-01/runtime/invocation/next returns it.
struct Invocation {
  std::string request_id;    // Lambda-Runtime-Aws-Request-Id
  std::string payload;       // the event JSON (response body)
  int64_t deadline_ms = 0;   // Lambda-Runtime-Deadline-Ms: Unix epoch milliseconds
  std::string function_arn;  // Lambda-Runtime-Invoked-Function-Arn
  std::string trace_id;      // Lambda-Runtime-Trace-Id; "" when absent
};

class RuntimeClient {
 public:
  virtual ~RuntimeClient() = default;
  // Blocks until the next invocation. An error means the Runtime API is gone: exit.
  virtual Result<Invocation> Next() = 0;
  virtual Status PostResponse(const std::string& request_id, const std::string& payload) = 0;
  virtual Status PostError(const std::string& request_id, const std::string& error_type,
                           const std::string& error_message) = 0;
  virtual Status PostInitError(const std::string& error_type, const std::string& error_message) = 0;
};

// Called at the start of each invocation, before the handler: main.cc hands the trace id to the
// S3 client (X-Amzn-Trace-Id, which AWS's recursive-loop detection follows) and its deadline.
using InvocationHook = std::function<void(const Invocation& invocation)>;

// Builds the object store once the configuration is known to be valid; an error (e.g. missing
// credentials) is an init error like a bad variable.
using StoreFactory = std::function<Result<aws::ObjectStore*>(const Config& config)>;

struct LoopOptions {
  // Stop after this many invocations (tests); nullopt = serve until Next() fails.
  std::optional<uint64_t> max_invocations;
};

// Converts Lambda's epoch-ms deadline to the steady clock the pipeline checks, so a wall-clock
// step during the invocation cannot move it. 0 (header absent) means Lambda's longest timeout,
// 15 minutes, rather than "already expired".
Clock::time_point SteadyDeadline(int64_t deadline_epoch_ms);

// Serves invocations until Next() fails or max_invocations is reached. Per invocation: sets
// _X_AMZN_TRACE_ID, calls `on_invocation`, runs Handle(), posts the response or the error. A
// failed post is logged and serving continues. Returns the process exit code (0 only when
// max_invocations was reached).
int ServeInvocations(RuntimeClient& runtime, aws::ObjectStore& store, const Config& config,
                     const InvocationHook& on_invocation, Logger& logger,
                     const LoopOptions& options = {});

// Start-up: loads the configuration and builds the store; when either fails, logs, posts
// /runtime/init/error and returns 1 without serving (Lambda reports the init failure).
int RunRuntime(RuntimeClient& runtime, const EnvLookup& env, const StoreFactory& make_store,
               const InvocationHook& on_invocation, Logger& logger,
               const LoopOptions& options = {});

}  // namespace imgpipe::lambda
