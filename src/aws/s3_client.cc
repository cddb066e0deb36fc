#include "aws/s3_client.h"

#include <charconv>
#include <random>
#include <thread>

#include "aws/http.h"
#include "aws/s3_wire.h"
#include "aws/sigv4.h"

namespace imgpipe::aws {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kMetaPrefix = "x-amz-meta-";

int64_t NowEpochMs() {
  return std::chrono::duration_cast<milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

double UnitRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
}

bool HasControlChars(std::string_view s) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      return true;
    }
  }
  return false;
}

Metadata MetadataFrom(const HttpResponse& response) {
  Metadata out;
  for (const auto& [name, value] : response.headers) {
    if (name.starts_with(kMetaPrefix)) {
      out.emplace(name.substr(kMetaPrefix.size()), DecodeMetadataValue(value));
    }
  }
  return out;
}

std::string ObjectName(const std::string& bucket, const std::string& key) {
  return "s3://" + bucket + "/" + key;
}

// "HTTP 403 SignatureDoesNotMatch: The request signature ..." (parts omitted when absent).
std::string DescribeHttpFailure(const HttpResponse& response, const S3ErrorBody& error) {
  std::string out = "HTTP " + std::to_string(response.status);
  if (!error.code.empty()) {
    out += " " + error.code;
  }
  if (!error.message.empty()) {
    out += ": " + error.message;
  }
  return out;
}

}  // namespace

struct S3Client::Call {
  std::string operation;
  std::string method;
  const std::string& bucket;
  const std::string& key;
  HeaderList headers;  // operation-specific headers (signed)
  std::span<const uint8_t> body;
  uint64_t max_body_bytes = 0;
};

struct S3Client::Attempt {
  HttpResponse response;
};

S3Client::S3Client(S3Config config, RetryLogger retry_logger)
    : config_(std::move(config)),
      retry_logger_(std::move(retry_logger)),
      http_(std::make_unique<HttpClient>()) {
  http_->SetCaBundle(config_.ca_bundle);
}

S3Client::~S3Client() = default;

void S3Client::SetTraceId(std::string trace_id) { trace_id_ = std::move(trace_id); }
void S3Client::SetDeadlineMs(int64_t deadline_epoch_ms) { deadline_epoch_ms_ = deadline_epoch_ms; }
void S3Client::SetRetryLogger(RetryLogger retry_logger) { retry_logger_ = std::move(retry_logger); }

Result<S3Client::Attempt> S3Client::Execute(const Call& call) {
  const std::string object = ObjectName(call.bucket, call.key);
  const auto fail = [&](ErrorCode code, const std::string& why) {
    return MakeError(code, object + ": " + call.operation + ": " + why);
  };
  if (call.bucket.empty() || call.bucket.find('/') != std::string::npos) {
    return fail(ErrorCode::kInvalidOptions, "invalid bucket name \"" + call.bucket + "\"");
  }
  if (call.key.empty()) {
    return fail(ErrorCode::kInvalidOptions, "empty object key");
  }
  if (call.key.size() > 1024) {
    return fail(ErrorCode::kInvalidOptions, "object key longer than S3's 1024-byte limit");
  }

  const S3Target target = BuildS3Target(config_, call.bucket, call.key);
  const std::string payload_sha = Sha256Hex(call.body);  // once: retries resend the same bytes
  const auto started = Clock::now();
  const int max_attempts = std::max(1, config_.retry.max_attempts);

  for (int attempt = 1;; ++attempt) {
    milliseconds timeout = config_.request_timeout;
    if (deadline_epoch_ms_ != 0) {
      const int64_t remaining = deadline_epoch_ms_ - NowEpochMs();
      if (remaining <= 0) {
        return fail(ErrorCode::kDeadlineExceeded,
                    "invocation deadline reached before attempt " + std::to_string(attempt));
      }
      if (timeout.count() == 0 || remaining < timeout.count()) {
        timeout = milliseconds(remaining);
      }
    }

    // Signed afresh for every attempt: the timestamp must be current.
    const std::string amz_date = AmzDateNow();
    HeaderList signed_headers = call.headers;
    signed_headers.emplace_back("host", target.host);
    signed_headers.emplace_back("x-amz-content-sha256", payload_sha);
    signed_headers.emplace_back("x-amz-date", amz_date);
    if (!config_.credentials.session_token.empty()) {
      signed_headers.emplace_back("x-amz-security-token", config_.credentials.session_token);
    }
    const SigV4Request to_sign{call.method, target.canonical_uri, {}, signed_headers, payload_sha};
    const SigV4Result signature =
        SignV4(to_sign, config_.credentials, SigV4Scope{amz_date, config_.region, "s3"});

    HttpRequest request;
    request.method = call.method;
    request.url = target.url;
    request.headers = std::move(signed_headers);
    request.headers.emplace_back("Authorization", signature.authorization);
    if (!trace_id_.empty()) {
      request.headers.emplace_back("X-Amzn-Trace-Id", trace_id_);
    }
    request.body = call.body;
    request.connect_timeout = config_.connect_timeout;
    request.timeout = timeout;
    request.low_speed_bytes = config_.low_speed_bytes;
    request.low_speed_time = config_.low_speed_time;
    request.max_body_bytes = call.max_body_bytes;

    HttpResult result = http_->Perform(request);

    std::string reason;
    bool retryable = false;
    if (!result.ok()) {
      const auto& e = result.transport_error;
      if (e.body_too_large) {
        return fail(
            ErrorCode::kInputTooLarge,
            "object is larger than the " + std::to_string(call.max_body_bytes) + "-byte limit");
      }
      reason = e.message + " (curl " + std::to_string(e.curl_code) + ")";
      retryable = e.retryable;
    } else {
      const long status = result.response.status;
      if (status >= 200 && status < 300) {
        return Attempt{std::move(result.response)};
      }
      const S3ErrorBody error = ParseS3Error(result.response.BodyText());
      reason = DescribeHttpFailure(result.response, error);
      retryable = IsRetryableHttp(status, error.code);
      if (!retryable) {
        if (status == 404) {
          return fail(ErrorCode::kNotFound, reason);
        }
        if (status == 403) {
          return fail(ErrorCode::kAccessDenied, reason);
        }
        return fail(ErrorCode::kStorageError, reason);
      }
    }
    if (!retryable) {
      return fail(ErrorCode::kStorageError, reason);
    }

    const milliseconds delay = FullJitterDelay(config_.retry, attempt - 1, UnitRandom());
    const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
    RetryPolicy policy = config_.retry;
    policy.max_attempts = max_attempts;
    const bool deadline_allows =
        deadline_epoch_ms_ == 0 || NowEpochMs() + delay.count() < deadline_epoch_ms_;
    if (!ShouldRetry(policy, attempt, elapsed, delay) || !deadline_allows) {
      return fail(ErrorCode::kStorageError,
                  "gave up after " + std::to_string(attempt) + " attempt(s) in " +
                      std::to_string(elapsed.count()) + " ms; last error: " + reason);
    }
    if (retry_logger_) {
      retry_logger_(
          RetryEvent{call.operation, call.bucket, call.key, attempt, max_attempts, delay, reason});
    }
    std::this_thread::sleep_for(delay);
  }
}

