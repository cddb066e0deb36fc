#include "lambda/runtime_loop.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <map>

#include "testing/fake_object_store.h"
#include "testing/test_support.h"

namespace imgpipe::lambda {
namespace {

using namespace std::chrono_literals;
using testing::FakeObjectStore;
using testing::MakeJpeg;

int64_t NowEpochMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Replays queued invocations and records what the loop posts back. Next() fails when the
// queue is empty, which is how a real Runtime API disappearing looks to the loop.
class FakeRuntime : public RuntimeClient {
 public:
  struct Posted {
    std::string kind;  // response | error
    std::string request_id;
    std::string body_or_type;
    std::string message;
    std::string trace_env;  // _X_AMZN_TRACE_ID when the post happened
  };

  void Queue(std::string id, std::string payload, std::string trace = "",
             int64_t deadline_ms = NowEpochMs() + 60'000) {
    queue_.push_back(Invocation{std::move(id), std::move(payload), deadline_ms,
                                "arn:aws:lambda:us-east-1:123456789012:function:imgpipe",
                                std::move(trace)});
  }

  Result<Invocation> Next() override {
    ++next_calls;
    if (queue_.empty()) return MakeError(ErrorCode::kStorageError, "connection refused");
    Invocation next = std::move(queue_.front());
    queue_.pop_front();
    return next;
  }
  Status PostResponse(const std::string& id, const std::string& payload) override {
    posted.push_back({"response", id, payload, "", TraceEnv()});
    return post_status;
  }
  Status PostError(const std::string& id, const std::string& type,
                   const std::string& message) override {
    posted.push_back({"error", id, type, message, TraceEnv()});
    return post_status;
  }
  Status PostInitError(const std::string& type, const std::string& message) override {
    init_errors.push_back({"init", "", type, message, ""});
    return OkStatus();
  }

  std::vector<Posted> posted;
  std::vector<Posted> init_errors;
  int next_calls = 0;
  Status post_status = OkStatus();

 private:
  static std::string TraceEnv() {
    const char* value = std::getenv("_X_AMZN_TRACE_ID");
    return value == nullptr ? "<unset>" : value;
  }
  std::deque<Invocation> queue_;
};

std::string S3Event(const std::string& key) {
  return R"({"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put",)"
         R"("s3":{"bucket":{"name":"imgpipe-input"},"object":{"key":")" +
         key + R"(","size":100}}}]})";
}

class RuntimeLoopTest : public ::testing::Test {
 protected:
  RuntimeLoopTest() { config.output_bucket = "thumbs-bucket"; }
  Config config;
  FakeRuntime runtime;
  FakeObjectStore store;
  testing::CapturingSink sink;
  Logger logger{sink, "imgpipe-fn"};
  std::vector<std::string> traces;
  InvocationHook trace = [this](const Invocation& invocation) {
    traces.push_back(invocation.trace_id);
  };
};

TEST_F(RuntimeLoopTest, ServesUntilNextFailsAndPostsEachResult) {
  store.AddObject("imgpipe-input", "a.jpg", MakeJpeg(16, 16));
  runtime.Queue("req-1", S3Event("a.jpg"), "Root=1-5759e988-bd862e3fe1be46a994272793");
  runtime.Queue("req-2", "{not json", "");
  runtime.Queue("req-3", R"({"Event":"s3:TestEvent","Bucket":"imgpipe-input"})");
  const int code = ServeInvocations(runtime, store, config, trace, logger);
  EXPECT_EQ(code, 1);  // the Runtime API went away
  EXPECT_EQ(runtime.next_calls, 4);
  ASSERT_EQ(runtime.posted.size(), 3u);

  EXPECT_EQ(runtime.posted[0].kind, "response");
  EXPECT_EQ(runtime.posted[0].request_id, "req-1");
  EXPECT_EQ(runtime.posted[0].trace_env, "Root=1-5759e988-bd862e3fe1be46a994272793");
  EXPECT_EQ(store.puts.size(), 1u);

  // A malformed event gets a clear error, and the process keeps serving.
  EXPECT_EQ(runtime.posted[1].kind, "error");
  EXPECT_EQ(runtime.posted[1].request_id, "req-2");
  EXPECT_EQ(runtime.posted[1].body_or_type, "imgpipe.invalid_event");
  EXPECT_EQ(runtime.posted[1].message, "invalid event: event is not valid JSON");
  EXPECT_EQ(runtime.posted[1].trace_env, "<unset>");  // no stale trace from req-1

  EXPECT_EQ(runtime.posted[2].kind, "response");
  EXPECT_EQ(traces, (std::vector<std::string>{"Root=1-5759e988-bd862e3fe1be46a994272793", "", ""}));
}

TEST_F(RuntimeLoopTest, LogLinesCarryTheRequestId) {
  runtime.Queue("req-42", R"({"Event":"s3:TestEvent"})");
  EXPECT_EQ(ServeInvocations(runtime, store, config, trace, logger, {.max_invocations = 1}), 0);
  auto lines = sink.Parsed();
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) EXPECT_EQ(line["request_id"], "req-42") << line.dump();
}

