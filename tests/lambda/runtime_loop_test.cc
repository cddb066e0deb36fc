#include "lambda/runtime_loop.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <map>
#include <memory>
#include <mutex>

#include "lambda/s3_store.h"
#include "testing/fake_object_store.h"
#include "testing/test_support.h"

namespace imgpipe::lambda {
namespace {

using namespace std::chrono_literals;
using testing::FakeObjectStore;
using testing::MakeJpeg;

using SteadyTime = std::chrono::steady_clock::time_point;

SteadyTime InMs(int64_t ms) {
  return std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
}

// Replays queued invocations and records what the loop posts back. Next() fails when the
// queue is empty, which is how a real Runtime API disappearing looks to the loop.
class FakeRuntime : public aws::RuntimeClient {
 public:
  struct Posted {
    std::string kind;  // response | error
    std::string request_id;
    std::string body_or_type;
    std::string message;
    std::string trace_env;  // _X_AMZN_TRACE_ID when the post happened
  };

  void Queue(std::string id, std::string payload, std::string trace = "",
             SteadyTime deadline = InMs(60'000)) {
    queue_.push_back(aws::Invocation{std::move(id), std::move(payload),
                                     aws::InvocationContext{std::move(trace), deadline}});
  }

  Result<aws::Invocation> Next() override {
    ++next_calls;
    if (queue_.empty()) return MakeError(ErrorCode::kStorageError, "connection refused");
    aws::Invocation next = std::move(queue_.front());
    queue_.pop_front();
    return next;
  }
  Status PostResponse(const std::string& id, std::string_view payload) override {
    posted.push_back({"response", id, std::string(payload), "", TraceEnv()});
    return post_status;
  }
  Status PostError(const std::string& id, std::string_view type,
                   std::string_view message) override {
    posted.push_back({"error", id, std::string(type), std::string(message), TraceEnv()});
    return post_status;
  }
  Status PostInitError(std::string_view type, std::string_view message) override {
    init_errors.push_back({"init", "", std::string(type), std::string(message), ""});
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
  std::deque<aws::Invocation> queue_;
};

// The shared store over the in-memory fake: records the context every call carried (calls may
// come from several threads at once).
class RecordingSharedStore : public aws::SharedObjectStore {
 public:
  explicit RecordingSharedStore(FakeObjectStore& store) : store_(store) {}
  Result<aws::ObjectData> Get(const aws::InvocationContext& context,
                              const aws::GetRequest& request) override {
    Remember(context);
    return store_.Get(request);
  }
  Result<std::string> Put(const aws::InvocationContext& context,
                          const aws::PutRequest& request) override {
    Remember(context);
    return store_.Put(request);
  }
  std::vector<aws::InvocationContext> contexts;

 private:
  void Remember(const aws::InvocationContext& context) {
    const std::lock_guard lock(mutex_);
    contexts.push_back(context);
  }
  std::mutex mutex_;
  FakeObjectStore& store_;
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
  RecordingSharedStore shared{store};
  Logger logger{sink, "imgpipe-fn"};
};

std::vector<std::string> TracesOf(const RecordingSharedStore& shared) {
  std::vector<std::string> traces;
  for (const auto& context : shared.contexts) traces.push_back(context.trace_id);
  return traces;
}

TEST_F(RuntimeLoopTest, ServesUntilNextFailsAndPostsEachResult) {
  store.AddObject("imgpipe-input", "a.jpg", MakeJpeg(16, 16));
  runtime.Queue("req-1", S3Event("a.jpg"), "Root=1-5759e988-bd862e3fe1be46a994272793");
  runtime.Queue("req-2", "{not json", "");
  runtime.Queue("req-3", R"({"Event":"s3:TestEvent","Bucket":"imgpipe-input"})");
  const int code = ServeInvocations(runtime, shared, config, logger);
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
  // req-1's Get and Put carried its trace id; the later invocations made no S3 call.
  EXPECT_EQ(TracesOf(shared),
            (std::vector<std::string>{"Root=1-5759e988-bd862e3fe1be46a994272793",
                                      "Root=1-5759e988-bd862e3fe1be46a994272793"}));
}

TEST_F(RuntimeLoopTest, LogLinesCarryTheRequestId) {
  runtime.Queue("req-42", R"({"Event":"s3:TestEvent"})");
  EXPECT_EQ(ServeInvocations(runtime, shared, config, logger, {.max_invocations = 1}), 0);
  auto lines = sink.Parsed();
  ASSERT_FALSE(lines.empty());
  for (const auto& line : lines) EXPECT_EQ(line["request_id"], "req-42") << line.dump();
}

TEST_F(RuntimeLoopTest, DeadlineFromTheRuntimeApiStopsWorkInTime) {
  store.AddObject("imgpipe-input", "a.jpg", MakeJpeg(16, 16));
  config.deadline_margin = 500ms;
  runtime.Queue("req-late", S3Event("a.jpg"), "", InMs(200));
  ServeInvocations(runtime, shared, config, logger, {.max_invocations = 1});
  ASSERT_EQ(runtime.posted.size(), 1u);
  EXPECT_EQ(runtime.posted[0].kind, "error");
  EXPECT_EQ(runtime.posted[0].body_or_type, "imgpipe.deadline_exceeded");
  EXPECT_TRUE(store.gets.empty());
}

TEST_F(RuntimeLoopTest, FailedPostIsLoggedAndServingContinues) {
  runtime.post_status = MakeError(ErrorCode::kStorageError, "runtime API returned 500");
  runtime.Queue("r1", R"({"Event":"s3:TestEvent"})");
  runtime.Queue("r2", R"({"Event":"s3:TestEvent"})");
  EXPECT_EQ(ServeInvocations(runtime, shared, config, logger, {.max_invocations = 2}), 0);
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
  StoreFactory make_store = [&](const Config&,
                                const EnvLookup&) -> Result<aws::SharedObjectStore*> {
    store_made = true;
    return &shared;
  };
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "OUTPUT_BUCKET") return "thumbs-bucket";
    if (name == "QUALITY") return "0";
    return std::nullopt;
  };
  runtime.Queue("never", R"({"Event":"s3:TestEvent"})");
  EXPECT_EQ(RunRuntime(runtime, env, make_store, logger), 1);
  EXPECT_FALSE(store_made);
  EXPECT_EQ(runtime.next_calls, 0);
  ASSERT_EQ(runtime.init_errors.size(), 1u);
  EXPECT_EQ(runtime.init_errors[0].body_or_type, "imgpipe.invalid_options");
  EXPECT_NE(runtime.init_errors[0].message.find("QUALITY"), std::string::npos);
}

TEST_F(RuntimeLoopTest, ValidConfigServes) {
  StoreFactory make_store = [&](const Config& c,
                                const EnvLookup& store_env) -> Result<aws::SharedObjectStore*> {
    EXPECT_EQ(c.output_bucket, "thumbs-bucket");
    EXPECT_EQ(store_env("OUTPUT_BUCKET"), "thumbs-bucket");  // the same environment
    return &shared;
  };
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "OUTPUT_BUCKET") return "thumbs-bucket";
    return std::nullopt;
  };
  runtime.Queue("r1", R"({"Event":"s3:TestEvent"})");
  EXPECT_EQ(RunRuntime(runtime, env, make_store, logger, {.max_invocations = 1}), 0);
  EXPECT_TRUE(runtime.init_errors.empty());
  ASSERT_EQ(runtime.posted.size(), 1u);
  EXPECT_EQ(runtime.posted[0].kind, "response");
}

