"""Colour management against lcms2's own conversion, through the built imgpipe binary.

Usage: colour_parity_test.py IMGPIPE_BINARY

1. Tagged photos (Adobe RGB, ProPhoto, SwappedRedAndGreen) as JPEG, PNG and WebP, with
   `--no-grayscale --format png`: against Pillow's ImageCms (lcms2) conversion to sRGB followed
   by the same resize (Pillow's bicubic), mean per-channel difference <= 2. The unconverted
   pixels are printed too: they must be far off, or the check proves nothing.
2. Gray output follows from the converted colour: against the reference's convert("L").
3. A profile split over three APP2 markers in shuffled order converts like the single-marker one.
4. Untagged photos stay bit-exact with the output from before the colour step
   (colour_untagged_sha256.txt), and an sRGB-tagged copy gives the untagged copy's bytes.
5. Broken profiles (truncated, over the 8 MiB limit) print a warning, exit 0, and give the
   untagged output, in bounded memory.
"""

import hashlib
import os
import shutil
import sys
import tempfile

from PIL import Image, ImageChops, ImageStat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cliutil  # noqa: E402
import colour_fixtures  # noqa: E402
import fixtures  # noqa: E402

MAX_CHANNEL_DIFF = 2.0
# Below this, a tagged photo would not show that its profile was applied at all.
MIN_UNCONVERTED_DIFF = 4.0
SIZE = (256, 256)
HASHES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "colour_untagged_sha256.txt")
UNTAGGED_JOBS = {"gray-jpeg": [], "colour-jpeg": ["--no-grayscale"],
                 "gray-png": ["--format", "png"],
                 "colour-png": ["--no-grayscale", "--format", "png"]}


def channel_diffs(a, b):
    assert a.size == b.size, (a.size, b.size)
    return ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean


def process(imgpipe, src, out, flags, checks):
    run = cliutil.run([imgpipe, "process", "--fit", "fill", "--size", "%dx%d" % SIZE] + flags
                      + [src, "-o", out])
    checks.check(run.returncode == 0, "imgpipe %s exit %d: %s" % (flags, run.returncode,
                                                                  run.stderr))
    return run


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_tagged(imgpipe, tmp, checks):
    src = os.path.join(tmp, "tagged")
    os.makedirs(src)
    references = {}
    for index in range(3):
        im = colour_fixtures.photo(index)
        for key in ("adobergb", "prophoto", "swapped"):
            for fmt, ext in (("jpeg", "jpg"), ("png", "png"), ("webp", "webp")):
                name = "p%d-%s-%s.%s" % (index, key, fmt, ext)
                data = colour_fixtures.encode(im, fmt, colour_fixtures.profile(key))
                with open(os.path.join(src, name), "wb") as f:
                    f.write(data)
                decoded = Image.open(os.path.join(src, name)).convert("RGB")
                references[name] = (colour_fixtures.to_srgb(data).resize(SIZE),
                                    decoded.resize(SIZE))
        plain = colour_fixtures.encode(im, "jpeg")
        split = colour_fixtures.jpeg_with_split_icc(plain, colour_fixtures.profile("prophoto"))
        name = "p%d-prophoto-split.jpg" % index
        with open(os.path.join(src, name), "wb") as f:
            f.write(split)
        references[name] = (colour_fixtures.to_srgb(split).resize(SIZE),
                            Image.open(os.path.join(src, name)).convert("RGB").resize(SIZE))

    # `imgpipe info` names each embedded profile by its description tag.
    info = cliutil.run([imgpipe, "info", os.path.join(src, "p0-adobergb-jpeg.jpg"),
                        os.path.join(src, "p0-prophoto-png.png"),
                        os.path.join(src, "p0-prophoto-split.jpg")])
    lines = info.stdout.splitlines()
    checks.check(info.returncode == 0 and len(lines) == 3, "info: %r %r" % (info.stdout,
                                                                            info.stderr))
    checks.check(all(' profile="' in line for line in lines),
                 "info names every embedded profile: %r" % info.stdout)
    checks.check("Adobe" in lines[0] if lines else False,
                 "info names the Adobe RGB profile: %r" % info.stdout)

    colour_out, gray_out = os.path.join(tmp, "colour"), os.path.join(tmp, "gray")
    run = process(imgpipe, src, colour_out, ["--no-grayscale", "--format", "png"], checks)
    checks.check("warning" not in run.stderr, "unexpected warnings: %s" % run.stderr)
    process(imgpipe, src, gray_out, ["--format", "png"], checks)

    print("%-28s %18s %8s %12s %6s" % ("file", "R G B vs lcms2", "gray", "unconverted", "limit"))
    for name in sorted(references):
        reference, unconverted = references[name]
        out_name = os.path.splitext(name)[0] + ".png"
        ours = cliutil.open_loaded(os.path.join(colour_out, out_name))
        diffs = channel_diffs(ours, reference)
        raw = max(channel_diffs(unconverted, reference))
        gray = cliutil.mean_abs_diff(cliutil.open_loaded(os.path.join(gray_out, out_name)),
                                     reference.convert("L"))
        print("%-28s %5.2f %5.2f %5.2f %8.2f %12.2f %6.2f" % (name, *diffs, gray, raw,
                                                            MAX_CHANNEL_DIFF))
        checks.check(max(diffs) <= MAX_CHANNEL_DIFF, "%s: colour differs from lcms2's sRGB by "
                     "%.2f > %.2f" % (name, max(diffs), MAX_CHANNEL_DIFF))
        checks.check(gray <= MAX_CHANNEL_DIFF, "%s: gray differs from the converted colour's "
                     "luma by %.2f > %.2f" % (name, gray, MAX_CHANNEL_DIFF))
        checks.check(raw >= MIN_UNCONVERTED_DIFF, "%s: the profile barely moves colour (%.2f): "
                     "the check proves nothing" % (name, raw))


