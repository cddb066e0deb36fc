// bootstrap: the Lambda custom runtime's entry point. Only wiring lives here: the real Runtime
// API client and S3 client from src/aws, adapted to the loop in runtime_loop.h, where tests
// reach everything else.
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "aws/runtime_api.h"
#include "aws/s3_client.h"
#include "aws/s3_config.h"
#include "lambda/config.h"
#include "lambda/log.h"
#include "lambda/runtime_loop.h"

namespace imgpipe::lambda {
namespace {

// Adapts aws::RuntimeApi (HTTP) to the loop's narrow interface.
class RuntimeApiClient : public RuntimeClient {
 public:
  explicit RuntimeApiClient(aws::RuntimeApi& api) : api_(api) {}

  Result<Invocation> Next() override {
    auto next = api_.Next();
    if (!next.ok()) {
      return next.error();
    }
    return Invocation{next->request_id, std::move(next->payload), next->deadline_ms,
                      next->invoked_function_arn, next->trace_id};
  }
  Status PostResponse(const std::string& request_id, const std::string& payload) override {
    return api_.PostResponse(request_id, payload);
  }
  Status PostError(const std::string& request_id, const std::string& error_type,
                   const std::string& error_message) override {
    return api_.PostError(request_id, error_type, error_message);
  }
  Status PostInitError(const std::string& error_type, const std::string& error_message) override {
    return api_.PostInitError(error_type, error_message);
  }

 private:
  aws::RuntimeApi& api_;
};

std::string FunctionName() {
  const char* name = std::getenv("AWS_LAMBDA_FUNCTION_NAME");
  return name != nullptr && *name != '\0' ? name : "imgpipe";
}

int Serve() {
  StdoutSink sink;
  Logger logger(sink, FunctionName());
  auto api = aws::RuntimeApi::FromEnv();
  if (!api.ok()) {
    // Without the Runtime API there is nobody to post an init error to.
    logger.Message("error", "cannot reach the Lambda Runtime API: " + api.error().message);
    return 1;
  }
  RuntimeApiClient runtime(**api);

  std::unique_ptr<aws::S3Client> s3;
  std::chrono::milliseconds margin{0};
  StoreFactory make_store = [&](const Config& config) -> Result<aws::ObjectStore*> {
    auto s3_config = aws::S3ConfigFromEnv();
    if (!s3_config.ok()) {
      return s3_config.error();
    }
    // Refuse oversized objects while downloading, for events that carry no size (Batch).
    s3_config->max_get_bytes = config.options.limits.max_input_bytes;
    margin = config.deadline_margin;
    s3 = std::make_unique<aws::S3Client>(std::move(s3_config).value());
    s3->SetRetryLogger([&logger](const aws::RetryEvent& retry) {
      logger.Message("warn", "retrying " + retry.operation + " s3://" + retry.bucket + "/" +
                                 retry.key + " (attempt " + std::to_string(retry.attempt) + "/" +
                                 std::to_string(retry.max_attempts) + ", next in " +
                                 std::to_string(retry.delay.count()) + " ms): " + retry.reason);
    });
    return s3.get();
  };

  InvocationHook on_invocation = [&](const Invocation& invocation) {
    s3->SetTraceId(invocation.trace_id);
    // S3 retries stop where the handler's own margin starts, so the response still goes out.
    s3->SetDeadlineMs(invocation.deadline_ms == 0 ? 0 : invocation.deadline_ms - margin.count());
  };
  return RunRuntime(runtime, ProcessEnv(), make_store, on_invocation, logger);
}

}  // namespace
}  // namespace imgpipe::lambda

int main(int argc, char** argv) {
  using namespace imgpipe::lambda;
  if (argc > 1) {
    const std::string_view arg = argv[1];
    // A failed write must fail the command: the Terraform check reads --list-env's output.
    if (arg == "--list-env") {
      return std::fputs(ListEnvText().c_str(), stdout) >= 0 && std::fflush(stdout) == 0 ? 0 : 1;
    }
    if (arg == "--help" || arg == "-h") {
      return std::fputs(HelpText().c_str(), stdout) >= 0 && std::fflush(stdout) == 0 ? 0 : 1;
    }
    (void)std::fprintf(stderr, "bootstrap: unknown argument %s (try --help)\n", argv[1]);
    return 2;
  }
  return Serve();
}
