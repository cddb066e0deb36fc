#!/usr/bin/python3
"""Peak RSS, CPU time (user + sys, steadier than wall time on a shared machine) and wall time of
the whole `imgpipe process --jobs 1` process, one image per run, on
the inputs of the memory targets (bench/RESULTS.md, "Peak RSS and time per input"): big PNGs
(RGBA, 100 MP), baseline and progressive JPEG, WebP, GIF and the hostile tiny files
with huge canvases. Prints a Markdown table.

    memory.py IMGPIPE [BASELINE_IMGPIPE] [--rounds N]

With a second binary (e.g. one built from main) both are run alternately and the table shows
both, so a change in memory or time is measured on the same machine in the same minutes.
Inputs are generated with Pillow into a temporary directory (about 30 s).
"""

import io
import os
import statistics
import struct
import subprocess
import sys
import tempfile
import time

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "memory"))
import hostile_canvas_test  # noqa: E402  (the 35-byte GIF and the tiny-frame WebP)


def picture(width, height, mode):
    """Gradients and a radial pattern: real structure that compresses like a graphic."""
    r = Image.linear_gradient("L").resize((width, height))
    g = r.transpose(Image.Transpose.ROTATE_90).resize((width, height))
    b = Image.radial_gradient("L").resize((width, height))
    bands = [r, g, b] + ([Image.linear_gradient("L").rotate(45).resize((width, height))]
                         if mode == "RGBA" else [])
    return Image.merge(mode, bands)


def photo(width, height):
    """A photograph-like RGB image: the picture plus noise, so JPEG and WebP work for it."""
    noise = Image.effect_noise((width, height), 40).convert("RGB")
    return Image.blend(picture(width, height, "RGB"), noise, 0.3)


def make_inputs(tmp):
    inputs = []

    def add(name, save):
        path = os.path.join(tmp, name)
        save(path)
        inputs.append((name, path))

    add("png-rgba-24mp.png", lambda p: picture(6000, 4000, "RGBA").save(p, compress_level=1))
    add("png-rgb-24mp.png", lambda p: picture(6573, 3697, "RGB").save(p, compress_level=1))
    add("png-rgb-100mp.png", lambda p: picture(10000, 10000, "RGB").save(p, compress_level=1))
    add("jpeg-baseline-24mp.jpg", lambda p: photo(6000, 4000).save(p, quality=90))
    add("jpeg-progressive-12mp.jpg",
        lambda p: photo(4000, 3000).save(p, quality=90, progressive=True))
    add("webp-lossy-16mp.webp", lambda p: photo(4900, 3265).save(p, quality=80))
    add("gif-24mp.gif", lambda p: picture(6000, 4000, "RGB").quantize(64).save(p))

    def write(data):
        return lambda p: open(p, "wb").write(data)
    add("gif-35-bytes-10000x10000.gif", write(hostile_canvas_test.hostile_gif()))
    add("webp-tiny-frame-9999x9999.webp", write(hostile_canvas_test.hostile_webp()))
    return inputs


def measure(binary, path, out):
    with tempfile.NamedTemporaryFile() as report:
        start = time.perf_counter()
        proc = subprocess.run(["/usr/bin/time", "-o", report.name, "-f", "%M %U %S", binary,
                               "process",
                               "--jobs", "1", "--overwrite", path, "-o", out],
                              capture_output=True, text=True)
        wall = (time.perf_counter() - start) * 1000
        fields = open(report.name).read().split()
        rss = int(fields[-3]) / 1024
        cpu = (float(fields[-2]) + float(fields[-1])) * 1000
    status = "ok" if proc.returncode == 0 else proc.stderr.strip().rsplit("(", 1)[-1].rstrip(")")
    return rss, cpu, wall, status


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rounds = int(sys.argv[sys.argv.index("--rounds") + 1]) if "--rounds" in sys.argv else 3
    args = [a for a in args if a != str(rounds)]
    binaries = {"after": args[0]}
    if len(args) > 1:
        binaries["before"] = args[1]
    with tempfile.TemporaryDirectory() as tmp:
        inputs = make_inputs(tmp)
        results = {(b, n): [] for b in binaries for n, _ in inputs}
        for _ in range(rounds):
            for name, path in inputs:
                for label, binary in binaries.items():
                    results[(label, name)].append(measure(binary, path, os.path.join(tmp, "out")))
        header = "| input | file size |"
        rule = "|---|---|"
        for label in binaries:
            header += f" {label}: peak RSS MiB | {label}: CPU ms | {label}: wall ms | {label}: result |"
            rule += "---|---|---|---|"
        print(header)
        print(rule)
        for name, path in inputs:
            row = f"| {name} | {os.path.getsize(path):,} B |"
            for label in binaries:
                runs = results[(label, name)]
                row += (f" {max(r[0] for r in runs):.1f} |"
                        f" {statistics.median(r[1] for r in runs):.0f} |"
                        f" {statistics.median(r[2] for r in runs):.0f} | {runs[0][3]} |")
            print(row)


if __name__ == "__main__":
    main()
