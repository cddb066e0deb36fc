"""Parity with the seed: `imgpipe process --fit fill --size 256x256` against the AWS tutorial's
Pillow code, `Image.open(f).resize((256, 256)).convert("L")`, on real photographs.

Usage: seed_parity_test.py IMGPIPE_BINARY

Our output is a JPEG (q75); it is decoded and compared with Pillow's in-memory result *before*
Pillow's own JPEG save, so our encoder's loss counts against us. Limit: mean absolute difference
<= 2.5 gray levels per image. Pillow's own q75 round trip is printed for scale.
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

        print("%-22s %9s %6s %9s %14s" % ("file", "source", "mad", "limit", "pillow q75 rt"))
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
            seed = source.resize((256, 256)).convert("L")  # the tutorial's exact code
            buf = io.BytesIO()
            seed.save(buf, "JPEG")  # Pillow's own q75 loss, for scale only
            roundtrip = cliutil.mean_abs_diff(Image.open(buf), seed)
            mad = cliutil.mean_abs_diff(ours, seed) if ours.size == seed.size else 255.0
            worst = max(worst, mad)
            print("%-22s %9s %6.2f %9.2f %14.2f" % (name, "%dx%d" % source.size, mad,
                                                    MAX_MEAN_ABS_DIFF, roundtrip))
            checks.check(mad <= MAX_MEAN_ABS_DIFF,
                         "%s: mean abs diff %.2f > %.2f" % (name, mad, MAX_MEAN_ABS_DIFF))
        print("worst mean abs diff: %.2f gray levels over %d photos" % (worst, len(inputs)))
    checks.finish()


if __name__ == "__main__":
    main()
