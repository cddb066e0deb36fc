#!/usr/bin/python3
"""Prints the `make run` table from what the stack recorded.

usage: demo_report.py STATE_DIR STAGE_DIR OUT_DIR INPUT_BUCKET OUTPUT_BUCKET

Latency is measured on the S3 server's clock, from the moment it acknowledged the upload to the
moment it acknowledged the function's output write: S3 event delivery, queueing, the function's
download, processing and upload, all included.
"""
import datetime
import json
import os
import re
import sys
import urllib.parse

ACCESS = re.compile(r"^(\S+) \[s3\] (PUT|POST) /([^/?]+)/(\S+?)(\?\S*)? 200 ")


def output_key(key):
    stem, dot, ext = key.rpartition(".")
    return (stem if dot and "/" not in ext else key) + ".jpg"


def human(n):
    return f"{n / 1024:.1f} KiB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.2f} MiB"


def main():
    state, stage, out, in_bucket, out_bucket = sys.argv[1:6]
    written = {}  # (bucket, key) -> time of the last acknowledged write
    with open(os.path.join(state, "logs", "s3.log"), errors="replace") as f:
        for line in f:
            m = ACCESS.match(line)
            if not m or (m.group(2) == "POST" and "uploadId=" not in (m.group(5) or "")):
                continue
            t = datetime.datetime.fromisoformat(m.group(1).replace("Z", "+00:00"))
            written[(m.group(3), urllib.parse.unquote(m.group(4)))] = t
    reasons = {}
    log_dir = os.path.join(state, "logs")
    for name in sorted(os.listdir(log_dir)):
        if name.startswith("worker-"):
            with open(os.path.join(log_dir, name), errors="replace") as f:
                for line in f:
                    if line.startswith("{"):
                        try:
                            rec = json.loads(line)
                        except ValueError:
                            continue
                        if rec.get("reason") and rec.get("key"):
                            reasons[rec["key"]] = rec["reason"]
    keys = sorted(os.path.relpath(os.path.join(d, f), stage)
                  for d, _, files in os.walk(stage, followlinks=True) for f in files)
    rows, latencies, ok = [], [], 0
    for key in keys:
        in_size = os.path.getsize(os.path.join(stage, key))
        out_path = os.path.join(out, output_key(key))
        t_in, t_out = written.get((in_bucket, key)), written.get((out_bucket, output_key(key)))
        if os.path.exists(out_path) and t_in and t_out:
            ms = (t_out - t_in).total_seconds() * 1000
            latencies.append(ms)
            ok += 1
            rows.append((key, human(in_size), human(os.path.getsize(out_path)), f"{ms:.0f} ms", "ok"))
        else:
            why = reasons.get(key, "no output (see the worker logs)")
            rows.append((key, human(in_size), "-", "-", f"rejected: {why}"))
    head = ("key", "input", "output", "latency", "result")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(4)]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths)) + "  {}"
    print(fmt.format(*head))
    print(fmt.format(*("-" * w for w in widths), "-" * 6))
    for r in rows:
        print(fmt.format(*r))
    if latencies:
        latencies.sort()
        first_in = min(t for (b, _), t in written.items() if b == in_bucket)
        last_out = max(t for (b, _), t in written.items() if b == out_bucket)
        print(f"\n{ok}/{len(keys)} uploads processed; latency upload→output: "
              f"median {latencies[len(latencies) // 2]:.0f} ms, max {latencies[-1]:.0f} ms; "
              f"first upload to last output: {(last_out - first_in).total_seconds():.2f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
