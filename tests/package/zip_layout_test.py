#!/usr/bin/python3
"""Checks a Lambda zip's shape: within the 20 MB budget, and what a cold start loads within
6 MB of it; the root `bootstrap` a static launcher (no loader, no libraries) that execs the
bundled loader; the binary and the loader of its architecture executable; every ELF built for
that architecture; no libcurl closure; every lib/ entry an ELF object without RPATH/RUNPATH whose
DT_NEEDED are all in the zip; libheif and its codecs bundled with their closure (the script's
lazy_libraries) but neither linked by bin/bootstrap nor loaded at start; fixed timestamps and
sorted entries; `<zip>.arch` naming the architecture; and that packaging the same build twice
gives identical bytes.

Usage: zip_layout_test.py --zip dist/lambda.zip --arch x86_64 --build BUILD_DIR
                          --script scripts/package-lambda.sh
"""

import argparse
import hashlib
import os
import re
import stat
import subprocess
import sys
import tempfile
import zipfile

from lambda_arch import ARCHES, HEIF_LIBRARIES, elf_machine

MAX_ZIP_BYTES = 20 * 1000 * 1000  # scripts/package-lambda.sh's size budget
# What a cold start maps (launcher, binary, the libraries loaded before main), compressed: the
# zip without the lazily loaded HEIF codecs.
MAX_START_UP_BYTES = 6 * 1000 * 1000
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
            launcher = z.read("bootstrap")
            check(launcher[:4] == b"\x7fELF", "bootstrap is an ELF program (src/launcher)")
            check(all(s in launcher for s in
                      (f"/lib/{arch.loader}".encode(), b"--library-path", b"/bin/bootstrap")),
                  "bootstrap starts bin/bootstrap through the bundled loader")
        if "bin/bootstrap" in infos:
            check(z.read("bin/bootstrap")[:4] == b"\x7fELF", "bin/bootstrap is an ELF binary")
        libs = [n for n in names if n.startswith("lib/")]
        # libc and libm always; libssl and libcrypto only while bin/bootstrap links them shared
        # (check_elf_contents checks every DT_NEEDED is bundled), so a static OpenSSL passes.
        for required in ("libc.so.6", "libm.so.6"):
            check(f"lib/{required}" in infos, f"lib/{required} is bundled")
        # The HTTP client is on OpenSSL alone: libcurl and its 28 dependencies stay out.
        for unwanted in ("libcurl.so.4", "libgnutls.so.30", "libkrb5.so.3", "libldap-2.5.so.0"):
            check(f"lib/{unwanted}" not in infos, f"lib/{unwanted} is not bundled")
        for elf in libs + ["bin/bootstrap", "bootstrap"]:
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


def readelf(flag, path):
    result = subprocess.run(["readelf", flag, "-W", path], capture_output=True, text=True)
    check(result.returncode == 0,
          f"readelf {flag} reads {os.path.basename(path)}: {result.stderr.strip()}")
    return result.stdout


def needed(path):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[(.+)\]", readelf("-d", path))


def lazy_libraries(script):
    """scripts/package-lambda.sh's table of libraries bin/bootstrap dlopen()s."""
    match = re.search(r"^lazy_libraries=\(([^)]*)\)", open(script).read(), re.M)
    return match.group(1).split() if match else []


def check_elf_contents(zip_path, arch, script):
    with tempfile.TemporaryDirectory(prefix="imgpipe-zip-") as tmp, zipfile.ZipFile(zip_path) as z:
        z.extractall(tmp)
        sizes = {i.filename: i.compress_size for i in z.infolist()}
        libs = sorted(n[len("lib/"):] for n in z.namelist() if n.startswith("lib/"))
        def path(name):
            return os.path.join(tmp, name)

        # The launcher runs before any loader, so it must need none: no PT_INTERP, no dynamic
        # section (a static program without libc, src/launcher).
        headers = readelf("-l", path("bootstrap"))
        check("INTERP" not in headers and "DYNAMIC" not in headers,
              "bootstrap is static: no PT_INTERP, no PT_DYNAMIC")

        # DT_RPATH outranks the launcher's --library-path, so a bundled ELF carrying one (or a
        # RUNPATH) could send the loader to host directories such as /usr/lib64 on AL2023.
        for name in ["bin/bootstrap"] + [f"lib/{lib}" for lib in libs]:
            dynamic = readelf("-d", path(name))
            paths = [line.strip() for line in dynamic.splitlines()
                     if "(RPATH)" in line or "(RUNPATH)" in line]
            check(not paths, f"{name} carries no RPATH/RUNPATH: {paths}")
            missing = [dep for dep in needed(path(name)) if dep not in libs]
            check(not missing, f"every library {name} needs is in lib/: missing {missing}")

        # What a cold start loads: bin/bootstrap's DT_NEEDED, transitively.
        start_up, queue = set(), needed(path("bin/bootstrap"))
        while queue:
            lib = queue.pop()
            if lib not in start_up and lib in libs:
                start_up.add(lib)
                queue += needed(path(f"lib/{lib}"))
        linked = [lib for lib in needed(path("bin/bootstrap")) if lib.startswith(HEIF_LIBRARIES)]
        check(not linked, f"bin/bootstrap does not link libheif or its codecs: {linked}")
        loaded = sorted(lib for lib in start_up if lib.startswith(HEIF_LIBRARIES))
        check(not loaded, f"a cold start loads no HEIF library: {loaded}")

        # The rest of lib/ is exactly the closure of the lazily loaded libraries.
        lazy = lazy_libraries(script)
        check("libheif.so.1" in lazy and all(lib in libs for lib in lazy),
              f"the lazily loaded libraries {lazy} include libheif.so.1 and are bundled")
        for codec in HEIF_LIBRARIES:
            check(any(lib.startswith(codec) for lib in libs), f"{codec}* is bundled")
        lazy_closure, queue = set(), list(lazy)
        while queue:
            lib = queue.pop()
            if lib not in lazy_closure and lib in libs:
                lazy_closure.add(lib)
                queue += needed(path(f"lib/{lib}"))
        unused = sorted(set(libs) - start_up - lazy_closure - {arch.loader})
        check(not unused, f"every bundled library is loaded at start or by a dlopen: {unused}")

        start_up_bytes = sum(sizes[f"lib/{lib}"] for lib in start_up | {arch.loader})
        start_up_bytes += sizes["bootstrap"] + sizes["bin/bootstrap"]
        lazy_only = sorted(set(libs) - start_up - {arch.loader})
        print(f"cold start loads {len(start_up)} libraries, {start_up_bytes} bytes compressed; "
              f"{len(lazy_only)} more only on dlopen, {sum(sizes[f'lib/{x}'] for x in lazy_only)}"
              f" bytes: {lazy_only}", flush=True)
        check(start_up_bytes <= MAX_START_UP_BYTES,
              f"what a cold start loads is {start_up_bytes} bytes compressed, over "
              f"{MAX_START_UP_BYTES}")


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
    check_elf_contents(args.zip, arch, args.script)
    check_deterministic(args.script, args.build, arch)
    if failures:
        print(f"{len(failures)} check(s) failed", flush=True)
        return 1
    print("zip layout test passed", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
