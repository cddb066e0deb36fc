"""End-to-end behaviour of the imgpipe binary on real images: `info`, output layout, --jobs
determinism, no overwriting of inputs, usage errors.

Usage: cli_behaviour_test.py IMGPIPE_BINARY
"""

import filecmp
import io
import os
import re
import sys
import tempfile

from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
import fixtures  # noqa: E402


def write_formats(root):
    """name -> (bytes, format, stored size, channels, depth, orientation) for `info`."""
    photo = fixtures.fit_pixels(Image.open(fixtures.PHOTOS[3]).convert("RGB"), 300_000)
    size = photo.size
    files = {}

    def save(im, fmt, **kw):
        buf = io.BytesIO()
        im.save(buf, fmt, **kw)
        return buf.getvalue()

    files["photo.jpg"] = (fixtures.jpeg_bytes(photo, quality=90), "jpeg", size, 3, 8, 1)
    files["gray.jpg"] = (fixtures.jpeg_bytes(photo.convert("L")), "jpeg", size, 1, 8, 1)
    files["cmyk.jpg"] = (fixtures.jpeg_bytes(photo.convert("CMYK")), "jpeg", size, 4, 8, 1)
    files["rgb.png"] = (save(photo, "PNG"), "png", size, 3, 8, 1)
    files["rgba.png"] = (save(photo.convert("RGBA"), "PNG"), "png", size, 4, 8, 1)
    files["rgb16.png"] = (fixtures.png16_rgb(photo), "png", size, 3, 16, 1)
    files["lossless.webp"] = (save(photo, "WEBP", lossless=True), "webp", size, 3, 8, 1)
    files["palette.gif"] = (save(photo.convert("P"), "GIF"), "gif", size, None, 8, 1)
    rotated = (size[1], size[0])
    files["orientation-6.jpg"] = (fixtures.oriented_jpeg(photo, 6), "jpeg", rotated, 3, 8, 6)
    for name, spec in files.items():
        fixtures.write(os.path.join(root, name), spec[0])
    return files


def main():
    imgpipe = sys.argv[1]
    checks = cliutil.Failures()
    with tempfile.TemporaryDirectory(prefix="imgpipe-clib-") as tmp:
        src = os.path.join(tmp, "in")
        files = write_formats(os.path.join(src, "nested", "deeper"))
        fixtures.write(os.path.join(src, "top.jpg"), files["photo.jpg"][0])

        # info: one line per file with format, stored size, orientation, channels, depth.
        run = cliutil.run([imgpipe, "info", src])
        checks.check(run.returncode == 0, "info: exit %d %s" % (run.returncode, run.stderr))
        for name, (_, fmt, (w, h), channels, depth, orientation) in files.items():
            path = os.path.join(src, "nested", "deeper", name)
            m = re.search(r"^%s: (\w+) (\d+)x(\d+) orientation=(\d) channels=(\d) depth=(\d+)" %
                          re.escape(path), run.stdout, re.M)
            if not m:
                checks.check(False, "info: no line for %s in:\n%s" % (path, run.stdout))
                continue
            got = (m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4)),
                   int(m.group(5)), int(m.group(6)))
            want = (fmt, w, h, orientation, channels if channels else got[4], depth)
            checks.check(got == want, "info %s: got %s want %s" % (name, got, want))
        bad = os.path.join(tmp, "notes.jpg")
        fixtures.write(bad, b"plain text\n")
        run = cliutil.run([imgpipe, "info", bad, os.path.join(src, "top.jpg")])
        checks.check(run.returncode == 1 and run.stderr.startswith(bad + ": "),
                     "info bad: exit %d stderr %r" % (run.returncode, run.stderr))
        checks.check(os.path.join(src, "top.jpg") + ": jpeg" in run.stdout,
                     "info bad: the good file is still described")

        # process: relative paths kept, extension changed; --jobs 1 and 2 give identical bytes.
        outs = {}
        for jobs in ("1", "2"):
            out = os.path.join(tmp, "out" + jobs)
            run = cliutil.run([imgpipe, "process", "--jobs", jobs, src, "-o", out])
            checks.check(run.returncode == 0, "jobs %s: exit %d %s" % (jobs, run.returncode,
                                                                      run.stderr))
            outs[jobs] = out
        expected = sorted(["top.jpg"] + [os.path.join("nested", "deeper",
                                                      os.path.splitext(n)[0] + ".jpg")
                                         for n in files])
        got = sorted(os.path.relpath(os.path.join(d, f), outs["1"])
                     for d, _, fs in os.walk(outs["1"]) for f in fs)
        checks.check(got == expected, "layout: %s want %s" % (got, expected))
        for rel in expected:
            a, b = os.path.join(outs["1"], rel), os.path.join(outs["2"], rel)
            checks.check(os.path.exists(b) and filecmp.cmp(a, b, shallow=False),
                         "--jobs 1 and 2 differ on %s" % rel)
        webp = os.path.join(tmp, "outwebp")
        run = cliutil.run([imgpipe, "process", "--format", "webp", "--fit", "inside",
                           "--no-grayscale", os.path.join(src, "top.jpg"), "-o", webp])
        im = cliutil.open_loaded(os.path.join(webp, "top.webp")) if run.returncode == 0 else None
        checks.check(im is not None and im.format == "WEBP" and max(im.size) == 256,
                     "webp output: exit %d %s" % (run.returncode, run.stderr))

        # Inputs are never overwritten: OUTDIR is the input directory itself.
        top = os.path.join(src, "top.jpg")
        before = open(top, "rb").read()
        run = cliutil.run([imgpipe, "process", top, "-o", src])
        checks.check(run.returncode == 3 and "is an input file" in run.stderr,
                     "overwrite: exit %d stderr %r" % (run.returncode, run.stderr))
        checks.check(open(top, "rb").read() == before, "overwrite: the input was modified")

        # Usage errors exit 2 with the core's message; --help and --version exit 0.
        run = cliutil.run([imgpipe, "process", "--size", "0x5", src, "-o", tmp])
        checks.check(run.returncode == 2 and 'received "0x5"' in run.stderr,
                     "bad size: exit %d stderr %r" % (run.returncode, run.stderr))
        run = cliutil.run([imgpipe, "--help"])
        checks.check(run.returncode == 0 and "process" in run.stdout, "--help")
        run = cliutil.run([imgpipe, "--version"])
        checks.check(run.returncode == 0 and run.stdout.startswith("imgpipe "), "--version")
    checks.finish()


if __name__ == "__main__":
    main()
