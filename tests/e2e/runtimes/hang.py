#!/usr/bin/python3
"""A runtime that takes an invocation and never answers: the service must time it out."""
import os
import time
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
with urllib.request.urlopen(API + "/invocation/next") as r:
    print("took", r.headers["Lambda-Runtime-Aws-Request-Id"], "deadline",
          r.headers["Lambda-Runtime-Deadline-Ms"], flush=True)
time.sleep(3600)
