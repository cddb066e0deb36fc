// S3 over libcurl, signed with our own SigV4. The shared object store behind every Lambda
// invocation (see BoundObjectStore in object_store.h).
//
// TCP/TLS connections are kept alive and reused across calls and across Lambda invocations.
// Per-invocation state (trace id, deadline) comes with each call, never set on the client.
// Thread-safe: each call borrows an idle kept-alive connection (or opens one) for its duration
// and returns it afterwards, so N concurrent callers hold at most N connections, and a single
// caller reuses one connection as before.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "aws/object_store.h"
#include "aws/s3_config.h"

namespace imgpipe::aws {

class HttpClient;
struct HttpRequest;
struct HttpResponse;
struct HttpResult;
struct S3Target;

// Reported before each retry sleep; the client never prints, the caller decides how to log.
struct RetryEvent {
  std::string operation;  // "GetObject", "PutObject"
  std::string bucket;
  std::string key;
  int attempt = 0;  // the attempt that just failed, 1-based
  int max_attempts = 0;
  std::chrono::milliseconds delay{0};  // backoff before the next attempt
  std::string reason;  // "HTTP 503 SlowDown: Please reduce your request rate." or curl's text
};
using RetryLogger = std::function<void(const RetryEvent&)>;

class S3Client final : public SharedObjectStore {
 public:
  explicit S3Client(S3Config config, RetryLogger retry_logger = nullptr);
  ~S3Client() override;
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // Errors: kNotFound (404), kAccessDenied (403, message carries S3's Code and Message, e.g.
  // "SignatureDoesNotMatch: ..."), kInputTooLarge (Get over max_get_bytes), kDeadlineExceeded
  // (the context's deadline passed before an attempt), kStorageError (retries exhausted, or
  // another S3 error). Messages name s3://bucket/key. The context's trace id is sent as
  // X-Amzn-Trace-Id; attempts are cut short and no retry starts past its deadline.
  // A request's version_id is sent as ?versionId= (signed), its if_match as If-Match; a 412
  // answer is ObjectData::superseded, not an error.
  Result<ObjectData> Get(const InvocationContext& context, const GetRequest& request) override;
  // The current version, unconditionally.
  Result<ObjectData> Get(const InvocationContext& context, const std::string& bucket,
                         const std::string& key) {
    return Get(context, GetRequest{bucket, key, {}, {}});
  }
  // Get with the body read as the caller pulls it (ObjectStream): retries cover the request up
  // to the response's headers; the body's bytes then come off the connection one socket read at
  // a time, under the same timeout, stall limit and max_get_bytes. The connection goes back to
  // the pool when the body is destroyed (after reading out a short unread tail).
  Result<ObjectStream> GetStream(const InvocationContext& context,
                                 const GetRequest& request) override;
  Result<std::string> Put(const InvocationContext& context, const PutRequest& request) override;

  // Not thread-safe: set it before the first call. The logger itself is called from every
  // thread that calls the client.
  void SetRetryLogger(RetryLogger retry_logger);

 private:
  struct Call;
  struct Outcome;
  // One step each: Execute validates, then per attempt signs, sends, classifies and decides
  // whether to retry.
  // `streamed` set: the body of a successful answer stays on the connection, whose client is
  // handed over in *streamed (error answers are still read whole, to classify them).
  Result<HttpResponse> Execute(const InvocationContext& context, const Call& call,
                               std::unique_ptr<HttpClient>* streamed = nullptr);
  // The GetObject call for a request (its If-Match checked by the caller, CheckIfMatch).
  Call GetCall(const GetRequest& request) const;
  HttpRequest Sign(const InvocationContext& context, const Call& call, const S3Target& target,
                   const std::string& payload_sha) const;
  Outcome Classify(const Call& call, HttpResult result) const;
  bool MayRetry(const InvocationContext& context, int attempt,
                std::chrono::steady_clock::time_point started,
                std::chrono::milliseconds delay) const;

  // Idle kept-alive connections; a call takes the most recently returned one (the likeliest to
  // be still open) or a new one, and gives it back when done.
  struct Lease;
  class BodySource;  // an ObjectStream's body over a leased connection
  std::unique_ptr<HttpClient> AcquireHttp();
  void ReleaseHttp(std::unique_ptr<HttpClient> http);

  S3Config config_;
  RetryLogger retry_logger_;
  std::mutex idle_mutex_;
  std::vector<std::unique_ptr<HttpClient>> idle_http_;
};

}  // namespace imgpipe::aws
