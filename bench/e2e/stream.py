#!/usr/bin/python3
"""The streamed GetObject body (issue 14) against the body read whole, on the Lambda path: the real
`bootstrap` of two builds (after = this tree, before = BASELINE_BUILD, e.g. a build of the branch
point) serves a stub Lambda Runtime API (bench/e2e/concurrency.py's) and talks to the local S3
server over HTTP. One single-record SQS event per invocation, CONCURRENCY=1.

  latency: per-invocation time (GET + decode + resize + encode + PUT, from handing out the event
           to its response) on 12 MP baseline JPEGs, all cores and pinned to one (taskset: the
           share of a 1,769 MB function); the processes of both builds alternate, round by round.
  memory:  the bootstrap's peak RSS (VmHWM) on a 24 MP baseline JPEG and a 24 MP RGBA PNG.
  worst:   peak RSS with two records at once (CONCURRENCY=2, the default) of inputs at the
           limits: baseline JPEG 24 MP, a 54 MiB noise PNG, a progressive JPEG
           whose DCT coefficients fill max_progressive_pixels, large GIF and WebP files (an
           interlaced GIF at max_interlaced_pixels, a lossless WebP at
           max_lossless_webp_pixels): what memory_size must hold.

    stream.py BASELINE_BUILD [--build BUILD] [--rounds N] [--invocations N]

Prints Markdown tables; the numbers go into bench/RESULTS.md by hand, with the machine's load."""
import argparse
import datetime
import json
import math
import os
import statistics
import sys
import tempfile
import uuid

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, ".."))
import concurrency  # noqa: E402  (S3Server, run_bootstrap)
import memory  # noqa: E402  (photo(), picture(): the inputs of bench/memory.py)

IN_BUCKET = concurrency.IN_BUCKET
PHASES = ("download_ms", "decode_ms", "resize_ms", "encode_ms", "upload_ms")


def one_record_event(key, size, etag):
    s3 = {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3",
                       "eventName": "ObjectCreated:Put", "awsRegion": "us-east-1",
                       "s3": {"bucket": {"name": IN_BUCKET},
                              "object": {"key": key, "size": size, "eTag": etag}}}]}
    return json.dumps({"Records": [{"messageId": str(uuid.uuid4()), "receiptHandle": "rh-0",
                                    "body": json.dumps(s3), "eventSource": "aws:sqs",
                                    "attributes": {"ApproximateReceiveCount": "1"},
                                    "eventSourceARN":
                                        "arn:aws:sqs:us-east-1:123456789012:bench"}]})


def twelve_mp_photos(count):
    """Debian's wallpapers scaled to 12 MP (concurrency.py's corpus), baseline q90 4:2:0."""
    return concurrency.build_corpus(12.0)[:count]


def upload(s3, path, key):
    with open(path, "rb") as f:
        data = f.read()
    etag = s3.client.put_object(Bucket=IN_BUCKET, Key=key, Body=data)["ETag"].strip('"')
    return one_record_event(key, len(data), etag), len(data)


def two_record_event(uploads):
    return concurrency.sqs_batch(uploads)


