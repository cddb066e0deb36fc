// A stand-in for the image pipeline in RunProcess tests: it echoes the input bytes as the
// "encoded" output, and fails input that starts with "bad" as corrupt. The tests then check the
// batch logic (reporting, exit codes, output paths) without codecs.
#pragma once

#include <sstream>
#include <string>
#include <utility>

#include "cli/commands.h"

namespace imgpipe::cli::testing {

inline Result<std::vector<Encoded>> EchoProcess(std::span<const uint8_t> input,
                                                std::span<const Variant> variants) {
  const std::string text(input.begin(), input.end());
  if (text.rfind("bad", 0) == 0) {
    return MakeError(ErrorCode::kCorruptImage, "fake corrupt data");
  }
  std::vector<Encoded> outputs(variants.size());
  for (Encoded& e : outputs) {
    e.bytes.assign(text.begin(), text.end());
  }
  return outputs;
}

struct RunOutput {
  int code;
  std::string out;
  std::string err;
};

inline RunOutput RunEcho(const ProcessCommand& command, bool progress = false,
                         ProcessFn process = EchoProcess) {
  std::ostringstream out, err;
  const int code = RunProcess(command, out, err, progress, std::move(process));
  return {code, out.str(), err.str()};
}

}  // namespace imgpipe::cli::testing
