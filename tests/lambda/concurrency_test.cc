// The records of one invocation run concurrently (CONCURRENCY), yet each keeps its own outcome,
// the response lists them in event order, the deadline holds for each, and log lines stay whole.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "lambda/handler.h"
#include "lambda/parallel.h"
#include "testing/fake_object_store.h"
#include "testing/test_support.h"

namespace imgpipe::lambda {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::FakeObjectStore;
using testing::MakeJpeg;

constexpr const char* kIn = "imgpipe-input";

// An SQS batch of one S3 record per message: message i is "m<i>", its key keys[i].
std::string SqsBatch(const std::vector<std::string>& keys) {
  json records = json::array();
  for (size_t i = 0; i < keys.size(); ++i) {
    json s3 = {{"Records",
                {{{"eventSource", "aws:s3"},
                  {"eventName", "ObjectCreated:Put"},
                  {"s3",
                   {{"bucket", {{"name", kIn}}},
                    {"object", {{"key", keys[i]}, {"eTag", testing::kFixtureEtag}}}}}}}}};
    records.push_back(
        {{"messageId", "m" + std::to_string(i)}, {"eventSource", "aws:sqs"}, {"body", s3.dump()}});
  }
  return json{{"Records", records}}.dump();
}

std::vector<std::string> Keys(size_t n) {
  std::vector<std::string> keys;
  for (size_t i = 0; i < n; ++i) keys.push_back("batch/photo-" + std::to_string(i) + ".jpg");
  return keys;
}

// Every Get waits until `expected` Gets are in flight at once (or a timeout passes, so a store
// that never sees them overlap fails the test instead of hanging it), and records the most it saw.
class RendezvousStore : public FakeObjectStore {
 public:
  explicit RendezvousStore(int expected, Clock::duration timeout = 5s)
      : expected_(expected), timeout_(timeout) {}
  Result<aws::ObjectData> Get(const aws::GetRequest& request) override {
    {
      std::unique_lock lock(mutex_);
      ++in_flight_;
      max_in_flight = std::max(max_in_flight, in_flight_);
      arrived_.notify_all();
      arrived_.wait_for(lock, timeout_, [&] { return max_in_flight >= expected_; });
    }
    auto result = FakeObjectStore::Get(request);
    const std::lock_guard lock(mutex_);
    --in_flight_;
    return result;
  }
  int max_in_flight = 0;

 private:
  const int expected_;
  const Clock::duration timeout_;
  std::mutex mutex_;
  std::condition_variable arrived_;
  int in_flight_ = 0;
};

// Gets of earlier keys take longer, so records finish in the reverse of their order.
class ReversingStore : public FakeObjectStore {
 public:
  explicit ReversingStore(size_t n) : n_(n) {}
  Result<aws::ObjectData> Get(const aws::GetRequest& request) override {
    const size_t index = std::stoul(request.key.substr(request.key.find('-') + 1));
    std::this_thread::sleep_for(20ms * (n_ - index));
    return FakeObjectStore::Get(request);
  }

 private:
  size_t n_;
};

// Fails the test when two lines are written at the same time.
class OverlapDetectingSink : public testing::CapturingSink {
 public:
  void Write(std::string_view line) override {
    if (writing_.fetch_add(1) != 0) overlapped = true;
    std::this_thread::sleep_for(1ms);  // widen the window a second writer would hit
    CapturingSink::Write(line);
    writing_.fetch_sub(1);
  }
  std::atomic<bool> overlapped{false};