def worst_inputs(tmp):
    inputs = []
    noise = Image.effect_noise((4500, 4500), 100).convert("RGB")
    path = os.path.join(tmp, "png-noise-20mp.png")
    Image.merge("RGB", [noise.getchannel(0), noise.getchannel(0).rotate(90),
                        noise.getchannel(0).transpose(Image.Transpose.FLIP_LEFT_RIGHT)]
                ).save(path, compress_level=1)
    inputs.append(("PNG RGB noise 20 MP (54 MiB file)", path))
    path = os.path.join(tmp, "jpeg-progressive-16mp.jpg")
    memory.photo(4000, 4000).save(path, quality=95, progressive=True, subsampling=2)
    inputs.append(("JPEG progressive 16 MP 4:2:0 (coefficients at the limit)", path))
    path = os.path.join(tmp, "jpeg-baseline-24mp-b.jpg")
    memory.photo(6000, 4000).save(path, quality=90)
    inputs.append(("JPEG baseline 24 MP", path))
    # GIF and WebP: noisy photos, so that the files are large (their bodies were read whole).
    path = os.path.join(tmp, "gif-noise-24mp.gif")
    memory.photo(6000, 4000).quantize(256).save(path, interlace=False)
    inputs.append(("GIF 24 MP noise photo, not interlaced", path))
    path = os.path.join(tmp, "gif-interlaced-12mp.gif")
    memory.photo(4000, 3000).quantize(256).save(path, interlace=True)
    inputs.append(("GIF 12 MP noise photo, interlaced (max_interlaced_pixels)", path))
    path = os.path.join(tmp, "webp-lossy-16mp.webp")
    memory.photo(4000, 4000).save(path, quality=95)
    inputs.append(("WebP lossy 16 MP noise photo", path))
    # Lossy WebP streams (libwebp's incremental decoder); lossless WebP and lossy WebP with alpha
    # are read whole, and libwebp holds a lossless frame whole as ARGB (max_lossless_webp_pixels).
    path = os.path.join(tmp, "webp-lossy-24mp.webp")
    memory.photo(6000, 4000).save(path, quality=100)
    inputs.append(("WebP lossy 24 MP noise photo, quality 100", path))
    path = os.path.join(tmp, "webp-lossless-9mp.webp")
    memory.photo(3600, 2500).save(path, lossless=True, method=0)
    inputs.append(("WebP lossless 9 MP noise photo (max_lossless_webp_pixels)", path))
    path = os.path.join(tmp, "webp-lossy-alpha-9mp.webp")
    rgba = memory.photo(3600, 2500).convert("RGBA")
    rgba.putalpha(memory.photo(3600, 2500).convert("L"))
    rgba.save(path, quality=95)
    inputs.append(("WebP lossy 9 MP noise photo with noise alpha (max_lossless_webp_pixels)",
                   path))
    # The worst read whole: a lossless WebP at the limit padded with an unknown chunk after the
    # image up to MAX_INPUT_BYTES (64 MiB): its body and libwebp's ARGB frame at once.
    with open(os.path.join(tmp, "webp-lossless-9mp.webp"), "rb") as f:
        webp = f.read()
    pad = 64 * 2**20 - len(webp) - 8 - 4096
    body = webp[12:] + b"ZZZZ" + pad.to_bytes(4, "little") + bytes(pad)
    path = os.path.join(tmp, "webp-lossless-9mp-padded.webp")
    with open(path, "wb") as f:
        f.write(b"RIFF" + (len(body) + 4).to_bytes(4, "little") + b"WEBP" + body)
    inputs.append(("WebP lossless 9 MP padded to MAX_INPUT_BYTES (read whole)", path))
    return inputs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("baseline", help="build dir of the 'before' tree (bin/bootstrap)")
    ap.add_argument("--build", default=os.path.join(concurrency.REPO, "build"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--invocations", type=int, default=5)
    ap.add_argument("--photos", type=int, default=3)
    ap.add_argument("--worst", action="store_true", help="only the worst-case memory table")
    ap.add_argument("--records", type=int, default=2,
                    help="--worst: records per invocation, all at once (CONCURRENCY)")
    args = ap.parse_args()
    builds = {"after": os.path.join(args.build, "bin", "bootstrap"),
              "before": os.path.join(args.baseline, "bin", "bootstrap")}
    for b in builds.values():
        if not os.access(b, os.X_OK):
            sys.exit(f"bench/e2e: {b} missing")
    if args.worst:
        return worst(builds, args.records)
    photos = twelve_mp_photos(args.photos)
    with tempfile.TemporaryDirectory(prefix="imgpipe-bench-stream-") as tmp:
        big_jpeg = os.path.join(tmp, "jpeg-baseline-24mp.jpg")
        memory.photo(6000, 4000).save(big_jpeg, quality=90)
        big_png = os.path.join(tmp, "png-rgba-24mp.png")
        memory.picture(6000, 4000, "RGBA").save(big_png, compress_level=1)
        s3 = concurrency.S3Server(tmp)
        try:
            s3.client.create_bucket(Bucket=IN_BUCKET)
            latency_events = [upload(s3, p, f"lat/{os.path.basename(p)}")[0] for p in photos]
            memory_inputs = {name: upload(s3, p, f"mem/{os.path.basename(p)}")
                             for name, p in (("JPEG baseline 24 MP", big_jpeg),
                                             ("PNG RGBA 24 MP", big_png))}
            ms = {(b, pin): [] for b in builds for pin in (False, True)}
            phases = {(b, pin): {} for b in builds for pin in (False, True)}
            rss = {(b, name): [] for b in builds for name in memory_inputs}
            for r in range(args.rounds):
                for pin in (False, True):
                    for event in latency_events:
                        for b, path in builds.items():
                            d, _, _, records = concurrency.run_bootstrap(
                                path, s3, event, 1, pin, args.invocations)
                            ms[(b, pin)] += d
                            for rec in records[1:]:
                                for k in PHASES:
                                    phases[(b, pin)].setdefault(k, []).append(rec[k])
                for name, (event, _) in memory_inputs.items():
                    for b, path in builds.items():
                        _, peak, _, _ = concurrency.run_bootstrap(path, s3, event, 1, False, 1)
                        rss[(b, name)].append(peak)
                print(f"bench/e2e: round {r + 1}/{args.rounds}: " + ", ".join(
                    f"{b}/{'1 core' if pin else 'all'} {statistics.median(ms[(b, pin)]):.1f} ms"
                    for b, pin in ms), file=sys.stderr)
        finally:
            s3.stop()

    sizes = [os.path.getsize(p) / 2**20 for p in photos]
    print(f"Generated by `bench/e2e/stream.py` on {datetime.date.today().isoformat()}: "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end; "
          f"{len(photos)} photos of 12 MP ({statistics.mean(sizes):.2f} MiB each), "
          f"median of {args.rounds} rounds x {len(photos)} photos x {args.invocations} "
          "invocations (after one warm-up per process).\n")
    print("| cores | build | ms per invocation (median) | p90 | mean ms: "
          "download / decode / resize / encode / upload |")
    print("|---|---|---:|---:|---|")
    for pin in (False, True):
        for b in builds:
            v = sorted(ms[(b, pin)])
            ph = " / ".join(f"{statistics.mean(phases[(b, pin)][k]):.1f}" for k in PHASES)
            print(f"| {'1 (taskset)' if pin else os.cpu_count()} | {b} | "
                  f"{statistics.median(v):.1f} | {v[int(len(v) * 0.9)]:.1f} | {ph} |")
        saved = statistics.median(ms[("before", pin)]) - statistics.median(ms[("after", pin)])
        print(f"| {'1 (taskset)' if pin else os.cpu_count()} | saved | {saved:.1f} "
              f"({saved / statistics.median(ms[('before', pin)]) * 100:.0f}%) | | |")
    print("\n| input (Lambda path, bootstrap peak RSS MiB) | file MiB | after | before |")
    print("|---|---:|---:|---:|")
    for name, (_, size) in memory_inputs.items():
        print(f"| {name} | {size / 2**20:.1f} | {max(rss[('after', name)]):.1f} | "
              f"{max(rss[('before', name)]):.1f} |")


def worst(builds, records):
    with tempfile.TemporaryDirectory(prefix="imgpipe-bench-stream-") as tmp:
        inputs = worst_inputs(tmp)
        s3 = concurrency.S3Server(tmp)
        rows = []
        try:
            s3.client.create_bucket(Bucket=IN_BUCKET)
            for name, path in inputs:
                with open(path, "rb") as f:
                    data = f.read()
                uploads = []
                for i in range(records):
                    key = f"worst/{i}-{os.path.basename(path)}"
                    etag = s3.client.put_object(Bucket=IN_BUCKET, Key=key, Body=data)["ETag"]
                    uploads.append((key, len(data), etag.strip('"')))
                event = two_record_event(uploads)
                peaks = {b: concurrency.run_bootstrap(p, s3, event, records, False, 1)[1]
                         for b, p in builds.items()}
                rows.append((name, len(data), peaks))
        finally:
            s3.stop()
    print(f"{records} record(s) at once (CONCURRENCY={records}), bootstrap peak RSS MiB; load "
          f"average {os.getloadavg()[0]:.1f}.\n")
    print(f"| input (x{records}) | file MiB | after | before |")
    print("|---|---:|---:|---:|")
    for name, size, peaks in rows:
        print(f"| {name} | {size / 2**20:.1f} | {peaks['after']:.1f} | {peaks['before']:.1f} |")


if __name__ == "__main__":
    main()
