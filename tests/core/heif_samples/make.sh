#!/usr/bin/env bash
# Makes the small committed HEIF/AVIF samples in this folder from a real photograph of Debian's
# mate-backgrounds, with Debian's encoders (heif-enc, avifenc) and make_oriented.cc (libheif's
# encoder API, for irot/imir and a contradicting EXIF). Rerun only to change the samples:
#   tests/core/heif_samples/make.sh
set -euo pipefail
cd "$(dirname "$0")"
src=/usr/share/backgrounds/mate/nature/Dune.jpg
prophoto=/usr/share/color/icc/colord/ProPhotoRGB.icc
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 - "$src" "$tmp" "$prophoto" <<'PY'
import sys
from PIL import Image
src, tmp, PROPHOTO = sys.argv[1], sys.argv[2], sys.argv[3]
im = Image.open(src).convert("RGB").resize((240, 160), Image.Resampling.LANCZOS)
im.save(f"{tmp}/rgb.png")
open(f"{tmp}/rgb.raw", "wb").write(im.tobytes())
im.convert("L").save(f"{tmp}/gray.png")
# 16-bit RGB PNG for the deep encodes: Pillow writes 16-bit only for I;16 single channels, so
# write it by hand (8-bit values * 257).
import struct, zlib
w, h = im.size
raw = b"".join(b"\0" + b"".join(struct.pack(">HHH", *(v * 257 for v in im.getpixel((x, y))))
                                for x in range(w)) for y in range(h))
def chunk(t, d):
    return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 16, 2, 0, 0, 0))
png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
open(f"{tmp}/rgb16.png", "wb").write(png)
# Alpha: a soft left-to-right ramp.
rgba = im.copy()
rgba.putalpha(Image.linear_gradient("L").rotate(90).resize((w, h)))
rgba.save(f"{tmp}/rgba.png")
im.resize((256, 256)).save(f"{tmp}/square.png")
# The same pixels tagged ProPhoto RGB, for the HEIF colour profile (heif-enc copies a PNG's
# iCCP into a `colr` prof box; avifenc takes the profile with --icc).
im.save(f"{tmp}/rgb_prophoto.png", icc_profile=open(PROPHOTO, "rb").read())
PY
heif-enc -q 80 "$tmp/rgb.png" -o photo.heic
heif-enc -q 80 -b 10 "$tmp/rgb16.png" -o photo_10bit.heic
heif-enc -q 80 "$tmp/rgba.png" -o alpha.heic
heif-enc -q 80 "$tmp/gray.png" -o mono.heic
heif-enc -L -p chroma=444 --matrix_coefficients=0 "$tmp/rgb.png" -o lossless.heic
avifenc -s 8 "$tmp/rgb.png" photo.avif >/dev/null
avifenc -s 8 -d 10 "$tmp/rgb.png" photo_10bit.avif >/dev/null
avifenc -s 8 -d 12 "$tmp/rgb.png" photo_12bit.avif >/dev/null
avifenc -s 8 "$tmp/rgba.png" alpha.avif >/dev/null
avifenc -s 8 --yuv 400 "$tmp/gray.png" mono.avif >/dev/null
avifenc -s 8 -g 2x2 "$tmp/square.png" grid.avif >/dev/null
avifenc -s 8 --irot 1 "$tmp/rgb.png" irot90.avif >/dev/null
avifenc -s 8 --crop 20,10,200,120 "$tmp/rgb.png" clap.avif >/dev/null
avifenc -s 8 -l "$tmp/rgb.png" lossless.avif >/dev/null
avifenc -s 10 "$tmp/rgb.png" "$tmp/rgb.png" sequence.avif >/dev/null
heif-enc -q 80 "$tmp/rgb_prophoto.png" -o prophoto.heic
avifenc -s 8 --icc "$prophoto" "$tmp/rgb.png" prophoto.avif >/dev/null
g++ -O1 -o "$tmp/make_oriented" make_oriented.cc -lheif
# Orientation numbers are EXIF's: libheif writes the matching irot/imir.
"$tmp/make_oriented" irot90.heic 240 160 8 0 <"$tmp/rgb.raw"    # 90 anticlockwise
"$tmp/make_oriented" irot180.heic 240 160 3 0 <"$tmp/rgb.raw"
"$tmp/make_oriented" irot270.heic 240 160 6 0 <"$tmp/rgb.raw"   # 270 anticlockwise
"$tmp/make_oriented" mirror.heic 240 160 2 0 <"$tmp/rgb.raw"
# EXIF that contradicts the container: it must not rotate the image a second time.
"$tmp/make_oriented" exif6_no_irot.heic 240 160 1 6 <"$tmp/rgb.raw"
"$tmp/make_oriented" irot270_exif8.heic 240 160 6 8 <"$tmp/rgb.raw"
# libheif 1.15's encoder writes the rotated size into `ispe`, which the standard (and libheif's
# own decoder) take as the coded size: put the coded 240x160 back, so these are valid files.
for f in irot90.heic irot270.heic irot270_exif8.heic; do
  /usr/bin/python3 - "$f" <<'PY'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
at = data.index(b"ispe") + 8  # type, then version/flags
data[at:at + 8] = struct.pack(">II", 240, 160)
open(sys.argv[1], "wb").write(data)
PY
done
# Broken copies: cut in the coded data, and coded data overwritten.
size=$(stat -c %s photo.heic)
head -c $((size * 6 / 10)) photo.heic >truncated.heic
head -c $(( $(stat -c %s photo.avif) * 6 / 10)) photo.avif >truncated.avif
head -c 200 photo.heic >truncated_meta.heic
cp photo.heic corrupted.heic
printf '\xff%.0s' $(seq 1 400) | dd of=corrupted.heic bs=1 seek=$((size - 2000)) conv=notrunc status=none
ls -l ./*.heic ./*.avif
