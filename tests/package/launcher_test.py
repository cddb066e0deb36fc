#!/usr/bin/python3
"""The zip's root `bootstrap` (src/launcher) in the empty chroot (lambda_chroot.py):

- it starts the bundled loader on bin/bootstrap with --library-path lib, from $LAMBDA_TASK_ROOT,
  else from its own directory, by absolute or relative path (LD_TRACE_LOADED_OBJECTS makes the
  loader list what it would load instead of running it);
- it maps the loader into its own process rather than exec'ing it: the runtime, blocked in its
  first GET /next, is still the process the kernel started as `bootstrap` (/proc/PID/comm), one
  exec less at every cold start;
- when the loader cannot be mapped (here: a `#!/bin/sh` script in its place) it falls back to
  exec'ing it, with the same command line, arguments passed through;
- without a loader it fails with exit 127 and a message naming the path.

Usage: launcher_test.py --zip dist/lambda.zip --arch x86_64 --node-modules local/node_modules
"""

import os
import subprocess
import sys
import time

import lambda_chroot
from lambda_chroot import CHROOT, TASK_ROOT
from runtime_api_fake import RuntimeApiFake

check = lambda_chroot.Checks()


def run(root, argv, env, cwd_in_root=None, trace=False):
    """argv run inside the chroot, through its busybox sh when a working directory or the
    loader's trace mode is asked: LD_TRACE_LOADED_OBJECTS must reach the loader, not the host's
    chroot command."""
    if cwd_in_root is not None or trace:
        command = f"cd {cwd_in_root or '/'} && "
        command += "LD_TRACE_LOADED_OBJECTS=1 " if trace else ""
        argv = ["/bin/sh", "-c", command + "exec " + " ".join(argv)]
    return subprocess.run([CHROOT, root] + argv, env=env, capture_output=True, text=True,
                          timeout=60)


def check_loader_command(root, arch):
    loader = f"lib/{arch.loader}"
    cases = [
        ("LAMBDA_TASK_ROOT", [f"{TASK_ROOT}/bootstrap"], {"LAMBDA_TASK_ROOT": TASK_ROOT}, None,
         f"{TASK_ROOT}/lib/"),
        ("own directory, absolute", [f"{TASK_ROOT}/bootstrap"], {}, None, f"{TASK_ROOT}/lib/"),
        ("own directory, relative", ["./bootstrap"], {}, TASK_ROOT, "./lib/"),
    ]
    for name, argv, env, cwd, lib_dir in cases:
        result = run(root, argv, env, cwd, trace=True)
        resolved = [line.split("=>")[1].split("(")[0].strip()
                    for line in result.stdout.splitlines() if "=>" in line]
        check(result.returncode == 0 and len(resolved) >= 5,
              f"{name}: the loader lists bin/bootstrap's libraries (exit {result.returncode}, "
              f"{result.stdout!r} {result.stderr!r})")
        outside = [p for p in resolved if not p.startswith(lib_dir)]
        check(not outside, f"{name}: every library from {lib_dir} ({loader}'s "
                           f"--library-path): not {outside}")


def check_no_second_exec(root):
    runtime = RuntimeApiFake().start()
    env = {"AWS_LAMBDA_RUNTIME_API": runtime.address, "LAMBDA_TASK_ROOT": TASK_ROOT,
           "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "S3RVER",
           "AWS_SECRET_ACCESS_KEY": "S3RVER", "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
           "OUTPUT_BUCKET": "launcher-out", "NEW_IMAGE_SIZE": "[256, 256]"}
    proc = subprocess.Popen([CHROOT, root, f"{TASK_ROOT}/bootstrap"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while runtime.next_requests == 0 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        check(runtime.next_requests > 0, "the runtime reaches GET /next")
        # chroot execs `bootstrap` in place; an exec of the loader would rename it ld-linux-*.
        comm = open(f"/proc/{proc.pid}/comm").read().strip() if proc.poll() is None else None
        check(comm == "bootstrap", f"the runtime runs in the process started as bootstrap, with "
                                   f"no second exec (its comm is {comm!r})")
    finally:
        proc.kill()
        out, err = proc.communicate(timeout=10)
        runtime.close()
    print("--- bootstrap stdout ---\n" + out + "--- bootstrap stderr ---\n" + err, flush=True)


def check_fallback_exec(root, arch):
    loader = os.path.join(lambda_chroot.task_root(root), "lib", arch.loader)
    os.rename(loader, loader + ".real")
    try:
        with open(loader, "w") as f:
            f.write('#!/bin/sh\necho "loader argv: $*"\n')
        os.chmod(loader, 0o755)
        result = run(root, [f"{TASK_ROOT}/bootstrap", "one", "two words"], {})
        expected = (f"loader argv: --library-path {TASK_ROOT}/lib {TASK_ROOT}/bin/bootstrap "
                    "one two words")
        check(result.returncode == 0 and result.stdout.strip() == expected,
              f"a loader that cannot be mapped is exec'd with the same command line: expected "
              f"{expected!r}, got {result.stdout!r} {result.stderr!r} (exit {result.returncode})")

        os.remove(loader)
        result = run(root, [f"{TASK_ROOT}/bootstrap"], {"LAMBDA_TASK_ROOT": TASK_ROOT})
        message = f"cannot exec {TASK_ROOT}/lib/{arch.loader}: no such file"
        check(result.returncode == 127 and message in result.stderr,
              f"without the loader: exit 127 and {message!r}, got exit {result.returncode}, "
              f"{result.stderr!r}")
    finally:
        if os.path.exists(loader):
            os.remove(loader)
        os.rename(loader + ".real", loader)


def test(args, root, _tmp):
    check_loader_command(root, args.arch)
    check_no_second_exec(root)
    check_fallback_exec(root, args.arch)


if __name__ == "__main__":
    sys.exit(lambda_chroot.run_test(__doc__, "launcher test", check, test))
