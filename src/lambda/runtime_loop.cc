#include "lambda/runtime_loop.h"

#include <chrono>
#include <cstdlib>
#include <exception>

#include "lambda/handler.h"

namespace imgpipe::lambda {

Clock::time_point SteadyDeadline(int64_t deadline_epoch_ms) {
  if (deadline_epoch_ms == 0) {
    return Clock::now() + std::chrono::minutes(15);
  }
  const int64_t now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  return Clock::now() + std::chrono::milliseconds(deadline_epoch_ms - now_ms);
}

namespace {

void SetTraceEnv(const std::string& trace_id) {
  // The AWS SDKs and X-Ray read this variable; a stale value from the previous invocation
  // would attribute our S3 calls to the wrong trace.
  if (trace_id.empty()) {
    unsetenv("_X_AMZN_TRACE_ID");
  } else {
    setenv("_X_AMZN_TRACE_ID", trace_id.c_str(), 1);
  }
}

}  // namespace

int ServeInvocations(RuntimeClient& runtime, aws::ObjectStore& store, const Config& config,
                     const InvocationHook& on_invocation, Logger& logger,
                     const LoopOptions& options) {
  for (uint64_t served = 0; !options.max_invocations || served < *options.max_invocations;
       ++served) {
    auto invocation = runtime.Next();
    if (!invocation.ok()) {
      logger.set_request_id("");
      logger.Message("error", "runtime API next failed: " + invocation.error().message);
      return 1;
    }
    logger.set_request_id(invocation->request_id);
    SetTraceEnv(invocation->trace_id);
    if (on_invocation) {
      on_invocation(*invocation);
    }

    std::optional<HandlerOutcome> outcome;
    try {
      outcome = Handle(invocation->payload, store, config, SteadyDeadline(invocation->deadline_ms),
                       logger);
    } catch (const std::exception& e) {
      // Handle() contains per-record failures; this is a last resort (bad_alloc while parsing)
      // so one poisonous event cannot end the process.
      outcome = HandlerOutcome::Failure("imgpipe.internal", std::string("exception: ") + e.what());
    }
    const Status posted = outcome->ok()
                              ? runtime.PostResponse(invocation->request_id, outcome->payload())
                              : runtime.PostError(invocation->request_id, outcome->error_type(),
                                                  outcome->error_message());
    if (!posted.ok()) {
      logger.Message("error", "runtime API post failed: " + posted.error().message);
    }
  }
  return 0;
}

int RunRuntime(RuntimeClient& runtime, const EnvLookup& env, const StoreFactory& make_store,
               const InvocationHook& on_invocation, Logger& logger, const LoopOptions& options) {
  auto init_error = [&](const std::string& type, const std::string& message) {
    logger.Message("error", message);
    const Status posted = runtime.PostInitError(type, message);
    if (!posted.ok()) {
      logger.Message("error", "runtime API init/error failed: " + posted.error().message);
    }
    return 1;
  };
  auto config = LoadConfig(env);
  if (!config.ok()) {
    return init_error("imgpipe.invalid_options",
                      "invalid configuration: " + config.error().message);
  }
  auto store = make_store(*config);
  if (!store.ok()) {
    return init_error(std::string("imgpipe.") + ErrorCodeName(store.error().code),
                      "object store: " + store.error().message);
  }
  return ServeInvocations(runtime, **store, *config, on_invocation, logger, options);
}

}  // namespace imgpipe::lambda
