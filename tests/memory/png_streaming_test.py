"""Big PNGs stream: decode, flatten, grayscale and resize run row by row, so the peak RSS of the
whole CLI process stays under bench/RESULTS.md's 32 MB target for a 24 MP RGBA PNG and for a
100 MP PNG (the default pixel limit), both made into 256x256 thumbnails. Before streaming these
took 125 MB and about 400 MB.

Usage: png_streaming_test.py IMGPIPE_BINARY
"""

import os
import sys
import tempfile

from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
import cliutil  # noqa: E402

MAX_RSS_KIB = 32 * 1024


def smooth(width, height, mode):
    """A picture with real structure (gradients in each channel plus a grid of edges) that PNG
    compresses to a few MB, so the file itself does not dominate the process's memory."""
    r = Image.linear_gradient("L").resize((width, height))
    g = r.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    b = Image.radial_gradient("L").resize((width, height))
    bands = [r, g, b]
    if mode == "RGBA":
        bands.append(Image.linear_gradient("L").rotate(45).resize((width, height)))
    return Image.merge(mode, bands)


def main():
    binary = sys.argv[1]
    failures = cliutil.Failures()
    with tempfile.TemporaryDirectory() as tmp:
        for name, size, mode in (("rgba-24mp.png", (6000, 4000), "RGBA"),
                                 ("rgb-100mp.png", (10000, 10000), "RGB")):
            path = os.path.join(tmp, name)
            smooth(*size, mode).save(path, compress_level=1)
            out = os.path.join(tmp, "out")
            run = cliutil.run([binary, "process", "--jobs", "1", "--overwrite", path, "-o", out])
            print(f"{name}: {os.path.getsize(path)} bytes, exit {run.returncode}, "
                  f"peak RSS {run.max_rss_kib} KiB")
            failures.check(run.returncode == 0, f"{name}: exit {run.returncode}: {run.stderr}")
            failures.check(0 < run.max_rss_kib <= MAX_RSS_KIB,
                           f"{name}: peak RSS {run.max_rss_kib} KiB over {MAX_RSS_KIB} KiB")
            if run.returncode == 0:
                thumb = Image.open(os.path.join(out, os.path.splitext(name)[0] + ".jpg"))
                failures.check(thumb.size == (256, 256) and thumb.mode == "L",
                               f"{name}: thumbnail {thumb.size} {thumb.mode}")
    failures.finish()


if __name__ == "__main__":
    main()
