// S3Client against an in-test HTTP server: what goes on the wire (signed headers, trace id,
// encoding) and how failures map to errors. The real-server tests are in s3_client_integration.cc.
#include "aws/s3_client.h"

#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <thread>

#include "aws/test_http_server.h"

namespace imgpipe::aws {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::RecordedRequest;
using testing::Reply;
using testing::TestHttpServer;

const InvocationContext kNoContext;

S3Config ConfigFor(const TestHttpServer& server) {
  S3Config c;
  c.endpoint = "http://" + server.host_port();
  c.credentials = {"AKID", "SECRET", ""};
  c.retry.base_delay = milliseconds(1);
  c.retry.max_delay = milliseconds(5);
  return c;
}

std::span<const uint8_t> Bytes(const std::string& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Reply Ok(std::string body = "") {
  Reply r;
  r.headers = {{"ETag", "\"abc123\""}, {"Content-Type", "image/jpeg"}};
  r.body = std::move(body);
  return r;
}

Reply S3Error(int status, const std::string& code, const std::string& message) {
  Reply r;
  r.status = status;
  r.body = "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>" + message +
           "</Message></Error>";
  return r;
}

TEST(S3Client, PutSignsEveryHeaderItSendsAndEncodesTheKey) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(); });
  S3Config config = ConfigFor(server);
  config.credentials.session_token = "SESSION";
  S3Client client(config);
  const InvocationContext traced{"Root=1-abc"};
  const std::string body = "jpeg bytes";
  PutRequest put{"out",        "dir/my photo+\xC3\xA9%.jpg",
                 Bytes(body),  "image/jpeg",
                 "max-age=60", {{"source-key", "in/x.png"}, {"source-etag", "e1"}}};
  auto etag = client.Put(traced, put);
  ASSERT_TRUE(etag.ok()) << etag.error().message;
  EXPECT_EQ(*etag, "abc123");

  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const auto& r = reqs[0];
  EXPECT_EQ(r.method, "PUT");
  EXPECT_EQ(r.target, "/out/dir/my%20photo%2B%C3%A9%25.jpg");
  EXPECT_EQ(r.body, body);
  EXPECT_EQ(r.headers.at("host"), server.host_port());
  EXPECT_EQ(r.headers.at("content-type"), "image/jpeg");
  EXPECT_EQ(r.headers.at("cache-control"), "max-age=60");
  EXPECT_EQ(r.headers.at("x-amz-meta-source-key"), "in/x.png");
  EXPECT_EQ(r.headers.at("x-amz-security-token"), "SESSION");
  EXPECT_EQ(r.headers.at("x-amz-content-sha256"), Sha256Hex(std::string_view(body)));
  EXPECT_EQ(r.headers.at("x-amzn-trace-id"), "Root=1-abc");
  EXPECT_EQ(r.headers.count("expect"), 0u);
  const std::string& auth = r.headers.at("authorization");
  EXPECT_TRUE(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKID/")) << auth;
  EXPECT_NE(auth.find("/us-east-1/s3/aws4_request,"), std::string::npos) << auth;
  EXPECT_NE(auth.find("SignedHeaders=cache-control;content-type;host;x-amz-content-sha256;"
                      "x-amz-date;x-amz-meta-source-etag;x-amz-meta-source-key;"
                      "x-amz-security-token,"),
            std::string::npos)
      << auth;
}

TEST(S3Client, SignatureVerifiesAgainstTheRequestAsReceived) {
  // Recompute the signature from what the server received: proves curl sent exactly the signed
  // path, host and headers (no re-encoding, no dot-segment removal).
  TestHttpServer server([](const RecordedRequest&) { return Ok("x"); });
  S3Client client(ConfigFor(server));
  ASSERT_TRUE(client.Get(kNoContext, "b", "a/../b//c d/.").ok());
  const auto r = server.requests().at(0);
  EXPECT_EQ(r.target, "/b/a/%2E%2E/b//c%20d/%2E");
  SigV4Request req{"GET",
                   r.target,
                   {},
                   {{"host", r.headers.at("host")},
                    {"x-amz-content-sha256", r.headers.at("x-amz-content-sha256")},
                    {"x-amz-date", r.headers.at("x-amz-date")}},
                   r.headers.at("x-amz-content-sha256")};
  const auto expected =
      SignV4(req, {"AKID", "SECRET", ""}, {r.headers.at("x-amz-date"), "us-east-1", "s3"});
  EXPECT_EQ(r.headers.at("authorization"), expected.authorization);
}

