"""The Lambda architectures the package suite checks: one row each, named as Lambda (and the
zip's `.arch` file, written by scripts/package-lambda.sh) spells them. Also the libraries a
cold start must not load."""

import collections

Arch = collections.namedtuple("Arch", "name loader elf_machine qemu")

ARCHES = {
    # elf_machine: e_machine in the ELF header; qemu: the binfmt entry that runs it (None: native)
    "x86_64": Arch("x86_64", "ld-linux-x86-64.so.2", 62, None),
    "arm64": Arch("arm64", "ld-linux-aarch64.so.1", 183, "qemu-aarch64"),
}

# libheif and the codecs it links (Debian 12's libheif1): bundled for bin/bootstrap to dlopen()
# on its first HEIF or AVIF object (scripts/package-lambda.sh's lazy_libraries), never linked.
# Soname prefixes, so that a new soname version still counts.
HEIF_LIBRARIES = ("libheif.so", "libde265.so", "libdav1d.so", "libaom.so", "libx265.so")


def elf_machine(data):
    """e_machine of a little-endian ELF image (its first 20 bytes suffice)."""
    return int.from_bytes(data[18:20], "little")
