#!/usr/bin/python3
"""Proves a Lambda zip (dist/lambda.zip, or dist/lambda-arm64.zip under qemu-user) needs nothing
from the host: it is unzipped into an otherwise EMPTY root
(only a static busybox as /bin/sh, an empty /tmp and three /dev nodes), the zip's `bootstrap` is
exec'd inside a chroot of it, and it serves real invocations from a Runtime API fake against the
real local S3 server (s3rver, which verifies SigV4). Both servers run outside the chroot on
127.0.0.1; the network namespace is shared.

Asserts: every library resolves inside the root; a JPEG is downloaded, resized to a 256x256
grayscale JPEG, written to the output bucket as image/jpeg, and the invocation succeeds; a corrupt
object is logged as a permanent failure and its invocation still succeeds; a record of two images
yields both outputs.

A foreign architecture's zip runs through qemu-user registered with binfmt_misc and the F flag
(the kernel opens qemu when registering it, so it works inside a chroot that has no qemu). The
test registers it itself; when it cannot, it says why and exits 77 (ctest: skipped), or fails
under CI=true.

Usage: chroot_invoke_test.py --zip dist/lambda.zip --arch x86_64 --node-modules local/node_modules
"""

import argparse
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
import urllib.parse

from PIL import Image

from lambda_arch import ARCHES
from runtime_api_fake import RuntimeApiFake
from s3_local import ACCESS_KEY, REGION, SECRET_KEY, LocalS3

BUSYBOX = "/bin/busybox"  # Debian's busybox-static
CHROOT = shutil.which("chroot") or "/usr/sbin/chroot"
TASK_ROOT = "/var/task"  # where Lambda unzips the function
IN_BUCKET = "photos-in"
OUT_BUCKET = "photos-out"
INVOKE_TIMEOUT_S = 30
BINFMT_DIR = "/proc/sys/fs/binfmt_misc"
SKIPPED = 77  # ctest's SKIP_RETURN_CODE for this test

failures = []


def check(condition, message):
    """Records a failed assertion and keeps going, so one run reports everything wrong."""
    if not condition:
        failures.append(message)
        print(f"FAIL: {message}", flush=True)
    return condition


def make_root(zip_path, parent):
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
    task_root = os.path.join(root, TASK_ROOT.lstrip("/"))
    subprocess.run(["unzip", "-q", zip_path, "-d", task_root], check=True)
    return root


def binfmt_problem(arch):
    """None when `arch` binaries run here (natively, or through qemu-user with binfmt flag F),
    else why not. Mounts binfmt_misc and enables the qemu entry when needed (root only)."""
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


def check_host_independence(root, arch):
    top = sorted(os.listdir(root))
    check(top == ["bin", "dev", "tmp", "var"], f"chroot root holds only bin dev tmp var, got {top}")
    check(os.listdir(os.path.join(root, "bin")) == ["sh"], "chroot /bin holds only sh")
    # The bundled loader lists where each DT_NEEDED library resolves, inside the chroot. A library
    # missing from lib/ would show "not found" (there is no /lib or /usr to fall back on).
    listing = subprocess.run(
        [CHROOT, root, f"{TASK_ROOT}/lib/{arch.loader}",
         "--library-path", f"{TASK_ROOT}/lib", "--list", f"{TASK_ROOT}/bin/bootstrap"],
        capture_output=True, text=True, timeout=30, env={})
    check(listing.returncode == 0,
          f"loader --list exits 0 (got {listing.returncode}: {listing.stderr.strip()})")
    resolved = [line.split("=>")[1].split("(")[0].strip()
                for line in listing.stdout.splitlines() if "=>" in line]
    check(len(resolved) >= 5, f"loader --list resolves the closure: {listing.stdout!r}")
    outside = [p for p in resolved if not p.startswith(f"{TASK_ROOT}/lib/")]
    check(not outside, f"every library resolves from {TASK_ROOT}/lib, these do not: {outside}")


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