TEST(S3Client, NoTraceHeaderWhenUnset) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(); });
  S3Client client(ConfigFor(server));
  (void)client.Get(kNoContext, "b", "k");
  EXPECT_EQ(server.requests().at(0).headers.count("x-amzn-trace-id"), 0u);
}

TEST(S3Client, GetParsesEtagTypeAndMetadata) {
  TestHttpServer server([](const RecordedRequest&) {
    Reply r = Ok("payload");
    r.headers.push_back({"x-amz-meta-source-key", "=?UTF-8?B?cGhvdG/DqS5qcGc=?="});
    r.headers.push_back({"X-Amz-Meta-Imgpipe", "1"});
    return r;
  });
  S3Client client(ConfigFor(server));
  auto got = client.Get(kNoContext, "b", "k");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(std::string(got->bytes.begin(), got->bytes.end()), "payload");
  EXPECT_EQ(got->etag, "abc123");
  EXPECT_EQ(got->content_type, "image/jpeg");
  EXPECT_EQ(got->metadata.at("source-key"), "photo\xC3\xA9.jpg");
  EXPECT_EQ(got->metadata.at("imgpipe"), "1");
}

TEST(S3Client, ErrorMapping) {
  struct Case {
    Reply reply;
    ErrorCode code;
    std::string fragment;
  };
  const std::vector<Case> cases = {
      {S3Error(404, "NoSuchKey", "The specified key does not exist."), ErrorCode::kNotFound,
       "HTTP 404 NoSuchKey: The specified key does not exist."},
      {S3Error(403, "AccessDenied", "Access Denied"), ErrorCode::kAccessDenied,
       "HTTP 403 AccessDenied: Access Denied"},
      {S3Error(400, "InvalidRequest", "Missing required header"), ErrorCode::kStorageError,
       "HTTP 400 InvalidRequest"},
      {S3Error(301, "PermanentRedirect", "Use the eu-west-1 endpoint"), ErrorCode::kStorageError,
       "PermanentRedirect"},
  };
  for (const auto& c : cases) {
    int calls = 0;
    TestHttpServer server([&](const RecordedRequest&) {
      ++calls;
      return c.reply;
    });
    S3Client client(ConfigFor(server));
    auto got = client.Get(kNoContext, "bucket", "dir/key.jpg");
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.error().code, c.code) << got.error().message;
    EXPECT_NE(got.error().message.find(c.fragment), std::string::npos) << got.error().message;
    EXPECT_NE(got.error().message.find("s3://bucket/dir/key.jpg: GetObject"), std::string::npos);
    EXPECT_EQ(calls, 1) << "non-retryable errors must not be retried";
  }
}

TEST(S3Client, ErrorsWithoutBodyStillMap) {
  TestHttpServer server([](const RecordedRequest&) {
    Reply r;
    r.status = 404;
    return r;
  });
  S3Client client(ConfigFor(server));
  auto got = client.Get(kNoContext, "b", "missing");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kNotFound);
  EXPECT_NE(got.error().message.find("s3://b/missing: GetObject: HTTP 404"), std::string::npos);
}

