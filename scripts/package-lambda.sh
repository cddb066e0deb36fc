#!/usr/bin/env bash
# Builds the Lambda zip for the `provided.al2023` runtime from an existing build.
#   scripts/package-lambda.sh [BUILD_DIR [ZIP [ARCH]]]
#     defaults: build, dist/lambda.zip, x86_64; ARCH is x86_64 or arm64. `make package` calls it
#     with the build dir; `make package ARCH=arm64` with build-arm64 dist/lambda-arm64.zip arm64.
#
# Amazon Linux 2023 has glibc 2.34 and Debian 12's libraries need GLIBC_2.36, so the zip carries
# the binary's whole shared-library closure INCLUDING libc and the dynamic loader, and the root
# `bootstrap` is a launcher (src/launcher, a static program without libc) that execs the bundled
# loader on bin/bootstrap. It also carries the libraries bin/bootstrap dlopen()s on first use
# (libheif and its codecs, for HEIF/AVIF) with their closures, where the loader's library path
# finds them. Nothing is taken from the host at run time (tests/package proves it in an empty
# chroot, for both architectures).
# Next to the zip, <zip>.arch holds its architecture (`x86_64` or `arm64`, Lambda's spelling),
# which the Terraform plan compares with the function's `architectures`. See docs/packaging.md.
#
# The zip is deterministic: same build in, same bytes out (sorted entries, fixed timestamps and
# modes, no uid/gid extra fields).
set -euo pipefail
# Arguments are relative to the caller's directory, the defaults to the repository root.
build_dir="$(realpath -m "${1:-$(dirname "$0")/../build}")"
out_zip="$(realpath -m "${2:-$(dirname "$0")/../dist/lambda.zip}")"
arch="${3:-x86_64}"
binary="$build_dir/bin/bootstrap"
launcher="$build_dir/bin/lambda_launcher"
# Libraries bin/bootstrap does not link but dlopen()s the first time it needs them, so that a
# cold start never loads them: libheif (and through it libde265, libdav1d, libaom, libx265) for
# the first HEIF or AVIF object. Each is bundled with its whole closure.
lazy_libraries=(libheif.so.1)
# The zip's size budget (docs/packaging.md): the HEIF codecs are most of it (libx265 alone is
# 16 MB unzipped). What a cold start loads is bounded separately by tests/package. Lambda's own
# limit for a direct upload is 50 MB.
max_zip_bytes=$((20 * 1000 * 1000))
# Any fixed instant works; it only has to be the same on every run.
fixed_time="2020-01-01 00:00:00"

# One row per Lambda architecture: Debian's multiarch triplet, the loader's soname, the binutils
# prefix. Both closures are read from the multiarch library directories, never from `ldd`, which
# cannot run a foreign binary.
case "$arch" in
  x86_64) triplet=x86_64-linux-gnu loader_name=ld-linux-x86-64.so.2 tools="" machine="X86-64" ;;
  arm64) triplet=aarch64-linux-gnu loader_name=ld-linux-aarch64.so.1 tools=aarch64-linux-gnu-
    machine="AArch64" ;;
  *) echo "package-lambda: unknown architecture '$arch' (x86_64 or arm64)" >&2; exit 1 ;;
esac
lib_dirs=("/lib/$triplet" "/usr/lib/$triplet")

die() {
  echo "package-lambda: $*" >&2
  exit 1
}

[[ -x "$binary" ]] || die "no executable $binary: build the 'bootstrap' target first (make build)"
[[ -x "$launcher" ]] ||
  die "no executable $launcher: build the 'lambda_launcher' target first (make build)"
command -v zip >/dev/null || die "zip is not installed (scripts/setup.sh installs it)"
if readelf -d "$binary" | grep -q 'libasan\|libubsan'; then
  die "$binary is a sanitizer build; package a Release build"
fi

stage="$(mktemp -d "${TMPDIR:-/tmp}/imgpipe-package.XXXXXX")"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"

command -v "${tools}strip" >/dev/null ||
  die "${tools}strip is missing (scripts/setup.sh${tools:+ arm64} installs it)"