Result<ObjectData> S3Client::Get(const std::string& bucket, const std::string& key) {
  Call call{"GetObject", "GET", bucket, key, {}, {}, config_.max_get_bytes};
  auto attempt = Execute(call);
  if (!attempt) {
    return attempt.error();
  }
  HttpResponse& r = attempt->response;
  ObjectData data;
  data.content_type = r.Header("content-type");
  data.etag = StripEtagQuotes(r.Header("etag"));
  data.metadata = MetadataFrom(r);
  data.bytes = std::move(r.body);
  return data;
}

Result<ObjectHead> S3Client::Head(const std::string& bucket, const std::string& key) {
  Call call{"HeadObject", "HEAD", bucket, key, {}, {}, 0};
  auto attempt = Execute(call);
  if (!attempt) {
    return attempt.error();
  }
  const HttpResponse& r = attempt->response;
  ObjectHead head;
  const std::string length = r.Header("content-length");
  const auto parsed = std::from_chars(length.data(), length.data() + length.size(), head.size);
  if (length.empty() || parsed.ec != std::errc() || parsed.ptr != length.data() + length.size()) {
    return MakeError(ErrorCode::kStorageError, ObjectName(bucket, key) +
                                                   ": HeadObject: missing or invalid "
                                                   "Content-Length \"" +
                                                   length + "\"");
  }
  head.content_type = r.Header("content-type");
  head.etag = StripEtagQuotes(r.Header("etag"));
  head.metadata = MetadataFrom(r);
  return head;
}

Result<std::string> S3Client::Put(const PutRequest& request) {
  const std::string object = ObjectName(request.bucket, request.key);
  HeaderList headers;
  // Header values must not smuggle CR/LF (header injection) or other control characters.
  for (const auto& [name, value] : {std::pair{"Content-Type", &request.content_type},
                                    std::pair{"Cache-Control", &request.cache_control}}) {
    if (HasControlChars(*value)) {
      return MakeError(ErrorCode::kInvalidOptions,
                       object + ": PutObject: " + name + " contains control characters");
    }
    if (!value->empty()) {
      headers.emplace_back(name, *value);
    }
  }
  for (const auto& [name, value] : request.metadata) {
    if (!IsValidMetadataName(name)) {
      std::string message = object;
      message += ": PutObject: invalid metadata name \"";
      message += name;
      message += "\" (use lower-case letters, digits, '-', '_', '.')";
      return MakeError(ErrorCode::kInvalidOptions, std::move(message));
    }
    headers.emplace_back(std::string(kMetaPrefix) + name, EncodeMetadataValue(value));
  }
  Call call{"PutObject", "PUT", request.bucket, request.key, std::move(headers), request.body, 0};
  auto attempt = Execute(call);
  if (!attempt) {
    return attempt.error();
  }
  return StripEtagQuotes(attempt->response.Header("etag"));
}

}  // namespace imgpipe::aws
