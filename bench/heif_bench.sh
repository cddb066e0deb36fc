#!/usr/bin/env bash
# The HEIF/AVIF classes of bench/RESULTS.md: makes a 3 MP and a 12 MP HEIC and AVIF from a real
# photograph (heif-enc, avifenc), then runs heif_bench (imgpipe against libheif's own decode)
# and `vips thumbnail` (scripts/setup.sh bench installs libvips-tools).
#   bench/heif_bench.sh BUILD_DIR [ROUNDS]      (BUILD_DIR configured with -DIMGPIPE_BENCH=ON)
set -euo pipefail
build="${1:?usage: bench/heif_bench.sh BUILD_DIR [ROUNDS]}"
rounds="${2:-3}"
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$tmp" <<'PY'
import sys
from PIL import Image
im = Image.open("/usr/share/backgrounds/mate/nature/Aqua.jpg").convert("RGB")
for name, size in {"3mp": (2121, 1414), "12mp": (4243, 2828)}.items():
    im.resize(size, Image.Resampling.LANCZOS).save(f"{sys.argv[1]}/{name}.png")
PY
files=()
for size in 3mp 12mp; do
  heif-enc -q 80 "$tmp/$size.png" -o "$tmp/$size.heic" >/dev/null
  avifenc -s 8 -j 1 "$tmp/$size.png" "$tmp/$size.avif" >/dev/null
  files+=("$tmp/$size.heic" "$tmp/$size.avif")
done
chrt_cmd=(); if chrt -f 10 true 2>/dev/null; then chrt_cmd=(chrt -f 10); fi
"${chrt_cmd[@]}" "$build/bin/heif_bench" --rounds "$rounds" "${files[@]}"
# One process per file for both, so each pays its start-up (libvips' ~0.1-0.6 s, imgpipe's
# dlopen of libheif and its first worker): the fair side-by-side for the "faster than libvips"
# target. Interleaved, per file.
for f in "${files[@]}"; do
  /usr/bin/time -f "vips thumbnail $(basename "$f"): %e s, peak RSS %M KiB" \
    env VIPS_CONCURRENCY=1 vips thumbnail "$f" "$tmp/vips.jpg" 256 --height 256 --size force 2>&1 |
    grep -v WARNING
  rm -rf "$tmp/one" && mkdir -p "$tmp/one" && cp "$f" "$tmp/one/"
  /usr/bin/time -f "imgpipe process $(basename "$f"): %e s, peak RSS %M KiB" \
    "$build/bin/imgpipe" process "$tmp/one" -o "$tmp/one-out" --overwrite 2>&1 >/dev/null
done
mkdir -p "$tmp/rss" && cp "$tmp/12mp.heic" "$tmp/rss/"
/usr/bin/time -f "imgpipe process 12mp.heic: peak RSS %M KiB" \
  "$build/bin/imgpipe" process "$tmp/rss/12mp.heic" -o "$tmp/rss-out" >/dev/null
