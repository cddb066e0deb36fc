#!/usr/bin/python3
"""What colour management costs: the same photos as untagged, sRGB-tagged (detected and
skipped), Adobe RGB- and ProPhoto-tagged (converted) JPEGs, at 3 MP and 12 MP, through imgpipe's
library (bench/colour_peer.cc, in memory, start-up excluded), gray (the tutorial's job) and
colour (--no-grayscale). Median ms per image over interleaved rounds.

Usage: bench/colour_bench.py [BUILD_DIR]   (default build; needs its libimgpipe_core.a)
Prints a Markdown table for bench/RESULTS.md.
"""

import io
import json
import os
import statistics
import subprocess
import sys
import tempfile

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tests", "parity"))
import colour_fixtures  # noqa: E402
import fixtures  # noqa: E402

ROUNDS = 7
PHOTOS = 4
SIZES = {"3mp": (2121, 1414), "12mp": (4243, 2828)}  # 12 MP is upscaled: no Debian photo is
TAGS = ("untagged", "srgb", "adobergb", "prophoto")


def build_peer(build):
    peer = os.path.join(build, "colour_peer")
    libs = ["-ljpeg", "-lspng", "-lwebp", "-lwebpdemux", "-lgif", "-llcms2"]
    subprocess.run(["g++", "-std=c++20", "-O2", "-I" + os.path.join(ROOT, "include"),
                    "-I" + HERE, os.path.join(HERE, "colour_peer.cc"),
                    os.path.join(build, "src", "core", "libimgpipe_core.a")] + libs
                   + ["-o", peer], check=True)
    return peer


def make_corpus(root):
    for size_name, size in SIZES.items():
        for index in range(PHOTOS):
            im = Image.open(fixtures.PHOTOS[index]).convert("RGB").resize(size, Image.LANCZOS)
            for tag in TAGS:
                folder = os.path.join(root, "%s-%s" % (size_name, tag))
                os.makedirs(folder, exist_ok=True)
                kw = {} if tag == "untagged" else {"icc_profile": colour_fixtures.profile(tag)}
                buf = io.BytesIO()
                im.save(buf, "JPEG", quality=90, subsampling=2, **kw)  # 4:2:0 baseline
                with open(os.path.join(folder, "p%d.jpg" % index), "wb") as f:
                    f.write(buf.getvalue())


def measure(peer, corpus, mode):
    proc = subprocess.Popen([peer, corpus, mode], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    times = {}
    classes = ["%s-%s" % (s, t) for s in SIZES for t in TAGS]
    for _ in range(ROUNDS):
        for cls in classes:
            proc.stdin.write("run %s\n" % cls)
            proc.stdin.flush()
            reply = json.loads(proc.stdout.readline())
            assert reply.get("ok"), (cls, reply)
            times.setdefault(cls, []).extend(reply["ms"])
    proc.stdin.write("quit\n")
    proc.stdin.close()
    proc.wait()
    return {cls: statistics.median(ms) for cls, ms in times.items()}


def main():
    build = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build"))
    absent = colour_fixtures.missing()
    if absent:
        raise SystemExit("colour bench needs " + absent)
    peer = build_peer(build)
    with tempfile.TemporaryDirectory(prefix="imgpipe-colour-bench-") as corpus:
        make_corpus(corpus)
        results = {mode: measure(peer, corpus, mode) for mode in ("gray", "colour")}
    print("| job | size | untagged | sRGB-tagged | Adobe RGB | ProPhoto | tagged / untagged |")
    print("|---|---|---|---|---|---|---|")
    for mode, medians in results.items():
        for size in SIZES:
            row = [medians["%s-%s" % (size, t)] for t in TAGS]
            print("| %s | %s | %s | %.2fx-%.2fx |" % (
                mode, size.replace("mp", " MP"), " | ".join("%.2f" % v for v in row),
                min(row[2:]) / row[0], max(row[2:]) / row[0]))


if __name__ == "__main__":
    main()
