"""EXIF orientation 1-8: a photo stored in each orientation (pixels transformed, tag set) gives
the same upright output.

Usage: orientation_test.py IMGPIPE_BINARY
"""

import os
import sys
import tempfile

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
import fixtures  # noqa: E402

# Each input is its own JPEG re-encode of transformed pixels, so outputs differ by a little
# encoding noise; a wrong rotation or flip differs by tens of gray levels.
MAX_MEAN_ABS_DIFF = 3.0


def main():
    imgpipe = sys.argv[1]
    checks = cliutil.Failures()
    # A landscape photo: orientations 5-8 store it as portrait, so a missed swap shows in the size.
    upright = fixtures.fit_pixels(Image.open(fixtures.PHOTOS[2]).convert("RGB"), 600_000)
    w, h = upright.size
    assert w > h
    with tempfile.TemporaryDirectory(prefix="imgpipe-orient-") as tmp:
        src = os.path.join(tmp, "in")
        for o in range(1, 9):
            fixtures.write(os.path.join(src, "o%d.jpg" % o), fixtures.oriented_jpeg(upright, o))
        for fit in ("inside", "fill"):
            out = os.path.join(tmp, "out-" + fit)
            run = cliutil.run([imgpipe, "process", "--fit", fit, "--size", "256x256", src,
                               "-o", out])
            checks.check(run.returncode == 0, "exit %d: %s" % (run.returncode, run.stderr))
            # The core rounds the short side its own way; allow +-1 against the exact ratio.
            o1 = os.path.join(out, "o1.jpg")
            if not os.path.exists(o1):
                checks.check(False, "%s o1: no output" % fit)
                continue
            expected_size = cliutil.open_loaded(o1).size
            exact = (256, 256 * h / w) if fit == "inside" else (256, 256)
            checks.check(expected_size[0] == exact[0] and abs(expected_size[1] - exact[1]) <= 1,
                         "%s o1: size %s, want about %s" % (fit, expected_size, exact))
            reference = upright.resize(expected_size, Image.Resampling.BICUBIC).convert("L")
            for o in range(1, 9):
                path = os.path.join(out, "o%d.jpg" % o)
                if not os.path.exists(path):
                    checks.check(False, "%s o%d: no output" % (fit, o))
                    continue
                ours = cliutil.open_loaded(path)
                if ours.size != expected_size:
                    checks.check(False, "%s o%d: size %s, want upright %s" % (fit, o, ours.size,
                                                                              expected_size))
                    continue
                mad = cliutil.mean_abs_diff(ours, reference)
                print("%-6s orientation %d: %dx%d mean abs diff to upright %.2f" %
                      (fit, o, ours.size[0], ours.size[1], mad))
                checks.check(mad <= MAX_MEAN_ABS_DIFF,
                             "%s o%d: mean abs diff %.2f to the upright photo" % (fit, o, mad))
    checks.finish()


if __name__ == "__main__":
    main()