TEST(S3Client, RetriesServerErrorsWithBackoffAndLogsEachRetry) {
  int calls = 0;
  TestHttpServer server([&](const RecordedRequest&) {
    return ++calls <= 2 ? S3Error(503, "SlowDown", "Please reduce your request rate.") : Ok("ok");
  });
  std::vector<RetryEvent> events;
  S3Client client(ConfigFor(server), [&](const RetryEvent& e) { events.push_back(e); });
  auto got = client.Get(kNoContext, "b", "k");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(calls, 3);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].operation, "GetObject");
  EXPECT_EQ(events[0].bucket, "b");
  EXPECT_EQ(events[0].key, "k");
  EXPECT_EQ(events[0].attempt, 1);
  EXPECT_EQ(events[1].attempt, 2);
  EXPECT_EQ(events[0].max_attempts, 4);
  EXPECT_EQ(events[0].reason, "HTTP 503 SlowDown: Please reduce your request rate.");
  EXPECT_LE(events[1].delay, milliseconds(5));
  // Every attempt is signed afresh and carries a valid Authorization.
  for (const auto& r : server.requests()) {
    EXPECT_EQ(r.headers.count("authorization"), 1u);
  }
}

TEST(S3Client, ExhaustedRetriesGiveStorageError) {
  int calls = 0;
  TestHttpServer server([&](const RecordedRequest&) {
    ++calls;
    return S3Error(500, "InternalError", "We encountered an internal error.");
  });
  S3Config config = ConfigFor(server);
  config.retry.max_attempts = 3;
  int logged = 0;
  S3Client client(config, [&](const RetryEvent&) { ++logged; });
  const std::string body = "data";
  auto put = client.Put(kNoContext, {"b", "k", Bytes(body), "text/plain", "", {}});
  ASSERT_FALSE(put.ok());
  EXPECT_EQ(put.error().code, ErrorCode::kStorageError);
  EXPECT_NE(put.error().message.find("s3://b/k: PutObject: gave up after 3 attempt(s)"),
            std::string::npos)
      << put.error().message;
  EXPECT_NE(put.error().message.find("HTTP 500 InternalError"), std::string::npos);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(logged, 2);
  for (const auto& r : server.requests()) {
    EXPECT_EQ(r.body, body);  // the body is resent whole
  }
}

TEST(S3Client, TotalTimeBudgetStopsRetriesEarly) {
  int calls = 0;
  TestHttpServer server([&](const RecordedRequest&) {
    ++calls;
    Reply r = S3Error(500, "InternalError", "x");
    r.delay = milliseconds(150);
    return r;
  });
  S3Config config = ConfigFor(server);
  config.retry.max_attempts = 10;
  config.retry.max_total = milliseconds(200);
  S3Client client(config);
  auto got = client.Get(kNoContext, "b", "k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kStorageError);
  EXPECT_LE(calls, 2);
}

TEST(S3Client, StalledResponseTimesOutAndIsRetried) {
  int calls = 0;
  TestHttpServer server([&](const RecordedRequest&) {
    Reply r = Ok("late");
    if (++calls == 1) {
      r.delay = milliseconds(1500);
    }
    return r;
  });
  S3Config config = ConfigFor(server);
  config.request_timeout = milliseconds(300);
  std::vector<RetryEvent> events;
  S3Client client(config, [&](const RetryEvent& e) { events.push_back(e); });
  auto got = client.Get(kNoContext, "b", "k");
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_EQ(events.size(), 1u);
  EXPECT_NE(events[0].reason.find("curl 28"), std::string::npos) << events[0].reason;
}

TEST(S3Client, ResetConnectionIsRetried) {
  int calls = 0;
  TestHttpServer server([&](const RecordedRequest&) {
    Reply r = Ok("fine");
    r.reset = ++calls == 1;
    return r;
  });
  int logged = 0;
  S3Client client(ConfigFor(server), [&](const RetryEvent&) { ++logged; });
  auto got = client.Get(kNoContext, "b", "k");
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(logged, 1);
}

TEST(S3Client, RefusedConnectionExhaustsRetries) {
  std::string dead;
  {
    TestHttpServer server([](const RecordedRequest&) { return Ok(); });
    dead = server.host_port();
  }
  S3Config config;
  config.endpoint = "http://" + dead;
  config.credentials = {"AKID", "SECRET", ""};
  config.retry.base_delay = milliseconds(1);
  int logged = 0;
  S3Client client(config, [&](const RetryEvent&) { ++logged; });
  auto got = client.Get(kNoContext, "b", "k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kStorageError);
  EXPECT_NE(got.error().message.find("gave up after 4 attempt(s)"), std::string::npos);
  EXPECT_EQ(logged, 3);
}

TEST(S3Client, GetAboveMaxBytesIsInputTooLargeWithoutRetry) {
  int calls = 0;
  TestHttpServer server([&](const RecordedRequest&) {
    ++calls;
    return Ok(std::string(100000, 'x'));
  });
  S3Config config = ConfigFor(server);
  config.max_get_bytes = 1000;
  S3Client client(config);
  auto got = client.Get(kNoContext, "b", "big.jpg");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kInputTooLarge);
  EXPECT_NE(got.error().message.find("s3://b/big.jpg"), std::string::npos);
  EXPECT_EQ(calls, 1);
  config.max_get_bytes = 100000;  // exactly the size: allowed
  S3Client exact(config);
  EXPECT_TRUE(exact.Get(kNoContext, "b", "big.jpg").ok());
}

TEST(S3Client, PassedDeadlineStopsBeforeSending) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(); });
  S3Client client(ConfigFor(server));
  const InvocationContext expired{"", steady_clock::now() - milliseconds(1)};
  auto got = client.Get(expired, "b", "k");
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.error().code, ErrorCode::kDeadlineExceeded);
  EXPECT_TRUE(server.requests().empty());
  // The deadline belongs to the call, not to the client: the next call has none.
  EXPECT_TRUE(client.Get(kNoContext, "b", "k").ok());
}

