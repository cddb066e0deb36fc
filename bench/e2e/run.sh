#!/usr/bin/env bash
# End-to-end throughput of the local stack next to the CLI's, on the same 100 medium photos.
# usage: bench/e2e/run.sh [BUILD_DIR]   → writes bench/e2e/RESULTS.md
# Needs: dist/lambda.zip (make package), BUILD_DIR/bin/imgpipe (make build), local/node_modules.
set -euo pipefail
cd "$(dirname "$0")/../.."
exec /usr/bin/python3 -W ignore::ResourceWarning bench/e2e/run.py "${1:-build}" "${@:2}"
