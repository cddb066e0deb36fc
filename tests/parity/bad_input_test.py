"""A batch with bad files: each bad file is reported as `path: reason (error_name)` on stderr,
nothing crashes, the good files are written, the exit code is the documented one, and a PNG or
JPEG header claiming 60000x60000 is refused while the process stays under 50 MB RSS.

Usage: bad_input_test.py IMGPIPE_BINARY
"""

import io
import os
import re
import sys
import tempfile

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
import fixtures  # noqa: E402

MAX_RSS_KIB = 50 * 1024
# Exit codes from src/core/error.cc: 1 bad image data, 4 over a limit; the highest wins.
EXPECTED = {
    "empty.jpg": ({"empty_input"}, 1),
    "random.jpg": ({"unsupported_format"}, 1),
    "truncated-jpeg.jpg": ({"truncated_image", "corrupt_image"}, 1),
    "truncated-png.png": ({"truncated_image", "corrupt_image"}, 1),
    "text.jpg": ({"unsupported_format"}, 1),
    "huge-60000-png.png": ({"too_many_pixels"}, 4),
    "huge-60000-jpeg.jpg": ({"too_many_pixels"}, 4),
}


def failure_lines(stderr):
    """path -> (reason, error_name) for every `path: reason (error_name)` line."""
    found = {}
    for line in stderr.splitlines():
        m = re.match(r"^(.*?): (.+) \(([a-z_]+)\)$", line)
        if m:
            found[m.group(1)] = (m.group(2), m.group(3))
    return found


def check_failures(checks, run, paths, label):
    checks.check(run.returncode >= 0, "%s: killed by signal %d" % (label, -run.returncode))
    lines = failure_lines(run.stderr)
    for name, path in paths.items():
        names, _ = EXPECTED[name]
        if path not in lines:
            checks.check(False, "%s: no `%s: reason` line on stderr:\n%s" % (label, path, run.stderr))
            continue
        reason, error = lines[path]
        print("%s: %s -> %s (%s)" % (label, name, reason, error))
        checks.check(error in names, "%s: %s failed as %s, want one of %s" %
                     (label, name, error, sorted(names)))
        checks.check(len(reason) > 3, "%s: %s has no reason" % (label, name))


def main():
    imgpipe = sys.argv[1]
    checks = cliutil.Failures()
    with tempfile.TemporaryDirectory(prefix="imgpipe-bad-") as tmp:
        bad = fixtures.bad_files(fixtures.PHOTOS[0])
        src = os.path.join(tmp, "in")
        for name, data in bad.items():
            fixtures.write(os.path.join(src, name), data)
        photo = fixtures.fit_pixels(Image.open(fixtures.PHOTOS[1]).convert("RGB"), 1_000_000)
        fixtures.write(os.path.join(src, "good-photo.jpg"), fixtures.jpeg_bytes(photo, quality=90))
        png = io.BytesIO()
        photo.save(png, "PNG")
        fixtures.write(os.path.join(src, "good-photo2.png"), png.getvalue())

        # 1. The 60000x60000 headers alone, so the peak RSS is theirs.
        huge = {n: os.path.join(src, n) for n in ("huge-60000-png.png", "huge-60000-jpeg.jpg")}
        run = cliutil.run([imgpipe, "process", "--jobs", "2", *huge.values(), "-o",
                           os.path.join(tmp, "out-huge")])
        check_failures(checks, run, huge, "huge")
        checks.check(run.returncode == 4, "huge: exit %d, want 4" % run.returncode)
        print("huge: peak RSS %.1f MiB (limit %d MiB)" % (run.max_rss_kib / 1024,
                                                          MAX_RSS_KIB // 1024))
        checks.check(0 < run.max_rss_kib < MAX_RSS_KIB,
                     "huge: peak RSS %d KiB >= %d KiB" % (run.max_rss_kib, MAX_RSS_KIB))

        # 2. The whole directory: every bad file fails alone, the good ones are written.
        out = os.path.join(tmp, "out")
        run = cliutil.run([imgpipe, "process", "--jobs", "2", src, "-o", out])
        check_failures(checks, run, {n: os.path.join(src, n) for n in bad}, "batch")
        worst = max(code for _, code in EXPECTED.values())
        checks.check(run.returncode == worst, "batch: exit %d, want %d" % (run.returncode, worst))
        checks.check(run.stdout.startswith("2 ok, %d failed," % len(bad)),
                     "batch: summary %r" % run.stdout)
        print("batch summary:", run.stdout.strip())
        for good in ("good-photo.jpg", "good-photo2.jpg"):
            path = os.path.join(out, good)
            if not os.path.exists(path):
                checks.check(False, "batch: %s was not written" % good)
                continue
            im = cliutil.open_loaded(path)
            checks.check(im.size == (256, 256) and im.mode == "L",
                         "batch: %s is %s %s" % (good, im.size, im.mode))
        written = sorted(os.listdir(out))
        checks.check(written == ["good-photo.jpg", "good-photo2.jpg"],
                     "batch: out/ holds %s (no partial or temporary files expected)" % written)

        # 3. Bad files as explicit arguments, one job: same reports.
        args = [os.path.join(src, n) for n in sorted(bad)]
        run = cliutil.run([imgpipe, "process", "--jobs", "1", *args, "-o",
                           os.path.join(tmp, "out-args")])
        check_failures(checks, run, {n: os.path.join(src, n) for n in bad}, "args")
        checks.check(run.returncode == worst, "args: exit %d" % run.returncode)

        # 4. --max-input-bytes refuses a file by its size.
        run = cliutil.run([imgpipe, "process", "--max-input-bytes", "1000",
                           os.path.join(src, "good-photo.jpg"), "-o", os.path.join(tmp, "o4")])
        lines = failure_lines(run.stderr)
        checks.check(lines.get(os.path.join(src, "good-photo.jpg"), ("", ""))[1] ==
                     "input_too_large" and run.returncode == 4,
                     "max-input-bytes: exit %d, stderr %r" % (run.returncode, run.stderr))
    checks.finish()


if __name__ == "__main__":
    main()
