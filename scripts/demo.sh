#!/usr/bin/env bash
# The main job shown by `make run`: the whole AWS flow on this machine.
#   start the local stack (S3 server + S3 notification + local Lambda running dist/lambda.zip),
#   upload the sample images (and the bad samples) with the real AWS CLI, wait for every output,
#   download the outputs to ./out, print a table, stop everything.
# usage: scripts/demo.sh [BUILD_DIR]   (the build is `make package`'s; this script only runs it)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
build=${1:-build}
aws_cli=${IMGPIPE_AWS_CLI:-/usr/bin/aws} # Debian's awscli
wait_s=${IMGPIPE_DEMO_WAIT_S:-60}

[[ -f dist/lambda.zip || -n ${IMGPIPE_BOOTSTRAP:-} ]] || { echo "demo: dist/lambda.zip missing: run make package BUILD=$build" >&2; exit 1; }
[[ -d samples ]] || { echo "demo: samples/ missing: run make samples" >&2; exit 1; }

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# A private stack: its own state dir and ports, so it never meets a `make up` stack.
export IMGPIPE_STATE_DIR=${IMGPIPE_DEMO_STATE_DIR:-$repo/local/.state/demo}
export IMGPIPE_S3_PORT=${IMGPIPE_S3_PORT:-$(free_port)}
export IMGPIPE_LAMBDA_PORT=${IMGPIPE_LAMBDA_PORT:-$(free_port)}
export IMGPIPE_INPUT_BUCKET=${IMGPIPE_INPUT_BUCKET:-imgpipe-input}
export IMGPIPE_OUTPUT_BUCKET=${IMGPIPE_OUTPUT_BUCKET:-imgpipe-output}
export AWS_ACCESS_KEY_ID=S3RVER AWS_SECRET_ACCESS_KEY=S3RVER AWS_DEFAULT_REGION=us-east-1
s3() { "$aws_cli" --endpoint-url "http://127.0.0.1:$IMGPIPE_S3_PORT" "$@"; }

stage=$(mktemp -d)
cleanup() {
  local rc=$?
  local/stack.sh down >/dev/null 2>&1 || true
  rm -rf "$stage"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The samples: every JPEG/PNG/WebP/GIF/HEIC/AVIF outside samples/bad, staged as links under their own paths.
n_good=0
while IFS= read -r -d '' f; do
  rel=${f#samples/}
  mkdir -p "$stage/$(dirname "$rel")"
  ln -s "$repo/$f" "$stage/$rel"
  n_good=$((n_good + 1))
done < <(find samples -path samples/bad -prune -o -type f \
           \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.webp' -o -iname '*.gif' \
              -o -iname '*.heic' -o -iname '*.heif' -o -iname '*.avif' \) -print0 | sort -z)
((n_good > 0)) || { echo "demo: no images under samples/" >&2; exit 1; }
# The bad samples (all tiny) show how the function rejects what it cannot process.
mkdir -p "$stage/bad"
n_bad=0
while IFS= read -r -d '' f; do
  ln -s "$repo/$f" "$stage/bad/$(basename "$f")"
  n_bad=$((n_bad + 1))
done < <(find samples/bad -maxdepth 1 -type f -print0 2>/dev/null | sort -z)
if ((n_bad == 0)); then
  # No bad sample shipped: a truncated copy of the first photo.
  first=$(find "$stage" -type l | sort | sed -n 1p)
  head -c 2000 "$first" >"$stage/bad/truncated.jpg"
  n_bad=1
fi

rm -rf "$IMGPIPE_STATE_DIR"
local/stack.sh up
echo
echo "demo: uploading $n_good images and $n_bad bad files with the AWS CLI..."
s3 s3 cp --recursive --only-show-errors "$stage/" "s3://$IMGPIPE_INPUT_BUCKET/"

# Wait until every upload was delivered and handled (the service counts invocations), the function
# is idle, and the outputs are all listed. Polling the service is cheap; the CLI listing is not.
n_total=$((n_good + n_bad))
deadline=$((SECONDS + wait_s))
while :; do
  status=$(curl -s --max-time 2 "http://127.0.0.1:$IMGPIPE_LAMBDA_PORT/_local/status" || true)
  invoked=$(grep -o '"invocations":[0-9]*' <<<"$status" | cut -d: -f2)
  pending=$(find "$IMGPIPE_STATE_DIR/events/pending" -name '*.json' 2>/dev/null | wc -l)
  if [[ $status == *'"idle":true'* ]] && ((${invoked:-0} >= n_total && pending == 0)); then
    n_out=$(s3 s3 ls --recursive "s3://$IMGPIPE_OUTPUT_BUCKET/" | wc -l)
    ((n_out >= n_good)) && break
  fi
  if ((SECONDS > deadline)); then
    echo "demo: not done after ${wait_s}s (${invoked:-0}/$n_total invoked); logs in $IMGPIPE_STATE_DIR/logs" >&2
    exit 1
  fi
  sleep 0.2
done

rm -rf out
s3 s3 cp --recursive --only-show-errors "s3://$IMGPIPE_OUTPUT_BUCKET/" out/
echo
/usr/bin/python3 local/demo_report.py "$IMGPIPE_STATE_DIR" "$stage" out "$IMGPIPE_INPUT_BUCKET" "$IMGPIPE_OUTPUT_BUCKET"
echo "outputs in ./out; logs in $IMGPIPE_STATE_DIR/logs (worker-N.log: the function's JSON lines)"
