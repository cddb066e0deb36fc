#!/usr/bin/env bash
# Builds dist/lambda.zip for the `provided.al2023` runtime from an existing build.
#   scripts/package-lambda.sh [BUILD_DIR [ZIP]]   (defaults: build, dist/lambda.zip;
#                                                   `make package` calls it with the build dir)
#
# Amazon Linux 2023 has glibc 2.34 and Debian 12's libraries need GLIBC_2.36, so the zip carries
# the binary's whole shared-library closure INCLUDING libc and the dynamic loader, and the root
# `bootstrap` is a launcher that starts bin/bootstrap through the bundled loader. Nothing is taken
# from the host at run time (tests/package proves it in an empty chroot). See docs/packaging.md.
#
# The zip is deterministic: same build in, same bytes out (sorted entries, fixed timestamps and
# modes, no uid/gid extra fields).
set -euo pipefail
# Arguments are relative to the caller's directory, the defaults to the repository root.
build_dir="$(realpath -m "${1:-$(dirname "$0")/../build}")"
out_zip="$(realpath -m "${2:-$(dirname "$0")/../dist/lambda.zip}")"
binary="$build_dir/bin/bootstrap"
# 10 MB is the issue's budget for the zip (Lambda's own limit for a direct upload is 50 MB).
max_zip_bytes=$((10 * 1000 * 1000))
# Any fixed instant works; it only has to be the same on every run.
fixed_time="2020-01-01 00:00:00"

die() {
  echo "package-lambda: $*" >&2
  exit 1
}

[[ -x "$binary" ]] || die "no executable $binary: build the 'bootstrap' target first (make build)"
command -v zip >/dev/null || die "zip is not installed (scripts/setup.sh installs it)"
if readelf -d "$binary" | grep -q 'libasan\|libubsan'; then
  die "$binary is a sanitizer build; package a Release build"
fi

stage="$(mktemp -d "${TMPDIR:-/tmp}/imgpipe-package.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"

# The binary, without symbols: they are useless in Lambda and weigh about a third of it.
strip --strip-all -o "$stage/bin/bootstrap" "$binary"

# The closure as the host's loader resolves it. `ldd` runs our own binary's loader in trace mode,
# which is safe for a binary we just built. Lines look like
#   libfoo.so.1 => /lib/x86_64-linux-gnu/libfoo.so.1 (0x...)
#   /lib64/ld-linux-x86-64.so.2 (0x...)
# Each library is stored under its soname (the name DT_NEEDED asks for), dereferencing symlinks.
ldd_out="$(ldd "$binary")"
if grep -q 'not found' <<<"$ldd_out"; then
  die "unresolved libraries: $(grep 'not found' <<<"$ldd_out" | tr -s ' \t' ' ')"
fi
loader=""
while read -r name arrow path _; do
  if [[ "$arrow" == "=>" && "$path" == /* ]]; then
    cp -L "$path" "$stage/lib/$name"
  elif [[ "$name" == */ld-linux-x86-64.so.2 ]]; then
    loader="$name"
  fi
done <<<"$ldd_out"
[[ -n "$loader" ]] || die "ldd did not report the dynamic loader for $binary"
cp -L "$loader" "$stage/lib/ld-linux-x86-64.so.2"

# Debian ships libraries mostly stripped, but --strip-unneeded still drops leftover symbol
# tables (the loader keeps a full one for valgrind). Dynamic symbols are kept, so linking works.
for lib in "$stage"/lib/*; do
  strip --strip-unneeded "$lib"
done

# The launcher Lambda executes. /bin/sh is bash on AL2023 and busybox in the package test, so
# it stays POSIX and uses no external command. LAMBDA_TASK_ROOT is always set by Lambda; the
# fallback (the script's own directory) lets it run from any unzipped copy.
cat >"$stage/bootstrap" <<'EOF'
#!/bin/sh
# Starts bin/bootstrap with the bundled loader and libraries: the host's glibc may be older.
case "$0" in
  */*) here="${0%/*}" ;;
  *) here="." ;;
esac
root="${LAMBDA_TASK_ROOT:-$here}"
exec "$root/lib/ld-linux-x86-64.so.2" --library-path "$root/lib" "$root/bin/bootstrap" "$@"
EOF

# Fixed modes and times so the zip does not depend on umask or build time. zip stores local
# DOS times, hence TZ=UTC for both touch and zip.
find "$stage" -type d -exec chmod 755 {} +
chmod 644 "$stage"/lib/*
chmod 755 "$stage/bootstrap" "$stage/bin/bootstrap" "$stage/lib/ld-linux-x86-64.so.2"
find "$stage" -exec env TZ=UTC touch -h -d "$fixed_time" {} +

mkdir -p "$(dirname "$out_zip")"
rm -f "$out_zip"
# -X: no uid/gid or extended-timestamp fields; -D: no directory entries; sorted input order.
(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
  TZ=UTC zip -q -X -D -9 "$out_zip" -@)

zip_bytes=$(stat -c %s "$out_zip")
unzipped_bytes=$(du -sb "$stage" | cut -f1)
libs=$(find "$stage/lib" -type f | wc -l)
echo "package-lambda: $out_zip $zip_bytes bytes (unzipped $unzipped_bytes bytes, $libs libraries)" \
  "sha256 $(sha256sum "$out_zip" | cut -c1-16)"
if ((zip_bytes > max_zip_bytes)); then
  die "$out_zip is $zip_bytes bytes, over the $max_zip_bytes byte budget"
fi
