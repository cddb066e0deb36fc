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

fs::path OutputRelativePath(const fs::path& relative, OutputFormat format, bool keep_extension) {
  fs::path output = relative;
  if (keep_extension) {
    output += std::string(".") + OutputExtension(format);
  } else {
    output.replace_extension(OutputExtension(format));
  }
  return output;
}

fs::path VariantRelativePath(const fs::path& relative, const Variant& variant,
                             bool keep_extension) {
  // Prefixes were validated by ParseVariants: no leading '/', no dot segment.
  return fs::path(
      variant.prefix +
      OutputRelativePath(relative, variant.options.format, keep_extension).generic_string());
}

fs::path OutputPathFor(const fs::path& outdir, const fs::path& relative, OutputFormat format) {
  return outdir / OutputRelativePath(relative, format);
}

namespace {

// Why `output` cannot be written for `input`, or nothing. Claims the output when it is free.
std::optional<FileFailure> CheckOutput(const InputFile& input, const fs::path& output,
                                       const std::set<FileId>& input_ids, bool overwrite,
                                       std::map<std::string, const InputFile*>& claimed) {
  if (auto id = IdOf(output); id && input_ids.count(*id)) {
    return FileFailure{input.display, MakeError(ErrorCode::kIoError,
                                                "output " + output.string() +
                                                    " is an input file; refusing to overwrite it")};
  }
  if (!overwrite && Exists(output)) {
    return FileFailure{input.display, OutputExistsError(output)};
  }
  auto [it, inserted] = claimed.emplace(CollisionKey(output), &input);
  if (!inserted) {
    const InputFile& first = *it->second;
    const auto first_id = IdOf(first.path);
    const bool same_file = first_id && first_id == IdOf(input.path);
    const std::string reason = same_file
                                   ? "the same file is given twice (first as " + first.display + ")"
                                   : "output " + output.string() + " is already produced from " +
                                         first.display + "; not overwriting it";
    return FileFailure{input.display, MakeError(ErrorCode::kIoError, reason)};
  }
  return std::nullopt;
}

}  // namespace

Plan PlanOutputs(const std::vector<InputFile>& inputs, const fs::path& outdir,
                 const OutputNaming& naming, bool overwrite) {
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
    PlannedFile planned{input, {}};
    std::optional<FileFailure> failure;
    for (const Variant& variant : naming.variants) {
      fs::path relative = VariantRelativePath(input.relative, variant, naming.keep_extension);
      failure = CheckOutput(input, outdir / relative, input_ids, overwrite, claimed);
      if (failure) {
        break;
      }
      planned.outputs_relative.push_back(std::move(relative));
    }
    if (failure) {
      // An input that is not processed claims none of its outputs.
      for (const fs::path& relative : planned.outputs_relative) {
        claimed.erase(CollisionKey(outdir / relative));
      }
      plan.failures.push_back(std::move(*failure));
      continue;
    }
    plan.files.push_back(std::move(planned));
  }
  return plan;
}

}  // namespace imgpipe::cli
