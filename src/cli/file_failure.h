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

// An entry of an input tree that is neither processed nor a failure: a dangling or looping
// symlink. It is reported so it is not lost silently, and does not change the exit code.
struct SkippedEntry {
  std::string path;    // as the user would type it
  std::string reason;  // e.g. "dangling symlink (its target t.jpg does not exist)"
};

// `path: reason (code_name)`: the line printed on stderr for one failed file. Path and reason
// are escaped (EscapeForTerminal), so a name cannot forge a line or reach the terminal raw.
std::string FormatFailure(const FileFailure& failure);

// `path: skipped: reason`, escaped the same way.
std::string FormatSkipped(const SkippedEntry& skipped);

// The batch's exit code: 0 when nothing failed, otherwise the highest ExitCodeFor (exit_code.h)
// among the failures, so a batch with one corrupt file (1) and one I/O error (3) exits 3.
int WorstExitCode(const std::vector<FileFailure>& failures);

}  // namespace imgpipe::cli
