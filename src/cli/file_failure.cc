#include "cli/file_failure.h"

#include <algorithm>

#include "cli/escape.h"
#include "cli/exit_code.h"

namespace imgpipe::cli {

std::string FormatFailure(const FileFailure& failure) {
  return EscapeForTerminal(failure.path) + ": " + EscapeForTerminal(failure.error.message) + " (" +
         ErrorCodeName(failure.error.code) + ")";
}

std::string FormatSkipped(const SkippedEntry& skipped) {
  return EscapeForTerminal(skipped.path) + ": skipped: " + EscapeForTerminal(skipped.reason);
}

int WorstExitCode(const std::vector<FileFailure>& failures) {
  int worst = 0;
  for (const auto& failure : failures) {
    worst = std::max(worst, ExitCodeFor(failure.error.code));
  }
  return worst;
}

}  // namespace imgpipe::cli
