#!/usr/bin/env bash
# Issue 11's variants benchmark (bench/variants/variants_bench.py); writes bench/variants/RESULTS.md,
# which bench/run.py folds into bench/RESULTS.md.
#   bench/variants/run.sh [BUILD_DIR] [ROUNDS]     (defaults: build, 7)
# Needs a build with -DIMGPIPE_BENCH=ON (variants_peer, imgpipe) and sharp (`scripts/setup.sh bench`).
set -euo pipefail
cd "$(dirname "$0")/../.."
build="${1:-build}"
/usr/bin/python3 bench/make_corpus.py
exec /usr/bin/python3 bench/variants/variants_bench.py "$build" --rounds "${2:-7}"
