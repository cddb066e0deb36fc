// S3 over libcurl, signed with our own SigV4. Implements ObjectStore for the Lambda handler.
//
// One client owns one curl handle, so TCP/TLS connections are reused across calls and across
// Lambda invocations. Not thread-safe: use one client per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "aws/object_store.h"
#include "aws/s3_config.h"

namespace imgpipe::aws {

class HttpClient;

// Reported before each retry sleep; the client never prints, the caller decides how to log.
struct RetryEvent {
  std::string operation;  // "GetObject", "HeadObject", "PutObject"
  std::string bucket;
  std::string key;
  int attempt = 0;  // the attempt that just failed, 1-based
  int max_attempts = 0;
  std::chrono::milliseconds delay{0};  // backoff before the next attempt
  std::string reason;  // "HTTP 503 SlowDown: Please reduce your request rate." or curl's text
};
using RetryLogger = std::function<void(const RetryEvent&)>;

class S3Client final : public ObjectStore {
 public:
  explicit S3Client(S3Config config, RetryLogger retry_logger = nullptr);
  ~S3Client() override;
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // ObjectStore. Errors: kNotFound (404), kAccessDenied (403, message carries S3's Code and
  // Message, e.g. "SignatureDoesNotMatch: ..."), kInputTooLarge (Get over max_get_bytes),
  // kStorageError (retries exhausted, or another S3 error). Messages name s3://bucket/key.
  Result<ObjectData> Get(const std::string& bucket, const std::string& key) override;
  Result<ObjectHead> Head(const std::string& bucket, const std::string& key) override;
  Result<std::string> Put(const PutRequest& request) override;

  // Sent as X-Amzn-Trace-Id on every request while non-empty (Lambda's recursion detection reads
  // it). Set it per invocation from Invocation::trace_id.
  void SetTraceId(std::string trace_id);
  // Absolute deadline in epoch milliseconds (Invocation::deadline_ms); 0 = none. Attempts are cut
  // short and no retry starts past it, so the handler can answer before Lambda kills it.
  void SetDeadlineMs(int64_t deadline_epoch_ms);
  void SetRetryLogger(RetryLogger retry_logger);

  const S3Config& config() const { return config_; }

 private:
  struct Call;
  struct Attempt;
  Result<Attempt> Execute(const Call& call);

  S3Config config_;
  RetryLogger retry_logger_;
  std::string trace_id_;
  int64_t deadline_epoch_ms_ = 0;
  std::unique_ptr<HttpClient> http_;
};

}  // namespace imgpipe::aws
