#!/usr/bin/python3
"""A runtime whose initialisation fails: it reports /init/error and exits, as ours does on bad
configuration."""
import json
import os
import urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
body = json.dumps({"errorType": "Runtime.InvalidConfig",
                   "errorMessage": "OUTPUT_BUCKET is not set"}).encode()
urllib.request.urlopen(urllib.request.Request(
    API + "/init/error", data=body, method="POST",
    headers={"Lambda-Runtime-Function-Error-Type": "Runtime.InvalidConfig"})).read()
raise SystemExit(1)