 private:
  std::atomic<int> writing_{0};
};

class ConcurrencyTest : public ::testing::Test {
 protected:
  ConcurrencyTest() { config.output_bucket = "thumbs-bucket"; }
  HandlerOutcome Run(FakeObjectStore& store, const std::string& event) {
    return Handle(event, store, config, Clock::now() + 60s, logger);
  }
  Config config;
  OverlapDetectingSink sink;
  Logger logger{sink, "imgpipe-fn"};
};

TEST_F(ConcurrencyTest, RecordsReallyOverlap) {
  config.concurrency = 4;
  RendezvousStore store(4);
  for (const auto& key : Keys(4)) store.AddObject(kIn, key, MakeJpeg(40, 30));
  const auto start = Clock::now();
  json payload = json::parse(Run(store, SqsBatch(Keys(4))).payload());
  EXPECT_LT(Clock::now() - start, 4s) << "the Gets waited for the rendezvous timeout";
  EXPECT_EQ(store.max_in_flight, 4);
  EXPECT_EQ(payload["batchItemFailures"], json::array());
  EXPECT_EQ(store.puts.size(), 4u);
}

TEST_F(ConcurrencyTest, ConcurrencyOneIsSequentialAndInOrder) {
  config.concurrency = 1;
  RendezvousStore store(2, 100ms);  // never reached: each Get waits out the timeout alone
  for (const auto& key : Keys(2)) store.AddObject(kIn, key, MakeJpeg(40, 30));
  Run(store, SqsBatch(Keys(2)));
  EXPECT_EQ(store.max_in_flight, 1);
  ASSERT_EQ(store.gets.size(), 2u);
  EXPECT_EQ(store.gets[0].second, Keys(2)[0]);
  EXPECT_EQ(store.gets[1].second, Keys(2)[1]);
  std::vector<std::string> logged;
  for (const auto& record : sink.Records()) logged.push_back(record["key"]);
  EXPECT_EQ(logged, Keys(2));
}

TEST_F(ConcurrencyTest, EachRecordKeepsItsOutcomeAndTheResponseIsInEventOrder) {
  config.concurrency = 4;
  const auto keys = Keys(10);
  ReversingStore store(keys.size());
  const std::string text = "not an image";
  for (size_t i = 0; i < keys.size(); ++i) {
    if (i % 3 == 1) {
      store.AddObject(kIn, keys[i], std::vector<uint8_t>(text.begin(), text.end()));  // permanent
    } else if (i % 3 == 2) {
      store.AddObject(kIn, keys[i], MakeJpeg(40, 30));
      store.FailGet(kIn, keys[i], MakeError(ErrorCode::kStorageError, "503 SlowDown"));
    } else {
      store.AddObject(kIn, keys[i], MakeJpeg(40, 30));
    }
  }
  HandlerOutcome outcome = Run(store, SqsBatch(keys));
  json payload = json::parse(outcome.payload());
  // Transient failures only (2, 5, 8), in record order although they finished in reverse.
  EXPECT_EQ(payload, json::parse(R"({"batchItemFailures":[{"itemIdentifier":"m2"},
      {"itemIdentifier":"m5"},{"itemIdentifier":"m8"}]})"));
  EXPECT_EQ(outcome.metrics.images_processed, 4u);
  EXPECT_EQ(outcome.metrics.images_failed, 6u);
  // Lines go out as records finish: the last record's before the first's.
  auto records = sink.Records();
  ASSERT_EQ(records.size(), keys.size());
  EXPECT_NE(records.front()["key"], keys.front());
  for (const auto& record : records) {
    const std::string key = record["key"];
    const size_t i = std::stoul(key.substr(key.find('-') + 1));
    const char* want = i % 3 == 0   ? "processed"
                       : i % 3 == 1 ? "failed_permanent"
                                    : "failed_transient";
    EXPECT_EQ(record["outcome"], want) << key;
    EXPECT_EQ(record["source_id"], "m" + std::to_string(i)) << key;
  }
  EXPECT_TRUE(sink.lines.back().find("_aws") != std::string::npos);  // metrics come last
}

