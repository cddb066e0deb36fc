#include "cli/discover.h"

#include <sys/stat.h>

#include <algorithm>
#include <system_error>

namespace imgpipe::cli {
namespace fs = std::filesystem;
namespace {

// Directory identity by (device, inode), so the output directory is recognised however it is
// spelled (relative, absolute, through a symlink).
struct FileId {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const FileId&) const = default;
};

std::optional<FileId> IdOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::nullopt;
  }
  return FileId{st.st_dev, st.st_ino};
}

bool IsHidden(const fs::path& name) {
  const std::string s = name.filename().string();
  return !s.empty() && s[0] == '.';
}

// Why a symlink met in a walk cannot be followed, for the "skipped" line.
std::string WhyUnfollowable(const fs::path& link, const std::error_code& error) {
  if (error == std::errc::too_many_symbolic_link_levels) {
    return "symlink loop (" + error.message() + ")";
  }
  std::error_code ec;
  const fs::path target = fs::read_symlink(link, ec);
  const std::string to = ec ? std::string() : " to " + target.string();
  if (error == std::errc::no_such_file_or_directory) {
    return "dangling symlink" + to + " (its target does not exist)";
  }
  return "cannot follow symlink" + to + ": " + error.message();
}

class Walker {
 public:
  Walker(Discovery& out, std::optional<FileId> skip) : out_(out), skip_(skip) {}

  // Collects the regular files under `root` into `found` (relative to root), recursing into
  // subdirectories; entries of one directory are sorted afterwards by the caller.
  void Walk(const fs::path& root, const fs::path& relative_dir, std::vector<fs::path>& found) {
    const fs::path dir = relative_dir.empty() ? root : root / relative_dir;
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
      out_.failures.push_back(
          {dir.string(), MakeError(ErrorCode::kIoError, "cannot read directory: " + ec.message())});
      return;
    }
    for (const fs::directory_iterator end; it != end; it.increment(ec)) {
      if (ec) {
        break;
      }
      const fs::directory_entry& entry = *it;
      const fs::path name = entry.path().filename();
      if (IsHidden(name)) {
        continue;
      }
      std::error_code sec;
      const fs::file_status link_status = entry.symlink_status(sec);
      if (sec) {
        continue;
      }
      const fs::file_status status = entry.status(sec);
      if (sec) {
        if (fs::is_symlink(link_status)) {
          out_.skipped.push_back({entry.path().string(), WhyUnfollowable(entry.path(), sec)});
        }
        continue;
      }
      if (fs::is_directory(status)) {
        if (fs::is_symlink(link_status)) {
          continue;  // never follow: avoids cycles
        }
        if (skip_ && IdOf(entry.path()) == skip_) {
          continue;
        }
        Walk(root, relative_dir / name, found);
      } else if (fs::is_regular_file(status)) {
        found.push_back(relative_dir / name);
      }
    }
    if (ec) {
      out_.failures.push_back(
          {dir.string(), MakeError(ErrorCode::kIoError, "cannot list directory: " + ec.message())});
    }
  }

 private:
  Discovery& out_;
  std::optional<FileId> skip_;
};

}  // namespace

Discovery DiscoverInputs(const std::vector<std::string>& arguments,
                         const std::optional<fs::path>& skip_dir) {
  Discovery out;
  std::optional<FileId> skip;
  if (skip_dir) {
    skip = IdOf(*skip_dir);
  }
  Walker walker(out, skip);
  for (const std::string& argument : arguments) {
    const fs::path path(argument);
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) {
      const std::string reason = ec && ec != std::errc::no_such_file_or_directory
                                     ? "cannot access: " + ec.message()
                                     : "no such file or directory";
      out.failures.push_back({argument, MakeError(ErrorCode::kNotFound, reason)});
      continue;
    }
    if (fs::is_directory(status)) {
      const size_t skipped_before = out.skipped.size();
      std::vector<fs::path> found;
      walker.Walk(path, fs::path(), found);
      // Byte order of the generic form: stable across runs and file systems.
      std::sort(found.begin(), found.end(), [](const fs::path& a, const fs::path& b) {
        return a.generic_string() < b.generic_string();
      });
      std::sort(out.skipped.begin() + static_cast<std::ptrdiff_t>(skipped_before),
                out.skipped.end(),
                [](const SkippedEntry& a, const SkippedEntry& b) { return a.path < b.path; });
      for (fs::path& relative : found) {
        fs::path full = path / relative;
        out.files.push_back({full, std::move(relative), full.string()});
      }
    } else if (fs::is_regular_file(status)) {
      out.files.push_back({path, path.filename(), argument});
    } else {
      out.failures.push_back(
          {argument, MakeError(ErrorCode::kIoError, "not a regular file or directory")});
    }
  }
  return out;
}

}  // namespace imgpipe::cli
