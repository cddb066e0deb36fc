#include "cli/batch.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

namespace imgpipe::cli {
namespace fs = std::filesystem;
namespace {

std::string ErrnoText(int err) { return std::generic_category().message(err); }

// Closes a file descriptor on every return path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_;
};

// Distinguishes temporary files of concurrent workers (and processes) in the same directory.
std::atomic<uint64_t> g_temp_counter{0};

struct FileResult {
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
};

Result<FileResult> ProcessOne(const PlannedFile& file, const BatchConfig& config,
                              std::vector<uint8_t>& buffer) {
  if (Status read = ReadFileInto(file.input.path, config.options.limits.max_input_bytes, buffer);
      !read) {
    return read.error();
  }
  Result<Encoded> encoded = config.process(buffer, config.options);
  if (!encoded) {
    return encoded.error();
  }
  if (Status written = WriteFileAtomically(file.output, encoded->bytes); !written) {
    return written.error();
  }
  return FileResult{buffer.size(), encoded->bytes.size()};
}

}  // namespace

ProcessFn DefaultProcessFn() {
  return [](std::span<const uint8_t> input, const Options& options) {
    return Process(input, options);
  };
}

Status ReadFileInto(const fs::path& path, uint64_t max_bytes, std::vector<uint8_t>& buffer) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    return MakeError(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kIoError,
                     "cannot open: " + ErrnoText(err));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return MakeError(ErrorCode::kIoError, "cannot stat: " + ErrnoText(errno));
  }
  if (!S_ISREG(st.st_mode)) {
    return MakeError(ErrorCode::kIoError, "not a regular file");
  }
  const auto size = static_cast<uint64_t>(st.st_size);
  // Refuse from the size on disk: a huge file is never read into memory.
  if (size > max_bytes) {
    return MakeError(ErrorCode::kInputTooLarge, "file has " + std::to_string(size) +
                                                    " bytes, more than max-input-bytes " +
                                                    std::to_string(max_bytes));
  }
  buffer.resize(static_cast<size_t>(size));  // keeps capacity: no reallocation once warmed up
  size_t done = 0;
  while (done < buffer.size()) {
    const ssize_t n = ::read(fd.get(), buffer.data() + done, buffer.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return MakeError(ErrorCode::kIoError, "read failed: " + ErrnoText(errno));
    }
    if (n == 0) {
      break;  // the file shrank while we read it: process what is there
    }
    done += static_cast<size_t>(n);
  }
  buffer.resize(done);
  return OkStatus();
}

Status WriteFileAtomically(const fs::path& path, std::span<const uint8_t> bytes) {
  const fs::path parent = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::error_code ec;
  fs::create_directories(parent, ec);
  // Another worker may have created it at the same moment; only a missing directory is fatal.
  if (ec && !fs::is_directory(parent)) {
    return MakeError(ErrorCode::kIoError,
                     "cannot create directory " + parent.string() + ": " + ec.message());
  }
  // Hidden, unique per process and per write. Built with append: GCC 12's -Wrestrict misfires
  // on `"." + std::string` chains at -O2 (GCC bug 105329).
  std::string temp_name = ".";
  temp_name.append(path.filename().string())
      .append(".imgpipe-")
      .append(std::to_string(::getpid()))
      .append("-")
      .append(std::to_string(g_temp_counter.fetch_add(1)));
  const fs::path temp = parent / temp_name;
  Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    return MakeError(ErrorCode::kIoError,
                     "cannot create " + temp.string() + ": " + ErrnoText(errno));
  }
  auto fail = [&](const std::string& what, int err) {
    ::close(fd.release());
    ::unlink(temp.c_str());
    return MakeError(ErrorCode::kIoError, what + " " + path.string() + ": " + ErrnoText(err));
  };
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return fail("cannot write", errno);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd.release()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return MakeError(ErrorCode::kIoError, "cannot write " + path.string() + ": " + ErrnoText(err));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(temp.c_str());
    return MakeError(ErrorCode::kIoError, "cannot write " + path.string() + ": " + ErrnoText(err));
  }
  return OkStatus();
}

BatchStats RunBatch(const std::vector<PlannedFile>& files, const BatchConfig& config,
                    Reporter& reporter) {
  const auto start = std::chrono::steady_clock::now();
  BatchStats stats;
  std::mutex stats_mu;
  std::atomic<size_t> next{0};

  auto worker = [&] {
    std::vector<uint8_t> buffer;  // reused for every file this worker reads
    for (size_t i = next.fetch_add(1); i < files.size(); i = next.fetch_add(1)) {
      const PlannedFile& file = files[i];
      Result<FileResult> result = MakeError(ErrorCode::kInternal, "not run");
      try {
        result = ProcessOne(file, config, buffer);
      } catch (const std::exception& e) {
        // The core returns errors as values; this catches allocation failures and the like so
        // one file cannot take the whole batch down.
        result = MakeError(ErrorCode::kInternal, std::string("unexpected exception: ") + e.what());
      }
      if (result) {
        {
          std::lock_guard lock(stats_mu);
          ++stats.ok;
          stats.input_bytes += result->input_bytes;
          stats.output_bytes += result->output_bytes;
        }
        reporter.Succeeded();
      } else {
        FileFailure failure{file.input.display, result.error()};
        {
          std::lock_guard lock(stats_mu);
          ++stats.failed;
          stats.failures.push_back(failure);
        }
        reporter.Failed(failure);
      }
    }
  };

  const unsigned jobs = std::max(
      1u,
      std::min<unsigned>(config.jobs, static_cast<unsigned>(std::max<size_t>(files.size(), 1))));
  {
    std::vector<std::jthread> pool;
    pool.reserve(jobs - 1);
    for (unsigned t = 1; t < jobs; ++t) {
      pool.emplace_back(worker);
    }
    worker();  // the calling thread is worker 0
  }            // jthreads join here
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace imgpipe::cli
