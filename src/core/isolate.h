// Running a fragile codec in a separate process, so that its crash, abort, hang or runaway
// allocation costs one image instead of the CLI batch or the Lambda runtime (docs/formats.md,
// "Isolation"). Only libheif runs here: the other codecs are hardened and fuzzed upstream.
//
// The processes are long-lived workers, forked on first need and reused: a fork per image cost
// tens of milliseconds on the build machines (the copy of the parent's page tables, and a heap
// whose every page is a fresh fault), where a job on a warm worker costs one socket round trip.
// A worker that dies, or is killed at its time limit, is reaped and replaced by the next job.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <vector>

#include "imgpipe/error.h"

namespace imgpipe::core {

struct ChildLimits {
  uint64_t address_space_bytes = 0;  // RLIMIT_AS headroom on top of the worker's address space
  uint32_t cpu_seconds = 0;          // RLIMIT_CPU for this job: SIGXCPU when it is spent
  uint32_t wall_ms = 0;              // the parent kills the worker (SIGKILL) after this
};

// The job, run in a worker: reads its input from and writes its output into `region`, whose
// layout is the caller's. Returns 0..255. It must not rely on anything another parent thread
// could have held locked at the fork: no logging, no stdio, no dlopen (glibc's fork keeps
// malloc usable in the child).
using IsolatedWork = int (*)(std::span<uint8_t> region);

// A test-only fault a worker commits right before the job, to prove that a dying worker costs
// one image. Production code never sets it; it is process-wide and atomic.
enum class ChildFault { kNone, kSegfault, kAbort, kHang };
void SetChildFaultForTesting(ChildFault fault);

class Worker;

// The pool of workers for one kind of work. Thread-safe: each job borrows a worker of its own,
// so concurrent records decode concurrently, and the pool holds as many workers as were ever
// busy at once.
class IsolatedWorkers {
 public:
  // `what` names the work in error messages ("HEIF decoder").
  IsolatedWorkers(const char* what, IsolatedWork work);
  ~IsolatedWorkers();  // closes the idle workers' sockets and reaps them
  IsolatedWorkers(const IsolatedWorkers&) = delete;
  IsolatedWorkers& operator=(const IsolatedWorkers&) = delete;

  // One job on one worker: write the input into region(), Run(), read the output from region().
  // The worker goes back to the pool when the lease ends, unless it died.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    // Shared with the worker, at least as large as asked for; its old contents are undefined.
    std::span<uint8_t> region() const;
    // The job's return value, or kCorruptImage naming how the worker died: the signal ("killed
    // by SIGSEGV"), the CPU limit (SIGXCPU) or the wall-clock limit.
    Result<int> Run(const ChildLimits& limits);

   private:
    friend class IsolatedWorkers;
    Lease(IsolatedWorkers* pool, std::unique_ptr<Worker> worker);
    IsolatedWorkers* pool_;
    std::unique_ptr<Worker> worker_;
  };

  // A worker with a region of at least `region_bytes`; kInternal when none can be started.
  Result<Lease> Acquire(size_t region_bytes);

  // Workers started so far (for tests: reuse means this stops growing).
  size_t started() const;

 private:
  void Return(std::unique_ptr<Worker> worker);

  const char* what_;
  IsolatedWork work_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Worker>> idle_;
  size_t started_ = 0;
};

}  // namespace imgpipe::core
