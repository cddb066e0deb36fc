// Output path mapping: where each input's result goes under OUTDIR, refusing to overwrite an
// input or to let two inputs silently write the same output.
#pragma once

#include <filesystem>
#include <vector>

#include "cli/discover.h"
#include "cli/file_failure.h"
#include "imgpipe/options.h"

namespace imgpipe::cli {

struct PlannedFile {
  InputFile input;
  std::filesystem::path output_relative;  // below OUTDIR: relative, with the format's extension
};

struct Plan {
  std::vector<PlannedFile> files;     // in input order
  std::vector<FileFailure> failures;  // collisions and would-be overwrites of inputs
};

// `relative` with the extension replaced by the format's ("a/b.png" -> "a/b.jpg").
std::filesystem::path OutputRelativePath(const std::filesystem::path& relative,
                                         OutputFormat format);

// OUTDIR/relative with the extension replaced by the format's ("a/b.png" -> "OUT/a/b.jpg";
// "noext" -> "OUT/noext.jpg").
std::filesystem::path OutputPathFor(const std::filesystem::path& outdir,
                                    const std::filesystem::path& relative, OutputFormat format);

// Maps every input. A file fails (and is left out of `files`) when
//  - its output path is an existing input file (same inode: symlinks and hard links count),
//  - an earlier input in the list already maps to the same output path, or
//  - something already exists at its output path and `overwrite` (--overwrite) is off: imgpipe
//    cannot tell its own earlier output from a user's file of the same name, so it replaces
//    neither unless asked. (The write re-checks this atomically, see WriteOutputFile.)
Plan PlanOutputs(const std::vector<InputFile>& inputs, const std::filesystem::path& outdir,
                 OutputFormat format, bool overwrite = false);

}  // namespace imgpipe::cli
