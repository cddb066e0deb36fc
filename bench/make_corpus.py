#!/usr/bin/python3
"""Builds the benchmark corpus from real photographs shipped by Debian packages.

Classes (pixels are approximate; aspect ratios are the photos' own):
  small 0.5 MP, medium 3 MP, large 12 MP, xlarge 24 MP  baseline JPEG q90 4:2:0
  progressive 12 MP                                     progressive JPEG q90 4:2:0
  png 3 MP (RGB, 8-bit), webp 3 MP (lossy q80)
Only one Debian photo reaches 24 MP, so most xlarge images are upscaled from smaller photos
(Lanczos); RESULTS.md says so. Output goes to bench/corpus/ (never committed). Idempotent:
a class is rebuilt only when its manifest differs.
"""
import json
import math
import os
import sys

from PIL import Image

SOURCES = [
    "/usr/share/backgrounds/Painting-Colors_by__herobrine7gamer.jpg",
    "/usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg",
    "/usr/share/backgrounds/seeding_by_Clements_Engelhardt.jpg",
    "/usr/share/backgrounds/Dragonfly_by_Bolly.jpg",
    "/usr/share/backgrounds/sunset_by_Aitzol_Berasategi.jpg",
    "/usr/share/backgrounds/Bridge_by_Sander_Klootwijk.jpg",
    "/usr/share/backgrounds/mate/abstract/Elephants_5640x3172.jpg",
    "/usr/share/backgrounds/picosdeeuropa_by_Aitzol_Berasategi.jpg",
]
PER_CLASS = 6
CLASSES = {
    # name: (megapixels, format, save options)
    "small": (0.5, "JPEG", {"quality": 90, "subsampling": 2}),
    "medium": (3, "JPEG", {"quality": 90, "subsampling": 2}),
    "large": (12, "JPEG", {"quality": 90, "subsampling": 2}),
    "xlarge": (24, "JPEG", {"quality": 90, "subsampling": 2}),
    "progressive": (12, "JPEG", {"quality": 90, "subsampling": 2, "progressive": True}),
    "png": (3, "PNG", {"compress_level": 6}),
    "webp": (3, "WEBP", {"quality": 80, "method": 4}),
}
EXT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


def build_class(root, name, sources):
    megapixels, fmt, save_opts = CLASSES[name]
    out_dir = os.path.join(root, name)
    manifest_path = os.path.join(out_dir, "manifest.json")
    wanted = {"sources": sources, "megapixels": megapixels, "format": fmt, "opts": save_opts}
    try:
        with open(manifest_path) as f:
            if json.load(f).get("wanted") == wanted:
                return
    except (OSError, ValueError):
        pass
    os.makedirs(out_dir, exist_ok=True)
    entries = []
    for i, src in enumerate(sources):
        with Image.open(src) as im:
            im = im.convert("RGB")
            scale = math.sqrt(megapixels * 1e6 / (im.width * im.height))
            size = (max(1, round(im.width * scale)), max(1, round(im.height * scale)))
            resized = im.resize(size, Image.LANCZOS)
            path = os.path.join(out_dir, f"{i:02d}_{os.path.basename(src).split('.')[0]}.{EXT[fmt]}")
            resized.save(path, fmt, **save_opts)
            entries.append({"file": os.path.basename(path), "source": src,
                            "source_size": [im.width, im.height], "size": list(size),
                            "upscaled": scale > 1.0, "bytes": os.path.getsize(path)})
    with open(manifest_path, "w") as f:
        json.dump({"wanted": wanted, "files": entries}, f, indent=1)


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")
    sources = [s for s in SOURCES if os.path.exists(s)][:PER_CLASS]
    if len(sources) < PER_CLASS:
        sys.exit(f"make_corpus: need {PER_CLASS} source photos, found {len(sources)}; "
                 "run scripts/setup.sh bench")
    for name in CLASSES:
        build_class(root, name, sources)
        print(f"corpus: {name} ready", file=sys.stderr)


if __name__ == "__main__":
    main()
