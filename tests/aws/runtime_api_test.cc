// RuntimeApi against an in-test server that speaks the four Runtime API endpoints.
#include "aws/runtime_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "aws/test_http_server.h"

namespace imgpipe::aws {
namespace {

using std::chrono::milliseconds;
using std::chrono::steady_clock;
using testing::RecordedRequest;
using testing::Reply;
using testing::TestHttpServer;

constexpr char kNext[] = "/2018-06-01/runtime/invocation/next";

Reply NextEvent(std::string id, std::string payload) {
  Reply r;
  r.headers = {{"Lambda-Runtime-Aws-Request-Id", std::move(id)},
               {"Lambda-Runtime-Deadline-Ms", "1700000000123"},
               {"Lambda-Runtime-Invoked-Function-Arn",
                "arn:aws:lambda:us-east-1:123456789012:function:imgpipe"},
               {"Lambda-Runtime-Trace-Id",
                "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1"},
               {"Content-Type", "application/json"}};
  r.body = std::move(payload);
  return r;
}

Reply Accepted() {
  Reply r;
  r.status = 202;
  r.body = R"({"status":"OK"})";
  return r;
}

TEST(RuntimeApi, NextParsesEveryHeaderAndThePayload) {
  TestHttpServer server([](const RecordedRequest& req) {
    EXPECT_EQ(req.method, "GET");
    EXPECT_EQ(req.target, kNext);
    return NextEvent("8476a536-e9f4-11e8-9739-2dfe598c3fcd", R"({"Records":[]})");
  });
  RuntimeApi api(server.host_port());
  auto inv = api.Next();
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->request_id, "8476a536-e9f4-11e8-9739-2dfe598c3fcd");
  // The header's 2023 epoch deadline has passed: the invocation is due now, not in 15 minutes.
  EXPECT_LE(inv->context.deadline, steady_clock::now());
  EXPECT_EQ(inv->context.trace_id,
            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1");
  EXPECT_EQ(inv->payload, R"({"Records":[]})");
}

TEST(RuntimeApi, PostResponseSendsBodyToTheRequestsUrl) {
  TestHttpServer server([](const RecordedRequest&) { return Accepted(); });
  RuntimeApi api(server.host_port());
  const std::string body = R"({"batchItemFailures":[]})";
  ASSERT_TRUE(api.PostResponse("req-1", body).ok());
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].method, "POST");
  EXPECT_EQ(reqs[0].target, "/2018-06-01/runtime/invocation/req-1/response");
  EXPECT_EQ(reqs[0].body, body);
  EXPECT_EQ(reqs[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(reqs[0].headers.at("content-length"), std::to_string(body.size()));
  EXPECT_EQ(reqs[0].headers.count("lambda-runtime-function-error-type"), 0u);
}

TEST(RuntimeApi, PostErrorSendsJsonAndErrorTypeHeader) {
  TestHttpServer server([](const RecordedRequest&) { return Accepted(); });
  RuntimeApi api(server.host_port());
  // The message quotes a key with a quote, a newline and an invalid UTF-8 byte.
  ASSERT_TRUE(api.PostError("req-2", "StorageError", "s3://in/a\"b\n\xff.jpg: HTTP 503").ok());
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/2018-06-01/runtime/invocation/req-2/error");
  EXPECT_EQ(reqs[0].headers.at("lambda-runtime-function-error-type"), "StorageError");
  EXPECT_EQ(reqs[0].headers.at("content-type"), "application/json");
  const auto j = nlohmann::json::parse(reqs[0].body);
  EXPECT_EQ(j.at("errorType"), "StorageError");
  EXPECT_EQ(j.at("errorMessage"), "s3://in/a\"b\n\xEF\xBF\xBD.jpg: HTTP 503");  // U+FFFD
}

TEST(RuntimeApi, PostInitError) {
  TestHttpServer server([](const RecordedRequest&) { return Accepted(); });
  RuntimeApi api(server.host_port());
  ASSERT_TRUE(api.PostInitError("InvalidConfig", "OUTPUT_BUCKET is not set").ok());
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].target, "/2018-06-01/runtime/init/error");
  EXPECT_EQ(reqs[0].headers.at("lambda-runtime-function-error-type"), "InvalidConfig");
  const auto j = nlohmann::json::parse(reqs[0].body);
  EXPECT_EQ(j.at("errorType"), "InvalidConfig");
  EXPECT_EQ(j.at("errorMessage"), "OUTPUT_BUCKET is not set");
}

