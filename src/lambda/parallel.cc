#include "lambda/parallel.h"

#include <algorithm>
#include <atomic>
#include <system_error>
#include <thread>
#include <vector>

namespace imgpipe::lambda {

void ForEachIndex(size_t count, int concurrency, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  const auto drain = [&] {
    for (size_t i = next.fetch_add(1); i < count; i = next.fetch_add(1)) {
      work(i);
    }
  };
  const size_t threads = std::min(count, static_cast<size_t>(std::max(1, concurrency)));
  std::vector<std::jthread> helpers;
  helpers.reserve(threads > 0 ? threads - 1 : 0);
  for (size_t t = 1; t < threads; ++t) {
    try {
      helpers.emplace_back(drain);
    } catch (const std::system_error&) {
      break;  // out of threads (RLIMIT_NPROC, memory): the threads we have finish the work
    }
  }
  drain();
  // The jthreads join here, after the calling thread ran out of indices.
}

}  // namespace imgpipe::lambda