TEST(S3Client, DeadlineStopsRetriesThatWouldSleepPastIt) {
  int calls = 0;
  TestHttpServer server([&](const RecordedRequest&) {
    ++calls;
    return S3Error(503, "SlowDown", "Please reduce your request rate.");
  });
  S3Config config = ConfigFor(server);
  config.retry.base_delay = milliseconds(400);
  config.retry.max_delay = milliseconds(400);
  config.retry.max_attempts = 10;
  S3Client client(config);
  const auto started = steady_clock::now();
  auto got = client.Get({"", started + milliseconds(300)}, "b", "k");
  ASSERT_FALSE(got.ok());
  // Either no retry could sleep and still start before the deadline, or the next attempt found
  // it passed; never a sleep past it.
  EXPECT_TRUE(got.error().code == ErrorCode::kStorageError ||
              got.error().code == ErrorCode::kDeadlineExceeded)
      << got.error().message;
  EXPECT_LT(steady_clock::now() - started, milliseconds(600));
  EXPECT_LT(calls, 10);
}

TEST(S3Client, TraceIdTravelsWithEachCallOnly) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(); });
  S3Client client(ConfigFor(server));
  ASSERT_TRUE(client.Get({"Root=1-first"}, "b", "k").ok());
  ASSERT_TRUE(client.Get(kNoContext, "b", "k").ok());
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 2u);
  EXPECT_EQ(reqs[0].headers.at("x-amzn-trace-id"), "Root=1-first");
  EXPECT_EQ(reqs[1].headers.count("x-amzn-trace-id"), 0u);
}

TEST(S3Client, DotSegmentBucketsAreRejectedBeforeSending) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(); });
  S3Client client(ConfigFor(server));
  for (const char* bucket : {".", ".."}) {
    auto got = client.Get(kNoContext, bucket, "x.jpg");
    ASSERT_FALSE(got.ok()) << bucket;
    EXPECT_EQ(got.error().code, ErrorCode::kInvalidOptions);
  }
  EXPECT_TRUE(server.requests().empty());
}

