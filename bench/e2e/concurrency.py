#!/usr/bin/python3
"""CONCURRENCY: one 10-message SQS batch of 3 MP photos (--megapixels), sequential (CONCURRENCY=1) against 2, 4
and 8 records at once. The real `bootstrap` serves a stub Lambda Runtime API (this script) and
talks to the local S3 server (local/s3-server.js, s3rver) over HTTP, as in the local stack.
Each (cores, CONCURRENCY) cell starts a fresh bootstrap per round: one warm-up invocation, then
--invocations measured ones; the rounds interleave the cells so machine load hits all alike.
"1 core" pins bootstrap to one CPU (taskset), the share a 1,769 MB Lambda function gets.

Prints a Markdown section; with --write, replaces the generated part of bench/RESULTS.md's
"Concurrent records" section (between its two markers)."""
import argparse
import datetime
import http.server
import io
import json
import math
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid

import boto3
import botocore.config
from PIL import Image

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SOURCES = "/usr/share/backgrounds"
RESULTS = os.path.join(REPO, "bench", "RESULTS.md")
BEGIN, END = "<!-- concurrency:begin (bench/e2e/concurrency.py) -->", "<!-- concurrency:end -->"
COUNT = 10
IN_BUCKET, OUT_BUCKET = "bench-input", "bench-output"
CREDS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER",
         "AWS_REGION": "us-east-1"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build_corpus(megapixels):
    """COUNT distinct baseline JPEGs (q90 4:2:0) of `megapixels`, scaled from Debian's
    wallpapers."""
    corpus = os.path.join(REPO, "bench", "corpus", f"concurrency-{megapixels:g}mp")
    if os.path.isdir(corpus) and len(os.listdir(corpus)) == COUNT:
        return sorted(os.path.join(corpus, f) for f in os.listdir(corpus))
    photos = sorted(os.path.join(d, f) for d, _, files in os.walk(SOURCES) for f in files
                    if f.lower().endswith((".jpg", ".jpeg", ".png")))
    if len(photos) < COUNT:
        sys.exit(f"bench/e2e: fewer than {COUNT} photos under {SOURCES}: install "
                 "mate-backgrounds (scripts/setup.sh)")
    os.makedirs(corpus, exist_ok=True)
    paths = []
    for i, src in enumerate(photos[:COUNT]):
        with Image.open(src) as im:
            im = im.convert("RGB")
            scale = math.sqrt(megapixels * 1e6 / (im.width * im.height))
            im = im.resize((round(im.width * scale), round(im.height * scale)), Image.LANCZOS)
            path = os.path.join(corpus, f"photo-{i:02d}.jpg")
            im.save(path, "JPEG", quality=90, subsampling=2)
            paths.append(path)
    return paths


