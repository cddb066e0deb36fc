"""Test harness for the e2e suite: one private local stack per test (own ports, own state dir).

Every test starts its stack with local/stack.sh exactly as `make up` does, talks to it with the
real clients (boto3, the Debian awscli), and stops it in all cases. On failure the stack's logs are
printed so that a red ctest explains itself.
"""
import concurrent.futures
import io
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import warnings

import boto3
import botocore.config
from PIL import Image

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
STACK_SH = os.path.join(REPO, "local", "stack.sh")
AWS_CLI = os.environ.get("IMGPIPE_AWS_CLI", "/usr/bin/aws")  # Debian's awscli, not a pyenv shim
LAMBDA_ZIP = os.environ.get("IMGPIPE_LAMBDA_ZIP", os.path.join(REPO, "dist", "lambda.zip"))
# boto3's pooled keep-alive sockets outlive a test's stack; that is not a leak worth a warning.
warnings.filterwarnings("ignore", category=ResourceWarning)

CREDS = {"AWS_ACCESS_KEY_ID": "S3RVER", "AWS_SECRET_ACCESS_KEY": "S3RVER",
         "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout, what, interval=0.1):
    """Polls predicate() until it returns a truthy value; fails the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def output_key(key):
    """The function's output key: the input key with a .jpg extension."""
    stem, dot, ext = key.rpartition(".")
    return (stem if dot and "/" not in ext else key) + ".jpg"


def encode_event_key(key):
    """S3's notification encoding: form-URL-encoding that keeps '/'."""
    return urllib.parse.quote_plus(key, safe="/*")


def make_photo(size=(800, 600), seed=0, fmt="JPEG", quality=90, grain=4):
    """A photo-like image (gradients plus noise, different for each seed), encoded as fmt.
    The noise is drawn at 1/grain of the size and scaled up: cheap, and smooth like a photo;
    grain=1 gives full-resolution noise, which barely compresses (for large uploads)."""
    rnd = random.Random(seed)
    small = (max(1, size[0] // grain), max(1, size[1] // grain))
    bands = []
    for _ in range(3):
        g = Image.linear_gradient("L").rotate(rnd.randrange(360)).resize(small)
        n = Image.effect_noise(small, rnd.randrange(10, 60))
        bands.append(Image.blend(g, n, rnd.uniform(0.2, 0.6)))
    img = Image.merge("RGB", bands)
    if small != size:
        img = img.resize(size, Image.BILINEAR)
    buf = io.BytesIO()
    if fmt == "JPEG":
        img.save(buf, fmt, quality=quality)
    elif fmt == "GIF":
        img.convert("P", palette=Image.ADAPTIVE).save(buf, fmt)
    else:
        img.save(buf, fmt)
    return buf.getvalue()


class LocalStack:
    def __init__(self, name, workers=2, timeout_s=30, retry_delays_ms="300,600", env=None):
        self.name = name
        self.state_dir = tempfile.mkdtemp(prefix=f"imgpipe-e2e-{name}-")
        self.input_bucket = "e2e-input"
        self.output_bucket = "e2e-output"
        self.extra_env = {
            "IMGPIPE_STATE_DIR": self.state_dir,
            "IMGPIPE_INPUT_BUCKET": self.input_bucket,
            "IMGPIPE_OUTPUT_BUCKET": self.output_bucket,
            "IMGPIPE_WORKERS": str(workers),
            "IMGPIPE_TIMEOUT_S": str(timeout_s),
            "IMGPIPE_RETRY_DELAYS_MS": retry_delays_ms,
            "IMGPIPE_LAMBDA_ZIP": LAMBDA_ZIP,
        }
        # A developer may point the stack at a stand-in runtime; ctest never sets this.
        if os.environ.get("IMGPIPE_BOOTSTRAP"):
            self.extra_env["IMGPIPE_BOOTSTRAP"] = os.environ["IMGPIPE_BOOTSTRAP"]
        self.extra_env.update(env or {})
        self.failed = False

    # ---- lifecycle ----
    def env(self):
        e = {k: v for k, v in os.environ.items() if not k.startswith(("IMGPIPE_", "AWS_"))}
        e.update(CREDS)
        e.update(self.extra_env)
        return e

    def stack(self, *args, check=True):
        r = subprocess.run([STACK_SH, *args], env=self.env(), capture_output=True, text=True,
                           timeout=60)
        if check and r.returncode != 0:
            raise AssertionError(f"stack.sh {' '.join(args)} failed:\n{r.stdout}\n{r.stderr}")
        return r

    def start(self):
        if not self.extra_env.get("IMGPIPE_BOOTSTRAP") and not os.path.exists(LAMBDA_ZIP):
            raise AssertionError(f"{LAMBDA_ZIP} is missing: run `make package` first")
        for attempt in range(3):  # a free port can be taken between probe and bind
            self.s3_port, self.lambda_port = free_port(), free_port()
            self.extra_env["IMGPIPE_S3_PORT"] = str(self.s3_port)
            self.extra_env["IMGPIPE_LAMBDA_PORT"] = str(self.lambda_port)
            r = self.stack("up", check=False)
            if r.returncode == 0:
                break
            if attempt == 2 or "EADDRINUSE" not in r.stderr + r.stdout:
                raise AssertionError(f"stack.sh up failed:\n{r.stdout}\n{r.stderr}")
        self.s3_endpoint = f"http://127.0.0.1:{self.s3_port}"
        self.lambda_endpoint = f"http://127.0.0.1:{self.lambda_port}"
        cfg = botocore.config.Config(s3={"addressing_style": "path"},
                                     retries={"max_attempts": 8, "mode": "standard"},
                                     max_pool_connections=32)
        session = boto3.session.Session(aws_access_key_id="S3RVER", aws_secret_access_key="S3RVER",
                                        region_name="us-east-1")
        self.s3 = session.client("s3", endpoint_url=self.s3_endpoint, config=cfg)
        self.lambda_ = session.client("lambda", endpoint_url=self.lambda_endpoint,
                                      config=botocore.config.Config(retries={"max_attempts": 1}))
        self.wait_workers_ready()
        return self

    def stop(self):
        self.stack("down", check=False)
        if self.failed or os.environ.get("IMGPIPE_E2E_KEEP"):
            if self.failed:
                self.dump_logs()
            print(f"(state kept in {self.state_dir})", file=sys.stderr)
        else:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self):
        try:
            return self.start()
        except BaseException:
            self.failed = True
            self.stop()
            raise

    def __exit__(self, exc_type, exc, tb):
        self.failed = exc_type is not None
        self.stop()
        return False

    def dump_logs(self, tail=60):
        log_dir = os.path.join(self.state_dir, "logs")
        for name in sorted(os.listdir(log_dir)) if os.path.isdir(log_dir) else []:
            with open(os.path.join(log_dir, name), errors="replace") as f:
                lines = f.readlines()[-tail:]
            print(f"===== {name} (last {len(lines)} lines)", file=sys.stderr)
            sys.stderr.writelines(lines)

    # ---- observation ----
    def status(self):
        with urllib.request.urlopen(f"{self.lambda_endpoint}/_local/status", timeout=5) as r:
            return json.loads(r.read())

    def wait_workers_ready(self, timeout=20):
        wait_until(lambda: all(w["state"] == "idle" for w in self.status()["workers"]), timeout,
                   "every worker to reach /next")

    def pending_events(self):
        d = os.path.join(self.state_dir, "events", "pending")
        return [f for f in os.listdir(d) if f.endswith(".json")] if os.path.isdir(d) else []

    def wait_idle(self, timeout=60):
        """Until every event was delivered and the Lambda service has nothing queued or running."""
        def idle():
            try:
                return not self.pending_events() and self.status()["idle"]
            except OSError:
                return False
        # Two consecutive idle readings: a delivery may be between the outbox and the queue.
        wait_until(lambda: idle() and (time.sleep(0.3) or idle()), timeout, "the stack to go idle")

    def dead_letters(self):
        path = os.path.join(self.state_dir, "dead-letters.jsonl")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def log(self, name):
        path = os.path.join(self.state_dir, "logs", name)
        with open(path, errors="replace") as f:
            return f.read()

    def worker_log_records(self):
        """Every JSON line the function printed, from every worker log."""
        records = []
        log_dir = os.path.join(self.state_dir, "logs")
        for name in sorted(os.listdir(log_dir)):
            if name.startswith("worker-"):
                for line in self.log(name).splitlines():
                    if line.startswith("{"):
                        try:
                            records.append(json.loads(line))
                        except ValueError:
                            pass
        return records

    def output_keys(self):
        keys = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.output_bucket):
            keys += [o["Key"] for o in page.get("Contents", [])]
        return keys

    def _complete(self, key):
        # s3rver writes an object's bytes before its metadata file, so a listing can show a PUT
        # that is still in flight (with a default Content-Type). Real S3 PUTs are atomic; here
        # an output counts only once the metadata written in the same PUT is visible.
        try:
            head = self.s3.head_object(Bucket=self.output_bucket, Key=key)
        except Exception:  # noqa: BLE001 - not there yet, or mid-write
            return False
        return "imgpipe-source" in head.get("Metadata", {})

    def wait_outputs(self, keys, timeout=60):
        want = set(keys)
        complete = set()

        def all_complete():
            listed = set(self.output_keys())
            complete.update(k for k in (want & listed) - complete if self._complete(k))
            return want <= complete

        try:
            return wait_until(all_complete, timeout, f"{len(want)} outputs", interval=0.2)
        except AssertionError as e:
            missing = sorted(want - complete)
            raise AssertionError(f"{e}; missing or incomplete {missing}") from None

    # ---- actions ----
    def put(self, key, body):
        self.s3.put_object(Bucket=self.input_bucket, Key=key, Body=body)

    def put_many(self, items, threads=16):
        with concurrent.futures.ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda kv: self.put(*kv), items))

    def aws(self, *args, check=True):
        """Runs the real AWS CLI against this stack's S3 or Lambda endpoint (first arg: service)."""
        endpoint = self.lambda_endpoint if args[0] == "lambda" else self.s3_endpoint
        r = subprocess.run([AWS_CLI, "--endpoint-url", endpoint, *args], env=self.env(),
                           capture_output=True, text=True, timeout=120)
        if check and r.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return r

    def kill_component(self, name, sig=signal.SIGKILL):
        with open(os.path.join(self.state_dir, "run", f"{name}.pid")) as f:
            pid = int(f.read())
        os.kill(pid, sig)
        wait_until(lambda: not os.path.exists(f"/proc/{pid}") or _is_zombie(pid), 10, f"{name} to die")
        return pid


def _is_zombie(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ")[1].startswith("Z")
    except OSError:
        return True


def s3_record(bucket, key, size=None, event_name="ObjectCreated:Put"):
    """An S3 notification record in AWS's shape, for invoking the function by hand."""
    obj = {"key": encode_event_key(key), "sequencer": "0A1B2C3D4E5F678901"}
    if size is not None:
        obj["size"] = size
    return {"eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1",
            "eventTime": "2024-01-01T00:00:00.000Z", "eventName": event_name,
            "s3": {"s3SchemaVersion": "1.0", "configurationId": "e2e",
                   "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"}, "object": obj}}


def check_output_image(testcase, stack, key, size=(256, 256)):
    """The output exists, is labelled image/jpeg, and is a size[0]×size[1] one-channel gray JPEG."""
    obj = stack.s3.get_object(Bucket=stack.output_bucket, Key=key)
    testcase.assertEqual(obj["ContentType"], "image/jpeg", key)
    img = Image.open(io.BytesIO(obj["Body"].read()))
    testcase.assertEqual(img.format, "JPEG", key)
    testcase.assertEqual(img.size, size, key)
    testcase.assertEqual(img.mode, "L", key)
    testcase.assertEqual(len(img.getbands()), 1, key)
