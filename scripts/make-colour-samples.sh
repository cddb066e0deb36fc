#!/usr/bin/env bash
# Makes samples/colour (gitignored, ~2 MB): one mate-backgrounds photo tagged with colord-data's
# Adobe RGB, ProPhoto and SwappedRedAndGreen profiles as JPEG, PNG and WebP, plus a profile split
# over three APP2 markers and a truncated one (ignored with a warning). Try them with
#   build/bin/imgpipe process --no-grayscale samples/colour -o /tmp/colour-out
# (SwappedRedAndGreen makes an ignored profile obvious: without colour management the sky stays
# blue, with it the colours swap).
#   scripts/make-colour-samples.sh [OUTDIR]     (default: samples/colour)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-samples/colour}"
missing="$(/usr/bin/python3 -c 'import sys; sys.path.insert(0, "tests/parity")
import colour_fixtures; print(colour_fixtures.missing() or "")')"
if [[ -n "$missing" ]]; then
  echo "make-colour-samples: missing $missing" >&2
  exit 1
fi
/usr/bin/python3 -c 'import sys; sys.path.insert(0, "tests/parity")
import colour_fixtures; colour_fixtures.write_samples(sys.argv[1])' "$out"
echo "make-colour-samples: wrote $(find "$out" -type f | wc -l) files to $out"
