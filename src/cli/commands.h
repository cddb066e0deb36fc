// The two commands as library functions (main.cc only passes the real streams and the TTY test).
#pragma once

#include <ostream>

#include "cli/args.h"
#include "cli/batch.h"

namespace imgpipe::cli {

// `imgpipe process`: discover -> plan outputs -> run the batch -> summary. Returns the exit
// code: 0 when every file was written, else the worst failure's ExitCodeFor.
int RunProcess(const ProcessCommand& command, std::ostream& out, std::ostream& err,
               bool show_progress, ProcessFn process = DefaultProcessFn());

// `imgpipe info`: one line per file on `out`, failures on `err`; same exit code rule.
int RunInfo(const InfoCommand& command, std::ostream& out, std::ostream& err);

// The whole program: parse, then dispatch.
int RunCli(int argc, const char* const* argv, std::ostream& out, std::ostream& err,
           bool stderr_is_tty);

}  // namespace imgpipe::cli
