// Running a fragile codec in a forked child, so that its crash, abort, hang or runaway
// allocation costs one image instead of the CLI batch or the Lambda runtime (docs/formats.md,
// "Isolation"). Only libheif runs here: the other codecs are hardened and fuzzed upstream, and
// the fork would cost them more than their whole decode on small images.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "imgpipe/error.h"

namespace imgpipe::core {

struct ChildLimits {
  uint64_t address_space_bytes = 0;  // RLIMIT_AS headroom on top of the inherited address space
  uint32_t cpu_seconds = 0;          // RLIMIT_CPU: SIGXCPU, then SIGKILL one second later
  uint32_t wall_ms = 0;              // the parent kills the child (SIGKILL) after this
};

// A MAP_SHARED anonymous mapping, created before the fork so both sides see the same pages.
// Pages the child never writes cost nothing, so it can be sized for the worst case.
class SharedRegion {
 public:
  explicit SharedRegion(size_t bytes);
  ~SharedRegion();
  SharedRegion(const SharedRegion&) = delete;
  SharedRegion& operator=(const SharedRegion&) = delete;
  bool ok() const { return data_ != nullptr; }
  std::span<uint8_t> bytes() const { return {data_, size_}; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Forks; the child sets its limits, calls work(arg) and exits with its return value (0..255)
// without running any destructor or atexit handler. Returns that exit status, or
// kCorruptImage naming how the child died: the signal ("killed by SIGSEGV"), the CPU limit
// (SIGXCPU) or the wall-clock limit. `what` names the work in those messages ("HEIF decoder").
//
// The child of a multithreaded parent may only rely on what glibc keeps usable after fork
// (async-signal-safe calls, and malloc, whose locks glibc's fork resets) and on code that takes
// no lock another parent thread could hold: `work` must not log, use stdio, or dlopen.
Result<int> RunInChild(const char* what, const ChildLimits& limits, int (*work)(void* arg),
                       void* arg);

// A test-only fault injected in the child right before `work`, to prove that a dying child
// costs one image. Production code never sets it; it is process-wide and atomic.
enum class ChildFault { kNone, kSegfault, kAbort, kHang };
void SetChildFaultForTesting(ChildFault fault);

}  // namespace imgpipe::core