TEST(RuntimeApi, LoopReusesOneConnection) {
  int served = 0;
  TestHttpServer server([&](const RecordedRequest& req) {
    if (req.target == kNext) {
      return NextEvent("id-" + std::to_string(served++), "{}");
    }
    return Accepted();
  });
  RuntimeApi api(server.host_port());
  for (int i = 0; i < 5; ++i) {
    auto inv = api.Next();
    ASSERT_TRUE(inv.ok()) << inv.error().message;
    EXPECT_EQ(inv->request_id, "id-" + std::to_string(i));
    ASSERT_TRUE(api.PostResponse(inv->request_id, "{}").ok());
  }
  EXPECT_EQ(server.requests().size(), 10u);
  EXPECT_EQ(server.connections(), 1);
}

TEST(RuntimeApi, NextWaitsLongerThanThePostTimeout) {
  TestHttpServer server([](const RecordedRequest& req) {
    if (req.target != kNext) {
      Reply slow = Accepted();
      slow.delay = std::chrono::milliseconds(1500);
      return slow;
    }
    Reply r = NextEvent("late", "{}");
    r.delay = std::chrono::milliseconds(1500);  // the event arrives after a while
    return r;
  });
  RuntimeApiOptions options;
  options.post_timeout = std::chrono::milliseconds(300);
  RuntimeApi api(server.host_port(), options);
  auto inv = api.Next();
  ASSERT_TRUE(inv.ok()) << inv.error().message;
  EXPECT_EQ(inv->request_id, "late");
  // The same delay on a post is a timeout, reported as a value.
  const auto posted = api.PostResponse("late", "{}");
  ASSERT_FALSE(posted.ok());
  EXPECT_EQ(posted.error().code, ErrorCode::kStorageError);
  EXPECT_NE(posted.error().message.find("/invocation/late/response"), std::string::npos);
}

TEST(RuntimeApi, NextWithoutRequestIdIsAnError) {
  TestHttpServer server([](const RecordedRequest&) {
    Reply r;
    r.body = "{}";
    return r;
  });
  RuntimeApi api(server.host_port());
  auto inv = api.Next();
  ASSERT_FALSE(inv.ok());
  EXPECT_EQ(inv.error().code, ErrorCode::kInternal);
  EXPECT_NE(inv.error().message.find("Lambda-Runtime-Aws-Request-Id"), std::string::npos);
}

// Milliseconds from now until the deadline Next() derives from this header value.
int64_t DeadlineInMsFor(const std::string& header) {
  TestHttpServer server([&](const RecordedRequest&) {
    Reply r = NextEvent("id", "{}");
    r.headers[1].second = header;
    return r;
  });
  RuntimeApi api(server.host_port());
  auto inv = api.Next();
  EXPECT_TRUE(inv.ok()) << header;
  return std::chrono::duration_cast<milliseconds>(inv->context.deadline - steady_clock::now())
      .count();
}

TEST(RuntimeApi, GarbledDeadlineMeansLambdasLongestTimeout) {
  for (const char* garbled : {"soon", "", "-5", "12abc", "99999999999999999999999"}) {
    const int64_t left = DeadlineInMsFor(garbled);
    EXPECT_GT(left, 14 * 60 * 1000) << garbled;
    EXPECT_LE(left, 15 * 60 * 1000) << garbled;
  }
}

