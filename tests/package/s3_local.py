"""Runs the pinned local S3 server (@20minutes/s3rver@4.0.4, which verifies SigV4) on a free
127.0.0.1 port and gives a boto3 client for it."""

import json
import os
import select
import subprocess

import boto3
from botocore.config import Config

ACCESS_KEY = "S3RVER"  # s3rver's default credentials
SECRET_KEY = "S3RVER"
REGION = "us-east-1"

# The tarball has no bin/ (facts.md), so start it through its S3rver class; port 0 lets the OS
# pick a free port, which is printed once listening.
_LAUNCHER = """
const S3rver = require(process.argv[1]);
new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.argv[2] })
  .run()
  .then((addr) => console.log(JSON.stringify({ port: addr.port })))
  .catch((err) => { console.error(err); process.exit(1); });
"""


class LocalS3:
    def __init__(self, node_modules, directory):
        module = os.path.abspath(os.path.join(node_modules, "@20minutes", "s3rver"))
        if not os.path.isdir(module):
            raise RuntimeError(
                f"{module} is missing: run `(cd local && npm ci)` (scripts/setup.sh does)")
        self._proc = subprocess.Popen(
            ["node", "-e", _LAUNCHER, module, directory],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        ready, _, _ = select.select([self._proc.stdout], [], [], 20)
        line = self._proc.stdout.readline() if ready else ""
        if not line:
            self.close()
            raise RuntimeError(f"s3rver did not start within 20 s: {self._proc.stderr.read()}")
        self.port = json.loads(line)["port"]
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.client = boto3.client(
            "s3",
            endpoint_url=self.endpoint,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
            config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
        )

    def close(self):
        if self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

