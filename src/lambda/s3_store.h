// The function's S3 client, built from the configuration and the environment it was read from.
// Kept out of main.cc so the tests build it from an injected environment too.
#pragma once

#include <memory>

#include "aws/s3_client.h"
#include "imgpipe/error.h"
#include "lambda/config.h"
#include "lambda/log.h"

namespace imgpipe::lambda {

// S3ConfigFromEnv(env), downloads capped at MAX_INPUT_BYTES (for events that carry no size, such
// as S3 Batch Operations), and every retry logged as a "warn" line through `logger`, which must
// outlive the client. Errors are S3ConfigFromEnv's, naming the variable.
Result<std::unique_ptr<aws::S3Client>> MakeS3Client(const Config& config, const EnvLookup& env,
                                                    Logger& logger);

}  // namespace imgpipe::lambda
