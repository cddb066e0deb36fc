#!/usr/bin/python3
"""Stand-in for the C++ bootstrap, for developing and testing the local stack on its own.

It speaks the same Lambda Runtime API and does the same job with Pillow and boto3: every S3
record's object is resized to NEW_IMAGE_SIZE (fill), made gray and written as JPEG to
OUTPUT_BUCKET under the same key with a .jpg extension. Like the real function, an image that
cannot be decoded is a permanent failure (logged, success returned) and an S3 error is transient
(the invocation fails so that Lambda retries it).
"""
import io
import json
import os
import sys
import urllib.parse
import urllib.request

import boto3
import botocore.config
from PIL import Image, ImageOps

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"


def log(**fields):
    print(json.dumps(fields), flush=True)


def post(path, body, headers=None):
    req = urllib.request.Request(API + path, data=json.dumps(body).encode(), method="POST",
                                 headers=headers or {})
    urllib.request.urlopen(req).read()


def main():
    try:
        width, height = json.loads(os.environ.get("NEW_IMAGE_SIZE", "[256, 256]"))
        out_bucket = os.environ["OUTPUT_BUCKET"]
    except (KeyError, ValueError) as e:
        post("/init/error", {"errorType": "Runtime.InvalidConfig", "errorMessage": repr(e)})
        sys.exit(1)
    s3 = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL_S3"],
                      config=botocore.config.Config(retries={"max_attempts": 2},
                                                    connect_timeout=2, read_timeout=10))
    while True:
        with urllib.request.urlopen(API + "/invocation/next") as r:
            request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.loads(r.read())
        try:
            for rec in event.get("Records", []):
                bucket = rec["s3"]["bucket"]["name"]
                key = urllib.parse.unquote_plus(rec["s3"]["object"]["key"])
                data = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
                try:
                    img = Image.open(io.BytesIO(data))
                    img = ImageOps.fit(ImageOps.exif_transpose(img).convert("L"), (width, height))
                except Exception as e:  # noqa: BLE001 - any decode failure is permanent
                    log(level="error", requestId=request_id, bucket=bucket, key=key,
                        outcome="permanent_failure", reason=f"cannot decode image: {e}")
                    continue
                buf = io.BytesIO()
                img.save(buf, "JPEG", quality=75)
                out_key = os.path.splitext(key)[0] + ".jpg"
                s3.put_object(Bucket=out_bucket, Key=out_key, Body=buf.getvalue(),
                              ContentType="image/jpeg")
                log(level="info", requestId=request_id, bucket=bucket, key=key, outcome="ok",
                    output=out_key, bytes_in=len(data), bytes_out=buf.tell())
            post(f"/invocation/{request_id}/response", {"status": "ok"})
        except Exception as e:  # noqa: BLE001 - S3 and other errors are transient
            log(level="error", requestId=request_id, outcome="transient_failure", reason=repr(e))
            post(f"/invocation/{request_id}/error",
                 {"errorType": type(e).__name__, "errorMessage": str(e)},
                 {"Lambda-Runtime-Function-Error-Type": "Unhandled"})


if __name__ == "__main__":
    main()
