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

It also proves every library of the zip resolves inside the root, the lazily loaded ones
(libheif and its codecs, which bin/bootstrap dlopen()s) included, with every symbol bound, and
that a cold start loads none of those.

A foreign architecture's zip runs through qemu-user (lambda_chroot.binfmt_problem); when that
cannot be set up, the test says why and exits 77 (ctest: skipped), or fails under CI=true.

Usage: chroot_invoke_test.py --zip dist/lambda.zip --arch x86_64 --node-modules local/node_modules
"""

import os
import subprocess
import sys

import lambda_chroot
from lambda_arch import HEIF_LIBRARIES
from lambda_chroot import CHROOT, TASK_ROOT
from runtime_api_fake import RuntimeApiFake
from s3_local import LocalS3

IN_BUCKET = "photos-in"
OUT_BUCKET = "photos-out"
INVOKE_TIMEOUT_S = 30

check = lambda_chroot.Checks()


def loader_listing(root, arch, preload=()):
    """{soname: path} of what the bundled loader maps for bin/bootstrap inside the chroot (plus
    `preload`, which the loader finds exactly as bin/bootstrap's dlopen would: on its library
    path), every symbol bound (LD_BIND_NOW, LD_WARN: what `ldd -r` sets). Returns None after
    recording a failure."""
    argv = [CHROOT, root, f"{TASK_ROOT}/lib/{arch.loader}", "--library-path", f"{TASK_ROOT}/lib"]
    if preload:
        argv += ["--preload", " ".join(preload)]
    listing = subprocess.run(argv + ["--list", f"{TASK_ROOT}/bin/bootstrap"], capture_output=True,
                             text=True, timeout=60, env={"LD_BIND_NOW": "yes", "LD_WARN": "yes"})
    what = f"loader --list{' with ' + str(len(preload)) + ' preloaded' if preload else ''}"
    output = listing.stdout + listing.stderr
    if not check(listing.returncode == 0 and "not found" not in output
                 and "undefined symbol" not in output and "not defined" not in output,
                 f"{what} exits 0, every library found and every symbol bound "
                 f"(exit {listing.returncode}): {output.strip()}"):
        return None
    resolved = {}
    for line in listing.stdout.splitlines():
        if "=>" in line:
            name, path = line.split("=>")
            resolved[name.strip()] = path.split("(")[0].strip()
    return resolved


def check_host_independence(root, arch):
    top = sorted(os.listdir(root))
    check(top == ["bin", "dev", "tmp", "var"], f"chroot root holds only bin dev tmp var, got {top}")
    check(os.listdir(os.path.join(root, "bin")) == ["sh"], "chroot /bin holds only sh")
    # Where each DT_NEEDED library resolves, inside the chroot: one missing from lib/ would show
    # "not found" (there is no /lib or /usr to fall back on).
    start_up = loader_listing(root, arch)
    if start_up is not None:
        check(len(start_up) >= 5, f"loader --list resolves the closure: {start_up}")
        outside = [p for p in start_up.values() if not p.startswith(f"{TASK_ROOT}/lib/")]
        check(not outside, f"every library resolves from {TASK_ROOT}/lib, these do not: {outside}")
        heif = [name for name in start_up if name.startswith(HEIF_LIBRARIES)]
        check(not heif, f"a cold start loads no HEIF library (they are dlopen()ed): {heif}")
    # Every library of the zip, the lazily loaded ones included, loads from lib/ with all of its
    # own dependencies and symbols there.
    bundled = sorted(n for n in os.listdir(os.path.join(lambda_chroot.task_root(root), "lib"))
                     if n != arch.loader)
    everything = loader_listing(root, arch, preload=bundled)
    if everything is not None:
        # The loader itself is listed under its PT_INTERP path (/lib64/..., /lib/...).
        check(sorted(n for n in everything if not n.startswith("/")) == bundled,
              f"preloading every bundled library maps exactly those: {sorted(everything)}")
        outside = [p for p in everything.values() if not p.startswith(f"{TASK_ROOT}/lib/")]
        check(not outside, f"every bundled library resolves inside {TASK_ROOT}/lib: {outside}")
        check(any(n.startswith("libheif.so") for n in everything),
              f"libheif is bundled and loads: {sorted(everything)}")


def test(args, root, tmp):
    check_host_independence(root, args.arch)
    runtime = RuntimeApiFake().start()
    try:
        with LocalS3(args.node_modules, os.path.join(tmp, "s3")) as s3:
            run_invocations(root, runtime, s3)
    finally:
        runtime.close()


def run_invocations(root, runtime, s3):
    s3.client.create_bucket(Bucket=IN_BUCKET)
    s3.client.create_bucket(Bucket=OUT_BUCKET)
    photo = lambda_chroot.sample_jpeg()
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
        runtime.enqueue(request_id, lambda_chroot.s3_event(IN_BUCKET, objects))

    # Lambda execs the zip's `bootstrap` directly: here the static launcher, no shell involved.
    env = lambda_chroot.lambda_env(runtime, s3.endpoint, OUT_BUCKET)
    run = lambda_chroot.run_bootstrap(root, runtime, invocations.keys(), env, INVOKE_TIMEOUT_S)

    check(run.done, f"all {len(invocations)} invocations answered within {INVOKE_TIMEOUT_S} s "
                    f"(got {sorted(runtime.results)} after {run.elapsed_s:.1f} s)")
    check(not run.exited_early, f"bootstrap keeps serving (it exited with {run.returncode})")
    check(not runtime.init_errors, f"no init error posted: {runtime.init_errors}")
    for request_id in invocations:
        kind = runtime.results.get(request_id, ("missing",))[0]
        check(kind == "response", f"{request_id}: success response posted, got {kind} "
                                  f"{runtime.results.get(request_id, (None, None))[1]}")

    for key in ("holiday/cat 1.jpg", "a/b/dog.jpg", "c/dog.jpg"):
        lambda_chroot.check_output_image(check, s3, OUT_BUCKET, key)
    listed = s3.client.list_objects_v2(Bucket=OUT_BUCKET).get("Contents", [])
    names = sorted(o["Key"] for o in listed)
    check(names == ["a/b/dog.jpg", "c/dog.jpg", "holiday/cat 1.jpg"],
          f"output bucket holds exactly the three good outputs, got {names}")

    # Lambda reads stdout through a pipe and the runtime is killed, never asked to exit: a
    # record only counts if the runtime flushed it when it was written.
    logged = [r for r in lambda_chroot.json_lines(run.stdout) if r.get("key") == "broken.jpg"]
    check(any("permanent" in str(r.get("outcome", "")).lower() for r in logged),
          f"the corrupt object is logged (JSON line with key and outcome) as a permanent "
          f"failure: {logged}")


if __name__ == "__main__":
    sys.exit(lambda_chroot.run_test(__doc__, "package chroot test", check, test))
