"""The Lambda architectures the package suite checks: one row each, named as Lambda (and the
zip's `.arch` file, written by scripts/package-lambda.sh) spells them."""

import collections

Arch = collections.namedtuple("Arch", "name loader elf_machine qemu")

ARCHES = {
    # elf_machine: e_machine in the ELF header; qemu: the binfmt entry that runs it (None: native)
    "x86_64": Arch("x86_64", "ld-linux-x86-64.so.2", 62, None),
    "arm64": Arch("arm64", "ld-linux-aarch64.so.1", 183, "qemu-aarch64"),
}


def elf_machine(data):
    """e_machine of a little-endian ELF image (its first 20 bytes suffice)."""
    return int.from_bytes(data[18:20], "little")
