#!/usr/bin/env bash
# Installs what imgpipe needs on a fresh Debian 12 (as root), skipping what is already there.
#   scripts/setup.sh          build + test + demo dependencies, and the arm64 cross-build and
#                             qemu-user that `make package` and its tests need
#   scripts/setup.sh bench    also the benchmark peers (libvips, Pillow, ImageMagick, sharp, gnuplot)
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(
  # toolchain
  build-essential cmake pkg-config clang clang-format clang-tidy libclang-rt-14-dev zip unzip time
  # codecs
  libjpeg62-turbo-dev libspng-dev libwebp-dev libgif-dev liblcms2-dev libheif-dev
  # HEIF/AVIF and colour samples and reference conversions for the tests
  libheif-examples libavif-bin colord-data liblcms2-utils
  # network and parsing
  libssl-dev nlohmann-json3-dev libcli11-dev
  # the TLS package test makes a throwaway CA with the openssl command
  openssl
  # tests
  libgtest-dev libgmock-dev googletest python3 python3-pil python3-boto3 awscli busybox-static
  # sample photographs (real photos shipped by Debian); the plasma wallpapers add the fine
  # textures (foliage, water) the shrink-on-load parity test needs
  mate-backgrounds plasma-workspace-wallpapers
  # the bench corpus's photos (bench/make_corpus.py), which the shrink-on-load parity test
  # builds too
  lomiri-wallpapers-16.04 lomiri-wallpapers-20.04
  # arm64 Lambda zip: Debian's cross toolchain, the arm64 multiarch -dev packages the bootstrap
  # links (GTest only because the configure step finds it), and qemu-user to run it in tests
  crossbuild-essential-arm64 qemu-user-static binfmt-support
  libjpeg62-turbo-dev:arm64 libspng-dev:arm64 libwebp-dev:arm64 libgif-dev:arm64
  liblcms2-dev:arm64 libheif-dev:arm64 libssl-dev:arm64 libgtest-dev:arm64 libgmock-dev:arm64
)
if [[ "${1:-}" == "bench" ]]; then
  packages+=(libbenchmark-dev libvips-dev libvips-tools imagemagick gnuplot-nox
             hyperfine)
fi

missing=()
# Node may come from elsewhere than Debian (it bundles npm); only install Debian's when absent.
command -v npm >/dev/null || packages+=(nodejs npm)
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The :arm64 packages need arm64 in dpkg's architectures (and then fresh package lists).
add_arm64=0
dpkg --print-foreign-architectures | grep -qx arm64 || add_arm64=1
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  if [[ $(id -u) -ne 0 ]]; then
    echo "setup: need root to apt-get install: ${missing[*]}" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  if ((add_arm64)); then
    dpkg --add-architecture arm64
  fi
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages are pinned in local/package-lock.json (s3rver, the local S3 server).
# A symlinked node_modules is shared with another checkout: `npm ci` would empty its target.
if [[ -L local/node_modules ]]; then
  [[ -d local/node_modules/@20minutes/s3rver ]] ||
    echo "setup: local/node_modules is a symlink without s3rver; run npm ci where it points" >&2
elif [[ ! -d local/node_modules/@20minutes/s3rver || local/package-lock.json -nt local/node_modules/.package-lock.json ]]; then
  (cd local && npm ci --no-audit --no-fund)
fi
if [[ "${1:-}" == "bench" && ! -d bench/node_modules/sharp ]]; then
  (cd bench && npm ci --no-audit --no-fund)
fi
