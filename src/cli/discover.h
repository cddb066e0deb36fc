// Input discovery: turns the INPUT... arguments into a deterministic list of regular files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "cli/file_failure.h"

namespace imgpipe::cli {

struct InputFile {
  std::filesystem::path path;      // how to open it: the argument, or argument/relative
  std::filesystem::path relative;  // where it goes under OUTDIR: relative to the directory
                                   // argument, or just the basename for a plain file argument
  std::string display;             // the name used in messages (path as the user would type it)
};

struct Discovery {
  std::vector<InputFile> files;       // arguments in the order given; each directory sorted
  std::vector<FileFailure> failures;  // missing arguments, unreadable directories, ...
  std::vector<SkippedEntry> skipped;  // dangling and looping symlinks met in a walk
};

// Walks the arguments:
//  - a regular file (or a symlink to one) is taken as is, whatever its name;
//  - a directory is walked recursively; its regular files are sorted by relative path (byte
//    order) so runs are reproducible; a symlink to a regular file is followed and taken like
//    the file; hidden entries (".name") and non-regular files (fifos, sockets, devices) are
//    skipped; symlinked directories are not followed (no cycles); a dangling or looping symlink
//    is listed in `skipped` with the reason;
//  - `skip_dir`, when it exists, is never walked into: the output directory may sit inside an
//    input directory, and its previous outputs must not become inputs;
//  - a missing argument or an explicit non-regular file argument is a failure.
Discovery DiscoverInputs(const std::vector<std::string>& arguments,
                         const std::optional<std::filesystem::path>& skip_dir = std::nullopt);

}  // namespace imgpipe::cli
