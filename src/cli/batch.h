// The batch runner: a fixed pool of N threads pulling files from a shared index.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "cli/file_io.h"
#include "cli/output_paths.h"
#include "cli/report.h"
#include "imgpipe/options.h"
#include "imgpipe/pipeline.h"

namespace imgpipe::cli {

// The image step, injectable so tests can count calls or fail on purpose; defaults to
// imgpipe::ProcessVariants (one output per variant, in order).
using ProcessFn =
    std::function<Result<std::vector<Encoded>>(std::span<const uint8_t>, std::span<const Variant>)>;
ProcessFn DefaultProcessFn();

struct BatchConfig {
  Options options;    // already validated; its limits hold for every variant
  unsigned jobs = 1;  // worker threads, >= 1 (the calling thread is one of them)
  ProcessFn process = DefaultProcessFn();
  std::filesystem::path outdir;  // every PlannedFile::outputs_relative is written below it
  bool overwrite = false;        // --overwrite: replace existing files at output paths
  // One output per variant, matching PlannedFile::outputs_relative; empty = the one implicit
  // variant made of `options`.
  std::vector<Variant> variants = {};
};

// Reads, processes and writes every planned file; a failing file is reported through
// `reporter` and the others continue. Throughput design: `jobs` threads are started once, each
// takes the next index from an atomic counter and reuses its own input buffer (no thread or
// buffer per image). An input larger than options.limits.max_input_bytes is refused from its
// size on disk, before it is read. Outputs are written by WriteOutputFile (file_io.h): through
// a temporary file and a rename, never through a symlink below OUTDIR, never over an existing
// file unless `overwrite`.
BatchStats RunBatch(const std::vector<PlannedFile>& files, const BatchConfig& config,
                    Reporter& reporter);

}  // namespace imgpipe::cli
