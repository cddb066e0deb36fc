#include "aws/env.h"

#include <cstdlib>

namespace imgpipe::aws {

std::optional<std::string> ProcessEnv(const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (value == nullptr) {
    return std::nullopt;
  }
  return std::string(value);
}

}  // namespace imgpipe::aws
