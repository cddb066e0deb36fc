"""Parity for HEIF and AVIF input: `imgpipe process --fit fill --size 256x256 --format png`
against Debian's `heif-convert` (libheif's own decode, with its transforms) followed by the
tutorial's Pillow code, `Image.open(f).resize((256, 256)).convert("L")`.

Usage: heif_parity_test.py IMGPIPE_BINARY

The inputs are real photographs of Debian's mate-backgrounds, encoded at their full size with
heif-enc (HEVC) and avifenc (AV1), 8- and 10-bit, and one rotated with `irot`. Limit: mean
absolute difference <= 1.5 gray levels on the lossless (PNG) output. Needs heif-enc,
heif-convert and avifenc (scripts/setup.sh installs them); without them the test skips (exit
77), and fails instead when CI=true.
"""

import os
import shutil
import subprocess
import sys
import tempfile

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
import fixtures  # noqa: E402

MAX_LOSSLESS_DIFF = 1.5
TOOLS = ("heif-enc", "heif-convert", "avifenc")


def skip(reason):
    if os.environ.get("CI") == "true":
        raise SystemExit("CI=true and " + reason)
    print("skipped: " + reason)
    sys.exit(77)


def encode(src_png, out, kind):
    if kind == "heic":
        cmd = ["heif-enc", "-q", "90", src_png, "-o", out]
    elif kind == "avif":
        cmd = ["avifenc", "-s", "8", src_png, out]
    elif kind == "avif10":
        cmd = ["avifenc", "-s", "8", "-d", "10", src_png, out]
    else:  # irot: rotation 90 degrees anticlockwise in the container
        cmd = ["avifenc", "-s", "8", "--irot", "1", src_png, out]
    subprocess.run(cmd, check=True, capture_output=True)


def main():
    imgpipe = sys.argv[1]
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        skip("missing " + ", ".join(missing) + " (scripts/setup.sh installs them)")
    if len(fixtures.PHOTOS) < 3:
        skip("need 3 photos in %s/nature (apt-get install mate-backgrounds)" % fixtures.MATE)
    checks = cliutil.Failures()
    with tempfile.TemporaryDirectory(prefix="imgpipe-heif-parity-") as tmp:
        src = os.path.join(tmp, "in")
        os.makedirs(src)
        inputs = []
        for i, path in enumerate(fixtures.PHOTOS[:3]):
            stem = os.path.splitext(os.path.basename(path))[0].lower()
            png = os.path.join(tmp, stem + ".png")
            Image.open(path).convert("RGB").save(png)
            kinds = ("heic", "avif") if i < 2 else ("avif10", "irot")
            for kind in kinds:
                ext = ".heic" if kind == "heic" else ".avif"
                name = "%s-%s%s" % (stem, kind, ext)
                encode(png, os.path.join(src, name), kind)
                inputs.append(name)
        out = os.path.join(tmp, "out")
        run = cliutil.run([imgpipe, "process", "--fit", "fill", "--size", "256x256", "--format",
                           "png", src, "-o", out], timeout=600)
        checks.check(run.returncode == 0, "imgpipe exit %d: %s" % (run.returncode, run.stderr))
        print("%-28s %11s %9s %6s" % ("file", "source", "lossless", "limit"))
        for name in inputs:
            ref_png = os.path.join(tmp, name + ".ref.png")
            conv = subprocess.run(["heif-convert", os.path.join(src, name), ref_png],
                                  capture_output=True)
            checks.check(conv.returncode == 0, "%s: heif-convert failed: %s" % (name, conv.stderr))
            ours_path = os.path.join(out, os.path.splitext(name)[0] + ".png")
            if conv.returncode != 0 or not os.path.exists(ours_path):
                checks.check(False, "%s: no output" % name)
                continue
            source = cliutil.open_loaded(ref_png)
            reference = source.convert("RGB").resize((256, 256)).convert("L")
            ours = cliutil.open_loaded(ours_path)
            diff = cliutil.mean_abs_diff(ours, reference) if ours.size == (256, 256) else 255.0
            print("%-28s %11s %9.2f %6.2f" % (name, "%dx%d" % source.size, diff,
                                                MAX_LOSSLESS_DIFF))
            checks.check(diff <= MAX_LOSSLESS_DIFF, "%s: PNG output mean abs diff %.2f > %.2f"
                         % (name, diff, MAX_LOSSLESS_DIFF))
    checks.finish()


if __name__ == "__main__":
    main()
