// Long-lived worker processes: fork, a socket for the jobs, a memfd for the data (isolate.h).
#include "isolate.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string>

namespace imgpipe::core {
namespace {

std::atomic<ChildFault> g_fault{ChildFault::kNone};

// In the worker, where the socket and the memfd are moved; everything above is closed.
constexpr int kWorkerSocket = 3;
constexpr int kWorkerMemfd = 4;
// Regions grow in whole MiB, so that sizes that differ a little reuse the same mapping.
constexpr size_t kRegionGranule = size_t{1} << 20;
// A region larger than this is given back after its job (a 100 MP image must not keep 400 MB
// of shared memory resident); below it, the next job finds its pages already faulted in. 64 MiB
// holds a 12 MP RGB image, its 4 MiB profile area and its file.
constexpr size_t kWarmRegionBytes = size_t{64} << 20;
struct JobMessage {
  uint64_t region_bytes;
  uint64_t address_space_bytes;
  uint32_t cpu_seconds;
  int32_t fault;
};

std::string SignalName(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

// --- The worker's side -------------------------------------------------------------------

// The worker's address space now, which RLIMIT_AS counts (raw read: no stdio in the worker).
uint64_t AddressSpaceBytes() {
  const int fd = open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return 0;  // no /proc (a bare chroot): the budget alone is the limit
  }
  char text[64] = {};
  const ssize_t n = read(fd, text, sizeof text - 1);
  (void)close(fd);
  uint64_t pages = 0;
  for (ssize_t i = 0; i < n && text[i] >= '0' && text[i] <= '9'; ++i) {
    pages = pages * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  return pages * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

// Only the soft limits move, so the next job can raise them again; the hard ones stay as
// inherited.
void SetSoftLimit(int resource, uint64_t soft) {
  rlimit limit{};
  if (getrlimit(resource, &limit) != 0) {
    return;
  }
  limit.rlim_cur = limit.rlim_max == RLIM_INFINITY ? soft : std::min<rlim_t>(soft, limit.rlim_max);
  (void)setrlimit(resource, &limit);
}

void LiftSoftLimit(int resource) {
  rlimit limit{};
  if (getrlimit(resource, &limit) == 0) {
    limit.rlim_cur = limit.rlim_max;
    (void)setrlimit(resource, &limit);
  }
}

void ApplyJobLimits(const JobMessage& job) {
  if (job.address_space_bytes > 0) {
    SetSoftLimit(RLIMIT_AS, AddressSpaceBytes() + job.address_space_bytes);
  }
  if (job.cpu_seconds > 0) {
    // RLIMIT_CPU counts the worker's whole life: the job gets its budget on top of what the
    // earlier jobs used (rounded up, so it never gets less).
    rusage usage{};
    (void)getrusage(RUSAGE_SELF, &usage);
    const uint64_t micros =
        static_cast<uint64_t>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1'000'000 +
        static_cast<uint64_t>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
    const uint64_t used = (micros + 999'999) / 1'000'000;
    SetSoftLimit(RLIMIT_CPU, used + job.cpu_seconds);
  }
}

void CommitFault(ChildFault fault) {
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
}

// Moves the job socket and the memfd to fixed numbers and closes every other descriptor the
// fork copied: a worker holding the parent's S3 connections or the other workers' sockets would
// keep them open after the parent closes them.
void KeepOnly(int socket_fd, int memfd) {
  const int socket_copy = fcntl(socket_fd, F_DUPFD, 10);
  const int memfd_copy = fcntl(memfd, F_DUPFD, 10);
  if (socket_copy < 0 || memfd_copy < 0 || dup2(socket_copy, kWorkerSocket) < 0 ||
      dup2(memfd_copy, kWorkerMemfd) < 0) {
    _exit(125);
  }
  if (syscall(SYS_close_range, kWorkerMemfd + 1, ~0U, 0) != 0) {
    const long open_max = std::min<long>(sysconf(_SC_OPEN_MAX), 65536);
    for (int fd = kWorkerMemfd + 1; fd < open_max; ++fd) {
      (void)close(fd);
    }
  }
}

[[noreturn]] void WorkerMain(int socket_fd, int memfd, IsolatedWork work) {
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGXCPU, SIGPIPE}) {
    (void)signal(sig, SIG_DFL);
  }
  const rlimit no_core{0, 0};
  (void)setrlimit(RLIMIT_CORE, &no_core);  // a crashing worker must not write a core file
  KeepOnly(socket_fd, memfd);
  uint8_t* region = nullptr;
  size_t mapped = 0;
  for (;;) {
    JobMessage job{};
    ssize_t n = 0;
    do {
      n = recv(kWorkerSocket, &job, sizeof job, 0);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof job)) {
      _exit(0);  // the parent closed the socket (it is done, or exited)
    }
    if (job.region_bytes != mapped) {
      if (region != nullptr) {
        (void)munmap(region, mapped);
      }
      void* map =
          mmap(nullptr, job.region_bytes, PROT_READ | PROT_WRITE, MAP_SHARED, kWorkerMemfd, 0);
      if (map == MAP_FAILED) {
        _exit(124);
      }
      region = static_cast<uint8_t*>(map);
      mapped = job.region_bytes;
    }
    ApplyJobLimits(job);
    CommitFault(static_cast<ChildFault>(job.fault));
    const int32_t status = work({region, mapped}) & 0xFF;
    LiftSoftLimit(RLIMIT_AS);  // idle, and free to map the next job's region
    if (send(kWorkerSocket, &status, sizeof status, MSG_NOSIGNAL) != sizeof status) {
      _exit(0);
    }
  }
}

}  // namespace

// --- The parent's side -------------------------------------------------------------------

class Worker {
 public:
  static Result<std::unique_ptr<Worker>> Start(const char* what, IsolatedWork work) {
    int sockets[2] = {-1, -1};
    if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sockets) != 0) {
      return Failed(what, "socketpair");
    }
    const int memfd = static_cast<int>(syscall(SYS_memfd_create, "imgpipe-worker", MFD_CLOEXEC));
    if (memfd < 0) {
      const int error = errno;  // before close() may overwrite it
      (void)close(sockets[0]);
      (void)close(sockets[1]);
      return Failed(what, "memfd_create", error);
    }
    const pid_t pid = fork();
    if (pid < 0) {
      const int error = errno;
      (void)close(sockets[0]);
      (void)close(sockets[1]);
      (void)close(memfd);
      return Failed(what, "fork", error);
    }
    if (pid == 0) {
      WorkerMain(sockets[1], memfd, work);
    }
    (void)close(sockets[1]);
    return std::unique_ptr<Worker>(new Worker(what, pid, sockets[0], memfd));
  }

  ~Worker() {
    Unmap();
    (void)close(memfd_);
    (void)close(socket_);  // an idle worker reads end-of-file and exits
    if (pid_ > 0) {
      int status = 0;
      (void)waitpid(pid_, &status, 0);
    }
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  Status Reserve(size_t bytes) {
    if (bytes <= size_) {
      return OkStatus();
    }
    const size_t size = (bytes + kRegionGranule - 1) / kRegionGranule * kRegionGranule;
    Unmap();
    if (ftruncate(memfd_, static_cast<off_t>(size)) != 0) {
      return Failed(what_, "ftruncate").error();
    }
    void* map = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED, memfd_, 0);
    if (map == MAP_FAILED) {
      return Failed(what_, "mmap").error();
    }
    region_ = static_cast<uint8_t*>(map);
    size_ = size;
    return OkStatus();
  }

  // Gives a large region's pages back; the next job maps a new one.
  void ShrinkIfLarge() {
    if (size_ > kWarmRegionBytes) {
      Unmap();
      (void)ftruncate(memfd_, 0);
    }
  }

  std::span<uint8_t> region() const { return {region_, size_}; }
  bool dead() const { return pid_ <= 0; }

  // An idle worker never writes, so a readable or hung-up socket means it died while idle
  // (killed by the system, say); it is reaped here instead of failing the next image.
  bool DiedWhileIdle() {
    pollfd fd{socket_, POLLIN, 0};
    if (poll(&fd, 1, 0) != 0) {
      Reap();
    }
    return dead();
  }

  Result<int> Run(const ChildLimits& limits) {
    const JobMessage job{size_, limits.address_space_bytes, limits.cpu_seconds,
                         static_cast<int32_t>(g_fault.load())};
    if (send(socket_, &job, sizeof job, MSG_NOSIGNAL) != static_cast<ssize_t>(sizeof job)) {
      return Died(limits);
    }
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(limits.wall_ms);
    pollfd fd{socket_, POLLIN, 0};
    int ready = 0;
    do {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      ready = poll(&fd, 1, static_cast<int>(std::max<int64_t>(0, left.count())));
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
      (void)kill(pid_, SIGKILL);
      Reap();
      return MakeError(ErrorCode::kCorruptImage, std::string(what_) + " ran past its " +
                                                     std::to_string(limits.wall_ms) +
                                                     " ms time limit and was killed (SIGKILL)");
    }
    int32_t status = 0;
    ssize_t n = 0;
    do {
      n = recv(socket_, &status, sizeof status, 0);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof status)) {
      return Died(limits);
    }
    return static_cast<int>(status);
  }

 private:
  Worker(const char* what, pid_t pid, int socket, int memfd)
      : what_(what), pid_(pid), socket_(socket), memfd_(memfd) {}

  static Result<std::unique_ptr<Worker>> Failed(const char* what, const char* call,
                                                int error = errno) {
    return MakeError(ErrorCode::kInternal, std::string("cannot start the ") + what + ": " + call +
                                               ": " + std::strerror(error));
  }

  void Unmap() {
    if (region_ != nullptr) {
      (void)munmap(region_, size_);
    }
    region_ = nullptr;
    size_ = 0;
  }

  int Reap() {
    int status = 0;
    if (pid_ > 0) {
      (void)waitpid(pid_, &status, 0);
      pid_ = 0;
    }
    return status;
  }

  // The socket closed mid-job: the worker is gone; its wait status says how.
  Error Died(const ChildLimits& limits) {
    const int status = Reap();
    if (WIFEXITED(status)) {
      return MakeError(ErrorCode::kCorruptImage, std::string(what_) + " exited with status " +
                                                     std::to_string(WEXITSTATUS(status)));
    }
    const int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    std::string why = "killed by " + SignalName(sig);
    if (sig == SIGXCPU) {
      why += " (over its " + std::to_string(limits.cpu_seconds) + " s CPU time limit)";
    }
    return MakeError(ErrorCode::kCorruptImage, std::string(what_) + " crashed: " + why);
  }

  const char* what_;
  pid_t pid_;
  int socket_;
  int memfd_;
  uint8_t* region_ = nullptr;
  size_t size_ = 0;
};

