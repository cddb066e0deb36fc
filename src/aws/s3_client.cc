#include "aws/s3_client.h"

#include <algorithm>
#include <optional>
#include <random>
#include <thread>

#include "aws/header_text.h"
#include "aws/http.h"
#include "aws/s3_wire.h"
#include "aws/sigv4.h"

namespace imgpipe::aws {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr std::string_view kMetaPrefix = "x-amz-meta-";
constexpr size_t kMaxKeyBytes = 1024;  // S3's limit on a key's UTF-8 length

double UnitRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
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

ErrorCode FinalHttpErrorCode(long status) {
  if (status == 404) {
    return ErrorCode::kNotFound;
  }
  if (status == 403) {
    return ErrorCode::kAccessDenied;
  }
  return ErrorCode::kStorageError;
}

// Time left before the context's deadline; nullopt when it has no deadline.
std::optional<milliseconds> TimeLeft(const InvocationContext& context) {
  if (context.deadline == Clock::time_point::max()) {
    return std::nullopt;
  }
  return std::chrono::duration_cast<milliseconds>(context.deadline - Clock::now());
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
  HeaderList query;          // raw parameters (?versionId=), signed and sent canonical
  long accepted_status = 0;  // a non-2xx status that is an answer, not an error (412 on If-Match)

  Error Fail(ErrorCode code, const std::string& why) const {
    return MakeError(code, ObjectName(bucket, key) + ": " + operation + ": " + why);
  }
};

// What one attempt came to: a response, a final error, or a reason to try again.
struct S3Client::Outcome {
  static Outcome Done(HttpResponse response) { return {std::move(response), std::nullopt, ""}; }
  static Outcome Final(Error error) { return {std::nullopt, std::move(error), ""}; }
  static Outcome Retry(std::string reason) {
    return {std::nullopt, std::nullopt, std::move(reason)};
  }

