#!/usr/bin/python3
"""Pillow peer (Debian python3-pil). Modes:
  tutorial  the AWS tutorial's exact code: open, resize((256,256)), convert("L"), save JPEG
  draft     the same with image.draft("L", (256, 256)) first (JPEG shrink-on-load)
Speaks the protocol in bench/peers/peer_protocol.h."""
import io
import json
import os
import sys
import time

from PIL import Image


def tutorial(data):
    image = Image.open(io.BytesIO(data))
    image = image.resize((256, 256)).convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return buffer.getvalue()


def draft(data):
    image = Image.open(io.BytesIO(data))
    image.draft("L", (256, 256))
    image = image.resize((256, 256)).convert("L")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return buffer.getvalue()


def load(root):
    corpus = {}
    for cls in sorted(os.listdir(root)):
        d = os.path.join(root, cls)
        if not os.path.isdir(d):
            continue
        files = sorted(f for f in os.listdir(d) if not f.endswith(".json"))
        corpus[cls] = [(os.path.splitext(f)[0], open(os.path.join(d, f), "rb").read()) for f in files]
    return corpus


def main():
    fn = {"tutorial": tutorial, "draft": draft}[sys.argv[1]]
    corpus = load(sys.argv[2])
    for line in sys.stdin:
        words = line.split()
        if not words or words[0] == "quit":
            break
        verb, cls = words[0], words[1]
        ms, ok = [], True
        for name, data in corpus.get(cls, []):
            start = time.perf_counter()
            try:
                out = fn(data)
            except Exception:  # a failing peer is reported, not hidden
                out, ok = b"", False
            ms.append((time.perf_counter() - start) * 1000)
            if verb == "save":
                with open(os.path.join(words[2], name + ".jpg"), "wb") as f:
                    f.write(out)
        print(json.dumps({"ms": ms, "ok": ok}), flush=True)


if __name__ == "__main__":
    main()
