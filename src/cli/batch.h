// The batch runner: a fixed pool of N threads pulling files from a shared index.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "cli/output_paths.h"
#include "cli/report.h"
#include "imgpipe/options.h"
#include "imgpipe/pipeline.h"

namespace imgpipe::cli {

// The image step, injectable so tests can count calls or fail on purpose; defaults to
// imgpipe::Process.
using ProcessFn = std::function<Result<Encoded>(std::span<const uint8_t>, const Options&)>;
ProcessFn DefaultProcessFn();

struct BatchConfig {
  Options options;    // already validated
  unsigned jobs = 1;  // worker threads, >= 1 (the calling thread is one of them)
  ProcessFn process = DefaultProcessFn();
};

// Reads, processes and writes every planned file; a failing file is reported through
// `reporter` and the others continue. Throughput design: `jobs` threads are started once, each
// takes the next index from an atomic counter and reuses its own input buffer (no thread or
// buffer per image). An input larger than options.limits.max_input_bytes is refused from its
// size on disk, before it is read. Outputs are written to a temporary file in the target
// directory and renamed into place, so a failure never leaves a partial output behind.
BatchStats RunBatch(const std::vector<PlannedFile>& files, const BatchConfig& config,
                    Reporter& reporter);

// Reads a whole file into `buffer` (reusing its capacity), refusing files over `max_bytes`
// before reading them. Exposed for `imgpipe info` and tests.
Status ReadFileInto(const std::filesystem::path& path, uint64_t max_bytes,
                    std::vector<uint8_t>& buffer);

// Writes `bytes` to `path` via a temporary file + rename, creating parent directories.
Status WriteFileAtomically(const std::filesystem::path& path, std::span<const uint8_t> bytes);

}  // namespace imgpipe::cli
