#include "lambda/output_key.h"

#include <string>

#include "core/text.h"

namespace imgpipe::lambda {
Result<std::string> OutputKey(std::string_view input_key, const OutputNaming& naming,
                              OutputFormat format) {
  const size_t slash = input_key.rfind('/');
  const size_t name_start = slash == std::string_view::npos ? 0 : slash + 1;
  const size_t dot = input_key.rfind('.');
  // Only a dot inside the last path segment, after its first character, starts an extension.
  const bool has_extension = dot != std::string_view::npos && dot > name_start;
  const std::string_view stem =
      has_extension && !naming.keep_extension ? input_key.substr(0, dot) : input_key;
  std::string root(naming.output_prefix);
  root += naming.variant_prefix;
  std::string key = root;
  key += stem;
  key += '.';
  key += OutputExtension(format);
  const auto resolved = core::ResolveDotSegments(key);
  if (!resolved || !resolved->starts_with(root)) {
    return MakeError(
        ErrorCode::kInvalidEvent,
        "output key \"" + key + "\" has dot segments that resolve outside " + "OUTPUT_PREFIX \"" +
            std::string(naming.output_prefix) + "\"" +
            (naming.variant_prefix.empty()
                 ? std::string()
                 : " + variant prefix \"" + std::string(naming.variant_prefix) + "\"") +
            "; refused so that no server resolving them writes elsewhere");
  }
  return key;
}

}  // namespace imgpipe::lambda