TEST_F(RuntimeLoopTest, StoreFailureIsAnInitError) {
  StoreFactory make_store = [](const Config&, const EnvLookup&) -> Result<aws::SharedObjectStore*> {
    return MakeError(ErrorCode::kInvalidOptions, "AWS_ACCESS_KEY_ID is not set");
  };
  auto env = [](const std::string& name) -> std::optional<std::string> {
    if (name == "OUTPUT_BUCKET") return "thumbs-bucket";
    return std::nullopt;
  };
  EXPECT_EQ(RunRuntime(runtime, env, make_store, logger), 1);
  ASSERT_EQ(runtime.init_errors.size(), 1u);
  EXPECT_EQ(runtime.init_errors[0].body_or_type, "imgpipe.invalid_options");
  EXPECT_NE(runtime.init_errors[0].message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
  EXPECT_EQ(runtime.next_calls, 0);
}

TEST_F(RuntimeLoopTest, EachStoreCallCarriesItsInvocationsDeadlineLessTheMargin) {
  config.deadline_margin = 500ms;
  store.AddObject("imgpipe-input", "a.jpg", MakeJpeg(16, 16));
  store.AddObject("imgpipe-input", "b.jpg", MakeJpeg(16, 16));
  const SteadyTime first = InMs(60'000);
  const SteadyTime second = InMs(30'000);
  runtime.Queue("r1", S3Event("a.jpg"), "Root=1-abc", first);
  runtime.Queue("r2", S3Event("b.jpg"), "", second);
  ServeInvocations(runtime, shared, config, logger, {.max_invocations = 2});
  ASSERT_EQ(shared.contexts.size(), 4u);  // Get and Put per invocation
  EXPECT_EQ(shared.contexts[0].deadline, first - 500ms);
  EXPECT_EQ(shared.contexts[1].deadline, first - 500ms);
  EXPECT_EQ(shared.contexts[2].deadline, second - 500ms);
  EXPECT_EQ(shared.contexts[3].trace_id, "");  // nothing of r1 leaks into r2
  EXPECT_EQ(store.puts.size(), 2u);
}

TEST(StoreContext, NoDeadlineStaysNoDeadline) {
  Config config;
  aws::Invocation invocation{"id", "{}", {"Root=1-x"}};
  const aws::InvocationContext context = StoreContext(invocation, config);
  EXPECT_EQ(context.deadline, SteadyTime::max());
  EXPECT_EQ(context.trace_id, "Root=1-x");
}

// The S3 client is built from the environment RunRuntime was given, so a bad AWS_REGION is an
// init error a test can provoke without touching the process environment.
TEST_F(RuntimeLoopTest, S3ConfigurationComesFromTheInjectedEnvironment) {
  std::unique_ptr<aws::S3Client> s3;
  StoreFactory make_store = [&](const Config& c,
                                const EnvLookup& env) -> Result<aws::SharedObjectStore*> {
    auto client = MakeS3Client(c, env, logger);
    if (!client.ok()) return client.error();
    s3 = std::move(client).value();
    return s3.get();
  };
  std::map<std::string, std::string> vars = {{"OUTPUT_BUCKET", "thumbs-bucket"},
                                             {"AWS_ACCESS_KEY_ID", "AKID"},
                                             {"AWS_SECRET_ACCESS_KEY", "SECRET"},
                                             {"AWS_REGION", "x@127.0.0.1:9/"}};
  auto env = [&vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
  EXPECT_EQ(RunRuntime(runtime, env, make_store, logger), 1);
  ASSERT_EQ(runtime.init_errors.size(), 1u);
  EXPECT_EQ(runtime.init_errors[0].body_or_type, "imgpipe.invalid_options");
  EXPECT_NE(runtime.init_errors[0].message.find("AWS_REGION=\"x@127.0.0.1:9/\""), std::string::npos)
      << runtime.init_errors[0].message;
  EXPECT_EQ(runtime.next_calls, 0);

  vars["AWS_REGION"] = "eu-west-1";
  runtime.init_errors.clear();
  EXPECT_EQ(RunRuntime(runtime, env, make_store, logger, {.max_invocations = 0}), 0);
  EXPECT_TRUE(runtime.init_errors.empty());
  ASSERT_NE(s3, nullptr);
}

}  // namespace
}  // namespace imgpipe::lambda
