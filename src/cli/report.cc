#include "cli/report.h"

#include <algorithm>
#include <charconv>

#include "cli/escape.h"

namespace imgpipe::cli {
namespace {

// Locale-independent fixed-point formatting (always a '.' decimal separator).
std::string Fixed(double value, int digits) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::fixed, digits);
  return std::string(buf, result.ptr);
}

// Decimal units; kB below 1 MB so a batch of thumbnails does not read "0.0 MB".
std::string Bytes(uint64_t bytes) {
  const auto value = static_cast<double>(bytes);
  return value < 1e6 ? Fixed(value / 1e3, 1) + " kB" : Fixed(value / 1e6, 1) + " MB";
}

constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

}  // namespace

std::string FormatSummary(const BatchStats& stats) {
  const double rate = stats.seconds > 0 ? static_cast<double>(stats.ok) / stats.seconds : 0.0;
  return std::to_string(stats.ok) + " ok, " + std::to_string(stats.failed) + " failed, " +
         Bytes(stats.input_bytes) + " -> " + Bytes(stats.output_bytes) + ", " +
         Fixed(stats.seconds, 2) + " s, " + Fixed(rate, 1) + " images/s";
}

std::string FormatProgressBar(size_t done, size_t total, int width) {
  const size_t w = static_cast<size_t>(std::max(width, 1));
  const size_t filled = total == 0 ? w : std::min(w, done * w / total);
  const size_t percent = total == 0 ? 100 : done * 100 / total;
  return "[" + std::string(filled, '#') + std::string(w - filled, '-') + "]  " +
         std::to_string(done) + "/" + std::to_string(total) + "  " + std::to_string(percent) + "%";
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

void Reporter::Warned(const std::string& path, const std::string& warning) {
  std::lock_guard lock(mu_);
  ClearLocked();
  err_ << EscapeForTerminal(path) << ": warning: " << EscapeForTerminal(warning) << '\n'
       << std::flush;
  DrawLocked(true);
}

void Reporter::Rejected(const FileFailure& failure) {
  std::lock_guard lock(mu_);
  ClearLocked();
  err_ << FormatFailure(failure) << '\n' << std::flush;
  DrawLocked(true);
}

void Reporter::Skipped(const SkippedEntry& skipped) {
  std::lock_guard lock(mu_);
  ClearLocked();
  err_ << FormatSkipped(skipped) << '\n' << std::flush;
  DrawLocked(true);
}

void Reporter::Finish(const BatchStats& stats) {
  std::lock_guard lock(mu_);
  ClearLocked();
  out_ << FormatSummary(stats) << '\n' << std::flush;
}

void Reporter::DrawLocked(bool force) {
  if (!show_progress_) {
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < kRedrawInterval) {
    return;
  }
  last_draw_ = now;
  // \r + erase-to-end-of-line redraws in place without scrolling the terminal.
  err_ << "\r\033[K" << FormatProgressBar(std::min(done_, total_), total_) << std::flush;
  bar_visible_ = true;
}

void Reporter::ClearLocked() {
  if (!bar_visible_) {
    return;
  }
  err_ << "\r\033[K" << std::flush;
  bar_visible_ = false;
}

}  // namespace imgpipe::cli
