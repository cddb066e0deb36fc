#!/usr/bin/env bash
# The main job shown by `make run`. Until the local stack lands this is the CLI demo.
set -euo pipefail
cd "$(dirname "$0")/.."
exec scripts/demo-cli.sh "$@"
