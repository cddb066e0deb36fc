#include "cli/report.h"

#include <algorithm>
#include <cstdio>

namespace imgpipe::cli {
namespace {

std::string Megabytes(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buf;
}

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

}  // namespace

std::string FormatSummary(const BatchStats& stats) {
  const double rate = stats.seconds > 0 ? static_cast<double>(stats.ok) / stats.seconds : 0.0;
  char tail[96];
  std::snprintf(tail, sizeof tail, ", %.2f s, %.1f images/s", stats.seconds, rate);
  return std::to_string(stats.ok) + " ok, " + std::to_string(stats.failed) + " failed, " +
         Megabytes(stats.input_bytes) + " -> " + Megabytes(stats.output_bytes) + tail;
}

std::string FormatProgressBar(size_t done, size_t total, int width) {
  const size_t w = static_cast<size_t>(std::max(width, 1));
  const size_t filled = total == 0 ? w : std::min(w, done * w / total);
  const size_t percent = total == 0 ? 100 : done * 100 / total;
  std::string bar = "[" + std::string(filled, '#') + std::string(w - filled, '-') + "]  ";
  return bar + std::to_string(done) + "/" + std::to_string(total) + "  " + std::to_string(percent) +
         "%";
}

void Reporter::Start(size_t total) {
  std::lock_guard lock(mu_);
  total_ = total;
  done_ = 0;
  DrawLocked(true);
}

void Reporter::Succeeded() {
  std::lock_guard lock(mu_);
  ++done_;
  DrawLocked(done_ == total_);
}

void Reporter::Failed(const FileFailure& failure) {
  std::lock_guard lock(mu_);
  ++done_;
  ClearLocked();
  err_ << FormatFailure(failure) << '\n' << std::flush;
  DrawLocked(true);
}

void Reporter::Rejected(const FileFailure& failure) {
  std::lock_guard lock(mu_);
  ClearLocked();
  err_ << FormatFailure(failure) << '\n' << std::flush;
  DrawLocked(true);
}

void Reporter::Finish(const BatchStats& stats) {
  std::lock_guard lock(mu_);
  ClearLocked();
  out_ << FormatSummary(stats) << '\n' << std::flush;
}

void Reporter::DrawLocked(bool force) {
  if (!show_progress_) return;
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  // \r + erase-to-end-of-line redraws in place without scrolling the terminal.
  err_ << "\r\033[K" << FormatProgressBar(std::min(done_, total_), total_) << std::flush;
  bar_visible_ = true;
}

void Reporter::ClearLocked() {
  if (!bar_visible_) return;
  err_ << "\r\033[K" << std::flush;
  bar_visible_ = false;
}

}  // namespace imgpipe::cli
