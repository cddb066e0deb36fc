// bootstrap: the Lambda custom runtime's entry point. Only wiring lives here; the loop, the
// handler and the configuration are in the imgpipe_lambda library where tests reach them.
#include <cstdio>
#include <string_view>

#include "lambda/config.h"

int main(int argc, char** argv) {
  using namespace imgpipe::lambda;
  if (argc > 1) {
    const std::string_view arg = argv[1];
    if (arg == "--list-env") {
      std::fputs(ListEnvText().c_str(), stdout);
      return 0;
    }
    if (arg == "--help" || arg == "-h") {
      std::fputs(HelpText().c_str(), stdout);
      return 0;
    }
    std::fprintf(stderr, "bootstrap: unknown argument %s (try --help)\n", argv[1]);
    return 2;
  }
  std::fputs("bootstrap: the Runtime API client is not wired in yet\n", stderr);
  return 1;
}