void SetChildFaultForTesting(ChildFault fault) { g_fault.store(fault); }

IsolatedWorkers::IsolatedWorkers(const char* what, IsolatedWork work) : what_(what), work_(work) {}

IsolatedWorkers::~IsolatedWorkers() = default;

size_t IsolatedWorkers::started() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  return started_;
}

Result<IsolatedWorkers::Lease> IsolatedWorkers::Acquire(size_t region_bytes) {
  std::unique_ptr<Worker> worker;
  {
    const std::lock_guard<std::mutex> lock(mutex_);
    while (!idle_.empty() && worker == nullptr) {
      worker = std::move(idle_.back());
      idle_.pop_back();
      if (worker->DiedWhileIdle()) {
        worker.reset();
      }
    }
  }
  if (worker == nullptr) {
    auto started = Worker::Start(what_, work_);
    if (!started) {
      return started.error();
    }
    worker = std::move(*started);
    const std::lock_guard<std::mutex> lock(mutex_);
    ++started_;
  }
  if (auto reserved = worker->Reserve(region_bytes); !reserved) {
    return reserved.error();
  }
  return Lease(this, std::move(worker));
}

void IsolatedWorkers::Return(std::unique_ptr<Worker> worker) {
  if (worker == nullptr || worker->dead()) {
    return;
  }
  worker->ShrinkIfLarge();
  const std::lock_guard<std::mutex> lock(mutex_);
  idle_.push_back(std::move(worker));
}

IsolatedWorkers::Lease::Lease(IsolatedWorkers* pool, std::unique_ptr<Worker> worker)
    : pool_(pool), worker_(std::move(worker)) {}

IsolatedWorkers::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), worker_(std::move(other.worker_)) {}

IsolatedWorkers::Lease::~Lease() {
  if (worker_ != nullptr) {
    pool_->Return(std::move(worker_));
  }
}

std::span<uint8_t> IsolatedWorkers::Lease::region() const { return worker_->region(); }

Result<int> IsolatedWorkers::Lease::Run(const ChildLimits& limits) { return worker_->Run(limits); }

}  // namespace imgpipe::core
