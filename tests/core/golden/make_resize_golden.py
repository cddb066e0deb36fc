#!/usr/bin/python3
"""Writes resize_golden.txt: Pillow's bicubic resize of small deterministic gray images.

Run offline with Debian's python3-pil (`/usr/bin/python3 make_resize_golden.py`); the unit test
(tests/core/resize_test.cc) regenerates the same sources in C++ and compares its own resize to
these references, so the test itself never needs Python.

The source is smooth pseudo-random noise built from integers only (an LCG grid, bilinearly
interpolated with integer rounding), so C++ and Python produce bit-identical inputs.
"""
import os
import sys

from PIL import Image

# (source width, source height, output width, output height, seed): downscales by various
# factors in one or both axes, an upscale, and a mixed shrink/grow.
CASES = [
    (97, 71, 31, 23, 1),
    (200, 150, 48, 40, 2),
    (50, 60, 50, 16, 3),
    (150, 50, 40, 45, 4),
    (24, 18, 50, 40, 5),
]
CELL = 8


def make_source(width, height, seed):
    grid_w, grid_h = width // CELL + 2, height // CELL + 2
    state = seed
    grid = []
    for _ in range(grid_w * grid_h):
        state = (state * 1103515245 + 12345) & 0x7FFFFFFF
        grid.append((state >> 16) & 255)
    out = bytearray(width * height)
    for y in range(height):
        gy, fy = divmod(y, CELL)
        for x in range(width):
            gx, fx = divmod(x, CELL)
            v00 = grid[gy * grid_w + gx]
            v10 = grid[gy * grid_w + gx + 1]
            v01 = grid[(gy + 1) * grid_w + gx]
            v11 = grid[(gy + 1) * grid_w + gx + 1]
            top = v00 * (CELL - fx) + v10 * fx
            bottom = v01 * (CELL - fx) + v11 * fx
            out[y * width + x] = (top * (CELL - fy) + bottom * fy + 32) // 64
    return bytes(out)


def main():
    bicubic = getattr(Image, "Resampling", Image).BICUBIC
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "resize_golden.txt")
    with open(path, "w") as f:
        f.write("# Pillow %s Image.resize(BICUBIC) of make_source(); written by "
                "make_resize_golden.py\n" % Image.__version__)
        f.write("# per case: 'in_w in_h out_w out_h seed' then out_w*out_h bytes as hex\n")
        for in_w, in_h, out_w, out_h, seed in CASES:
            src = Image.frombytes("L", (in_w, in_h), make_source(in_w, in_h, seed))
            out = src.resize((out_w, out_h), bicubic)
            f.write("%d %d %d %d %d\n" % (in_w, in_h, out_w, out_h, seed))
            f.write(out.tobytes().hex() + "\n")
    print("wrote", path, file=sys.stderr)


if __name__ == "__main__":
    main()
