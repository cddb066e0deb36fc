// Retry policy for S3 calls: capped exponential backoff with "full jitter" (the delay before retry
// n is uniform in [0, min(max_delay, base_delay * 2^n)]), bounded both by an attempt count and by a
// total time budget. Pure functions so the policy is unit-tested without sleeping.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

namespace imgpipe::aws {

struct RetryPolicy {
  int max_attempts = 4;                        // total tries, including the first; >= 1
  std::chrono::milliseconds base_delay{100};   // cap of the first backoff
  std::chrono::milliseconds max_delay{2000};   // no single backoff exceeds this
  std::chrono::milliseconds max_total{20000};  // no retry starts after this much elapsed time
};

// Upper bound of the backoff before retry number `retry` (0 = the first retry):
// min(max_delay, base_delay * 2^retry), overflow-safe for any retry count.
std::chrono::milliseconds BackoffCap(const RetryPolicy& policy, int retry);

// Full jitter: `unit` is a uniform random number in [0, 1); returns floor(unit * cap).
std::chrono::milliseconds FullJitterDelay(const RetryPolicy& policy, int retry, double unit);

// Whether another attempt may start: attempts_made < max_attempts and elapsed + delay stays
// within max_total.
bool ShouldRetry(const RetryPolicy& policy, int attempts_made, std::chrono::milliseconds elapsed,
                 std::chrono::milliseconds next_delay);

// HTTP outcomes worth retrying: any 5xx, 429, and S3's throttling / timeout codes that can arrive
// with a 4xx status (SlowDown, RequestTimeout, Throttling...). `s3_code` may be empty.
bool IsRetryableHttp(long status, std::string_view s3_code);

}  // namespace imgpipe::aws
