#include "cli/file_io.h"

#include <fcntl.h>
#include <stdio.h>  // renameat2, RENAME_NOREPLACE
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <string>
#include <system_error>
#include <utility>

namespace imgpipe::cli {
namespace fs = std::filesystem;
namespace {

std::string ErrnoText(int err) { return std::generic_category().message(err); }

// Owns a file descriptor: closed on every return path.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(-1); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    Reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  int release() { return std::exchange(fd_, -1); }

 private:
  void Reset(int fd) {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }
  int fd_;
};

// Distinguishes temporary files of concurrent workers (and processes) in the same directory.
std::atomic<uint64_t> g_temp_counter{0};

const char* KindOf(mode_t mode) {
  if (S_ISDIR(mode)) {
    return "a directory";
  }
  if (S_ISFIFO(mode)) {
    return "a FIFO";
  }
  if (S_ISSOCK(mode)) {
    return "a socket";
  }
  if (S_ISCHR(mode) || S_ISBLK(mode)) {
    return "a device";
  }
  return "not a file";
}

Error CannotWrite(const fs::path& output, const std::string& why) {
  return MakeError(ErrorCode::kIoError, "cannot write " + output.string() + ": " + why);
}

Error SymlinkRefused(const fs::path& output, const fs::path& link) {
  return CannotWrite(output, link.string() +
                                 " is a symlink; outputs are never written through a symlink "
                                 "below the output directory");
}

bool IsSymlinkAt(int dir, const std::string& name) {
  struct stat st {};
  return ::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode);
}

// Opens (creating it if missing) the subdirectory `name` of `parent` without following a
// symlink; `shown` is its full path for messages.
Result<Fd> OpenSubdirectory(int parent, const std::string& name, const fs::path& output,
                            const fs::path& shown) {
  if (::mkdirat(parent, name.c_str(), 0755) != 0 && errno != EEXIST) {
    return CannotWrite(output,
                       "cannot create directory " + shown.string() + ": " + ErrnoText(errno));
  }
  Fd fd(::openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    const int err = errno;
    if (IsSymlinkAt(parent, name)) {
      return SymlinkRefused(output, shown);
    }
    return CannotWrite(output, "cannot open directory " + shown.string() + ": " + ErrnoText(err));
  }
  return fd;
}

// Moves `temp` to `name` in `dir`, failing with EEXIST instead of replacing a file. Returns 0
// or an errno value.
int PlaceWithoutReplacing(int dir, const std::string& temp, const std::string& name) {
  if (::renameat2(dir, temp.c_str(), dir, name.c_str(), RENAME_NOREPLACE) == 0) {
    return 0;
  }
  if (errno != EINVAL && errno != ENOSYS) {
    return errno;
  }
  // A file system without RENAME_NOREPLACE: a hard link refuses an existing name just as
  // atomically.
  if (::linkat(dir, temp.c_str(), dir, name.c_str(), 0) != 0) {
    return errno;
  }
  ::unlinkat(dir, temp.c_str(), 0);
  return 0;
}

Status WriteAll(int fd, std::span<const uint8_t> bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return MakeError(ErrorCode::kIoError, ErrnoText(errno));
    }
    done += static_cast<size_t>(n);
  }
  return OkStatus();
}

// Writes the file `name` inside the already opened directory `dir`.
Status WriteInDirectory(int dir, const std::string& name, const fs::path& output,
                        std::span<const uint8_t> bytes, bool overwrite) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode)) {
      return SymlinkRefused(output, output);
    }
    if (!overwrite) {
      return OutputExistsError(output);
    }
  }
  // Hidden (discovery skips it if OUTDIR is walked later), unique per process and per write.
  const std::string temp = "." + name + ".imgpipe-" + std::to_string(::getpid()) + "-" +
                           std::to_string(g_temp_counter.fetch_add(1));
  Fd fd(::openat(dir, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
  if (fd.get() < 0) {
    return CannotWrite(output, "cannot create a temporary file: " + ErrnoText(errno));
  }
  Status written = WriteAll(fd.get(), bytes);
  if (written && ::close(fd.release()) != 0) {
    written = MakeError(ErrorCode::kIoError, ErrnoText(errno));
  }
  if (!written) {
    ::unlinkat(dir, temp.c_str(), 0);
    return CannotWrite(output, written.error().message);
  }
  int err = 0;
  if (overwrite) {
    err = ::renameat(dir, temp.c_str(), dir, name.c_str()) == 0 ? 0 : errno;
  } else {
    err = PlaceWithoutReplacing(dir, temp, name);
  }
  if (err != 0) {
    ::unlinkat(dir, temp.c_str(), 0);
    return err == EEXIST && !overwrite ? OutputExistsError(output)
                                       : CannotWrite(output, ErrnoText(err));
  }
  return OkStatus();
}

}  // namespace

Error OutputExistsError(const fs::path& output) {
  return MakeError(ErrorCode::kIoError,
                   "output " + output.string() +
                       " already exists and was not written by this run; not replacing it "
                       "(pass --overwrite to replace existing outputs)");
}

Status ReadFileInto(const fs::path& path, uint64_t max_bytes, std::vector<uint8_t>& buffer) {
  // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer, forever.
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
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
    return MakeError(ErrorCode::kIoError,
                     std::string("not a regular file (") + KindOf(st.st_mode) + ")");
  }
  // A regular file: back to ordinary blocking reads.
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0) {
    return MakeError(ErrorCode::kIoError, "cannot clear O_NONBLOCK: " + ErrnoText(errno));
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

Status WriteOutputFile(const fs::path& root, const fs::path& relative,
                       std::span<const uint8_t> bytes, bool overwrite) {
  const fs::path rel = relative.lexically_normal();
  const fs::path output = root / rel;
  if (rel.is_absolute() || !rel.has_filename() || rel.filename() == "." ||
      rel.begin()->string() == "..") {
    return MakeError(ErrorCode::kInternal,
                     "output " + output.string() + " is not below the output directory");
  }
  std::error_code ec;
  fs::create_directories(root, ec);
  // Another worker may have created it at the same moment; only a missing directory is fatal.
  if (ec && !fs::is_directory(root)) {
    return CannotWrite(output, "cannot create directory " + root.string() + ": " + ec.message());
  }
  Fd dir(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() < 0) {
    return CannotWrite(output, "cannot open directory " + root.string() + ": " + ErrnoText(errno));
  }
  fs::path shown = root;
  for (const fs::path& part : rel.parent_path()) {
    shown /= part;
    Result<Fd> sub = OpenSubdirectory(dir.get(), part.string(), output, shown);
    if (!sub) {
      return sub.error();
    }
    dir = std::move(sub).value();
  }
  return WriteInDirectory(dir.get(), rel.filename().string(), output, bytes, overwrite);
}

}  // namespace imgpipe::cli