  std::optional<HttpResponse> response;
  std::optional<Error> error;
  std::string retry_reason;
};

S3Client::S3Client(S3Config config, RetryLogger retry_logger)
    : config_(std::move(config)), retry_logger_(std::move(retry_logger)) {}

S3Client::~S3Client() = default;

// Gives the connection back to the pool whichever way the call ends.
struct S3Client::Lease {
  S3Client& owner;
  std::unique_ptr<HttpClient> http;  // null once handed to a streamed body
  explicit Lease(S3Client& client) : owner(client), http(client.AcquireHttp()) {}
  ~Lease() {
    if (http != nullptr) {
      owner.ReleaseHttp(std::move(http));
    }
  }
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
};

std::unique_ptr<HttpClient> S3Client::AcquireHttp() {
  {
    const std::lock_guard lock(idle_mutex_);
    if (!idle_http_.empty()) {
      std::unique_ptr<HttpClient> http = std::move(idle_http_.back());
      idle_http_.pop_back();
      return http;
    }
  }
  auto http = std::make_unique<HttpClient>();
  http->SetCaBundle(config_.ca_bundle);
  return http;
}

void S3Client::ReleaseHttp(std::unique_ptr<HttpClient> http) {
  const std::lock_guard lock(idle_mutex_);
  idle_http_.push_back(std::move(http));
}

void S3Client::SetRetryLogger(RetryLogger retry_logger) { retry_logger_ = std::move(retry_logger); }

namespace {

Status Validate(const std::string& bucket, const std::string& key) {
  // "." and ".." would be dot segments of a path-style URL, naming no bucket at all.
  if (bucket.empty() || bucket == "." || bucket == ".." || bucket.find('/') != std::string::npos) {
    return MakeError(ErrorCode::kInvalidOptions, "invalid bucket name \"" + bucket + "\"");
  }
  if (key.empty()) {
    return MakeError(ErrorCode::kInvalidOptions, "empty object key");
  }
  if (key.size() > kMaxKeyBytes) {
    return MakeError(ErrorCode::kInvalidOptions, "object key longer than S3's 1024-byte limit");
  }
  return OkStatus();
}

}  // namespace

HttpRequest S3Client::Sign(const InvocationContext& context, const Call& call,
                           const S3Target& target, const std::string& payload_sha) const {
  // Signed afresh for every attempt: the timestamp must be current.
  const std::string amz_date = AmzDateNow();
  HeaderList signed_headers = call.headers;
  signed_headers.emplace_back("host", target.host);
  signed_headers.emplace_back("x-amz-content-sha256", payload_sha);
  signed_headers.emplace_back("x-amz-date", amz_date);
  if (!config_.credentials.session_token.empty()) {
    signed_headers.emplace_back("x-amz-security-token", config_.credentials.session_token);
  }
  const SigV4Request to_sign{call.method, target.canonical_uri, call.query, signed_headers,
                             payload_sha};
  const SigV4Result signature =
      SignV4(to_sign, config_.credentials, SigV4Scope{amz_date, config_.region, "s3"});

  HttpRequest request;
  request.method = call.method;
  request.url = target.url;
  if (!call.query.empty()) {
    request.url += "?" + CanonicalQueryString(call.query);  // exactly the signed form
  }
  request.headers = std::move(signed_headers);
  request.headers.emplace_back("Authorization", signature.authorization);
  if (!context.trace_id.empty()) {
    request.headers.emplace_back("X-Amzn-Trace-Id", context.trace_id);
  }
  request.body = call.body;
  request.connect_timeout = config_.connect_timeout;
  request.timeout = config_.request_timeout;
  request.low_speed_bytes = config_.low_speed_bytes;
  request.low_speed_time = config_.low_speed_time;
  request.max_body_bytes = call.max_body_bytes;
  return request;
}

S3Client::Outcome S3Client::Classify(const Call& call, HttpResult result) const {
  if (!result.ok()) {
    const TransportError& e = result.transport_error;
    if (e.body_too_large) {
      return Outcome::Final(call.Fail(
          ErrorCode::kInputTooLarge,
          "object is larger than the " + std::to_string(call.max_body_bytes) + "-byte limit"));
    }
    std::string reason = e.message + " (curl " + std::to_string(e.curl_code) + ")";
    if (!e.retryable) {
      return Outcome::Final(call.Fail(ErrorCode::kStorageError, reason));
    }
    return Outcome::Retry(std::move(reason));
  }
  const long status = result.response.status;
  if ((status >= 200 && status < 300) ||
      (call.accepted_status != 0 && status == call.accepted_status)) {
    return Outcome::Done(std::move(result.response));
  }
  const S3ErrorBody error = ParseS3Error(result.response.BodyText());
  std::string reason = DescribeHttpFailure(result.response, error);
  if (!IsRetryableHttp(status, error.code)) {
    return Outcome::Final(call.Fail(FinalHttpErrorCode(status), reason));
  }
  return Outcome::Retry(std::move(reason));
}

bool S3Client::MayRetry(const InvocationContext& context, int attempt, Clock::time_point started,
                        milliseconds delay) const {
  RetryPolicy policy = config_.retry;
  policy.max_attempts = std::max(1, policy.max_attempts);
  const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
  const std::optional<milliseconds> left = TimeLeft(context);
  return ShouldRetry(policy, attempt, elapsed, delay) && (!left || delay < *left);
}

namespace {

// Begin for a streamed GET: the headers only when the answer is one the caller takes (2xx, or
// the call's accepted status); any other answer's body is read whole, as Perform would, so
// Classify can read S3's error document.
HttpResult BeginStreamed(HttpClient& http, const HttpRequest& request, long accepted_status) {
  HttpResult result = http.Begin(request);
  const long status = result.response.status;
  if (!result.ok() || (status >= 200 && status < 300) ||
      (accepted_status != 0 && status == accepted_status)) {
    return result;
  }
  uint8_t chunk[4096];
  TransportError error;
  long got;
  while ((got = http.ReadBody(chunk, &error)) > 0 &&
         result.response.body.size() < kSmallResponseBodyBytes) {
    result.response.body.insert(result.response.body.end(), chunk, chunk + got);
  }
  http.EndBody(0);
  if (got < 0) {
    result.response = HttpResponse{};
    result.transport_error = std::move(error);
  }
  return result;
}

}  // namespace

Result<HttpResponse> S3Client::Execute(const InvocationContext& context, const Call& call,
                                       std::unique_ptr<HttpClient>* streamed) {
  if (auto valid = Validate(call.bucket, call.key); !valid.ok()) {
    return call.Fail(valid.error().code, valid.error().message);
  }
  const S3Target target = BuildS3Target(config_, call.bucket, call.key);
  const std::string payload_sha = Sha256Hex(call.body);  // once: retries resend the same bytes
  const auto started = Clock::now();
  const int max_attempts = std::max(1, config_.retry.max_attempts);
  Lease lease(*this);

  for (int attempt = 1;; ++attempt) {
    const std::optional<milliseconds> left = TimeLeft(context);
    if (left && left->count() <= 0) {
      return call.Fail(ErrorCode::kDeadlineExceeded,
                       "invocation deadline reached before attempt " + std::to_string(attempt));
    }
    HttpRequest request = Sign(context, call, target, payload_sha);
    if (left && (request.timeout.count() == 0 || *left < request.timeout)) {
      request.timeout = *left;  // the attempt ends at the deadline at the latest
    }
    Outcome outcome = Classify(call, streamed != nullptr
                                         ? BeginStreamed(*lease.http, request, call.accepted_status)
                                         : lease.http->Perform(request));
    if (outcome.response) {
      if (streamed != nullptr) {
        *streamed = std::move(lease.http);
      }
      return std::move(*outcome.response);
    }
    if (outcome.error) {
      return std::move(*outcome.error);
    }
    const milliseconds delay = FullJitterDelay(config_.retry, attempt - 1, UnitRandom());
    if (!MayRetry(context, attempt, started, delay)) {
      const auto elapsed = std::chrono::duration_cast<milliseconds>(Clock::now() - started);
      return call.Fail(ErrorCode::kStorageError, "gave up after " + std::to_string(attempt) +
                                                     " attempt(s) in " +
                                                     std::to_string(elapsed.count()) +
                                                     " ms; last error: " + outcome.retry_reason);
    }
    if (retry_logger_) {
      retry_logger_(RetryEvent{call.operation, call.bucket, call.key, attempt, max_attempts, delay,
                               outcome.retry_reason});
    }
    std::this_thread::sleep_for(delay);
  }
}

namespace {

Status CheckIfMatch(const GetRequest& request) {
  if (HasControlChars(request.if_match)) {
    return MakeError(ErrorCode::kInvalidOptions, ObjectName(request.bucket, request.key) +
                                                     ": GetObject: If-Match ETag contains "
                                                     "control characters");
  }
  return OkStatus();
}

// A short unread tail (a JPEG's EOI, padding) is read out when a body is let go, so its
// connection serves the next request; a longer one costs less as a new connection.
constexpr uint64_t kDrainBytes = uint64_t{64} * 1024;

}  // namespace

S3Client::Call S3Client::GetCall(const GetRequest& request) const {
  Call call{"GetObject", "GET", request.bucket, request.key, {}, {}, config_.max_get_bytes, {}, 0};
  if (!request.version_id.empty()) {
    call.query.emplace_back("versionId", request.version_id);
  }
  if (!request.if_match.empty()) {
    // S3 compares entity tags in their quoted form; events carry them bare.
    call.headers.emplace_back("If-Match", "\"" + StripEtagQuotes(request.if_match) + "\"");
    call.accepted_status = 412;
  }
  return call;
}

Result<ObjectData> S3Client::Get(const InvocationContext& context, const GetRequest& request) {
  if (auto valid = CheckIfMatch(request); !valid.ok()) {
    return valid.error();
  }
  auto response = Execute(context, GetCall(request));
  if (!response) {
    return response.error();
  }
  ObjectData data;
  if (response->status == 412) {
    data.superseded = true;
    return data;
  }
  data.content_type = response->Header("content-type");
  data.etag = StripEtagQuotes(response->Header("etag"));
  data.metadata = MetadataFrom(*response);
  data.bytes = std::move(response->body);
  return data;
}

// The body of a GetStream: reads off the leased connection, and gives it back when destroyed.
class S3Client::BodySource final : public ByteSource {
 public:
  BodySource(S3Client& owner, std::unique_ptr<HttpClient> http, std::string object,
             uint64_t max_bytes)
      : owner_(owner), http_(std::move(http)), object_(std::move(object)), max_bytes_(max_bytes) {}
  ~BodySource() override {
    http_->EndBody(kDrainBytes);
    owner_.ReleaseHttp(std::move(http_));
  }
  BodySource(const BodySource&) = delete;
  BodySource& operator=(const BodySource&) = delete;

