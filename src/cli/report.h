// Reporting for a batch: failures as `path: reason` on stderr, a progress bar on stderr when it
// is a terminal, and a one-line summary at the end.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "cli/file_failure.h"

namespace imgpipe::cli {

struct BatchStats {
  size_t ok = 0;                      // files written
  size_t failed = 0;                  // files reported as failures (discovery, planning, batch)
  uint64_t input_bytes = 0;           // bytes read from the inputs that were written
  uint64_t output_bytes = 0;          // bytes written
  double seconds = 0;                 // wall time of the batch
  std::vector<FileFailure> failures;  // every failure, in the order they happened
};

// "12 ok, 3 failed, 15.2 MB -> 412.0 kB, 0.52 s, 23.1 images/s" (decimal units, kB below 1 MB;
// images/s counts the files written).
std::string FormatSummary(const BatchStats& stats);

// "[##########----------]  12/40  30%": `width` characters between the brackets.
std::string FormatProgressBar(size_t done, size_t total, int width = 30);

// Thread-safe: worker threads report as they finish files. Failure lines are printed as they
// happen; the bar (if enabled) is cleared first and redrawn after, at most every 100 ms.
class Reporter {
 public:
  Reporter(std::ostream& out, std::ostream& err, bool show_progress)
      : out_(out), err_(err), show_progress_(show_progress) {}

  void Start(size_t total);
  void Succeeded();
  void Failed(const FileFailure& failure);
  // A file that succeeded with a warning from the core (Encoded::warnings): `path: warning:
  // text` on stderr, escaped like a failure; the file still counts as written.
  void Warned(const std::string& path, const std::string& warning);
  // A failure found before the batch ran (missing argument, output collision): printed the
  // same way but not counted in the progress bar.
  void Rejected(const FileFailure& failure);
  // A dangling or looping symlink met during discovery: printed, never counted.
  void Skipped(const SkippedEntry& skipped);
  // Clears the bar and prints the summary line on `out`.
  void Finish(const BatchStats& stats);

 private:
  void DrawLocked(bool force);
  void ClearLocked();

  std::ostream& out_;
  std::ostream& err_;
  const bool show_progress_;
  std::mutex mu_;
  size_t total_ = 0;
  size_t done_ = 0;
  bool bar_visible_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace imgpipe::cli
