// The one way the adapters read environment variables: an injected lookup, so tests hand every
// reader (S3ConfigFromEnv, RuntimeApi::FromEnv, lambda::LoadConfig) the same fake environment.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace imgpipe::aws {

// Reads an environment variable; nullopt when unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
std::optional<std::string> ProcessEnv(const std::string& name);

}  // namespace imgpipe::aws
