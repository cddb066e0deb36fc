#include "lambda/output_key.h"

#include <string>

namespace imgpipe::lambda {

std::string OutputKey(std::string_view input_key, std::string_view output_prefix,
                      OutputFormat format) {
  const size_t slash = input_key.rfind('/');
  const size_t name_start = slash == std::string_view::npos ? 0 : slash + 1;
  const size_t dot = input_key.rfind('.');
  // Only a dot inside the last path segment, after its first character, starts an extension.
  const bool has_extension = dot != std::string_view::npos && dot > name_start;
  const std::string_view stem = has_extension ? input_key.substr(0, dot) : input_key;
  std::string key(output_prefix);
  key += stem;
  key += '.';
  key += OutputExtension(format);
  return key;
}

}  // namespace imgpipe::lambda
