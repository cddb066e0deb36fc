#include "cli/output_paths.h"

#include <sys/stat.h>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "cli/file_io.h"

namespace imgpipe::cli {
namespace fs = std::filesystem;
namespace {

using FileId = std::pair<dev_t, ino_t>;

std::optional<FileId> IdOf(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return std::nullopt;
  }
  return FileId{st.st_dev, st.st_ino};
}

// The key two outputs collide on: absolute and lexically normalised, so "out/./a.jpg" and
// "out/a.jpg" are the same file even before either exists.
std::string CollisionKey(const fs::path& output) {
  std::error_code ec;
  fs::path absolute = fs::absolute(output, ec);
  if (ec) {
    absolute = output;
  }
  return absolute.lexically_normal().generic_string();
}

// Anything at the path, a dangling symlink included.
bool Exists(const fs::path& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace

fs::path OutputRelativePath(const fs::path& relative, OutputFormat format) {
  fs::path output = relative;
  output.replace_extension(OutputExtension(format));
  return output;
}

fs::path OutputPathFor(const fs::path& outdir, const fs::path& relative, OutputFormat format) {
  return outdir / OutputRelativePath(relative, format);
}

Plan PlanOutputs(const std::vector<InputFile>& inputs, const fs::path& outdir, OutputFormat format,
                 bool overwrite) {
  Plan plan;
  std::set<FileId> input_ids;
  for (const InputFile& input : inputs) {
    if (auto id = IdOf(input.path)) {
      input_ids.insert(*id);
    }
  }
  // collision key -> the input that claimed the output first
  std::map<std::string, const InputFile*> claimed;
  for (const InputFile& input : inputs) {
    fs::path relative = OutputRelativePath(input.relative, format);
    const fs::path output = outdir / relative;
    if (auto id = IdOf(output); id && input_ids.count(*id)) {
      plan.failures.push_back(
          {input.display,
           MakeError(ErrorCode::kIoError,
                     "output " + output.string() + " is an input file; refusing to overwrite it")});
      continue;
    }
    if (!overwrite && Exists(output)) {
      plan.failures.push_back({input.display, OutputExistsError(output)});
      continue;
    }
    auto [it, inserted] = claimed.emplace(CollisionKey(output), &input);
    if (!inserted) {
      const InputFile& first = *it->second;
      const auto first_id = IdOf(first.path);
      const bool same_file = first_id && first_id == IdOf(input.path);
      const std::string reason =
          same_file ? "the same file is given twice (first as " + first.display + ")"
                    : "output " + output.string() + " is already produced from " + first.display +
                          "; not overwriting it";
      plan.failures.push_back({input.display, MakeError(ErrorCode::kIoError, reason)});
      continue;
    }
    plan.files.push_back({input, std::move(relative)});
  }
  return plan;
}

}  // namespace imgpipe::cli
