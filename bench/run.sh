#!/usr/bin/env bash
# `make bench`: builds the corpus from Debian's photographs, then runs the variants benchmark
# (bench/variants) and the side-by-side benchmark.
# Needs the peers: `scripts/setup.sh bench` (the Makefile target runs it first).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
/usr/bin/python3 bench/make_corpus.py
# Issue 11's variants (bench/variants/RESULTS.md, folded into RESULTS.md by run.py).
/usr/bin/python3 bench/variants/variants_bench.py "$build" --rounds "${BENCH_ROUNDS:-7}"
exec /usr/bin/python3 bench/run.py "$build" --rounds "${BENCH_ROUNDS:-7}"