TEST(S3Client, InvalidRequestsAreRejectedBeforeSending) {
  TestHttpServer server([](const RecordedRequest&) { return Ok(); });
  S3Client client(ConfigFor(server));
  const std::string body = "x";
  EXPECT_EQ(client.Get(kNoContext, "b", "").error().code, ErrorCode::kInvalidOptions);
  EXPECT_EQ(client.Get(kNoContext, "", "k").error().code, ErrorCode::kInvalidOptions);
  EXPECT_EQ(client.Get(kNoContext, "b", std::string(1025, 'k')).error().code,
            ErrorCode::kInvalidOptions);
  auto bad_type =
      client.Put(kNoContext, {"b", "k", Bytes(body), "image/jpeg\r\nX-Evil: 1", "", {}});
  EXPECT_EQ(bad_type.error().code, ErrorCode::kInvalidOptions);
  EXPECT_NE(bad_type.error().message.find("Content-Type"), std::string::npos);
  auto bad_meta =
      client.Put(kNoContext, {"b", "k", Bytes(body), "image/jpeg", "", {{"Bad Name", "v"}}});
  EXPECT_EQ(bad_meta.error().code, ErrorCode::kInvalidOptions);
  EXPECT_NE(bad_meta.error().message.find("Bad Name"), std::string::npos);
  EXPECT_TRUE(server.requests().empty());
}

TEST(S3Client, ConnectionIsReusedAcrossCalls) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("x"); });
  S3Client client(ConfigFor(server));
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client.Get(kNoContext, "b", "k" + std::to_string(i)).ok());
  }
  EXPECT_EQ(server.connections(), 1);
}

// The signature the server would compute for a GET it received, over `signed_names`.
std::string ExpectedAuthorization(const RecordedRequest& r, const std::string& path,
                                  HeaderList query, const std::vector<std::string>& signed_names) {
  HeaderList headers;
  for (const auto& name : signed_names) headers.emplace_back(name, r.headers.at(name));
  const SigV4Request req{"GET", path, std::move(query), headers,
                         r.headers.at("x-amz-content-sha256")};
  return SignV4(req, {"AKID", "SECRET", ""}, {r.headers.at("x-amz-date"), "us-east-1", "s3"})
      .authorization;
}

TEST(S3Client, VersionIdIsSentAsASignedQuery) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("old upload"); });
  S3Client client(ConfigFor(server));
  const std::string version = "3/L4kqtJl+cpXroD=TDmJ.rmSpXd3dIbrHY_";
  auto got = client.Get(kNoContext, GetRequest{"b", "dir/k.jpg", version, {}});
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_EQ(std::string(got->bytes.begin(), got->bytes.end()), "old upload");
  const auto r = server.requests().at(0);
  EXPECT_EQ(r.target, "/b/dir/k.jpg?versionId=3%2FL4kqtJl%2BcpXroD%3DTDmJ.rmSpXd3dIbrHY_");
  EXPECT_EQ(r.headers.count("if-match"), 0u) << "a version is exact: no condition needed";
  EXPECT_EQ(r.headers.at("authorization"),
            ExpectedAuthorization(r, "/b/dir/k.jpg", {{"versionId", version}},
                                  {"host", "x-amz-content-sha256", "x-amz-date"}));
}

