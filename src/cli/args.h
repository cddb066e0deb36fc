// Command-line parsing for `imgpipe process`, `imgpipe info`, --help and --version.
#pragma once

#include <ostream>
#include <string>
#include <variant>
#include <vector>

#include "imgpipe/options.h"
#include "imgpipe/variants.h"

namespace imgpipe::cli {

// Largest --jobs accepted: far above any useful value, low enough to catch typos.
inline constexpr unsigned kMaxJobs = 1024;

struct ProcessCommand {
  std::vector<std::string> inputs;     // files and directories, as given
  std::string outdir;                  // -o/--output
  Options options;                     // passed imgpipe::Validate
  unsigned jobs = 1;                   // worker threads, 1..kMaxJobs (default: number of cores)
  bool overwrite = false;              // --overwrite: replace files already at output paths
  bool keep_extension = false;         // --keep-extension: photo.png -> photo.png.jpg
  std::vector<Variant> variants = {};  // --variants; empty = one output made of `options`
};

struct InfoCommand {
  std::vector<std::string> files;  // files and directories, as given
};

// Parsing ended the run: help or version was printed (code 0), or a usage error / invalid
// option value was reported on `err` (kUsageExitCode, 2).
struct ExitNow {
  int code = 0;
};

using Command = std::variant<ProcessCommand, InfoCommand, ExitNow>;

// argv[0] is the program name. Help and version go to `out`, errors to `err`. Every option
// value is parsed by the core's parsers and the whole Options is validated once, so the
// messages are the core's (e.g. `Expected WxH with 1..16383 for size but received "0x5"`).
Command ParseCommandLine(int argc, const char* const* argv, std::ostream& out, std::ostream& err);

// The number of worker threads used when --jobs is not given: the number of cores (>= 1).
unsigned DefaultJobs();

}  // namespace imgpipe::cli
