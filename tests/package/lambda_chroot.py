"""What every chroot test of a Lambda zip shares: an otherwise EMPTY root (a static busybox as
/bin/sh, an empty /tmp, three /dev nodes, the zip unzipped into /var/task), qemu-user for a
foreign architecture, and a run of the zip's `bootstrap` inside that root, exactly as Lambda
execs it, against a Runtime API fake and the local S3 server (both outside the chroot on
127.0.0.1; the network namespace is shared).

A test script's main() is `run_test(__doc__, name, check, body)`; `body(args, root, tmp)` serves
invocations with `run_bootstrap`. tests/package/CMakeLists.txt registers such a script for both
architectures with one `imgpipe_package_chroot_test` line.
"""

import argparse
import collections
import io
import json
import os
import shutil
import stat
import subprocess
import tempfile
import time
import urllib.parse

from PIL import Image

from lambda_arch import ARCHES
from s3_local import ACCESS_KEY, REGION, SECRET_KEY

BUSYBOX = "/bin/busybox"  # Debian's busybox-static
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"
TASK_ROOT = "/var/task"  # where Lambda unzips the function
BINFMT_DIR = "/proc/sys/fs/binfmt_misc"
SKIPPED = 77  # ctest's SKIP_RETURN_CODE for these tests (tests/package/CMakeLists.txt)

Run = collections.namedtuple("Run", "done exited_early returncode stdout stderr elapsed_s")


class Checks:
    """Records failed assertions and keeps going, so one run reports everything wrong."""

    def __init__(self):
        self.failures = []

    def __call__(self, condition, message):
        if not condition:
            self.failures.append(message)
            print(f"FAIL: {message}", flush=True)
        return condition

    def exit_code(self, name):
        if self.failures:
            print(f"{len(self.failures)} check(s) failed", flush=True)
            return 1
        print(f"{name} passed", flush=True)
        return 0


def arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--zip", required=True)
    parser.add_argument("--arch", required=True, choices=sorted(ARCHES))
    parser.add_argument("--node-modules", required=True)
    args = parser.parse_args()
    args.arch = ARCHES[args.arch]
    args.zip = os.path.abspath(args.zip)
    return args


def cannot_run(args):
    """None when the test can run here, else its exit code: 1 (with the reason) for a missing
    zip or no root, SKIPPED when the architecture cannot be run (1 under CI=true)."""
    if not os.path.isfile(args.zip):
        print(f"FAIL: {args.zip} does not exist: run `make package` first", flush=True)
        return 1
    if os.geteuid() != 0:
        print("FAIL: this test chroots and needs root", flush=True)
        return 1
    problem = binfmt_problem(args.arch)
    if problem is None:
        return None
    if os.environ.get("CI") == "true":
        print(f"FAIL: cannot run the {args.arch.name} zip here: {problem}", flush=True)
        return 1
    print(f"SKIP: cannot run the {args.arch.name} zip here: {problem}", flush=True)
    return SKIPPED


def run_test(description, name, check, body):
    """A chroot test's whole main(): its arguments (`description` is the usage text), the
    preconditions (cannot_run), an empty root made from the zip in a temporary directory, then
    body(args, root, tmp) with `tmp` a scratch directory outside the root; the exit code comes
    from `check` (a Checks)."""
    args = arguments(description)
    refused = cannot_run(args)
    if refused is not None:
        return refused
    with tempfile.TemporaryDirectory(prefix="imgpipe-package-") as tmp:
        body(args, make_root(args.zip, tmp), tmp)
    return check.exit_code(name)


def binfmt_problem(arch):
    """None when `arch` binaries run here (natively, or through qemu-user with binfmt flag F: the
    kernel opens qemu when registering it, so it works inside a chroot that has no qemu), else
    why not. Mounts binfmt_misc and enables the qemu entry when needed (root only)."""
    if arch.qemu is None:
        return None
    if not os.path.exists(f"{BINFMT_DIR}/status"):
        mount = subprocess.run(["mount", "-t", "binfmt_misc", "binfmt_misc", BINFMT_DIR],
                               capture_output=True, text=True)
        if mount.returncode != 0:
            return f"cannot mount binfmt_misc on {BINFMT_DIR}: {mount.stderr.strip()}"
    entry = f"{BINFMT_DIR}/{arch.qemu}"
    if not os.path.exists(entry) or "enabled" not in open(entry).read():
        tool = shutil.which("update-binfmts")
        if tool is None:
            return "update-binfmts is missing (binfmt-support; scripts/setup.sh installs it)"
        enable = subprocess.run([tool, "--enable", arch.qemu], capture_output=True, text=True)
        if enable.returncode != 0:
            return (f"update-binfmts --enable {arch.qemu} failed: {enable.stderr.strip()} "
                    "(qemu-user-static; scripts/setup.sh installs it)")
    if not os.path.exists(entry):
        return f"no binfmt entry {entry} after update-binfmts"
    lines = open(entry).read().splitlines()
    flags = next((line.split()[1] for line in lines if line.startswith("flags:")), "")
    if "enabled" not in lines or "F" not in flags:
        return f"{entry} is not enabled with flag F (it says {lines[:3]}, flags {flags!r})"
    return None