TEST_F(RuntimeLoopTest, DeadlineFromTheRuntimeApiStopsWorkInTime) {
  store.AddObject("imgpipe-input", "a.jpg", MakeJpeg(16, 16));
  config.deadline_margin = 500ms;
  runtime.Queue("req-late", S3Event("a.jpg"), "", NowEpochMs() + 200);
  ServeInvocations(runtime, store, config, trace, logger, {.max_invocations = 1});
  ASSERT_EQ(runtime.posted.size(), 1u);
  EXPECT_EQ(runtime.posted[0].kind, "error");
  EXPECT_EQ(runtime.posted[0].body_or_type, "imgpipe.deadline_exceeded");
  EXPECT_TRUE(store.gets.empty());
}

TEST_F(RuntimeLoopTest, FailedPostIsLoggedAndServingContinues) {
  runtime.post_status = MakeError(ErrorCode::kStorageError, "runtime API returned 500");
  runtime.Queue("r1", R"({"Event":"s3:TestEvent"})");
  runtime.Queue("r2", R"({"Event":"s3:TestEvent"})");
  EXPECT_EQ(ServeInvocations(runtime, store, config, trace, logger, {.max_invocations = 2}), 0);
  EXPECT_EQ(runtime.posted.size(), 2u);
  int post_errors = 0;
  for (const auto& line : sink.Parsed()) {
    if (line.contains("message") &&
        line["message"].get<std::string>().find("runtime API post failed") != std::string::npos) {
      ++post_errors;
    }
  }
  EXPECT_EQ(post_errors, 2);
}

TEST_F(RuntimeLoopTest, InvalidConfigPostsInitErrorAndExitsNonZero) {
  bool store_made = false;
  StoreFactory make_store = [&](const Config&) -> Result<aws::ObjectStore*> {
    store_made = true;
    return &store;
  };
  auto env = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "OUTPUT_BUCKET") return "thumbs-bucket";
    if (std::string(name) == "QUALITY") return "0";
    return std::nullopt;
  };
  runtime.Queue("never", R"({"Event":"s3:TestEvent"})");
  EXPECT_EQ(RunRuntime(runtime, env, make_store, trace, logger), 1);
  EXPECT_FALSE(store_made);
  EXPECT_EQ(runtime.next_calls, 0);
  ASSERT_EQ(runtime.init_errors.size(), 1u);
  EXPECT_EQ(runtime.init_errors[0].body_or_type, "imgpipe.invalid_options");
  EXPECT_NE(runtime.init_errors[0].message.find("QUALITY"), std::string::npos);
}

TEST_F(RuntimeLoopTest, ValidConfigServes) {
  StoreFactory make_store = [&](const Config& c) -> Result<aws::ObjectStore*> {
    EXPECT_EQ(c.output_bucket, "thumbs-bucket");
    return &store;
  };
  auto env = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "OUTPUT_BUCKET") return "thumbs-bucket";
    return std::nullopt;
  };
  runtime.Queue("r1", R"({"Event":"s3:TestEvent"})");
  EXPECT_EQ(RunRuntime(runtime, env, make_store, trace, logger, {.max_invocations = 1}), 0);
  EXPECT_TRUE(runtime.init_errors.empty());
  ASSERT_EQ(runtime.posted.size(), 1u);
  EXPECT_EQ(runtime.posted[0].kind, "response");
}

TEST_F(RuntimeLoopTest, StoreFailureIsAnInitError) {
  StoreFactory make_store = [](const Config&) -> Result<aws::ObjectStore*> {
    return MakeError(ErrorCode::kInvalidOptions, "AWS_ACCESS_KEY_ID is not set");
  };
  auto env = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "OUTPUT_BUCKET") return "thumbs-bucket";
    return std::nullopt;
  };
  EXPECT_EQ(RunRuntime(runtime, env, make_store, trace, logger), 1);
  ASSERT_EQ(runtime.init_errors.size(), 1u);
  EXPECT_EQ(runtime.init_errors[0].body_or_type, "imgpipe.invalid_options");
  EXPECT_NE(runtime.init_errors[0].message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(runtime.next_calls, 0);
}

TEST_F(RuntimeLoopTest, HookSeesEachInvocationBeforeTheHandler) {
  std::vector<int64_t> deadlines;
  InvocationHook hook = [&](const Invocation& invocation) {
    deadlines.push_back(invocation.deadline_ms);
    EXPECT_TRUE(store.gets.empty());  // before any S3 call of this invocation
  };
  store.AddObject("imgpipe-input", "a.jpg", MakeJpeg(16, 16));
  runtime.Queue("r1", S3Event("a.jpg"), "Root=1-abc", 4102444800000);
  ServeInvocations(runtime, store, config, hook, logger, {.max_invocations = 1});
  EXPECT_EQ(deadlines, std::vector<int64_t>{4102444800000});
  EXPECT_EQ(store.puts.size(), 1u);
}

TEST(SteadyDeadline, MissingDeadlineMeansLambdasLongestTimeout) {
  const auto deadline = SteadyDeadline(0);
  EXPECT_GT(deadline, Clock::now() + std::chrono::minutes(14));
}

TEST(SteadyDeadline, ConvertsEpochMillisecondsToTheSteadyClock) {
  const auto before = Clock::now();
  const auto deadline = SteadyDeadline(NowEpochMs() + 5000);
  const auto delta = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - before);
  EXPECT_GE(delta.count(), 4900);
  EXPECT_LE(delta.count(), 5100);
  EXPECT_LT(SteadyDeadline(NowEpochMs() - 1000), Clock::now());
}

}  // namespace
}  // namespace imgpipe::lambda
