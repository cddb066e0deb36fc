#!/usr/bin/python3
"""Checks a Lambda zip's shape: within the 10 MB budget, an executable launcher `bootstrap` at
the root, the binary and the bundled loader of its architecture executable, every ELF built for
that architecture, no libcurl closure, every lib/ entry an ELF object without RPATH/RUNPATH,
fixed timestamps and sorted entries, `<zip>.arch` naming the architecture; and that packaging the
same build twice gives identical bytes.

Usage: zip_layout_test.py --zip dist/lambda.zip --arch x86_64 --build BUILD_DIR
                          --script scripts/package-lambda.sh
"""

import argparse
import hashlib
import os
import stat
import subprocess
import sys
import tempfile
import zipfile

from lambda_arch import ARCHES, elf_machine

MAX_ZIP_BYTES = 10 * 1000 * 1000  # scripts/package-lambda.sh's size budget
FIXED_DATE = (2020, 1, 1, 0, 0, 0)  # scripts/package-lambda.sh stamps every entry with it

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)
        print(f"FAIL: {message}", flush=True)
    return condition


def mode(info):
    return info.external_attr >> 16


def check_layout(zip_path, arch):
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
        for exe in ("bootstrap", "bin/bootstrap", f"lib/{arch.loader}"):
            if not check(exe in infos, f"{exe} is in the zip"):
                continue
            m = mode(infos[exe])
            check(stat.S_ISREG(m) and m & 0o111 == 0o111,
                  f"{exe} is a regular file executable by all ({oct(m)})")
        if "bootstrap" in infos:
            launcher = z.read("bootstrap").decode()
            check(launcher.startswith("#!/bin/sh\n"), "bootstrap is a /bin/sh script")
            check(f"lib/{arch.loader}" in launcher and "--library-path" in launcher,
                  "bootstrap starts bin/bootstrap through the bundled loader")
        if "bin/bootstrap" in infos:
            check(z.read("bin/bootstrap")[:4] == b"\x7fELF", "bin/bootstrap is an ELF binary")
        libs = [n for n in names if n.startswith("lib/")]
        for required in ("libc.so.6", "libm.so.6", "libssl.so.3", "libcrypto.so.3"):
            check(f"lib/{required}" in infos, f"lib/{required} is bundled")
        # The HTTP client is on OpenSSL alone: libcurl and its 28 dependencies stay out.
        for unwanted in ("libcurl.so.4", "libgnutls.so.30", "libkrb5.so.3", "libldap-2.5.so.0"):
            check(f"lib/{unwanted}" not in infos, f"lib/{unwanted} is not bundled")
        for elf in libs + ["bin/bootstrap"]:
            head = z.read(elf)[:20] if elf in infos else b""
            check(head[:4] == b"\x7fELF", f"{elf} is an ELF object")
            check(elf_machine(head) == arch.elf_machine,
                  f"{elf} is built for {arch.name} (e_machine {elf_machine(head)})")
        extra = [n for n in names
                 if n not in ("bootstrap", "bin/bootstrap") and not n.startswith("lib/")]
        check(not extra, f"nothing but bootstrap, bin/ and lib/: {extra}")
    arch_file = zip_path + ".arch"
    recorded = open(arch_file).read() if os.path.isfile(arch_file) else None
    check(recorded == arch.name, f"{arch_file} holds exactly {arch.name!r}: {recorded!r}")


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


def check_deterministic(script, build, arch):
    digests = []
    with tempfile.TemporaryDirectory(prefix="imgpipe-zip-") as tmp:
        for attempt in ("a", "b"):
            out = os.path.join(tmp, f"{attempt}.zip")
            result = subprocess.run([script, build, out, arch.name], capture_output=True, text=True,
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
    parser.add_argument("--arch", required=True, choices=sorted(ARCHES))
    parser.add_argument("--build", required=True)
    parser.add_argument("--script", required=True)
    args = parser.parse_args()
    if not os.path.isfile(args.zip):
        print(f"FAIL: {args.zip} does not exist: run `make package` first", flush=True)
        return 1
    arch = ARCHES[args.arch]
    check_layout(args.zip, arch)
    check_no_search_paths(args.zip)
    check_deterministic(args.script, args.build, arch)
    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        return 1
    print("zip layout test passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
