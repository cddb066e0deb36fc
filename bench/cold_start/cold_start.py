#!/usr/bin/python3
"""Cold start of the packaged Lambda runtime: the time from exec of the zip's `bootstrap` to its
first GET /2018-06-01/runtime/invocation/next, next to the tutorial's Python init.

Each run: a fresh listening socket on 127.0.0.1 plays the Runtime API; the clock starts just
before Popen and stops when the first bytes of the runtime's request arrive; the process is
then killed (it never gets an event). Variants run interleaved, round by round, so drift on a
shared machine hits them alike. Prints a Markdown table.

Usage: cold_start.py --unzipped DIR [--build BUILD] [--runs 30] [--python-runs 10]
"""

import argparse
import os
import resource
import socket
import statistics
import subprocess
import sys
import time

NEXT = b"GET /2018-06-01/runtime/invocation/next"
TUTORIAL_INIT = ["/usr/bin/python3", "-c", "import boto3, PIL.Image; boto3.client('s3')"]
TIMEOUT_S = 10
# Judged against the floor measured in the same run, so that machines compare: absolute
# milliseconds moved by 2x between two machines for the same zip (bench/NOTES.md).
FLOOR_RATIO_TARGET = 4

# The `#!/bin/sh` launcher the zip carried until src/launcher replaced it, for comparison.
SH_LAUNCHER = """#!/bin/sh
root="${LAMBDA_TASK_ROOT:-${0%/*}}"
exec "$root/lib/ld-linux-x86-64.so.2" --library-path "$root/lib" "$root/bin/bootstrap" "$@"
"""

# What the runtime needs to pass its init checks; it never reaches S3 here.
BASE_ENV = {
    "AWS_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "S3RVER",
    "AWS_SECRET_ACCESS_KEY": "S3RVER",
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
    "OUTPUT_BUCKET": "cold-start-out",
    "NEW_IMAGE_SIZE": "[256, 256]",
}


def children_cpu_ns():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return int((usage.ru_utime + usage.ru_stime) * 1e9)


def time_to_first_next(argv, env):
    """(wall ns from just before exec to the first bytes of GET .../next, CPU ns the process
    used). CPU time is what a loaded, shared machine distorts least. It slightly overstates the
    start: it also holds the fork side of Popen and the kernel's teardown of the killed process
    (unmapping ~40 libraries); the wait for the answer costs none."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(TIMEOUT_S)
        env = dict(env, AWS_LAMBDA_RUNTIME_API=f"127.0.0.1:{listener.getsockname()[1]}")
        cpu_before = children_cpu_ns()
        start = time.perf_counter_ns()
        proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            conn, _ = listener.accept()
            with conn:
                conn.settimeout(TIMEOUT_S)
                first = conn.recv(4096)
                elapsed = time.perf_counter_ns() - start
        except socket.timeout:
            proc.kill()
            raise RuntimeError(f"{argv[0]} made no request within {TIMEOUT_S} s: "
                               f"{proc.communicate()[1].decode(errors='replace')}")
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()
        if not first.startswith(NEXT):
            raise RuntimeError(f"{argv[0]}: first request was {first[:80]!r}, not GET .../next")
        return elapsed, children_cpu_ns() - cpu_before


def time_to_exit(argv):
    """(wall ns, CPU ns) of a command run to completion."""
    cpu_before = children_cpu_ns()
    start = time.perf_counter_ns()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=dict(os.environ, AWS_REGION="us-east-1"))
    return time.perf_counter_ns() - start, children_cpu_ns() - cpu_before


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--unzipped", required=True, help="dist/lambda.zip unzipped here")
    parser.add_argument("--build", help="build dir: also time bin/bootstrap on host libraries")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--python-runs", type=int, default=10)
    args = parser.parse_args()
    root = os.path.abspath(args.unzipped)
    env = dict(BASE_ENV, LAMBDA_TASK_ROOT=root)
    loader = [f"{root}/lib/ld-linux-x86-64.so.2", "--library-path", f"{root}/lib"]

    # The first is the measurement; the others explain it: the loader started directly is what
    # any launcher adds to, and the shell script is the launcher the zip carried before.
    sh_launcher = os.path.join(root, "sh-launcher")
    with open(sh_launcher, "w") as f:
        f.write(SH_LAUNCHER)
    os.chmod(sh_launcher, 0o755)
    variants = {
        "zip `bootstrap` (static launcher → bundled loader → bin/bootstrap)":
            ([f"{root}/bootstrap"], env),
        "bundled loader → bin/bootstrap (no launcher)": (loader + [f"{root}/bin/bootstrap"], env),
        "former `#!/bin/sh` launcher → bundled loader → bin/bootstrap":
            ([sh_launcher], env),
    }
    if args.build:
        host_binary = os.path.join(os.path.abspath(args.build), "bin", "bootstrap")
        variants["build/bin/bootstrap on host libraries (not stripped)"] = ([host_binary], env)

    samples = {name: [] for name in variants}
    for argv, variant_env in variants.values():  # warm the page cache once
        time_to_first_next(argv, variant_env)
    for _ in range(args.runs):
        for name, (argv, variant_env) in variants.items():
            samples[name].append(time_to_first_next(argv, variant_env))

    baseline = [time_to_exit(["/bin/true"]) for _ in range(args.runs)]
    time_to_exit(TUTORIAL_INIT)
    python = [time_to_exit(TUTORIAL_INIT) for _ in range(args.python_runs)]

    def ms(values, index=0):
        return statistics.median(v[index] for v in values) / 1e6

    def row(name, values, digits):
        walls = [v[0] / 1e6 for v in values]
        print(f"| {name} | {len(values)} | {ms(values):.{digits}f} | {min(walls):.{digits}f} | "
              f"{max(walls):.{digits}f} | {ms(values, 1):.{digits}f} |")

    print("| what | runs | median ms | min ms | max ms | median CPU ms |")
    print("|---|---|---|---|---|---|")
    for name, values in samples.items():
        row(f"{name}: exec → first GET /next", values, 2)
    row("harness floor: Popen + wait of /bin/true", baseline, 2)
    row("tutorial init: `python3 -c \"import boto3, PIL.Image; boto3.client('s3')\"`", python, 1)
    packaged = samples[next(iter(variants))]
    ratio = ms(packaged) / ms(baseline)
    print()
    print(f"Packaged cold start: median {ms(packaged):.2f} ms wall, {ratio:.2f}× the harness floor "
          f"of the same run (target ≤ {FLOOR_RATIO_TARGET:g}×: "
          f"{'met' if ratio <= FLOOR_RATIO_TARGET else 'MISSED'}), {ms(packaged, 1):.2f} ms CPU. "
          f"The tutorial's init takes {ms(python) / ms(packaged):.0f}× the wall time and "
          f"{ms(python, 1) / ms(packaged, 1):.0f}× the CPU time.")
    return 0 if ratio <= FLOOR_RATIO_TARGET else 1

if __name__ == "__main__":
    sys.exit(main())
