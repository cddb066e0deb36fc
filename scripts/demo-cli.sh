#!/usr/bin/env bash
# The CLI demo (`make run` until the local stack lands): the seed's job (256x256 fill, grayscale,
# JPEG q75) on every good sample image into ./out, then a table of what was made.
# Builds nothing: `make run` has already built $BUILD/bin/imgpipe and made samples/.
#   scripts/demo-cli.sh [BUILD_DIR]     (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
imgpipe="$build/bin/imgpipe"
samples=samples/good
out=out

[[ -x "$imgpipe" ]] || { echo "demo-cli: $imgpipe not found; run 'make build' first" >&2; exit 1; }
[[ -d "$samples" ]] || { echo "demo-cli: $samples not found; run 'make samples' first" >&2; exit 1; }

echo "== imgpipe process --fit fill --size 256x256 --format jpeg --quality 75 $samples -o $out"
status=0
"$imgpipe" process --fit fill --size 256x256 --format jpeg --quality 75 "$samples" -o "$out" ||
  status=$?

# One row per input: what it is, and what was made from it (both read with `imgpipe info`).
human() { numfmt --to=iec --suffix=B --format='%.1f' "$1"; }
field() { awk -v n="$2" '{print $n}' <<<"$1"; }
row() { printf '%-32s %-5s %-10s %9s  %9s %-8s %s\n' "$@"; }
echo
row FILE FMT "IN DIMS" "IN SIZE" "OUT SIZE" "OUT DIMS" "OUT CHANNELS"
while IFS= read -r -d '' input; do
  rel="${input#"$samples"/}"
  output="$out/${rel%.*}.jpg"
  in_info="$("$imgpipe" info "$input" 2>/dev/null | sed "s|^$input: ||")"
  if [[ -f "$output" ]]; then
    out_info="$("$imgpipe" info "$output" 2>/dev/null | sed "s|^$output: ||")"
    row "$rel" "$(field "$in_info" 1)" "$(field "$in_info" 2)" \
      "$(human "$(stat -c %s "$input")")" "$(human "$(stat -c %s "$output")")" \
      "$(field "$out_info" 2)" "$(field "$out_info" 4 | sed 's/channels=//')"
  else
    row "$rel" "$(field "$in_info" 1)" "$(field "$in_info" 2)" \
      "$(human "$(stat -c %s "$input")")" - - "(failed)"
  fi
done < <(find "$samples" -type f ! -name '.*' -print0 | sort -z)

# The bad samples: each must be reported as `path: reason` while the others still run.
echo
echo "== imgpipe process samples/bad -o $out/bad   (every file here is expected to fail)"
bad_status=0
"$imgpipe" process samples/bad -o "$out/bad" || bad_status=$?
echo "exit code $bad_status (0 ok, 1 bad data, 2 usage, 3 I/O, 4 over a limit, 5 internal)"
echo
echo "outputs in ./$out"
exit "$status"