// INT64_MAX once overflowed a signed multiply (milliseconds to the steady clock's nanoseconds)
// and produced a deadline in the past or garbage; now it is clamped to Lambda's longest timeout.
TEST(RuntimeApi, HugeDeadlineIsClampedToLambdasLongestTimeout) {
  const int64_t left = DeadlineInMsFor("9223372036854775807");
  EXPECT_GT(left, 14 * 60 * 1000);
  EXPECT_LE(left, 15 * 60 * 1000);
}

TEST(SteadyDeadline, ClampsTheTimeLeftToZeroUpToFifteenMinutes) {
  const auto now = steady_clock::now();
  constexpr int64_t kNowEpoch = 1'700'000'000'000;
  EXPECT_EQ(SteadyDeadline("1700000005000", kNowEpoch, now), now + milliseconds(5000));
  EXPECT_EQ(SteadyDeadline("1700000000000", kNowEpoch, now), now);
  EXPECT_EQ(SteadyDeadline("1", kNowEpoch, now), now);  // long past: due now
  EXPECT_EQ(SteadyDeadline("9223372036854775807", kNowEpoch, now), now + kLongestInvocation);
  EXPECT_EQ(SteadyDeadline("9223372036854775807", -kNowEpoch, now), now + kLongestInvocation);
  EXPECT_EQ(SteadyDeadline("-9223372036854775808", kNowEpoch, now), now + kLongestInvocation);
  EXPECT_EQ(SteadyDeadline("0", kNowEpoch, now), now + kLongestInvocation);
  EXPECT_EQ(SteadyDeadline("", kNowEpoch, now), now + kLongestInvocation);
  EXPECT_EQ(SteadyDeadline("1700000000000.5", kNowEpoch, now), now + kLongestInvocation);
}

TEST(RuntimeApi, ServerErrorsAndRefusedConnectionsAreValues) {
  TestHttpServer server([](const RecordedRequest& req) {
    Reply r;
    r.status = req.target == kNext ? 500 : 413;
    r.body = R"({"errorMessage":"too big","errorType":"RequestEntityTooLarge"})";
    return r;
  });
  RuntimeApi api(server.host_port());
  const auto inv = api.Next();
  ASSERT_FALSE(inv.ok());
  EXPECT_NE(inv.error().message.find("HTTP 500"), std::string::npos);
  const auto posted = api.PostResponse("id", std::string(100, 'x'));
  ASSERT_FALSE(posted.ok());
  EXPECT_NE(posted.error().message.find("HTTP 413"), std::string::npos);
  EXPECT_NE(posted.error().message.find("RequestEntityTooLarge"), std::string::npos);

  const std::string dead = server.host_port();
  server.Stop();
  RuntimeApi gone(dead);
  const auto refused = gone.Next();
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kStorageError);
}

TEST(RuntimeApi, ResetDuringNextIsAnError) {
  TestHttpServer server([](const RecordedRequest&) {
    Reply r;
    r.reset = true;
    return r;
  });
  RuntimeApi api(server.host_port());
  EXPECT_FALSE(api.Next().ok());
}

TEST(RuntimeApi, FromEnv) {
  const EnvLookup unset = [](const std::string&) { return std::optional<std::string>(); };
  auto missing = RuntimeApi::FromEnv(unset);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidOptions);
  EXPECT_NE(missing.error().message.find("AWS_LAMBDA_RUNTIME_API"), std::string::npos);
  const EnvLookup set = [](const std::string& name) {
    return name == "AWS_LAMBDA_RUNTIME_API" ? std::optional<std::string>("127.0.0.1:9001")
                                            : std::nullopt;
  };
  auto api = RuntimeApi::FromEnv(set);
  ASSERT_TRUE(api.ok());
  EXPECT_EQ((*api)->endpoint(), "http://127.0.0.1:9001/2018-06-01/runtime");
}

}  // namespace
}  // namespace imgpipe::aws
