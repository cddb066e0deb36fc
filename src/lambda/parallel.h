// The bounded worker pool behind CONCURRENCY: the records of one invocation run on a few threads,
// so one record's S3 round trips overlap another's decoding.
#pragma once

#include <cstddef>
#include <functional>

namespace imgpipe::lambda {

// Calls work(i) exactly once for every i in [0, count), on at most `concurrency` threads: the
// calling thread plus up to concurrency - 1 helpers started for this call (fewer when there are
// fewer indices, or when the system refuses a thread). Indices are handed out in increasing
// order; each call owns its index, so results written to slot i need no lock. Returns when every
// call has returned. With concurrency <= 1 everything runs on the calling thread, in order.
// `work` must not throw.
void ForEachIndex(size_t count, int concurrency, const std::function<void(size_t)>& work);

}  // namespace imgpipe::lambda
