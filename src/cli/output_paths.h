// Output path mapping: where each input's result goes under OUTDIR, refusing to overwrite an
// input or to let two inputs silently write the same output.
#pragma once

#include <filesystem>
#include <span>
#include <vector>

#include "cli/discover.h"
#include "cli/file_failure.h"
#include "imgpipe/options.h"
#include "imgpipe/variants.h"

namespace imgpipe::cli {

struct PlannedFile {
  InputFile input;
  // Below OUTDIR, one per variant in the variants' order: the variant's prefix, then the input's
  // relative path with the output format's extension.
  std::vector<std::filesystem::path> outputs_relative;
};

// How outputs are named: one output per variant (a single variant with an empty prefix when
// --variants is not given), and --keep-extension.
struct OutputNaming {
  std::span<const Variant> variants;
  bool keep_extension = false;  // `photo.png` -> `photo.png.jpg`
};

struct Plan {
  std::vector<PlannedFile> files;     // in input order
  std::vector<FileFailure> failures;  // collisions and would-be overwrites of inputs
};

// `relative` with the extension replaced by the format's ("a/b.png" -> "a/b.jpg"), or with the
// format's extension appended when `keep_extension` ("a/b.png" -> "a/b.png.jpg").
std::filesystem::path OutputRelativePath(const std::filesystem::path& relative, OutputFormat format,
                                         bool keep_extension = false);

// OUTDIR/relative with the extension replaced by the format's ("a/b.png" -> "OUT/a/b.jpg";
// "noext" -> "OUT/noext.jpg").
std::filesystem::path OutputPathFor(const std::filesystem::path& outdir,
                                    const std::filesystem::path& relative, OutputFormat format);

// Where one variant's output of `relative` goes below OUTDIR: the variant's prefix (a directory
// such as "thumb/", or a name prefix such as "small-") prepended to OutputRelativePath.
std::filesystem::path VariantRelativePath(const std::filesystem::path& relative,
                                          const Variant& variant, bool keep_extension);

// Maps every input to one output per variant. A file fails (and is left out of `files`) when
// any of its outputs
//  - is an existing input file (same inode: symlinks and hard links count),
//  - is already an output of an earlier input in the list, or
//  - already exists and `overwrite` (--overwrite) is off: imgpipe
//    cannot tell its own earlier output from a user's file of the same name, so it replaces
//    neither unless asked. (The write re-checks this atomically, see WriteOutputFile.)
Plan PlanOutputs(const std::vector<InputFile>& inputs, const std::filesystem::path& outdir,
                 const OutputNaming& naming, bool overwrite = false);

}  // namespace imgpipe::cli
