#!/usr/bin/env bash
# The local stack: S3 server (+ S3 → Lambda notification) and the local Lambda service.
#   local/stack.sh up       start whatever is not running (idempotent), wait until it answers
#   local/stack.sh down     stop both (state is kept: S3 data, logs, dead letters)
#   local/stack.sh status   what runs, where, and the Lambda service's counters
#   local/stack.sh reset    down, then delete the state dir
#   local/stack.sh backfill [options]  run the function over the objects already in the input
#                           bucket, as S3 Batch Operations would (local/backfill.js --help)
#   local/stack.sh help     every setting (environment variable) and its default
# Settings come from the environment (IMGPIPE_*), defaults in local/lib/config.js.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
node=${NODE:-node}

if [[ ! -d $here/node_modules/@20minutes/s3rver ]]; then
  echo "stack: the S3 server is not installed: run (cd local && npm ci) or scripts/setup.sh" >&2
  exit 2
fi
cfg="$("$node" "$here/lib/config.js")" || { echo "stack: bad settings" >&2; exit 2; }
eval "$cfg"
run_dir="$CFG_STATE_DIR/run"
mkdir -p "$run_dir" "$CFG_LOG_DIR"

# component name → entry script, node flags, log file, readiness URL
script_of() { echo "$here/$1.js"; }
# s3rver encrypts ListObjectsV2 continuation tokens with DES, which Node 20's OpenSSL 3 only has in
# its legacy provider: without it every truncated listing (a paginated `aws s3 ls`, boto3's
# paginator, more than 1000 keys) fails with HTTP 500.
node_flags_of() { case $1 in s3-server) echo --openssl-legacy-provider ;; esac; }
log_of() { case $1 in s3-server) echo "$CFG_LOG_DIR/s3.log" ;; lambda-service) echo "$CFG_LOG_DIR/lambda.log" ;; esac; }
url_of() {
  case $1 in
    s3-server) echo "http://127.0.0.1:$CFG_S3_PORT/" ;;
    lambda-service) echo "http://127.0.0.1:$CFG_LAMBDA_PORT/_local/health" ;;
  esac
}

# The pid file's process, if it is still the component we started (not a recycled pid).
running_pid() {
  local f="$run_dir/$1.pid" pid
  [[ -f $f ]] || return 1
  pid=$(<"$f")
  local cmdline
  cmdline=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline") || return 1
  [[ $cmdline == *"$(script_of "$1")"* ]] || return 1
  echo "$pid"
}

start() {
  local name=$1 pid
  if pid=$(running_pid "$name"); then
    echo "stack: $name already running (pid $pid)"
    return 0
  fi
  # setsid: the component outlives this shell and gets no terminal signals.
  # shellcheck disable=SC2046 # the flags are single words
  setsid "$node" $(node_flags_of "$name") "$(script_of "$name")" >>"$(log_of "$name")" 2>&1 </dev/null &
  echo $! >"$run_dir/$name.pid"
}

wait_ready() {
  local name=$1 deadline=$((SECONDS + ${IMGPIPE_START_TIMEOUT_S:-20})) pid
  pid=$(<"$run_dir/$name.pid")
  while ((SECONDS < deadline)); do
    # kill -0, not running_pid: right after the fork the child may not have exec'd node yet.
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "stack: $name exited during start; last lines of $(log_of "$name"):" >&2
      tail -n 20 "$(log_of "$name")" >&2
      return 1
    fi
    # Any HTTP answer means it listens (S3 answers an unsigned request with 403).
    if curl -s -o /dev/null --max-time 2 "$(url_of "$name")"; then
      return 0
    fi
    sleep 0.1
  done
  echo "stack: $name did not answer on $(url_of "$name") in time; see $(log_of "$name")" >&2
  return 1
}

stop() {
  local name=$1 pid i
  if pid=$(running_pid "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
      running_pid "$name" >/dev/null || break
      sleep 0.1
    done
    if running_pid "$name" >/dev/null; then
      echo "stack: $name (pid $pid) ignored SIGTERM; killing" >&2
      kill -KILL "$pid" 2>/dev/null || true
    fi
    echo "stack: stopped $name (pid $pid)"
  fi
  rm -f "$run_dir/$name.pid"
}

case ${1:-} in
  up)
    start lambda-service
    start s3-server
    wait_ready lambda-service && wait_ready s3-server || { "$0" down >/dev/null; exit 1; }
    case $CFG_TRIGGER in
      direct) how="uploads invoke $CFG_FUNCTION_NAME" ;;
      sqs) how="uploads go to the queue $CFG_FUNCTION_NAME-events, batches invoke $CFG_FUNCTION_NAME" ;;
      none) how="no notification: make backfill processes what it holds" ;;
    esac
    cat <<MSG
stack: up (trigger $CFG_TRIGGER)
  S3        http://127.0.0.1:$CFG_S3_PORT  (key $CFG_ACCESS_KEY_ID / secret $CFG_SECRET_ACCESS_KEY, region $CFG_REGION)
  buckets   s3://$CFG_INPUT_BUCKET ($how)  →  s3://$CFG_OUTPUT_BUCKET
  Lambda    http://127.0.0.1:$CFG_LAMBDA_PORT  (function $CFG_FUNCTION_NAME)
  logs      $CFG_LOG_DIR/{s3,lambda,worker-N}.log
  dead letters  $CFG_DEAD_LETTER_FILE
MSG
    if [[ -n $CFG_TEST_HOOKS ]]; then
      echo "stack: WARNING: test fault injection is ON (IMGPIPE_TEST_*): $CFG_TEST_HOOKS" >&2
    fi
    ;;
  backfill)
    shift
    exec "$node" "$here/backfill.js" "$@"
    ;;
  down)
    stop s3-server
    stop lambda-service
    ;;
  status)
    rc=0
    for name in lambda-service s3-server; do
      if pid=$(running_pid "$name"); then echo "$name: running (pid $pid) $(url_of "$name")"
      else echo "$name: stopped"; rc=3; fi
    done
    if running_pid lambda-service >/dev/null; then
      curl -s --max-time 2 "http://127.0.0.1:$CFG_LAMBDA_PORT/_local/status" && echo
    fi
    exit $rc
    ;;
  reset)
    "$0" down
    rm -rf "$CFG_STATE_DIR"
    echo "stack: removed $CFG_STATE_DIR"
    ;;
  help | -h | --help)
    sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
    echo "settings (environment, default, meaning):"
    "$node" "$here/lib/config.js" describe
    ;;
  *)
    echo "usage: local/stack.sh up|down|status|reset|backfill|help" >&2
    exit 2
    ;;
esac
