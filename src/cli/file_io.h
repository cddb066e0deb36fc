// Reading inputs and writing outputs on a file system the user (or someone else) may change
// under us: a FIFO swapped in for an input, a symlink planted inside OUTDIR, a user's own file
// at an output path.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "imgpipe/error.h"

namespace imgpipe::cli {

// Reads a whole regular file into `buffer` (reusing its capacity), refusing files over
// `max_bytes` before reading them. The file is opened non-blocking and checked with fstat on
// the descriptor before any read, so a FIFO or device put where a file was fails at once
// ("not a regular file (a FIFO)") instead of blocking the batch.
Status ReadFileInto(const std::filesystem::path& path, uint64_t max_bytes,
                    std::vector<uint8_t>& buffer);

// Writes `bytes` to root/relative through a temporary file and a rename, so a failure never
// leaves a partial output. Directories below `root` are created as needed. `root` itself is
// used as given (it may be a symlink the user chose), but every component below it is opened
// with O_NOFOLLOW: a symlinked subdirectory or a symlink at the output name is refused and
// named in the error, so an output never lands outside `root`. An existing file at the output
// path is replaced only when `overwrite` is set (the rename is RENAME_NOREPLACE otherwise).
Status WriteOutputFile(const std::filesystem::path& root, const std::filesystem::path& relative,
                       std::span<const uint8_t> bytes, bool overwrite);

// The refusal for an existing file at an output path without --overwrite (planning and the
// write itself report it the same way).
Error OutputExistsError(const std::filesystem::path& output);

}  // namespace imgpipe::cli
