// The `imgpipe` CLI. Everything lives in imgpipe_cli (src/cli/*.cc) so tests can drive it.
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return imgpipe::cli::RunCli(argc, argv, std::cout, std::cerr, ::isatty(STDERR_FILENO) != 0);
}
