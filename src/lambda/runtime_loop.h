// The custom-runtime loop over aws::RuntimeClient and aws::SharedObjectStore, so it is testable
// without HTTP: main.cc passes the real Runtime API and S3 clients, tests pass fakes.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>

#include "aws/invocation.h"
#include "aws/object_store.h"
#include "imgpipe/error.h"
#include "lambda/config.h"
#include "lambda/log.h"

namespace imgpipe::lambda {

// Builds the shared object store once the configuration is known to be valid, from the same
// environment; an error (e.g. missing credentials, a bad AWS_REGION) is an init error like a bad
// variable.
using StoreFactory =
    std::function<Result<aws::SharedObjectStore*>(const Config& config, const EnvLookup& env)>;

struct LoopOptions {
  // Stop after this many invocations (tests); nullopt = serve until Next() fails.
  std::optional<uint64_t> max_invocations;
};

// The context the invocation's S3 calls carry: its trace id, and its deadline less the
// handler's margin, so S3 retries stop where the margin starts and the response still goes out.
aws::InvocationContext StoreContext(const aws::Invocation& invocation, const Config& config);

// Serves invocations until Next() fails or max_invocations is reached. Per invocation: sets
// _X_AMZN_TRACE_ID, runs Handle() over the store bound to StoreContext(), posts the response or
// the error. A failed post is logged and serving continues. Returns the process exit code (0 only
// when max_invocations was reached).
int ServeInvocations(aws::RuntimeClient& runtime, aws::SharedObjectStore& store,
                     const Config& config, Logger& logger, const LoopOptions& options = {});

// Start-up: loads the configuration and builds the store from `env`; when either fails, logs,
// posts /runtime/init/error and returns 1 without serving (Lambda reports the init failure).
int RunRuntime(aws::RuntimeClient& runtime, const EnvLookup& env, const StoreFactory& make_store,
               Logger& logger, const LoopOptions& options = {});

}  // namespace imgpipe::lambda
