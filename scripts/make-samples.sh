#!/usr/bin/env bash
# Makes samples/ (gitignored) from real photographs in Debian's mate-backgrounds: the demo's
# inputs (samples/good) and bad files (samples/bad). Deterministic and idempotent: skipped when
# samples/.stamp matches the generator, so `make samples` costs nothing the second time.
#   scripts/make-samples.sh [OUTDIR]     (default: samples)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-samples}"
generator=tests/parity/fixtures.py

if [[ ! -d /usr/share/backgrounds/mate/nature ]]; then
  echo "make-samples: /usr/share/backgrounds/mate is missing (apt-get install mate-backgrounds)" >&2
  exit 1
fi
# The stamp names everything the output depends on: the generator, this script and Pillow.
stamp="$(cat "$generator" "$0" | sha256sum | cut -d' ' -f1) pillow-$(/usr/bin/python3 -c 'import PIL; print(PIL.__version__)') $(heif-enc --help 2>&1 | sed -n 1p | tr -s ' ')"
if [[ -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp" ]]; then
  echo "make-samples: $out is up to date"
  exit 0
fi
# Build into a temporary sibling and swap it in, so an interrupted run never leaves a half tree
# that a later run would take for complete.
tmp="$(mktemp -d "${out%/}.tmp.XXXXXX")"
chmod 755 "$tmp"
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$generator" "$tmp"
# HEIC and AVIF copies of two photos, made with Debian's encoders (libheif-examples heif-enc,
# libavif-bin avifenc), and a truncated HEIC among the bad files: what a phone uploads.
for tool in heif-enc avifenc; do
  command -v "$tool" >/dev/null || { echo "make-samples: $tool is missing (scripts/setup.sh)" >&2; exit 1; }
done
mkdir -p "$tmp/good/heif"
mapfile -t photos < <(find "$tmp/good/photos" -name '*.jpg' | sort | sed -n 1,2p)
heic="$tmp/good/heif/$(basename "${photos[0]%.jpg}").heic"
heif-enc -q 80 "${photos[0]}" -o "$heic" >/dev/null
avifenc -s 8 "${photos[1]:-${photos[0]}}" "$tmp/good/heif/$(basename "${photos[1]:-${photos[0]}}" .jpg).avif" >/dev/null
head -c $(($(stat -c %s "$heic") / 2)) "$heic" >"$tmp/bad/truncated-heic.heic"
echo "$stamp" >"$tmp/.stamp"
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "make-samples: wrote $(find "$out" -type f ! -name .stamp | wc -l) files to $out"
