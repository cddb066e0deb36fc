#include "aws/retry.h"

#include <gtest/gtest.h>

#include <random>

namespace imgpipe::aws {
namespace {

using std::chrono::milliseconds;

TEST(BackoffCap, DoublesFromBaseUntilMax) {
  RetryPolicy p;
  p.base_delay = milliseconds(100);
  p.max_delay = milliseconds(1000);
  EXPECT_EQ(BackoffCap(p, 0), milliseconds(100));
  EXPECT_EQ(BackoffCap(p, 1), milliseconds(200));
  EXPECT_EQ(BackoffCap(p, 2), milliseconds(400));
  EXPECT_EQ(BackoffCap(p, 3), milliseconds(800));
  EXPECT_EQ(BackoffCap(p, 4), milliseconds(1000));
  EXPECT_EQ(BackoffCap(p, 1000000), milliseconds(1000));  // no overflow for absurd counts
  EXPECT_EQ(BackoffCap(p, -3), milliseconds(100));
}

TEST(BackoffCap, ZeroBaseMeansNoWait) {
  RetryPolicy p;
  p.base_delay = milliseconds(0);
  EXPECT_EQ(BackoffCap(p, 5), milliseconds(0));
}

TEST(FullJitterDelay, SpansZeroToCap) {
  RetryPolicy p;
  p.base_delay = milliseconds(100);
  p.max_delay = milliseconds(10000);
  EXPECT_EQ(FullJitterDelay(p, 2, 0.0), milliseconds(0));
  EXPECT_EQ(FullJitterDelay(p, 2, 0.5), milliseconds(200));
  EXPECT_EQ(FullJitterDelay(p, 2, 0.9999999), milliseconds(399));
  // Out-of-range "random" input is clamped instead of exceeding the cap.
  EXPECT_EQ(FullJitterDelay(p, 2, 7.0), milliseconds(399));
  EXPECT_EQ(FullJitterDelay(p, 2, -1.0), milliseconds(0));
  EXPECT_EQ(FullJitterDelay(p, 2, std::nan("")), milliseconds(0));
}

TEST(FullJitterDelay, SeededSweepStaysWithinCapAndSpreads) {
  RetryPolicy p;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int retry = 0; retry < 8; ++retry) {
    const auto cap = BackoffCap(p, retry);
    milliseconds lo = cap, hi{0};
    for (int i = 0; i < 500; ++i) {
      const auto d = FullJitterDelay(p, retry, unit(rng));
      ASSERT_GE(d, milliseconds(0));
      ASSERT_LT(d, cap + milliseconds(1));
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    // Full jitter uses the whole range, not a narrow band around the cap.
    EXPECT_LT(lo.count(), cap.count() / 10 + 1) << "retry " << retry;
    EXPECT_GT(hi.count(), cap.count() * 9 / 10 - 1) << "retry " << retry;
  }
}

TEST(ShouldRetry, BoundedByAttemptsAndTotalTime) {
  RetryPolicy p;
  p.max_attempts = 4;
  p.max_total = milliseconds(1000);
  EXPECT_TRUE(ShouldRetry(p, 1, milliseconds(0), milliseconds(100)));
  EXPECT_TRUE(ShouldRetry(p, 3, milliseconds(0), milliseconds(100)));
  EXPECT_FALSE(ShouldRetry(p, 4, milliseconds(0), milliseconds(0)));
  EXPECT_TRUE(ShouldRetry(p, 2, milliseconds(900), milliseconds(100)));
  EXPECT_FALSE(ShouldRetry(p, 2, milliseconds(901), milliseconds(100)));
  p.max_attempts = 1;
  EXPECT_FALSE(ShouldRetry(p, 1, milliseconds(0), milliseconds(0)));
}

TEST(IsRetryableHttp, ServerErrorsAndThrottling) {
  EXPECT_TRUE(IsRetryableHttp(500, "InternalError"));
  EXPECT_TRUE(IsRetryableHttp(502, ""));
  EXPECT_TRUE(IsRetryableHttp(503, "SlowDown"));
  EXPECT_TRUE(IsRetryableHttp(504, ""));
  EXPECT_TRUE(IsRetryableHttp(429, ""));
  EXPECT_TRUE(IsRetryableHttp(400, "RequestTimeout"));
  EXPECT_TRUE(IsRetryableHttp(400, "ThrottlingException"));
}

TEST(IsRetryableHttp, ClientErrorsAreFinal) {
  EXPECT_FALSE(IsRetryableHttp(200, ""));
  EXPECT_FALSE(IsRetryableHttp(400, "InvalidRequest"));
  EXPECT_FALSE(IsRetryableHttp(403, "SignatureDoesNotMatch"));
  EXPECT_FALSE(IsRetryableHttp(403, "AccessDenied"));
  EXPECT_FALSE(IsRetryableHttp(404, "NoSuchKey"));
  EXPECT_FALSE(IsRetryableHttp(301, "PermanentRedirect"));
}

}  // namespace
}  // namespace imgpipe::aws
