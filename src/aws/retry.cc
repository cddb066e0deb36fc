#include "aws/retry.h"

#include <algorithm>
#include <cmath>

namespace imgpipe::aws {

std::chrono::milliseconds BackoffCap(const RetryPolicy& policy, int retry) {
  const int64_t base = std::max<int64_t>(0, policy.base_delay.count());
  const int64_t max = std::max<int64_t>(0, policy.max_delay.count());
  if (retry < 0) {
    retry = 0;
  }
  // Doubling past 2^40 ms (35 years) cannot be below any sane max; stop before int64 overflow.
  int64_t cap = base;
  for (int i = 0; i < retry && cap < max && i < 40; ++i) {
    cap *= 2;
  }
  return std::chrono::milliseconds(std::min(cap, max));
}

std::chrono::milliseconds FullJitterDelay(const RetryPolicy& policy, int retry, double unit) {
  if (!(unit >= 0.0)) {
    unit = 0.0;  // also catches NaN
  }
  if (unit >= 1.0) {
    unit = std::nextafter(1.0, 0.0);
  }
  const auto cap = BackoffCap(policy, retry).count();
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::floor(unit * static_cast<double>(cap))));
}

bool ShouldRetry(const RetryPolicy& policy, int attempts_made, std::chrono::milliseconds elapsed,
                 std::chrono::milliseconds next_delay) {
  if (attempts_made >= policy.max_attempts) {
    return false;
  }
  return elapsed + next_delay <= policy.max_total;
}

bool IsRetryableHttp(long status, std::string_view s3_code) {
  if (status >= 500 && status <= 599) {
    return true;
  }
  if (status == 429) {
    return true;
  }
  // S3 (and S3-compatible stores) sometimes throttle or time out with a 400/403 status.
  constexpr std::string_view kRetryableCodes[] = {
      "SlowDown",
      "RequestTimeout",
      "Throttling",
      "ThrottlingException",
      "RequestLimitExceeded",
      "InternalError",
      "ServiceUnavailable",
  };
  return std::find(std::begin(kRetryableCodes), std::end(kRetryableCodes), s3_code) !=
         std::end(kRetryableCodes);
}

}  // namespace imgpipe::aws
