#!/usr/bin/env bash
# `make lint`: clang-format (must be clean) and clang-tidy (.clang-tidy) over our C++ sources.
#   scripts/lint.sh [BUILD_DIR]        both
#   scripts/lint.sh --format-only      only the clang-format check (also run by ctest, label lint)
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cc' '*.h' | grep -v '^tests/fixtures/')
clang-format --dry-run --Werror "${files[@]}"
echo "lint: clang-format clean (${#files[@]} files)"
[[ "${1:-}" == "--format-only" ]] && exit 0
build="${1:-build}"
[[ -f "$build/compile_commands.json" ]] || { echo "lint: run make build first" >&2; exit 1; }
mapfile -t sources < <(git ls-files 'src/*.cc')
clang-tidy -p "$build" --quiet "${sources[@]}"
echo "lint: clang-tidy clean (${#sources[@]} files)"
