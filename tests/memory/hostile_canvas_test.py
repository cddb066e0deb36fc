"""Tiny files whose header claims a huge canvas: a 35-byte GIF with a 10000x10000 logical screen
and a 1x1 frame, and a 92-byte animated WebP with a 9999x9999 canvas and a 1x1 frame. Both are
within the default 100 MP limit, so they must be decoded, and memory must follow what is drawn
(one pixel), not what the header claims (400 MB of RGBA canvas).

Usage: hostile_canvas_test.py IMGPIPE_BINARY
"""

import io
import os
import struct
import sys
import tempfile

from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "parity"))
import cliutil  # noqa: E402

# bench/RESULTS.md's target for any GIF or WebP within the limits: 24 MB of peak RSS.
MAX_RSS_KIB = 24 * 1024


def hostile_gif():
    """GIF89a, 10000x10000 screen with a 2-colour table, one 1x1 frame at (0,0) of colour 1."""
    out = b"GIF89a" + struct.pack("<HHBBB", 10000, 10000, 0x80, 0, 0)
    out += bytes([0, 0, 0, 255, 0, 0])                     # black, red
    out += b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0)  # image descriptor
    out += bytes([2, 2, 0x4C, 0x01, 0])                    # LZW: clear, 1, end
    out += b"\x3b"
    assert len(out) == 35, len(out)
    return out


def chunk(fourcc, payload):
    pad = b"\0" if len(payload) % 2 else b""
    return fourcc + struct.pack("<I", len(payload)) + payload + pad


def hostile_webp():
    """Animated WebP: VP8X canvas 9999x9999, ANIM, one ANMF holding a 1x1 lossless red frame."""
    still = io.BytesIO()
    Image.new("RGBA", (1, 1), (255, 0, 0, 255)).save(still, "WEBP", lossless=True)
    data = still.getvalue()
    assert data[12:16] == b"VP8L", data[12:16]
    vp8l = data[12:]  # the VP8L chunk, header included
    w1 = h1 = 9999 - 1
    vp8x = struct.pack("<I", 0x02 | 0x10) + w1.to_bytes(3, "little") + h1.to_bytes(3, "little")
    anim = struct.pack("<IH", 0, 0)
    anmf = (0).to_bytes(3, "little") * 2 + (0).to_bytes(3, "little") * 2
    anmf += (100).to_bytes(3, "little") + b"\0"
    body = b"WEBP" + chunk(b"VP8X", vp8x) + chunk(b"ANIM", anim) + chunk(b"ANMF", anmf + vp8l)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def main():
    binary = sys.argv[1]
    failures = cliutil.Failures()
    with tempfile.TemporaryDirectory() as tmp:
        for name, data in (("screen.gif", hostile_gif()), ("canvas.webp", hostile_webp())):
            path = os.path.join(tmp, name)
            with open(path, "wb") as f:
                f.write(data)
            out = os.path.join(tmp, "out-" + name)
            run = cliutil.run([binary, "process", "--jobs", "1", "--no-grayscale", "--size", "64x64", path, "-o", out])
            print(f"{name}: {len(data)} bytes, exit {run.returncode}, "
                  f"peak RSS {run.max_rss_kib} KiB")
            failures.check(run.returncode == 0, f"{name}: exit {run.returncode}: {run.stderr}")
            failures.check(0 < run.max_rss_kib <= MAX_RSS_KIB,
                           f"{name}: peak RSS {run.max_rss_kib} KiB over {MAX_RSS_KIB} KiB")
            if run.returncode != 0:
                continue
            result = Image.open(os.path.join(out, os.path.splitext(name)[0] + ".jpg"))
            result.load()
            failures.check(result.size == (64, 64), f"{name}: output size {result.size}")
            # The one drawn pixel covers 1/10000 of the width: the rest of the canvas is
            # transparent, flattened onto the white background of the JPEG output.
            corner = result.convert("RGB").getpixel((63, 63))
            failures.check(min(corner) >= 250, f"{name}: far corner {corner}, not white")
    failures.finish()


if __name__ == "__main__":
    main()
