// bootstrap: the Lambda custom runtime's entry point. Only wiring lives here: the real Runtime
// API client and S3 client from src/aws, handed to the loop in runtime_loop.h, where tests reach
// everything else.
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

#include "aws/env.h"
#include "aws/runtime_api.h"
#include "lambda/config.h"
#include "lambda/log.h"
#include "lambda/runtime_loop.h"
#include "lambda/s3_store.h"

namespace imgpipe::lambda {
namespace {

int Serve() {
  const EnvLookup env = aws::ProcessEnv;
  StdoutSink sink;
  const std::string function_name = env("AWS_LAMBDA_FUNCTION_NAME").value_or("");
  Logger logger(sink, function_name.empty() ? "imgpipe" : function_name);
  auto runtime = aws::RuntimeApi::FromEnv(env);
  if (!runtime.ok()) {
    // Without the Runtime API there is nobody to post an init error to.
    logger.Message("error", "cannot reach the Lambda Runtime API: " + runtime.error().message);
    return 1;
  }
  std::unique_ptr<aws::S3Client> s3;
  const StoreFactory make_store =
      [&](const Config& config, const EnvLookup& store_env) -> Result<aws::SharedObjectStore*> {
    auto client = MakeS3Client(config, store_env, logger);
    if (!client.ok()) {
      return client.error();
    }
    s3 = std::move(client).value();
    return s3.get();
  };
  return RunRuntime(**runtime, env, make_store, logger);
}

}  // namespace
}  // namespace imgpipe::lambda

int main(int argc, char** argv) {
  using namespace imgpipe::lambda;
  if (argc > 1) {
    const std::string_view arg = argv[1];
    // A failed write must fail the command: the Terraform check reads --list-env's output.
    if (arg == "--list-env") {
      const bool json = argc > 2 && std::string_view(argv[2]) == "--json";
      const std::string text = json ? ListEnvJson() : ListEnvText();
      return std::fputs(text.c_str(), stdout) >= 0 && std::fflush(stdout) == 0 ? 0 : 1;
    }
    if (arg == "--help" || arg == "-h") {
      return std::fputs(HelpText().c_str(), stdout) >= 0 && std::fflush(stdout) == 0 ? 0 : 1;
    }
    (void)std::fprintf(stderr, "bootstrap: unknown argument %s (try --help)\n", argv[1]);
    return 2;
  }
  return Serve();
}
