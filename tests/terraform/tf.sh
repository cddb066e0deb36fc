#!/bin/bash
# Runs the real terraform on terraform/, offline, for ctest:
#
#   tf.sh WORK fmt                 terraform fmt -check -recursive on terraform/
#   tf.sh WORK validate DIR        init -backend=false + validate of terraform/DIR (. or examples/x)
#   tf.sh WORK test BOOTSTRAP      terraform test (terraform/tests/*.tftest.hcl)
#
# WORK is a scratch directory in the build tree. The module is copied there, so that init's
# .terraform/ and lock file never land in the source tree, and HOME points there too: nothing is
# written to the user's home. Providers come only from the filesystem mirror /opt/tf-plugins
# (the registry is not reachable from these machines).
#
# Without terraform (a fresh Debian box: terraform is not a Debian package) the check exits 77,
# which ctest reports as skipped with the reason printed; with CI=true it fails instead.
set -euo pipefail
work=$1 mode=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
tf=${TERRAFORM:-terraform}
mirror=${IMGPIPE_TF_MIRROR:-/opt/tf-plugins}

if ! command -v "$tf" >/dev/null 2>&1; then
  echo "SKIPPED: no terraform on PATH ($tf): install Terraform >= 1.11 (terraform test with mocks and override_during) to run the Terraform checks"
  [[ ${CI:-} == true ]] && { echo "CI=true: a missing terraform is a failure"; exit 1; }
  exit 77
fi
if [[ ! -d $mirror/registry.terraform.io/hashicorp/aws ]]; then
  echo "SKIPPED: no hashicorp/aws provider in the filesystem mirror $mirror"
  [[ ${CI:-} == true ]] && { echo "CI=true: a missing provider mirror is a failure"; exit 1; }
  exit 77
fi

if [[ $mode == fmt ]]; then
  exec "$tf" fmt -check -recursive -diff "$repo/terraform"
fi

rm -rf "$work"
mkdir -p "$work/dist"
cp -r "$repo/terraform" "$work/terraform"
rm -rf "$work/terraform/.terraform" "$work/terraform"/examples/*/.terraform
# The example deploys ../../../dist/<zip>; the fixtures stand in for what make package writes.
cp "$repo/terraform/tests/fixtures/"lambda*.zip* "$work/dist/"
cat >"$work/cli.tfrc" <<CONFIG
provider_installation {
  filesystem_mirror {
    path    = "$mirror"
    include = ["registry.terraform.io/*/*"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
CONFIG
export TF_CLI_CONFIG_FILE=$work/cli.tfrc HOME=$work CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1
unset TF_PLUGIN_CACHE_DIR

case $mode in
  validate)
    dir=$work/terraform/$3
    "$tf" -chdir="$dir" init -backend=false -input=false -no-color >"$work/init.log" ||
      { cat "$work/init.log"; exit 1; }
    exec "$tf" -chdir="$dir" validate -no-color
    ;;
  test)
    bootstrap=$3
    # The facts the tests compare the module with, each read from its one source: the names and
    # defaults the binary reads (the option table, printed by --list-env --json), the extensions
    # the core decodes (its format table, src/core/formats.cc) and the core's limits (options.h).
    "$bootstrap" --list-env --json >"$work/env.json"
    python3 - "$repo" "$work/env.json" >"$work/facts.tfvars.json" <<'PY'
import json, re, sys
repo, env_vars = sys.argv[1], json.load(open(sys.argv[2]))
env = [var["name"] for var in env_vars]
assert len(env) >= 20, env
options = open(f"{repo}/include/imgpipe/options.h").read()
# Every file extension of the core's format table (jpg, jpeg, ..., heic, heif, avif).
table = open(f"{repo}/src/core/formats.cc").read()
formats = [ext for row in re.findall(r"k\w+Extensions = \{([^}]*)\}", table)
           for ext in re.findall(r'"(\w+)"', row)]
assert len(formats) >= 7, formats
def constant(name):
    text = re.search(name + r"\s*=\s*([^;]+);", options).group(1)
    text = re.sub(r"(?<=\d)(ull|ul|u|ll|l)\b", "", text.replace("'", "")).strip()
    shift = re.fullmatch(r"(\d+)\s*<<\s*(\d+)", text)
    return int(shift.group(1)) << int(shift.group(2)) if shift else int(text)
print(json.dumps({
    "bootstrap_env": env,
    # null for a required variable: the module must set it from its own resources.
    "bootstrap_defaults": {var["name"]: var["default"] for var in env_vars},
    "decoded_formats": formats,
    "core": {name: constant(c) for name, c in [
        ("max_side", "kMaxTargetSide"),
        ("max_input_bytes", "kDefaultMaxInputBytes"),
        ("max_input_pixels", "kDefaultMaxInputPixels")]},
}))
PY
    cd "$work/terraform"
    "$tf" init -backend=false -input=false -no-color >"$work/init.log" ||
      { cat "$work/init.log"; exit 1; }
    exec "$tf" test -no-color -var-file="$work/facts.tfvars.json"
    ;;
  *)
    echo "tf.sh: unknown mode $mode" >&2
    exit 2
    ;;
esac
