"""Parity with the AWS tutorial's Pillow function: `imgpipe process --fit fill --size 256x256` against the AWS tutorial's
Pillow code, `Image.open(f).resize((256, 256)).convert("L")`, on real photographs.

Usage: tutorial_parity_test.py IMGPIPE_BINARY

Two checks per photo:

1. Output against output: our JPEG (q75) against the tutorial's JPEG (the tutorial saves with
   `image.save(buffer, format="JPEG")`, quality 75), both decoded. Limit: mean absolute
   difference <= 2.5 gray levels. The difference against Pillow's in-memory image before its save
   is printed too; on fine textures (dune.jpg) q75 alone costs Pillow itself 2.8 there.
2. The pipeline without the encoder's loss: our `--format png` output against Pillow's in-memory
   result. Limit 1.0 gray levels. This is where a resampling or shrink-on-load difference shows
   plainly.
"""

import io
import os
import shutil
import sys
import tempfile

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
import fixtures  # noqa: E402

MAX_MEAN_ABS_DIFF = 2.5
MAX_LOSSLESS_DIFF = 1.0


def main():
    imgpipe = sys.argv[1]
    checks = cliutil.Failures()
    if len(fixtures.PHOTOS) < 5:
        raise SystemExit("need at least 5 photos in %s/nature (apt-get install mate-backgrounds)"
                         % fixtures.MATE)
    with tempfile.TemporaryDirectory(prefix="imgpipe-parity-") as tmp:
        src = os.path.join(tmp, "in")
        os.makedirs(src)
        inputs = []
        # The photographs as Debian ships them (real encoder output, 1.3-4.9 MP) ...
        for path in fixtures.PHOTOS:
            name = os.path.basename(path).lower()
            shutil.copyfile(path, os.path.join(src, name))
            inputs.append(name)
        # ... plus a progressive and a 4:4:4 re-encode, which take other decoder paths.
        photo = Image.open(fixtures.PHOTOS[0]).convert("RGB")
        for name, kw in (("progressive.jpg", {"progressive": True}),
                         ("subsampling444.jpg", {"subsampling": 0})):
            fixtures.write(os.path.join(src, name), fixtures.jpeg_bytes(photo, quality=90, **kw))
            inputs.append(name)

        out = os.path.join(tmp, "out")
        run = cliutil.run([imgpipe, "process", "--fit", "fill", "--size", "256x256", src,
                           "-o", out])
        checks.check(run.returncode == 0, "imgpipe exit %d: %s" % (run.returncode, run.stderr))
        out_png = os.path.join(tmp, "out-png")
        run = cliutil.run([imgpipe, "process", "--fit", "fill", "--size", "256x256", "--format",
                           "png", src, "-o", out_png])
        checks.check(run.returncode == 0, "imgpipe png exit %d: %s" % (run.returncode, run.stderr))

        print("%-20s %9s %6s %6s %12s %14s %9s %6s" % (
            "file", "source", "jpeg", "limit", "before save", "pillow q75 rt", "lossless", "limit"))
        worst = 0.0
        for name in sorted(inputs):
            ours_path = os.path.join(out, os.path.splitext(name)[0] + ".jpg")
            if not os.path.exists(ours_path):
                checks.check(False, "%s: no output" % name)
                continue
            ours = cliutil.open_loaded(ours_path)
            checks.check(ours.format == "JPEG", "%s: output is %s, not JPEG" % (name, ours.format))
            checks.check(ours.size == (256, 256), "%s: output is %s, not 256x256" % (name, ours.size))
            checks.check(ours.mode == "L" and len(ours.getbands()) == 1,
                         "%s: output mode %s, want L with 1 channel" % (name, ours.mode))
            source = Image.open(os.path.join(src, name))
            tutorial = source.resize((256, 256)).convert("L")  # the tutorial's exact code
            buf = io.BytesIO()
            tutorial.save(buf, format="JPEG")  # the tutorial's save: Pillow's default quality 75
            tutorial_output = Image.open(io.BytesIO(buf.getvalue()))
            tutorial_output.load()
            roundtrip = cliutil.mean_abs_diff(tutorial_output, tutorial)
            same_size = ours.size == tutorial.size
            mad = cliutil.mean_abs_diff(ours, tutorial_output) if same_size else 255.0
            before_save = cliutil.mean_abs_diff(ours, tutorial) if same_size else 255.0
            limit = MAX_MEAN_ABS_DIFF
            png_path = os.path.join(out_png, os.path.splitext(name)[0] + ".png")
            lossless = 255.0
            if os.path.exists(png_path):
                png = cliutil.open_loaded(png_path)
                if png.size == tutorial.size:
                    lossless = cliutil.mean_abs_diff(png, tutorial)
            worst = max(worst, mad)
            print("%-20s %9s %6.2f %6.2f %12.2f %14.2f %9.2f %6.2f" % (
                name, "%dx%d" % source.size, mad, limit, before_save, roundtrip, lossless,
                MAX_LOSSLESS_DIFF))
            checks.check(mad <= limit, "%s: JPEG output differs from the tutorial's JPEG output by "
                         "%.2f > %.2f gray levels" % (name, mad, limit))
            checks.check(lossless <= MAX_LOSSLESS_DIFF, "%s: PNG output mean abs diff %.2f > %.2f"
                         % (name, lossless, MAX_LOSSLESS_DIFF))
        print("worst mean abs diff: %.2f gray levels over %d photos" % (worst, len(inputs)))
    checks.finish()


if __name__ == "__main__":
    main()
