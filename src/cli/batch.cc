#include "cli/batch.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace imgpipe::cli {
namespace {

struct FileResult {
  uint64_t input_bytes = 0;
  uint64_t output_bytes = 0;
  std::vector<std::string> warnings;  // e.g. an ignored colour profile; the file still succeeded
};

Result<FileResult> ProcessOne(const PlannedFile& file, const BatchConfig& config,
                              std::span<const Variant> variants, std::vector<uint8_t>& buffer) {
  if (Status read = ReadFileInto(file.input.path, config.options.limits.max_input_bytes, buffer);
      !read) {
    return read.error();
  }
  Result<std::vector<Encoded>> encoded = config.process(buffer, variants);
  if (!encoded) {
    return encoded.error();
  }
  if (encoded->size() != file.outputs_relative.size()) {
    return MakeError(ErrorCode::kInternal,
                     "made " + std::to_string(encoded->size()) + " outputs for " +
                         std::to_string(file.outputs_relative.size()) + " output paths");
  }
  FileResult result{buffer.size(), 0, {}};
  for (size_t i = 0; i < encoded->size(); ++i) {
    if (Status written = WriteOutputFile(config.outdir, file.outputs_relative[i],
                                         (*encoded)[i].bytes, config.overwrite);
        !written) {
      return written.error();
    }
    result.output_bytes += (*encoded)[i].bytes.size();
  }
  // Warnings are about the input (an ignored profile), the same in every output: reported once.
  if (!encoded->empty()) {
    result.warnings = std::move(encoded->front().warnings);
  }
  return result;
}

}  // namespace

ProcessFn DefaultProcessFn() {
  return [](std::span<const uint8_t> input, std::span<const Variant> variants) {
    return ProcessVariants(input, variants);
  };
}

BatchStats RunBatch(const std::vector<PlannedFile>& files, const BatchConfig& config,
                    Reporter& reporter) {
  const auto start = std::chrono::steady_clock::now();
  BatchStats stats;
  std::mutex stats_mu;
  std::atomic<size_t> next{0};
  const std::vector<Variant> variants = VariantsOrImplicit(config.variants, config.options);

  auto worker = [&] {
    std::vector<uint8_t> buffer;  // reused for every file this worker reads
    for (size_t i = next.fetch_add(1); i < files.size(); i = next.fetch_add(1)) {
      const PlannedFile& file = files[i];
      Result<FileResult> result = MakeError(ErrorCode::kInternal, "not run");
      try {
        result = ProcessOne(file, config, variants, buffer);
      } catch (const std::exception& e) {
        // The core returns errors as values; this catches allocation failures and the like so
        // one file cannot take the whole batch down.
        result = MakeError(ErrorCode::kInternal, std::string("unexpected exception: ") + e.what());
      }
      if (result) {
        {
          std::lock_guard lock(stats_mu);
          ++stats.ok;
          stats.input_bytes += result->input_bytes;
          stats.output_bytes += result->output_bytes;
        }
        for (const std::string& warning : result->warnings) {
          reporter.Warned(file.input.display, warning);
        }
        reporter.Succeeded();
      } else {
        FileFailure failure{file.input.display, result.error()};
        {
          std::lock_guard lock(stats_mu);
          ++stats.failed;
          stats.failures.push_back(failure);
        }
        reporter.Failed(failure);
      }
    }
  };

  const unsigned jobs = std::max(
      1u,
      std::min<unsigned>(config.jobs, static_cast<unsigned>(std::max<size_t>(files.size(), 1))));
  {
    std::vector<std::jthread> pool;
    pool.reserve(jobs - 1);
    for (unsigned t = 1; t < jobs; ++t) {
      pool.emplace_back(worker);
    }
    worker();  // the calling thread is worker 0
  }            // jthreads join here
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

}  // namespace imgpipe::cli