def check_untagged(imgpipe, tmp, checks):
    expected = {}
    with open(HASHES) as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                job, name, digest = line.split()
                expected[(job, name)] = digest
    src = os.path.join(tmp, "untagged")
    os.makedirs(src)
    for path in fixtures.PHOTOS:
        shutil.copyfile(path, os.path.join(src, os.path.basename(path)))
    for job, flags in UNTAGGED_JOBS.items():
        out = os.path.join(tmp, "untagged-" + job)
        process(imgpipe, src, out, flags, checks)
        for name in sorted(os.listdir(out)):
            want = expected.get((job, name))
            checks.check(want is not None, "%s %s: no stored hash" % (job, name))
            checks.check(want is None or sha256(os.path.join(out, name)) == want,
                         "%s %s: output changed from before the colour step" % (job, name))
    checks.check(len(expected) == len(fixtures.PHOTOS) * len(UNTAGGED_JOBS),
                 "%d stored hashes for %d photos" % (len(expected), len(fixtures.PHOTOS)))
    print("untagged: %d outputs bit-exact with the stored hashes" % len(expected))


def check_same_as_untagged(imgpipe, tmp, checks):
    """sRGB-tagged and broken-profile copies give the untagged copy's bytes; broken ones warn."""
    src = os.path.join(tmp, "same")
    os.makedirs(src)
    im = colour_fixtures.photo(1)
    cases = {
        "plain-jpeg.jpg": colour_fixtures.encode(im, "jpeg"),
        "srgb.jpg": colour_fixtures.encode(im, "jpeg", colour_fixtures.profile("srgb")),
        "truncated.jpg": colour_fixtures.encode(
            im, "jpeg", colour_fixtures.truncated(colour_fixtures.profile("prophoto"))),
        "huge.jpg": colour_fixtures.encode(im, "jpeg", colour_fixtures.huge_icc()),
        "plain-png.png": colour_fixtures.encode(im, "png"),
        "truncated-png.png": colour_fixtures.encode(
            im, "png", colour_fixtures.truncated(colour_fixtures.profile("adobergb"))),
    }
    same_as = {"srgb": "plain-jpeg", "truncated": "plain-jpeg", "huge": "plain-jpeg",
               "truncated-png": "plain-png"}
    for name, data in cases.items():
        with open(os.path.join(src, name), "wb") as f:
            f.write(data)
    for flags in (["--format", "png"], ["--no-grayscale", "--format", "png"]):
        out = os.path.join(tmp, "same" + "".join(flags))
        run = process(imgpipe, src, out, flags, checks)
        for name, plain in same_as.items():
            ours, base = (os.path.join(out, n + ".png") for n in (name, plain))
            checks.check(os.path.exists(ours) and os.path.exists(base)
                         and sha256(ours) == sha256(base),
                         "%s %s: output differs from the untagged copy's" % (flags, name))
        for name in ("truncated.jpg", "huge.jpg", "truncated-png.png"):
            checks.check("%s: warning: ignored ICC profile" % name in run.stderr,
                         "%s: no warning on stderr: %s" % (name, run.stderr))
        checks.check("srgb.jpg: warning" not in run.stderr, "sRGB profile warned: %s" % run.stderr)
        checks.check(run.max_rss_kib < 200 * 1024, "peak RSS %d KiB with a 9 MiB profile"
                     % run.max_rss_kib)
    print("sRGB-tagged and broken-profile copies: identical to untagged, warnings printed")


def main():
    imgpipe = sys.argv[1]
    absent = colour_fixtures.missing()
    if absent:
        message = "colour parity needs " + absent
        if os.environ.get("CI") == "true":
            raise SystemExit(message)
        print("SKIP:", message)
        return
    checks = cliutil.Failures()
    with tempfile.TemporaryDirectory(prefix="imgpipe-colour-") as tmp:
        check_tagged(imgpipe, tmp, checks)
        check_untagged(imgpipe, tmp, checks)
        check_same_as_untagged(imgpipe, tmp, checks)
    checks.finish()


if __name__ == "__main__":
    main()
