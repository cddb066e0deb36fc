#include "lambda/runtime_loop.h"

#include <cstdlib>
#include <exception>

#include "lambda/handler.h"

namespace imgpipe::lambda {
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

HandlerOutcome HandleContained(const aws::Invocation& invocation, aws::SharedObjectStore& store,
                               const Config& config, Logger& logger) {
  aws::BoundObjectStore bound(store, StoreContext(invocation, config));
  try {
    return Handle(invocation.payload, bound, config, invocation.context.deadline, logger);
  } catch (const std::exception& e) {
    // Handle() contains per-record failures; this is a last resort (bad_alloc while parsing)
    // so one poisonous event cannot end the process.
    return HandlerOutcome::Failure("imgpipe.internal", std::string("exception: ") + e.what());
  }
}

}  // namespace

aws::InvocationContext StoreContext(const aws::Invocation& invocation, const Config& config) {
  aws::InvocationContext context = invocation.context;
  if (context.deadline != Clock::time_point::max()) {
    context.deadline -= config.deadline_margin;
  }
  return context;
}

int ServeInvocations(aws::RuntimeClient& runtime, aws::SharedObjectStore& store,
                     const Config& config, Logger& logger, const LoopOptions& options) {
  for (uint64_t served = 0; !options.max_invocations || served < *options.max_invocations;
       ++served) {
    auto invocation = runtime.Next();
    if (!invocation.ok()) {
      logger.set_request_id("");
      logger.Message("error", "runtime API next failed: " + invocation.error().message);
      return 1;
    }
    logger.set_request_id(invocation->request_id);
    SetTraceEnv(invocation->context.trace_id);
    const HandlerOutcome outcome = HandleContained(*invocation, store, config, logger);
    const Status posted = outcome.ok()
                              ? runtime.PostResponse(invocation->request_id, outcome.payload())
                              : runtime.PostError(invocation->request_id, outcome.error_type(),
                                                  outcome.error_message());
    if (!posted.ok()) {
      logger.Message("error", "runtime API post failed: " + posted.error().message);
    }
  }
  return 0;
}

int RunRuntime(aws::RuntimeClient& runtime, const EnvLookup& env, const StoreFactory& make_store,
               Logger& logger, const LoopOptions& options) {
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
  auto store = make_store(*config, env);
  if (!store.ok()) {
    return init_error(std::string("imgpipe.") + ErrorCodeName(store.error().code),
                      "object store: " + store.error().message);
  }
  return ServeInvocations(runtime, **store, *config, logger, options);
}

}  // namespace imgpipe::lambda
