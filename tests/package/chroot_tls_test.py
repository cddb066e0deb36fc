#!/usr/bin/python3
"""The zip verifies TLS with Amazon Linux 2023's CA bundle, /etc/pki/tls/certs/ca-bundle.crt,
and with nothing else: run in the empty chroot (lambda_chroot.py), with only Lambda's
environment (no SSL_CERT_FILE), against the local S3 server behind TLS (tls_proxy.py: a
throwaway CA made with `openssl` at test time, a server certificate for IP 127.0.0.1).

Three runs of the zip's `bootstrap`, one invocation each:
  trusted   the test CA is the chroot's ca-bundle.crt: the photo is fetched and its thumbnail
            written over https (the proxy saw the handshakes), the invocation succeeds;
  absent    no ca-bundle.crt: the S3 call fails with a TLS verification error that says so,
            the runtime reports it and keeps serving, nothing is written;
  other CA  ca-bundle.crt holds another CA: the same.

Usage: chroot_tls_test.py --zip dist/lambda.zip --arch x86_64 --node-modules local/node_modules
"""

import json
import os
import shutil
import sys

import lambda_chroot
from runtime_api_fake import RuntimeApiFake
from s3_local import LocalS3
from tls_proxy import TlsProxy, make_ca, make_server_cert

AL2023_CA_BUNDLE = "/etc/pki/tls/certs/ca-bundle.crt"  # src/aws/s3_config.cc looks here
IN_BUCKET = "tls-in"
OUT_BUCKET = "tls-out"
INVOKE_TIMEOUT_S = 60  # qemu-user runs the arm64 zip several times slower
# What the HTTP client says when the chain does not verify (src/aws/http_connection.cc).
VERIFY_ERROR = "TLS certificate of 127.0.0.1 rejected"

check = lambda_chroot.Checks()


def install_bundle(root, ca_cert):
    """Puts `ca_cert` at the chroot's AL2023 bundle path, or removes that file when None."""
    path = os.path.join(root, AL2023_CA_BUNDLE.lstrip("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if ca_cert is None:
        if os.path.exists(path):
            os.remove(path)
    else:
        shutil.copy(ca_cert, path)


def invoke(root, s3, proxy, key):
    """One run of `bootstrap` with one invocation for `key`: (result kind, body, the run)."""
    size = s3.client.head_object(Bucket=IN_BUCKET, Key=key)["ContentLength"]
    runtime = RuntimeApiFake().start()
    try:
        request_id = "req-" + key.replace("/", "-")
        runtime.enqueue(request_id, lambda_chroot.s3_event(IN_BUCKET, [(key, size)]))
        env = lambda_chroot.lambda_env(runtime, f"https://127.0.0.1:{proxy.port}", OUT_BUCKET)
        run = lambda_chroot.run_bootstrap(root, runtime, [request_id], env, INVOKE_TIMEOUT_S)
        check(run.done, f"{key}: the invocation is answered within {INVOKE_TIMEOUT_S} s "
                        f"(init errors: {runtime.init_errors})")
        check(not run.exited_early,
              f"{key}: bootstrap keeps serving, no crash (it exited with {run.returncode})")
        kind, body = runtime.results.get(request_id, ("missing", None, None))[:2]
        return kind, body, run
    finally:
        runtime.close()


def check_trusted(root, s3, proxy, ca):
    install_bundle(root, ca)
    before = proxy.handshakes
    kind, body, _ = invoke(root, s3, proxy, "tls/trusted.jpg")
    check(kind == "response", f"trusted CA: the invocation succeeds, got {kind} {body}")
    check(proxy.handshakes > before,
          f"trusted CA: the runtime reached S3 over TLS ({proxy.handshakes - before} handshakes)")
    lambda_chroot.check_output_image(check, s3, OUT_BUCKET, "tls/trusted.jpg")


def check_refused(root, s3, proxy, ca, case):
    install_bundle(root, ca)
    failed_before = len(proxy.handshake_errors)
    key = f"tls/{case.replace(' ', '-')}.jpg"
    kind, body, run = invoke(root, s3, proxy, key)
    reported = json.dumps(body) + run.stdout + run.stderr
    check(VERIFY_ERROR in reported,
          f"{case}: the S3 call fails with the TLS verification error {VERIFY_ERROR!r} "
          f"(result {kind}: {body})")
    check(len(proxy.handshake_errors) > failed_before,
          f"{case}: the runtime aborted the handshake (the server saw "
          f"{proxy.handshake_errors[failed_before:]})")
    listed = s3.client.list_objects_v2(Bucket=OUT_BUCKET, Prefix=key).get("Contents", [])
    check(not listed, f"{case}: nothing is written for {key}: {[o['Key'] for o in listed]}")


def test(args, root, tmp):
    pki = os.path.join(tmp, "pki")
    os.mkdir(pki)
    test_ca = make_ca(pki, "test-ca")
    other_ca = make_ca(pki, "other-ca")
    server = make_server_cert(pki, test_ca)
    with LocalS3(args.node_modules, os.path.join(tmp, "s3")) as s3, \
            TlsProxy(server, s3.port) as proxy:
        s3.client.create_bucket(Bucket=IN_BUCKET)
        s3.client.create_bucket(Bucket=OUT_BUCKET)
        photo = lambda_chroot.sample_jpeg()
        for key in ("tls/trusted.jpg", "tls/absent.jpg", "tls/other-CA.jpg"):
            s3.client.put_object(Bucket=IN_BUCKET, Key=key, Body=photo, ContentType="image/jpeg")
        check_trusted(root, s3, proxy, test_ca[0])
        check_refused(root, s3, proxy, None, "absent")
        check_refused(root, s3, proxy, other_ca[0], "other CA")


if __name__ == "__main__":
    if shutil.which("openssl") is None:
        print("FAIL: the openssl command is missing (Debian package openssl)", flush=True)
        sys.exit(1)
    sys.exit(lambda_chroot.run_test(__doc__, "package TLS test", check, test))
