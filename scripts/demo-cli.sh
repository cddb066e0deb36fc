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

# One row per input: its size, its output's size and dimensions (read back with `imgpipe info`).
human() { numfmt --to=iec --suffix=B --format='%.1f' "$1"; }
echo
printf '%-36s %10s %10s  %-9s %s\n' FILE INPUT OUTPUT DIMS "OUTPUT INFO"
while IFS= read -r -d '' input; do
  rel="${input#"$samples"/}"
  output="$out/${rel%.*}.jpg"
  if [[ -f "$output" ]]; then
    info="$("$imgpipe" info "$output" 2>&1 | sed "s|^$output: ||")"
    dims="$(awk '{print $2}' <<<"$info")"
    printf '%-36s %10s %10s  %-9s %s\n' "$rel" "$(human "$(stat -c %s "$input")")" \
      "$(human "$(stat -c %s "$output")")" "$dims" "$info"
  else
    printf '%-36s %10s %10s  %-9s %s\n' "$rel" "$(human "$(stat -c %s "$input")")" - - "(failed)"
  fi
done < <(find "$samples" -type f ! -name '.*' -print0 | sort -z)
echo
echo "outputs in ./$out; the bad samples are exercised by: $imgpipe process samples/bad -o /tmp/x"
exit "$status"
