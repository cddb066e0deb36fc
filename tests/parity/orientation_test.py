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

# All eight inputs go through the same pipeline; they differ only by the re-encode of the
# transformed pixels, so their outputs must agree closely with orientation 1's.
MAX_DIFF_TO_ORIENTATION_1 = 1.0
# Orientation 1's output against Pillow's upright resize (before its JPEG save): JPEG q75 alone
# costs 1-3 gray levels. A wrong rotation or flip costs far more (checked below).
MAX_DIFF_TO_UPRIGHT = 4.0


def main():
    imgpipe = sys.argv[1]
    checks = cliutil.Failures()
    # A landscape photo: orientations 5-8 store it as portrait, so a missed swap shows in the size.
    upright = fixtures.fit_pixels(Image.open(fixtures.PHOTOS[6]).convert("RGB"), 600_000)
    # Sides that are multiples of 16 keep JPEG's 16x16 MCU grid on the same content under every
    # flip and rotation, so the eight inputs hold the same pixels and only orientation handling
    # is tested. (With a partial edge MCU, a flipped input moves it to the other side: the core's
    # DCT-scaled decode then differs by ~1.3 gray levels, Pillow's full decode by ~0.3.)
    upright = upright.crop((0, 0, upright.width // 16 * 16, upright.height // 16 * 16))
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
            o1_path = os.path.join(out, "o1.jpg")
            if not os.path.exists(o1_path):
                checks.check(False, "%s o1: no output" % fit)
                continue
            o1 = cliutil.open_loaded(o1_path)
            # The core rounds the short side its own way; allow +-1 against the exact ratio.
            exact = (256, 256 * h / w) if fit == "inside" else (256, 256)
            checks.check(o1.size[0] == exact[0] and abs(o1.size[1] - exact[1]) <= 1,
                         "%s o1: size %s, want about %s" % (fit, o1.size, exact))
            reference = upright.resize(o1.size, Image.Resampling.BICUBIC).convert("L")
            to_upright = cliutil.mean_abs_diff(o1, reference)
            # The test's power: the same output against a mirrored or rotated reference.
            wrong = min(cliutil.mean_abs_diff(o1, reference.transpose(t)) for t in
                        (Image.Transpose.FLIP_LEFT_RIGHT, Image.Transpose.FLIP_TOP_BOTTOM,
                         Image.Transpose.ROTATE_180))
            print("%-6s orientation 1: %dx%d, to upright %.2f (limit %.1f), to a mirrored "
                  "upright %.2f" % (fit, o1.size[0], o1.size[1], to_upright,
                                    MAX_DIFF_TO_UPRIGHT, wrong))
            checks.check(to_upright <= MAX_DIFF_TO_UPRIGHT,
                         "%s o1: mean abs diff %.2f to the upright photo" % (fit, to_upright))
            checks.check(wrong > 3 * MAX_DIFF_TO_UPRIGHT,
                         "%s: photo too symmetric to tell orientations apart (%.2f)" % (fit, wrong))
            for o in range(2, 9):
                path = os.path.join(out, "o%d.jpg" % o)
                if not os.path.exists(path):
                    checks.check(False, "%s o%d: no output" % (fit, o))
                    continue
                ours = cliutil.open_loaded(path)
                if ours.size != o1.size:
                    checks.check(False, "%s o%d: size %s, want upright %s" % (fit, o, ours.size,
                                                                              o1.size))
                    continue
                mad = cliutil.mean_abs_diff(ours, o1)
                print("%-6s orientation %d: %dx%d, to orientation 1 %.2f (limit %.1f)" %
                      (fit, o, ours.size[0], ours.size[1], mad, MAX_DIFF_TO_ORIENTATION_1))
                checks.check(mad <= MAX_DIFF_TO_ORIENTATION_1,
                             "%s o%d: mean abs diff %.2f to orientation 1" % (fit, o, mad))
    checks.finish()


if __name__ == "__main__":
    main()