for program in "$binary" "$launcher"; do
  if ! readelf -h "$program" | grep -q "Machine:.*$machine"; then
    die "$program is not an $arch binary: $(readelf -h "$program" | sed -n 's/ *Machine: *//p')"
  fi
done
# The launcher runs before any loader: it must need none (no PT_INTERP, no dynamic section).
if [[ "$(readelf -lW "$launcher")" == *INTERP* || "$(readelf -lW "$launcher")" == *DYNAMIC* ]]; then
  die "$launcher is dynamically linked; it must be static (src/launcher/CMakeLists.txt)"
fi

# The programs, without symbols: they are useless in Lambda and weigh about a third of the binary.
"${tools}strip" --strip-all -o "$stage/bin/bootstrap" "$binary"
"${tools}strip" --strip-all -o "$stage/bootstrap" "$launcher"

# The closure: every DT_NEEDED, transitively, looked up in the multiarch directories the way the
# loader's default search finds them. Each library is stored under its soname (the name
# DT_NEEDED and dlopen ask for), dereferencing symlinks.
needed() { readelf -d "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; }
find_library() {
  local dir
  for dir in "${lib_dirs[@]}"; do
    [[ -e "$dir/$1" ]] && { echo "$dir/$1"; return; }
  done
  die "$1 (needed by $2) is in none of ${lib_dirs[*]}"
}
queue=("$binary")
for name in "${lazy_libraries[@]}"; do
  found="$(find_library "$name" "bin/bootstrap's dlopen")"
  cp -L "$found" "$stage/lib/$name"
  queue+=("$found")
done
while ((${#queue[@]})); do
  current="${queue[0]}"
  queue=("${queue[@]:1}")
  for name in $(needed "$current"); do
    [[ -e "$stage/lib/$name" ]] && continue
    found="$(find_library "$name" "${current##*/}")"
    cp -L "$found" "$stage/lib/$name"
    queue+=("$found")
  done
done
[[ -e "$stage/lib/$loader_name" ]] || die "$binary does not need the $arch loader $loader_name"
# Lazily loaded means not linked: were bin/bootstrap to link one, every cold start would load it.
linked=" $(needed "$binary" | tr '\n' ' ') "
for name in "${lazy_libraries[@]}"; do
  if [[ "$linked" == *" $name "* ]]; then
    die "$binary links $name, which must only be dlopen()ed (see lazy_libraries above)"
  fi
done

# Debian ships libraries mostly stripped, but --strip-unneeded still drops leftover symbol
# tables (the loader keeps a full one for valgrind). Dynamic symbols are kept, so linking works.
for lib in "$stage"/lib/*; do
  "${tools}strip" --strip-unneeded "$lib"
done

# Fixed modes and times so the zip does not depend on umask or build time. zip stores local
# DOS times, hence TZ=UTC for both touch and zip.
find "$stage" -type d -exec chmod 755 {} +
chmod 644 "$stage"/lib/*
chmod 755 "$stage/bootstrap" "$stage/bin/bootstrap" "$stage/lib/$loader_name"
find "$stage" -exec env TZ=UTC touch -h -d "$fixed_time" {} +

mkdir -p "$(dirname "$out_zip")"
rm -f "$out_zip"
# -X: no uid/gid or extended-timestamp fields; -D: no directory entries; sorted input order.
(cd "$stage" && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
  TZ=UTC zip -q -X -D -9 "$out_zip" -@)
printf '%s' "$arch" >"$out_zip.arch"

zip_bytes=$(stat -c %s "$out_zip")
unzipped_bytes=$(du -sb "$stage" | cut -f1)
libs=$(find "$stage/lib" -type f | wc -l)
echo "package-lambda: $out_zip ($arch) $zip_bytes bytes (unzipped $unzipped_bytes bytes, $libs libraries)" \
  "sha256 $(sha256sum "$out_zip" | cut -c1-16)"
if ((zip_bytes > max_zip_bytes)); then
  die "$out_zip is $zip_bytes bytes, over the $max_zip_bytes byte budget"
fi
