#!/usr/bin/python3
"""Checks dist/lambda.zip's shape: within the 10 MB budget, an executable launcher `bootstrap` at
the root, the binary and the bundled loader executable, every lib/ entry an ELF object without
RPATH/RUNPATH, fixed timestamps and sorted entries; and that packaging the same build twice
gives identical bytes.

Usage: zip_layout_test.py --zip dist/lambda.zip --build BUILD_DIR --script scripts/package-lambda.sh
"""

import argparse
import hashlib
import os
import stat
import subprocess
import sys
import tempfile
import zipfile

MAX_ZIP_BYTES = 10 * 1000 * 1000  # the budget
FIXED_DATE = (2020, 1, 1, 0, 0, 0)  # scripts/package-lambda.sh stamps every entry with it

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"FAIL: {message}", flush=True)
    return condition


def mode(info):
    return info.external_attr >> 16


def check_layout(zip_path):
    size = os.path.getsize(zip_path)
    print(f"{zip_path}: {size} bytes", flush=True)
    check(size <= MAX_ZIP_BYTES, f"zip is {size} bytes, over the {MAX_ZIP_BYTES} byte budget")
    with zipfile.ZipFile(zip_path) as z:
        infos = {i.filename: i for i in z.infolist()}
        names = [i.filename for i in z.infolist()]
        check(names == sorted(names), "entries are sorted")
        check(all(i.date_time == FIXED_DATE for i in infos.values()),
              "every entry has the fixed timestamp")
        check(not [n for n in names if n.startswith("/") or ".." in n.split("/")],
              "no absolute or .. paths")
        for exe in ("bootstrap", "bin/bootstrap", "lib/ld-linux-x86-64.so.2"):
            if not check(exe in infos, f"{exe} is in the zip"):
                continue
            m = mode(infos[exe])
            check(stat.S_ISREG(m) and m & 0o111 == 0o111,
                  f"{exe} is a regular file executable by all ({oct(m)})")
        if "bootstrap" in infos:
            launcher = z.read("bootstrap").decode()
            check(launcher.startswith("#!/bin/sh\n"), "bootstrap is a /bin/sh script")
            check("lib/ld-linux-x86-64.so.2" in launcher and "--library-path" in launcher,
                  "bootstrap starts bin/bootstrap through the bundled loader")
        if "bin/bootstrap" in infos:
            check(z.read("bin/bootstrap")[:4] == b"\x7fELF", "bin/bootstrap is an ELF binary")
        libs = [n for n in names if n.startswith("lib/")]
        for required in ("libc.so.6", "libm.so.6", "libcurl.so.4", "libssl.so.3", "libcrypto.so.3"):
            check(f"lib/{required}" in infos, f"lib/{required} is bundled")
        for lib in libs:
            check(z.read(lib)[:4] == b"\x7fELF", f"{lib} is an ELF object")
        extra = [n for n in names
                 if n not in ("bootstrap", "bin/bootstrap") and not n.startswith("lib/")]
        check(not extra, f"nothing but bootstrap, bin/ and lib/: {extra}")


def check_no_search_paths(zip_path):
    """DT_RPATH outranks the launcher's --library-path, so a bundled ELF carrying one (or a
    RUNPATH) could send the loader to host directories such as /usr/lib64 on AL2023."""
    with tempfile.TemporaryDirectory(prefix="imgpipe-zip-") as tmp, zipfile.ZipFile(zip_path) as z:
        for name in z.namelist():
            if name == "bootstrap":
                continue
            path = z.extract(name, tmp)
            dynamic = subprocess.run(["readelf", "-d", path], capture_output=True, text=True)
            paths = [line.strip() for line in dynamic.stdout.splitlines()
                     if "(RPATH)" in line or "(RUNPATH)" in line]
            check(not paths, f"{name} carries no RPATH/RUNPATH: {paths}")


def check_deterministic(script, build):
    digests = []
    with tempfile.TemporaryDirectory(prefix="imgpipe-zip-") as tmp:
        for attempt in ("a", "b"):
            out = os.path.join(tmp, f"{attempt}.zip")
            result = subprocess.run([script, build, out], capture_output=True, text=True,
                                    timeout=120)
            if not check(result.returncode == 0,
                         f"{script} {build} {out} succeeds: {result.stderr.strip()}"):
                return
            with open(out, "rb") as f:
                digests.append(hashlib.sha256(f.read()).hexdigest())
    check(digests[0] == digests[1], f"packaging the same build twice gives the same zip: {digests}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--zip", required=True)
    parser.add_argument("--build", required=True)
    parser.add_argument("--script", required=True)
    args = parser.parse_args()
    if not os.path.isfile(args.zip):
        print(f"FAIL: {args.zip} does not exist: run `make package` first", flush=True)
        return 1
    check_layout(args.zip)
    check_no_search_paths(args.zip)
    check_deterministic(args.script, args.build)
    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        return 1
    print("zip layout test passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