  Result<size_t> Read(std::span<uint8_t> out) override {
    TransportError error;
    const long got = http_->ReadBody(out, &error);
    if (got >= 0) {
      return static_cast<size_t>(got);
    }
    if (error.body_too_large) {
      return MakeError(ErrorCode::kInputTooLarge, object_ +
                                                      ": GetObject: object is larger than the " +
                                                      std::to_string(max_bytes_) + "-byte limit");
    }
    // Not retried here: the decoder has used the bytes before. The record fails as transient.
    return MakeError(ErrorCode::kStorageError,
                     object_ + ": GetObject: reading the body: " + error.message + " (curl " +
                         std::to_string(error.curl_code) + ")");
  }
  std::optional<uint64_t> RemainingHint() const override { return http_->BodyRemaining(); }

 private:
  S3Client& owner_;
  std::unique_ptr<HttpClient> http_;
  std::string object_;
  uint64_t max_bytes_;
};

Result<ObjectStream> S3Client::GetStream(const InvocationContext& context,
                                         const GetRequest& request) {
  if (auto valid = CheckIfMatch(request); !valid.ok()) {
    return valid.error();
  }
  std::unique_ptr<HttpClient> http;
  auto response = Execute(context, GetCall(request), &http);
  if (!response) {
    return response.error();
  }
  ObjectStream stream;
  auto body = std::make_unique<BodySource>(
      *this, std::move(http), ObjectName(request.bucket, request.key), config_.max_get_bytes);
  if (response->status == 412) {
    stream.superseded = true;
    return stream;  // `body` reads out S3's short error document and returns the connection
  }
  stream.size = body->RemainingHint().value_or(0);
  stream.content_type = response->Header("content-type");
  stream.etag = StripEtagQuotes(response->Header("etag"));
  stream.metadata = MetadataFrom(*response);
  stream.body = std::move(body);
  return stream;
}

Result<std::string> S3Client::Put(const InvocationContext& context, const PutRequest& request) {
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
  const Call call{"PutObject",
                  "PUT",
                  request.bucket,
                  request.key,
                  std::move(headers),
                  request.body,
                  kSmallResponseBodyBytes,
                  {},
                  0};
  auto response = Execute(context, call);
  if (!response) {
    return response.error();
  }
  return StripEtagQuotes(response->Header("etag"));
}

}  // namespace imgpipe::aws
