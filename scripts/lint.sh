#!/usr/bin/env bash
# `make lint`: clang-format (must be clean) and clang-tidy (.clang-tidy, warnings are errors) over
# our C++ sources. `make test` runs the same checks through ctest (label lint), one tidy test per
# layer so that ctest spreads them over the cores.
#   scripts/lint.sh [BUILD_DIR]               format, then tidy over all of src/
#   scripts/lint.sh --format-only             only the clang-format check
#   scripts/lint.sh --tidy DIR [BUILD_DIR]    only clang-tidy, over the sources under DIR
set -euo pipefail
cd "$(dirname "$0")/.."

run_tidy() {
  local dir="$1" build="$2"
  [[ -f "$build/compile_commands.json" ]] || { echo "lint: configure $build first (make build)" >&2; exit 1; }
  mapfile -t sources < <(git ls-files "$dir/*.cc")
  ((${#sources[@]})) || { echo "lint: no sources under $dir" >&2; exit 1; }
  # -Wno-unknown-warning-option: the build passes GCC-only flags (-Wno-restrict) that clang lacks.
  printf '%s\0' "${sources[@]}" |
    xargs -0 -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet \
      --extra-arg=-Wno-unknown-warning-option
  echo "lint: clang-tidy clean (${#sources[@]} files under $dir)"
}

if [[ "${1:-}" == "--tidy" ]]; then
  run_tidy "$2" "${3:-build}"
  exit 0
fi
mapfile -t files < <(git ls-files '*.cc' '*.h' | grep -v -e '^tests/fixtures/' -e '^tests/lint/fixtures/')
clang-format --dry-run --Werror "${files[@]}"
echo "lint: clang-format clean (${#files[@]} files)"
[[ "${1:-}" == "--format-only" ]] && exit 0
run_tidy src "${1:-build}"