TEST(S3Client, IfMatchSendsTheQuotedEtagSigned) {
  TestHttpServer server([](const RecordedRequest&) { return Ok("x"); });
  S3Client client(ConfigFor(server));
  for (const char* etag : {"abc123", "\"abc123\""}) {
    auto got = client.Get(kNoContext, GetRequest{"b", "k", {}, etag});
    ASSERT_TRUE(got.ok()) << got.error().message;
    EXPECT_FALSE(got->superseded);
  }
  for (const auto& r : server.requests()) {
    EXPECT_EQ(r.target, "/b/k");
    EXPECT_EQ(r.headers.at("if-match"), "\"abc123\"");
    EXPECT_EQ(r.headers.at("authorization"),
              ExpectedAuthorization(r, "/b/k", {},
                                    {"host", "if-match", "x-amz-content-sha256", "x-amz-date"}));
  }
  EXPECT_EQ(client.Get(kNoContext, GetRequest{"b", "k", {}, "a\r\nX-Evil: 1"}).error().code,
            ErrorCode::kInvalidOptions);
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST(S3Client, PreconditionFailedIsSupersededNotAnErrorNorARetry) {
  TestHttpServer server([](const RecordedRequest&) {
    return S3Error(412, "PreconditionFailed",
                   "At least one of the pre-conditions you specified did not hold");
  });
  S3Client client(ConfigFor(server));
  auto got = client.Get(kNoContext, GetRequest{"b", "k", {}, "old-etag"});
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_TRUE(got->superseded);
  EXPECT_TRUE(got->bytes.empty());
  EXPECT_TRUE(got->metadata.empty());
  EXPECT_EQ(server.requests().size(), 1u);

  // Without If-Match a 412 answers no question we asked: an error, as before.
  auto unconditional = client.Get(kNoContext, "b", "k");
  ASSERT_FALSE(unconditional.ok());
  EXPECT_EQ(unconditional.error().code, ErrorCode::kStorageError);
  EXPECT_NE(unconditional.error().message.find("HTTP 412 PreconditionFailed"), std::string::npos);
}

// The streamed Get: a 412 is superseded with no body; a 503 is retried with its error document
// read whole, as for Get; the body of the 200 then streams, and once it is let go the next call
// reuses the connection.
TEST(S3Client, StreamedGetSupersededRetriedAndStreamed) {
  int calls = 0;
  TestHttpServer server([&](const RecordedRequest& request) {
    ++calls;
    if (request.headers.count("if-match") != 0) {
      return S3Error(412, "PreconditionFailed", "At least one of the pre-conditions did not hold");
    }
    if (calls == 2) {
      return S3Error(503, "SlowDown", "Please reduce your request rate.");
    }
    return Ok("streamed body");
  });
  int retries = 0;
  S3Client client(ConfigFor(server), [&](const RetryEvent&) { ++retries; });
  auto superseded = client.GetStream(kNoContext, GetRequest{"b", "k", {}, "old-etag"});
  ASSERT_TRUE(superseded.ok()) << superseded.error().message;
  EXPECT_TRUE(superseded->superseded);
  EXPECT_EQ(superseded->body, nullptr);

  auto stream = client.GetStream(kNoContext, GetRequest{"b", "k", {}, {}});
  ASSERT_TRUE(stream.ok()) << stream.error().message;
  EXPECT_EQ(retries, 1);
  EXPECT_EQ(stream->size, 13u);
  auto all = ReadAll(*stream->body, 100);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_EQ(std::string(all->begin(), all->end()), "streamed body");
  stream->body.reset();
  ASSERT_TRUE(client.Get(kNoContext, "b", "k").ok());
  EXPECT_EQ(server.connections(), 1);
}

TEST(S3Client, ConcurrentCallsEachGetTheirOwnKeptAliveConnection) {
  // Every request waits until three are in the server at once (or 5 s pass, which fails the
  // expectations below rather than hanging).
  std::mutex mutex;
  std::condition_variable arrived;
  int in_server = 0;
  int most = 0;
  TestHttpServer server([&](const RecordedRequest&) {
    std::unique_lock lock(mutex);
    most = std::max(most, ++in_server);
    arrived.notify_all();
    arrived.wait_for(lock, std::chrono::seconds(5), [&] { return most >= 3; });
    --in_server;
    return Ok("x");
  });
  S3Client client(ConfigFor(server));
  std::vector<std::thread> callers;
  std::atomic<int> ok{0};
  for (int i = 0; i < 3; ++i) {
    callers.emplace_back(
        [&, i] { ok += client.Get(kNoContext, "b", "k" + std::to_string(i)).ok(); });
  }
  for (auto& t : callers) t.join();
  EXPECT_EQ(ok, 3);
  EXPECT_EQ(most, 3);
  EXPECT_EQ(server.connections(), 3);
  // Afterwards the pool keeps them: sequential calls open none.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(client.Get(kNoContext, "b", "again").ok());
  EXPECT_EQ(server.connections(), 3);
}

}  // namespace
}  // namespace imgpipe::aws
