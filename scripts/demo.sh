#!/usr/bin/env bash
# The main job shown by `make run`: the whole AWS flow on this machine.
#   start the local stack (S3 server + S3 notification + local Lambda running dist/lambda.zip),
#   upload the sample photos (and one corrupt file) with the real AWS CLI, wait for every output,
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

# The samples (every JPEG/PNG/WebP/GIF outside samples/bad) plus one bad file, staged as links.
n_good=0
while IFS= read -r -d '' f; do
  rel=${f#samples/}
  mkdir -p "$stage/$(dirname "$rel")"
  ln -s "$repo/$f" "$stage/$rel"
  n_good=$((n_good + 1))
done < <(find samples -path samples/bad -prune -o -type f \
           \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' -o -iname '*.webp' -o -iname '*.gif' \) -print0 | sort -z)
((n_good > 0)) || { echo "demo: no images under samples/" >&2; exit 1; }
mkdir -p "$stage/bad"
bad=$(find samples/bad -type f 2>/dev/null | sort | head -n 1 || true)
if [[ -n $bad ]]; then
  ln -s "$repo/$bad" "$stage/bad/$(basename "$bad")"
else
  # No corrupt sample shipped: a truncated copy of the first photo.
  first=$(find "$stage" -type l | sort | head -n 1)
  head -c 2000 "$first" >"$stage/bad/truncated.jpg"
fi

rm -rf "$IMGPIPE_STATE_DIR"
local/stack.sh up
echo
echo "demo: uploading $n_good photos and 1 corrupt file with the AWS CLI..."
t0=$(date +%s.%N)
s3 s3 cp --recursive --only-show-errors "$stage/" "s3://$IMGPIPE_INPUT_BUCKET/"

# Wait until the outputs are all there and the function has nothing left to do.
deadline=$((SECONDS + wait_s))
while :; do
  n_out=$(s3 s3 ls --recursive "s3://$IMGPIPE_OUTPUT_BUCKET/" | wc -l)
  idle=$(curl -s --max-time 2 "http://127.0.0.1:$IMGPIPE_LAMBDA_PORT/_local/status" | grep -c '"idle":true' || true)
  pending=$(find "$IMGPIPE_STATE_DIR/events/pending" -name '*.json' 2>/dev/null | wc -l)
  ((n_out >= n_good && idle == 1 && pending == 0)) && break
  if ((SECONDS > deadline)); then
    echo "demo: only $n_out of $n_good outputs after ${wait_s}s; logs in $IMGPIPE_STATE_DIR/logs" >&2
    exit 1
  fi
  sleep 0.3
done
t1=$(date +%s.%N)

rm -rf out
s3 s3 cp --recursive --only-show-errors "s3://$IMGPIPE_OUTPUT_BUCKET/" out/
echo
/usr/bin/python3 local/demo_report.py "$IMGPIPE_STATE_DIR" "$stage" out "$IMGPIPE_INPUT_BUCKET" "$IMGPIPE_OUTPUT_BUCKET"
awk -v a="$t0" -v b="$t1" 'BEGIN { printf "wall time from the first upload to the last output: %.1f s\n", b - a }'
echo "outputs in ./out; logs in $IMGPIPE_STATE_DIR/logs (worker-N.log: the function's JSON lines)"