def make_root(zip_path, parent):
    """The chroot: bin/sh, dev/{null,zero,urandom}, an empty tmp and the unzipped var/task."""
    root = os.path.join(parent, "root")
    for d in ("bin", "tmp", "dev", TASK_ROOT.lstrip("/")):
        os.makedirs(os.path.join(root, d))
    os.chmod(os.path.join(root, "tmp"), 0o1777)
    shutil.copy(BUSYBOX, os.path.join(root, "bin", "sh"))
    os.chmod(os.path.join(root, "bin", "sh"), 0o755)
    # Lambda's sandbox has these; OpenSSL may open them. Nothing else from the host.
    for name, major, minor in (("null", 1, 3), ("zero", 1, 5), ("urandom", 1, 9)):
        os.mknod(os.path.join(root, "dev", name), 0o666 | stat.S_IFCHR, os.makedev(major, minor))
    # unzip keeps the modes stored in the zip, which is what makes `bootstrap` executable.
    subprocess.run(["unzip", "-q", zip_path, "-d", task_root(root)], check=True)
    return root


def task_root(root):
    """The host path of the chroot's /var/task."""
    return os.path.join(root, TASK_ROOT.lstrip("/"))


def lambda_env(runtime, s3_endpoint, output_bucket, **extra):
    """Only what Lambda sets (no PATH, no SSL_CERT_FILE), plus the function's configuration."""
    return dict({
        "AWS_LAMBDA_RUNTIME_API": runtime.address,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_ENDPOINT_URL_S3": s3_endpoint,
        "OUTPUT_BUCKET": output_bucket,
        "NEW_IMAGE_SIZE": "[256, 256]",
        "LAMBDA_TASK_ROOT": TASK_ROOT,
    }, **extra)


def run_bootstrap(root, runtime, request_ids, env, timeout_s):
    """Execs `chroot ROOT /var/task/bootstrap` as Lambda does, waits until every request id got
    its /response or /error (or the timeout, an init error, the process's exit), then kills it.
    The runtime's stdout and stderr are printed for the test log."""
    proc = subprocess.Popen([CHROOT, root, f"{TASK_ROOT}/bootstrap"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    started = time.monotonic()
    try:
        done = runtime.wait_for_results(request_ids, timeout_s,
                                        runtime_alive=lambda: proc.poll() is None)
        exited_early = proc.poll() is not None
    finally:
        if proc.poll() is None:
            proc.kill()
        out, err = proc.communicate(timeout=10)
    print("--- bootstrap stdout ---\n" + out + "--- bootstrap stderr ---\n" + err, flush=True)
    return Run(done, exited_early, proc.returncode, out, err, time.monotonic() - started)


def sample_jpeg():
    """A real photographic-like JPEG (4:3, so fill must crop), made deterministically."""
    img = Image.radial_gradient("L").resize((640, 480)).convert("RGB")
    noise = Image.effect_noise((640, 480), 40).convert("RGB")
    img = Image.blend(img, noise, 0.3)
    out = io.BytesIO()
    img.save(out, "JPEG", quality=90)
    return out.getvalue()


def s3_event(bucket, objects):
    """An S3 ObjectCreated:Put notification as AWS sends it (keys form-URL-encoded)."""
    records = []
    for key, size in objects:
        records.append({
            "eventVersion": "2.1",
            "eventSource": "aws:s3",
            "awsRegion": REGION,
            "eventTime": "2026-01-01T00:00:00.000Z",
            "eventName": "ObjectCreated:Put",
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "imgpipe",
                "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                "object": {
                    "key": urllib.parse.quote_plus(key, safe="/"),
                    "size": size,
                    "sequencer": "0A1B2C3D4E5F678901",
                },
            },
        })
    return {"Records": records}


def json_lines(text):
    for line in text.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            yield record


def check_output_image(check, s3, bucket, key, size=(256, 256)):
    """The object exists, is image/jpeg, and is a grayscale JPEG of `size`."""
    try:
        obj = s3.client.get_object(Bucket=bucket, Key=key)
    except Exception as err:  # noqa: BLE001 - reported as a test failure
        check(False, f"output s3://{bucket}/{key} exists ({err})")
        return
    check(obj["ContentType"] == "image/jpeg",
          f"{key}: Content-Type image/jpeg, got {obj['ContentType']}")
    img = Image.open(io.BytesIO(obj["Body"].read()))
    check(img.format == "JPEG", f"{key}: output is a JPEG, got {img.format}")
    check(img.size == size, f"{key}: output is {size[0]}x{size[1]}, got {img.size}")
    check(img.mode == "L", f"{key}: output is grayscale (mode L), got {img.mode}")
