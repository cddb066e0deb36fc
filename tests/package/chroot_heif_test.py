#!/usr/bin/python3
"""Proves the Lambda zip decodes HEIC and AVIF with no host libraries: the zip is unzipped into
the same otherwise EMPTY chroot as chroot_invoke_test.py, and its `bootstrap` serves an
invocation per format against the Runtime API fake and the local S3 server. The bootstrap does
not link libheif (it is dlopen'ed on the first HEIF/AVIF object, see docs/formats.md), so this
passes only when the zip bundles libheif.so.1 and its codecs (libde265, dav1d or aom) under lib/
and the bundled loader finds them there.

Asserts: lib/libheif.so.1 is in the zip and every library it needs resolves inside the root; a
HEIC and an AVIF object each become a 256x256 grayscale JPEG in the output bucket; both
invocations succeed; the log has no "HEIF support not installed".

Usage: chroot_heif_test.py --zip dist/lambda.zip --arch x86_64 --node-modules local/node_modules
"""

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time

import chroot_invoke_test as base
from lambda_arch import ARCHES
from runtime_api_fake import RuntimeApiFake
from s3_local import ACCESS_KEY, REGION, SECRET_KEY, LocalS3

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "heif_samples")
INPUTS = {"phone/IMG_0001.HEIC": "photo.heic", "web/photo.avif": "photo.avif"}


def check_libheif_closure(root, arch):
    lib = os.path.join(root, base.TASK_ROOT.lstrip("/"), "lib")
    if not base.check(os.path.exists(os.path.join(lib, "libheif.so.1")),
                      "the zip bundles lib/libheif.so.1 (the bootstrap dlopens it)"):
        return
    listing = subprocess.run(
        [base.CHROOT, root, f"{base.TASK_ROOT}/lib/{arch.loader}",
         "--library-path", f"{base.TASK_ROOT}/lib", "--list",
         f"{base.TASK_ROOT}/lib/libheif.so.1"],
        capture_output=True, text=True, timeout=30, env={})
    base.check(listing.returncode == 0 and "not found" not in listing.stdout,
               f"every library libheif.so.1 needs resolves in the chroot: {listing.stdout!r} "
               f"{listing.stderr.strip()}")


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
    problem = base.binfmt_problem(arch)
    if problem is not None:
        if os.environ.get("CI") == "true":
            print(f"FAIL: cannot run the {arch.name} zip here: {problem}", flush=True)
            return 1
        print(f"SKIP: cannot run the {arch.name} zip here: {problem}", flush=True)
        return base.SKIPPED
    with tempfile.TemporaryDirectory(prefix="imgpipe-package-heif-") as tmp:
        root = base.make_root(os.path.abspath(args.zip), tmp)
        base.check_host_independence(root, arch)
        check_libheif_closure(root, arch)
        runtime = RuntimeApiFake().start()
        with LocalS3(args.node_modules, os.path.join(tmp, "s3")) as s3:
            run_invocations(root, runtime, s3)
    if base.failures:
        print(f"{len(base.failures)} check(s) failed", flush=True)
        return 1
    print("package HEIF chroot test passed", flush=True)
    return 0


def run_invocations(root, runtime, s3):
    proc = None
    invocations = {}
    try:
        s3.client.create_bucket(Bucket=base.IN_BUCKET)
        s3.client.create_bucket(Bucket=base.OUT_BUCKET)
        for i, (key, sample) in enumerate(INPUTS.items()):
            body = open(os.path.join(SAMPLES, sample), "rb").read()
            s3.client.put_object(Bucket=base.IN_BUCKET, Key=key, Body=body)
            invocations[f"req-{i}"] = [(key, len(body))]
        for request_id, objects in invocations.items():
            runtime.enqueue(request_id, base.s3_event(base.IN_BUCKET, objects))
        env = {
            "AWS_LAMBDA_RUNTIME_API": runtime.address,
            "AWS_REGION": REGION,
            "AWS_ACCESS_KEY_ID": ACCESS_KEY,
            "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
            "AWS_ENDPOINT_URL_S3": s3.endpoint,
            "OUTPUT_BUCKET": base.OUT_BUCKET,
            "NEW_IMAGE_SIZE": "[256, 256]",
            "LAMBDA_TASK_ROOT": base.TASK_ROOT,
        }
        proc = subprocess.Popen([base.CHROOT, root, f"{base.TASK_ROOT}/bootstrap"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        done = runtime.wait_for_results(invocations.keys(), base.INVOKE_TIMEOUT_S,
                                        runtime_alive=lambda: proc.poll() is None)
        elapsed = time.monotonic() - started
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        out, err = proc.communicate(timeout=10) if proc is not None else ("", "")
        runtime.close()
        print("--- bootstrap stdout ---\n" + out + "--- bootstrap stderr ---\n" + err, flush=True)
    base.check(done, f"both invocations answered within {base.INVOKE_TIMEOUT_S} s "
                     f"(got {sorted(runtime.results)} after {elapsed:.1f} s)")
    for request_id in invocations:
        kind = runtime.results.get(request_id, ("missing",))[0]
        base.check(kind == "response", f"{request_id}: success response posted, got {kind}")
    base.check("HEIF support not installed" not in out + err,
               "the bundled libheif loads inside the chroot")
    for key in INPUTS:
        base.check_output_image(s3, os.path.splitext(key)[0] + ".jpg")


if __name__ == "__main__":
    sys.exit(main())