TEST_F(ConcurrencyTest, BatchResultsStayInTaskOrder) {
  config.concurrency = 3;
  ReversingStore store(6);
  json tasks = json::array();
  for (size_t i = 0; i < 6; ++i) {
    const std::string key = "backfill/photo-" + std::to_string(i) + ".jpg";
    if (i != 4) store.AddObject(kIn, key, MakeJpeg(20, 20));  // task 4: deleted meanwhile
    tasks.push_back({{"taskId", "t" + std::to_string(i)}, {"s3Bucket", kIn}, {"s3Key", key}});
  }
  json event = {{"invocationSchemaVersion", "2.0"},
                {"invocationId", "inv"},
                {"job", {{"id", "j"}}},
                {"tasks", tasks}};
  json payload = json::parse(Run(store, event.dump()).payload());
  ASSERT_EQ(payload["results"].size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(payload["results"][i]["taskId"], "t" + std::to_string(i));
    EXPECT_EQ(payload["results"][i]["resultCode"], i == 4 ? "PermanentFailure" : "Succeeded");
  }
}

TEST_F(ConcurrencyTest, TheDeadlineHoldsForEveryWorker) {
  // Two workers, Gets of 300 ms, a 500 ms work budget: the first two records start together
  // and fit; after them each worker knows an item takes 300 ms and starts no other.
  config.concurrency = 2;
  config.deadline_margin = 100ms;
  class SlowStore : public FakeObjectStore {
    Result<aws::ObjectData> Get(const aws::GetRequest& request) override {
      std::this_thread::sleep_for(300ms);
      return FakeObjectStore::Get(request);
    }
  } store;
  const auto keys = Keys(4);
  for (const auto& key : keys) store.AddObject(kIn, key, MakeJpeg(20, 20));
  const auto start = Clock::now();
  json payload =
      json::parse(Handle(SqsBatch(keys), store, config, Clock::now() + 600ms, logger).payload());
  EXPECT_LT(Clock::now() - start, 500ms);
  EXPECT_EQ(store.puts.size(), 2u);
  EXPECT_EQ(payload, json::parse(R"({"batchItemFailures":[{"itemIdentifier":"m2"},
      {"itemIdentifier":"m3"}]})"));
  for (const auto& record : sink.Records()) {
    if (record["source_id"] == "m2" || record["source_id"] == "m3") {
      EXPECT_EQ(record["error_code"], "deadline_exceeded");
    }
  }
}

TEST_F(ConcurrencyTest, LogLinesNeverInterleave) {
  config.concurrency = 8;
  FakeObjectStore store;
  for (const auto& key : Keys(16)) store.AddObject(kIn, key, MakeJpeg(20, 20));
  // 16 records: above the 10 of an SQS batch, within the 100-record cap.
  Run(store, SqsBatch(Keys(16)));
  EXPECT_FALSE(sink.overlapped) << "two threads wrote a line at the same time";
  EXPECT_EQ(sink.Records().size(), 16u);  // each line is one whole JSON document
}

TEST(ForEachIndex, RunsEveryIndexOnceOnAtMostConcurrencyThreads) {
  for (int concurrency : {1, 2, 5, 16}) {
    std::mutex mutex;
    std::multiset<size_t> seen;
    std::set<std::thread::id> threads;
    std::atomic<int> running{0};
    int most = 0;
    ForEachIndex(40, concurrency, [&](size_t i) {
      const int now = ++running;
      std::this_thread::sleep_for(1ms);
      {
        const std::lock_guard lock(mutex);
        seen.insert(i);
        threads.insert(std::this_thread::get_id());
        most = std::max(most, now);
      }
      --running;
    });
    EXPECT_EQ(seen.size(), 40u) << concurrency;
    for (size_t i = 0; i < 40; ++i) EXPECT_EQ(seen.count(i), 1u) << i;
    EXPECT_LE(static_cast<int>(threads.size()), concurrency);
    EXPECT_LE(most, concurrency);
    if (concurrency == 1) {
      EXPECT_EQ(*threads.begin(), std::this_thread::get_id());
    }
  }
}

TEST(ForEachIndex, NoIndicesNoCalls) {
  int calls = 0;
  ForEachIndex(0, 4, [&](size_t) { ++calls; });
  EXPECT_EQ(calls, 0);
}

}  // namespace
}  // namespace imgpipe::lambda
