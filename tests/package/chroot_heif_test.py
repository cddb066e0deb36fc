#!/usr/bin/python3
"""Proves the Lambda zip decodes HEIC and AVIF with no host libraries: the zip is unzipped into
the same otherwise EMPTY chroot as chroot_invoke_test.py, and its `bootstrap` serves an
invocation per format against the Runtime API fake and the local S3 server. The bootstrap does
not link libheif (it is dlopen'ed on the first HEIF/AVIF object, see docs/formats.md), so this
passes only when the zip bundles libheif.so.1 and its codecs under lib/ and the bundled loader
finds them there (chroot_invoke_test.py checks that the closure resolves; this one decodes).

Asserts: a HEIC and an AVIF object each become a 256x256 grayscale JPEG in the output bucket;
both invocations succeed; the log has no "HEIF support not installed".

Usage: chroot_heif_test.py --zip dist/lambda.zip --arch x86_64 --node-modules local/node_modules
"""

import os
import sys

import lambda_chroot
from runtime_api_fake import RuntimeApiFake
from s3_local import LocalS3

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "core", "heif_samples")
INPUTS = {"phone/IMG_0001.HEIC": "photo.heic", "web/photo.avif": "photo.avif"}
IN_BUCKET = "photos-in"
OUT_BUCKET = "photos-out"
INVOKE_TIMEOUT_S = 60  # the first HEIF object loads libheif and its codecs (under qemu: slow)

check = lambda_chroot.Checks()


def test(args, root, tmp):
    runtime = RuntimeApiFake().start()
    try:
        with LocalS3(args.node_modules, os.path.join(tmp, "s3")) as s3:
            run_invocations(root, runtime, s3)
    finally:
        runtime.close()


def run_invocations(root, runtime, s3):
    s3.client.create_bucket(Bucket=IN_BUCKET)
    s3.client.create_bucket(Bucket=OUT_BUCKET)
    invocations = {}
    for i, (key, sample) in enumerate(INPUTS.items()):
        with open(os.path.join(SAMPLES, sample), "rb") as f:
            body = f.read()
        s3.client.put_object(Bucket=IN_BUCKET, Key=key, Body=body)
        invocations[f"req-{i}"] = [(key, len(body))]
    for request_id, objects in invocations.items():
        runtime.enqueue(request_id, lambda_chroot.s3_event(IN_BUCKET, objects))
    env = lambda_chroot.lambda_env(runtime, s3.endpoint, OUT_BUCKET)
    run = lambda_chroot.run_bootstrap(root, runtime, invocations.keys(), env, INVOKE_TIMEOUT_S)
    check(run.done, f"both invocations answered within {INVOKE_TIMEOUT_S} s "
                    f"(got {sorted(runtime.results)} after {run.elapsed_s:.1f} s)")
    for request_id in invocations:
        kind = runtime.results.get(request_id, ("missing",))[0]
        check(kind == "response", f"{request_id}: success response posted, got {kind} "
                                  f"{runtime.results.get(request_id, (None, None))[1]}")
    check("HEIF support not installed" not in run.stdout + run.stderr,
          "the bundled libheif loads inside the chroot")
    for key in INPUTS:
        lambda_chroot.check_output_image(check, s3, OUT_BUCKET, os.path.splitext(key)[0] + ".jpg")


if __name__ == "__main__":
    sys.exit(lambda_chroot.run_test(__doc__, "package HEIF chroot test", check, test))
