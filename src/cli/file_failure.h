// A per-file failure, reported as `path: reason` while the rest of the batch continues.
#pragma once

#include <string>
#include <vector>

#include "imgpipe/error.h"

namespace imgpipe::cli {

struct FileFailure {
  std::string path;  // the input (or argument) as the user named it
  Error error;       // why it failed; error.message is the reason shown after the path
};

// `path: reason (code_name)`: the line printed on stderr for one failed file.
std::string FormatFailure(const FileFailure& failure);

// The batch's exit code: 0 when nothing failed, otherwise the highest ExitCodeFor (exit_code.h) among
// the failures, so a batch with one corrupt file (1) and one I/O error (3) exits 3.
int WorstExitCode(const std::vector<FileFailure>& failures);

}  // namespace imgpipe::cli
