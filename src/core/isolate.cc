// fork + rlimits + a pidfd wait with a wall-clock timeout (see isolate.h).
#include "isolate.h"

#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

namespace imgpipe::core {
namespace {

std::atomic<ChildFault> g_fault{ChildFault::kNone};

// The parent's current address space, which the child inherits and RLIMIT_AS counts.
uint64_t AddressSpaceBytes() {
  FILE* statm = std::fopen("/proc/self/statm", "re");
  unsigned long long pages = 0;
  if (statm != nullptr) {
    if (std::fscanf(statm, "%llu", &pages) != 1) {
      pages = 0;
    }
    (void)std::fclose(statm);
  }
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

void SetLimit(int resource, rlim_t soft, rlim_t hard) {
  const rlimit limit{soft, hard};
  (void)setrlimit(resource, &limit);
}

// Only async-signal-safe calls from here to work(): see RunInChild's contract.
[[noreturn]] void ChildMain(const ChildLimits& limits, uint64_t address_space, int (*work)(void*),
                            void* arg, ChildFault fault) {
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGXCPU, SIGPIPE}) {
    (void)signal(sig, SIG_DFL);
  }
  SetLimit(RLIMIT_CORE, 0, 0);  // a crashing child must not write a core file
  if (limits.address_space_bytes > 0) {
    const rlim_t as = address_space + limits.address_space_bytes;
    SetLimit(RLIMIT_AS, as, as);
  }
  if (limits.cpu_seconds > 0) {
    SetLimit(RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1);
  }
  switch (fault) {
    case ChildFault::kSegfault:
      (void)raise(SIGSEGV);
      break;
    case ChildFault::kAbort:
      std::abort();
    case ChildFault::kHang:
      for (;;) {
        (void)pause();
      }
    case ChildFault::kNone:
      break;
  }
  _exit(work(arg) & 0xFF);
}

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// Waits for the child, up to `wall_ms`. Returns false on timeout. A pidfd makes the wait a
// poll() with a timeout and is immune to the other children this process may be running; a
// kernel without pidfd_open (before 5.3) gets a short sleep loop instead.
bool WaitFor(pid_t pid, uint32_t wall_ms, int* status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wall_ms);
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd fd{pidfd, POLLIN, 0};
    int ready = 0;
    do {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      ready = poll(&fd, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    } while (ready < 0 && errno == EINTR);
    (void)close(pidfd);
    if (ready == 0) {
      return false;
    }
    return waitpid(pid, status, 0) == pid;
  }
  auto nap = std::chrono::microseconds(20);
  for (;;) {
    const pid_t done = waitpid(pid, status, WNOHANG);
    if (done == pid) {
      return true;
    }
    if (done < 0 && errno != EINTR) {
      return true;  // already reaped: treat as a crash below through *status
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(nap);
    nap = std::min(nap * 2, std::chrono::microseconds(2000));
  }
}

}  // namespace

SharedRegion::SharedRegion(size_t bytes) : size_(bytes) {
  void* map = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (map != MAP_FAILED) {
    data_ = static_cast<uint8_t*>(map);
  }
}

SharedRegion::~SharedRegion() {
  if (data_ != nullptr) {
    (void)munmap(data_, size_);
  }
}

void SetChildFaultForTesting(ChildFault fault) { g_fault.store(fault); }

Result<int> RunInChild(const char* what, const ChildLimits& limits, int (*work)(void*), void* arg) {
  const uint64_t address_space = AddressSpaceBytes();
  const ChildFault fault = g_fault.load();
  const pid_t pid = fork();
  if (pid < 0) {
    return MakeError(ErrorCode::kInternal,
                     std::string("cannot start the ") + what + ": fork: " + std::strerror(errno));
  }
  if (pid == 0) {
    ChildMain(limits, address_space, work, arg, fault);
  }
  int status = 0;
  if (!WaitFor(pid, limits.wall_ms, &status)) {
    (void)kill(pid, SIGKILL);
    (void)waitpid(pid, &status, 0);
    return MakeError(ErrorCode::kCorruptImage, std::string(what) + " ran past its " +
                                                   std::to_string(limits.wall_ms) +
                                                   " ms time limit and was killed (SIGKILL)");
  }
  if (WIFEXITED(status)) {
    return WEXITSTATUS(status);
  }
  const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  std::string why = "killed by " + SignalName(sig);
  if (sig == SIGXCPU) {
    why += " (over its " + std::to_string(limits.cpu_seconds) + " s CPU time limit)";
  }
  return MakeError(ErrorCode::kCorruptImage, std::string(what) + " crashed: " + why);
}

}  // namespace imgpipe::core
