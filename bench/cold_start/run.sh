#!/usr/bin/env bash
# Cold start of the packaged Lambda runtime vs the tutorial's Python init; writes RESULTS.md.
#   bench/cold_start/run.sh [BUILD_DIR] [RUNS]     (defaults: build, 30)
# Needs dist/lambda.zip (`make package`). The zip is unzipped to a temp dir, as Lambda does
# to /var/task, and its `bootstrap` is exec'd from there with the host's kernel but nothing else.
set -euo pipefail
cd "$(dirname "$0")/../.."

build_dir="${1:-build}"
runs="${2:-30}"
zip="dist/lambda.zip"
results="bench/cold_start/RESULTS.md"
[[ -f "$zip" ]] || { echo "cold_start: $zip is missing: run \`make package\` first" >&2; exit 1; }

task_root="$(mktemp -d "${TMPDIR:-/tmp}/imgpipe-cold-start.XXXXXX")"
trap 'rm -rf "$task_root"' EXIT
unzip -q "$zip" -d "$task_root"

build_args=()
[[ -x "$build_dir/bin/bootstrap" ]] && build_args=(--build "$build_dir")
measure=(/usr/bin/python3 bench/cold_start/cold_start.py --unzipped "$task_root"
  "${build_args[@]}" --runs "$runs" --python-runs 10)

# The machine is shared (2 cores, often several compilers running): with normal scheduling the
# wall times mostly measure waiting for a CPU. SCHED_FIFO (harness and children alike, Python
# included) approximates the dedicated vCPU a Lambda sandbox has; the kernel's RT throttling
# keeps the rest of the machine alive. Both runs are reported; the target is judged on the first.
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
set +e
if chrt -f 10 true 2>/dev/null; then
  scheduling="SCHED_FIFO priority 10 (\`chrt -f 10\`), harness and children"
  table_first="$(chrt -f 10 "${measure[@]}")"
  status=$?
  table_normal="$("${measure[@]}")"
else
  scheduling="normal (chrt -f is not permitted here)"
  table_first="$("${measure[@]}")"
  status=$?
  table_normal="(not run separately: the run above already used normal scheduling)"
fi
set -e
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"
[[ -n "$table_first" ]] || exit "$status"

{
  echo "# Cold start: packaged \`bootstrap\` vs the tutorial's Python init"
  echo
  echo "Reproduce: \`make package && bench/cold_start/run.sh\` (this file is its output)."
  echo "Each bootstrap run: exec of the command → first bytes of its"
  echo "\`GET /2018-06-01/runtime/invocation/next\` on a 127.0.0.1 socket (time.perf_counter_ns"
  echo "around Popen, process killed after), variants interleaved round by round."
  echo
  echo "## Scheduling: $scheduling"
  echo
  echo "$table_first"
  echo
  echo "## Normal scheduling on the shared machine (same binaries, right after)"
  echo
  echo "$table_normal"
  echo
  echo "## Machine and versions"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores;" \
    "load average before/after: $load_before / $load_after (the machine is shared)"
  echo "- kernel $(uname -r), Debian $(cat /etc/debian_version)," \
    "glibc $(ldd --version | head -1 | awk '{print $NF}')"
  dirty="$(git diff --name-only HEAD -- src include CMakeLists.txt cmake | tr '\n' ' ')"
  echo "- source: git $(git rev-parse --short HEAD)${dirty:+, with uncommitted changes in $dirty}"
  echo "- zip: $(stat -c %s "$zip") bytes, sha256 $(sha256sum "$zip" | cut -c1-16)," \
    "$(find "$task_root/lib" -type f | wc -l) bundled libraries (libheif and its closure are" \
    "only dlopen()ed, never at start)"
  echo "- HTTP: imgpipe's own client (src/aws/http.h) on OpenSSL $(openssl version | awk '{print $2}')"
  echo "- Python $(/usr/bin/python3 -c 'import platform; print(platform.python_version())'), boto3" \
    "$(/usr/bin/python3 -c 'import boto3; print(boto3.__version__)'), Pillow" \
    "$(/usr/bin/python3 -c 'import PIL; print(PIL.__version__)')"
} >"$results"
cat "$results"
exit "$status"