def check_output_image(s3, key):
    try:
        obj = s3.client.get_object(Bucket=OUT_BUCKET, Key=key)
    except Exception as err:  # noqa: BLE001 - reported as a test failure
        check(False, f"output s3://{OUT_BUCKET}/{key} exists ({err})")
        return
    check(obj["ContentType"] == "image/jpeg",
          f"{key}: Content-Type image/jpeg, got {obj['ContentType']}")
    img = Image.open(io.BytesIO(obj["Body"].read()))
    check(img.format == "JPEG", f"{key}: output is a JPEG, got {img.format}")
    check(img.size == (256, 256), f"{key}: output is 256x256, got {img.size}")
    check(img.mode == "L", f"{key}: output is grayscale (mode L), got {img.mode}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", required=True)
    parser.add_argument("--arch", required=True, choices=sorted(ARCHES))
    parser.add_argument("--node-modules", required=True)
    args = parser.parse_args()
    arch = ARCHES[args.arch]
    if not os.path.isfile(args.zip):
        print(f"FAIL: {args.zip} does not exist: run `make package` first", flush=True)
        return 1
    if os.geteuid() != 0:
        print("FAIL: this test chroots and needs root", flush=True)
        return 1
    problem = binfmt_problem(arch)
    if problem is not None:
        if os.environ.get("CI") == "true":
            print(f"FAIL: cannot run the {arch.name} zip here: {problem}", flush=True)
            return 1
        print(f"SKIP: cannot run the {arch.name} zip here: {problem}", flush=True)
        return SKIPPED

    with tempfile.TemporaryDirectory(prefix="imgpipe-package-") as tmp:
        root = make_root(os.path.abspath(args.zip), tmp)
        check_host_independence(root, arch)

        runtime = RuntimeApiFake().start()
        with LocalS3(args.node_modules, os.path.join(tmp, "s3")) as s3:
            run_invocations(root, runtime, s3)

    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        return 1
    print("package chroot test passed", flush=True)
    return 0


def run_invocations(root, runtime, s3):
    proc = None
    try:
        s3.client.create_bucket(Bucket=IN_BUCKET)
        s3.client.create_bucket(Bucket=OUT_BUCKET)
        photo = sample_jpeg()
        corrupt = photo[:100]  # SOI, JFIF and part of a quant table: no frame header
        inputs = {"holiday/cat 1.jpg": photo, "broken.jpg": corrupt,
                  "a/b/dog.jpg": photo, "c/dog.jpg": photo}
        for key, body in inputs.items():
            s3.client.put_object(Bucket=IN_BUCKET, Key=key, Body=body, ContentType="image/jpeg")
        invocations = {
            "req-photo": [("holiday/cat 1.jpg", len(photo))],
            "req-corrupt": [("broken.jpg", len(corrupt))],
            "req-two-records": [("a/b/dog.jpg", len(photo)), ("c/dog.jpg", len(photo))],
        }
        for request_id, objects in invocations.items():
            runtime.enqueue(request_id, s3_event(IN_BUCKET, objects))

        env = {
            "AWS_LAMBDA_RUNTIME_API": runtime.address,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_ENDPOINT_URL_S3": s3.endpoint,
            "OUTPUT_BUCKET": OUT_BUCKET,
            "NEW_IMAGE_SIZE": "[256, 256]",
            "LAMBDA_TASK_ROOT": TASK_ROOT,
        }
        # Lambda execs the zip's `bootstrap` directly; its #!/bin/sh is the busybox.
        proc = subprocess.Popen([CHROOT, root, f"{TASK_ROOT}/bootstrap"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        done = runtime.wait_for_results(invocations.keys(), INVOKE_TIMEOUT_S,
                                   runtime_alive=lambda: proc.poll() is None)
        exited_early = proc.poll() is not None
        elapsed = time.monotonic() - started
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        out, err = proc.communicate(timeout=10) if proc is not None else ("", "")
        runtime.close()
        print("--- bootstrap stdout ---\n" + out + "--- bootstrap stderr ---\n" + err, flush=True)

    check(done, f"all {len(invocations)} invocations answered within {INVOKE_TIMEOUT_S} s "
                f"(got {sorted(runtime.results)} after {elapsed:.1f} s)")
    check(not exited_early, f"bootstrap keeps serving (it exited with {proc.returncode})")
    check(not runtime.init_errors, f"no init error posted: {runtime.init_errors}")
    for request_id in invocations:
        kind = runtime.results.get(request_id, ("missing",))[0]
        check(kind == "response", f"{request_id}: success response posted, got {kind} "
                                  f"{runtime.results.get(request_id, (None, None))[1]}")

    for key in ("holiday/cat 1.jpg", "a/b/dog.jpg", "c/dog.jpg"):
        check_output_image(s3, key)
    listed = s3.client.list_objects_v2(Bucket=OUT_BUCKET).get("Contents", [])
    names = sorted(o["Key"] for o in listed)
    check(names == ["a/b/dog.jpg", "c/dog.jpg", "holiday/cat 1.jpg"],
          f"output bucket holds exactly the three good outputs, got {names}")

    # Lambda reads stdout through a pipe and the runtime is killed, never asked to exit: a
    # record only counts if the runtime flushed it when it was written.
    logged = [r for r in json_lines(out) if r.get("key") == "broken.jpg"]
    check(any("permanent" in str(r.get("outcome", "")).lower() for r in logged),
          f"the corrupt object is logged (JSON line with key and outcome) as a permanent "
          f"failure: {logged}")


if __name__ == "__main__":
    sys.exit(main())
