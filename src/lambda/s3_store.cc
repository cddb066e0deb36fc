#include "lambda/s3_store.h"

#include <string>

namespace imgpipe::lambda {

Result<std::unique_ptr<aws::S3Client>> MakeS3Client(const Config& config, const EnvLookup& env,
                                                    Logger& logger) {
  auto s3_config = aws::S3ConfigFromEnv(env);
  if (!s3_config.ok()) {
    return s3_config.error();
  }
  s3_config->max_get_bytes = config.options.limits.max_input_bytes;
  return std::make_unique<aws::S3Client>(
      std::move(s3_config).value(), [&logger](const aws::RetryEvent& retry) {
        logger.Message("warn", "retrying " + retry.operation + " s3://" + retry.bucket + "/" +
                                   retry.key + " (attempt " + std::to_string(retry.attempt) + "/" +
                                   std::to_string(retry.max_attempts) + ", next in " +
                                   std::to_string(retry.delay.count()) + " ms): " + retry.reason);
      });
}

}  // namespace imgpipe::lambda