class S3Server:
    """local/s3-server.js on its own port and state directory. Its notification watches a bucket
    nobody writes to: the benchmark delivers the events itself, as one SQS batch."""

    def __init__(self, tmp):
        self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("IMGPIPE_", "AWS_"))}
        env.update({"IMGPIPE_STATE_DIR": tmp, "IMGPIPE_S3_PORT": str(self.port),
                    "IMGPIPE_LAMBDA_PORT": str(free_port()),
                    "IMGPIPE_INPUT_BUCKET": "bench-unwatched", "IMGPIPE_OUTPUT_BUCKET": OUT_BUCKET})
        self.log = open(os.path.join(tmp, "s3.log"), "w")
        self.proc = subprocess.Popen(["node", os.path.join(REPO, "local", "s3-server.js")],
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"bench/e2e: the local S3 server did not start (see {tmp}/s3.log)")
                time.sleep(0.1)
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.client = boto3.client(
            "s3", endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER",
            config=botocore.config.Config(s3={"addressing_style": "path"}))

    def stop(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


def sqs_batch(uploads):
    """An SQS batch of one S3 ObjectCreated record per message, as S3 → SQS delivers it."""
    records = []
    for i, (key, size, etag) in enumerate(uploads):
        s3 = {"Records": [{"eventVersion": "2.1", "eventSource": "aws:s3",
                           "eventName": "ObjectCreated:Put", "awsRegion": "us-east-1",
                           "s3": {"bucket": {"name": IN_BUCKET},
                                  "object": {"key": key, "size": size, "eTag": etag}}}]}
        records.append({"messageId": str(uuid.uuid4()), "receiptHandle": f"rh-{i}",
                        "body": json.dumps(s3), "eventSource": "aws:sqs",
                        "attributes": {"ApproximateReceiveCount": "1"},
                        "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:bench"})
    return json.dumps({"Records": records})


class RuntimeApi(http.server.ThreadingHTTPServer):
    """Serves `invocations` copies of the event on /next, then answers 500 so bootstrap exits;
    records the time from handing out each event to its response."""

    def __init__(self, event, invocations):
        super().__init__(("127.0.0.1", 0), RuntimeHandler)
        self.event, self.left = event.encode(), invocations
        self.started, self.durations, self.responses = {}, [], []
        self.lock = threading.Lock()
        self.pid, self.peak_kib = None, None


class RuntimeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        srv = self.server
        with srv.lock:
            serve = srv.left > 0
            srv.left -= 1
        if not serve:
            # bootstrap's own high-water mark, read while it still runs (wait4's ru_maxrss would
            # also count the Python parent's pages the forked child had before exec).
            with open(f"/proc/{srv.pid}/status") as f:
                srv.peak_kib = int(re.search(r"VmHWM:\s+(\d+) kB", f.read()).group(1))
            return self.reply(500, b'{"message":"benchmark over"}')
        rid = str(uuid.uuid4())
        deadline = int(time.time() * 1000) + 60_000
        srv.started[rid] = time.monotonic()
        self.reply(200, srv.event, [("Lambda-Runtime-Aws-Request-Id", rid),
                                    ("Lambda-Runtime-Deadline-Ms", str(deadline)),
                                    ("Lambda-Runtime-Invoked-Function-Arn",
                                     "arn:aws:lambda:us-east-1:123456789012:function:bench"),
                                    ("Lambda-Runtime-Trace-Id", "Root=1-bench")])

    def do_POST(self):
        srv = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        m = re.match(r"^/2018-06-01/runtime/invocation/([^/]+)/(response|error)$", self.path)
        if m:
            with srv.lock:
                srv.durations.append((time.monotonic() - srv.started[m.group(1)]) * 1000)
                srv.responses.append((m.group(2), body.decode()))
        self.reply(202, b"{}")


def run_bootstrap(bootstrap, s3, event, concurrency, pin, invocations):
    """One bootstrap process: invocations + 1 (warm-up) events. Returns (measured ms per
    invocation, peak RSS in MiB, CPU ms per invocation, record log lines)."""
    api = RuntimeApi(event, invocations + 1)
    thread = threading.Thread(target=api.serve_forever, daemon=True)
    thread.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "IMGPIPE_"))}
    env.update(CREDS)
    env.update({"AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{api.server_address[1]}",
                "AWS_ENDPOINT_URL_S3": s3.endpoint, "AWS_LAMBDA_FUNCTION_NAME": "bench",
                "OUTPUT_BUCKET": OUT_BUCKET, "CONCURRENCY": str(concurrency)})
    cmd = (["taskset", "-c", "0"] if pin else []) + [bootstrap]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    api.pid = proc.pid
    out = proc.stdout.read().decode()
    _, _, usage = os.wait4(proc.pid, 0)
    cpu_ms = (usage.ru_utime + usage.ru_stime) * 1000 / (invocations + 1)
    api.shutdown()
    api.server_close()
    for kind, body in api.responses:
        if kind != "response" or json.loads(body) != {"batchItemFailures": []}:
            sys.exit(f"bench/e2e: an invocation failed ({kind}): {body}\n{out[-2000:]}")
    if len(api.durations) != invocations + 1:
        sys.exit(f"bench/e2e: {len(api.durations)} of {invocations + 1} invocations answered\n"
                 f"{out[-2000:]}")
    records = [json.loads(line) for line in out.splitlines()
               if line.startswith("{") and '"outcome"' in line]
    return api.durations[1:], api.peak_kib / 1024, cpu_ms, records


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(REPO, "build"))
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--invocations", type=int, default=3, help="measured per bootstrap process")
    ap.add_argument("--concurrency", default="1,2,4,8")
    ap.add_argument("--megapixels", type=float, default=3.0)
    ap.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    args = ap.parse_args()
    bootstrap = os.path.join(args.build, "bin", "bootstrap")
    if not os.access(bootstrap, os.X_OK):
        sys.exit(f"bench/e2e: {bootstrap} missing: build the bootstrap target")
    levels = [int(c) for c in args.concurrency.split(",")]
    paths = build_corpus(args.megapixels)
    with tempfile.TemporaryDirectory(prefix="imgpipe-bench-concurrency-") as tmp:
        s3 = S3Server(tmp)
        try:
            s3.client.create_bucket(Bucket=IN_BUCKET)
            uploads = []
            for p in paths:
                key = f"batch/{os.path.basename(p)}"
                with open(p, "rb") as f:
                    data = f.read()
                etag = s3.client.put_object(Bucket=IN_BUCKET, Key=key, Body=data)["ETag"]
                uploads.append((key, len(data), etag.strip('"')))
            event = sqs_batch(uploads)
            cells = [(pin, c) for pin in (False, True) for c in levels]
            ms = {cell: [] for cell in cells}
            rss = {cell: [] for cell in cells}
            cpu = {cell: [] for cell in cells}
            phases = {cell: {} for cell in cells}
            for r in range(args.rounds):
                for cell in cells:
                    d, peak, cpu_ms, records = run_bootstrap(bootstrap, s3, event, cell[1],
                                                             cell[0], args.invocations)
                    ms[cell] += d
                    rss[cell].append(peak)
                    cpu[cell].append(cpu_ms)
                    for rec in records:
                        for k in ("download_ms", "decode_ms", "resize_ms", "encode_ms",
                                  "upload_ms"):
                            phases[cell].setdefault(k, []).append(rec[k])
                print(f"bench/e2e: round {r + 1}/{args.rounds}: " + ", ".join(
                    f"{'1 core' if p else 'all'}/c{c} {statistics.median(ms[(p, c)]):.0f} ms"
                    for p, c in cells), file=sys.stderr)
        finally:
            s3.stop()

    sizes = []
    for p in paths:
        with Image.open(p) as im:
            sizes.append(im.width * im.height / 1e6)
    total = sum(os.path.getsize(p) for p in paths)
    lines = [f"Generated by `bench/e2e/concurrency.py` on {datetime.date.today().isoformat()}: "
             f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end. "
             f"{COUNT} photos of {statistics.mean(sizes):.2f} MP "
             f"({total / COUNT / 2**20:.2f} MiB JPEG q90 each), one 10-message SQS batch per "
             f"invocation; median of {args.rounds} rounds × {args.invocations} invocations, "
             "after one warm-up invocation per process. CPU ms per batch: the process's user + "
             "sys time divided by its invocations, warm-up and start included.", "",
             "| cores | CONCURRENCY | ms per batch (median) | p90 | speed-up | CPU ms per batch "
             "| peak RSS MiB | mean ms per record: download / decode / resize / encode / upload |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for pin in (False, True):
        base = statistics.median(ms[(pin, levels[0])])
        for c in levels:
            v = sorted(ms[(pin, c)])
            ph = " / ".join(f"{statistics.mean(phases[(pin, c)][k]):.1f}" for k in
                            ("download_ms", "decode_ms", "resize_ms", "encode_ms", "upload_ms"))
            lines.append(f"| {'1 (taskset)' if pin else os.cpu_count()} | {c} | "
                         f"{statistics.median(v):.0f} | {v[int(len(v) * 0.9)]:.0f} | "
                         f"{base / statistics.median(v):.2f}× | "
                         f"{statistics.median(cpu[(pin, c)]):.0f} | "
                         f"{max(rss[(pin, c)]):.1f} | {ph} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.write:
        with open(RESULTS) as f:
            doc = f.read()
        if BEGIN not in doc or END not in doc:
            sys.exit(f"bench/e2e: {RESULTS} lacks the markers of the generated part")
        head, rest = doc.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        with open(RESULTS, "w") as f:
            f.write(head + BEGIN + "\n" + text + END + tail)


if __name__ == "__main__":
    main()
