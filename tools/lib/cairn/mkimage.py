"""Packs the kernel and boot modules into one bootable cairn.img.

Layout (mirrors kernel/src/boot/bootimage.h and ksyms.h; change them together):
  kernel flat binary, padded to the image_size its arm64 header gives (which
  covers BSS), then at that 4 KiB boundary the module table
    { char magic[8] = "CAIRNIMG"; u32 version = 1; u32 count;
      count x { char name[32]; u64 offset; u64 size; } }
  then each module at a 4 KiB boundary. The header's image_size is rewritten
  to the total, so a loader reserves room for the modules too.
"""
import os
import struct
import subprocess
import tempfile

from cairn.record import Record

PAGE = 4096
ARM64_MAGIC_OFFSET = 56
IMAGE_SIZE_OFFSET = 16
TABLE_MAGIC = b"CAIRNIMG"
TABLE_VERSION = 1
NAME_LEN = 32
MAX_MODULES = 24
SYMS_MAGIC = b"CAIRNSYM"
# Field for field as struct bootimage_table, bootimage_entry (bootimage.h),
# ksyms_header and ksym (ksyms.h).
TABLE = Record(("magic", "8s"), ("version", "I"), ("count", "I"))
ENTRY = Record(("name", f"{NAME_LEN}s"), ("offset", "Q"), ("size", "Q"))
SYMS_HEADER = Record(("magic", "8s"), ("count", "I"), ("strtab_size", "I"))
SYM = Record(("addr", "Q"), ("name_offset", "I"), ("reserved", "I"))


class ImageError(Exception):
    pass


def align(n, a=PAGE):
    return (n + a - 1) // a * a


def kernel_binary(objcopy, kernel_elf):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "kernel.bin")
        subprocess.run([objcopy, "-O", "binary", kernel_elf, out], check=True)
        with open(out, "rb") as f:
            return f.read()


def symbol_table(nm, kernel_elf):
    """The kernel's text symbols as a kernel.syms blob (see ksyms.h)."""
    out = subprocess.run([nm, "-n", "--defined-only", kernel_elf], check=True,
                         capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "TtWw" and not parts[2].startswith("$"):
            syms.append((int(parts[0], 16), parts[2]))
    return encode_symbols(syms)


def encode_symbols(syms):
    syms = sorted(syms)
    strtab = bytearray()
    entries = bytearray()
    for addr, name in syms:
        entries += SYM.pack(addr=addr, name_offset=len(strtab))
        strtab += name.encode() + b"\0"
    if not strtab:
        strtab = bytearray(b"\0")
    header = SYMS_HEADER.pack(magic=SYMS_MAGIC, count=len(syms),
                              strtab_size=len(strtab))
    return header + entries + strtab


def pack(kernel_bin, modules):
    """kernel_bin: bytes; modules: list of (name, bytes). Returns the image."""
    if kernel_bin[ARM64_MAGIC_OFFSET:ARM64_MAGIC_OFFSET + 4] != b"ARM\x64":
        raise ImageError("kernel binary has no arm64 Image header")
    if len(modules) > MAX_MODULES:
        raise ImageError(f"{len(modules)} modules: at most {MAX_MODULES} fit")
    (image_size,) = struct.unpack_from("<Q", kernel_bin, IMAGE_SIZE_OFFSET)
    if image_size < len(kernel_bin) or image_size % PAGE:
        raise ImageError(f"kernel header image_size {image_size:#x} is not a "
                         f"page-aligned size covering the {len(kernel_bin)}-byte binary")
    table_off = image_size
    table_len = TABLE.size + len(modules) * ENTRY.size
    offset = align(table_off + table_len)
    entries = bytearray()
    body = bytearray()
    for name, data in modules:
        raw = name.encode()
        if not raw or len(raw) >= NAME_LEN:
            raise ImageError(f"module name {name!r}: 1 to {NAME_LEN - 1} bytes")
        entries += ENTRY.pack(name=raw, offset=offset, size=len(data))
        body += bytes(offset - (table_off + table_len) - len(body)) + data
        offset = align(offset + len(data))
    table = TABLE.pack(magic=TABLE_MAGIC, version=TABLE_VERSION,
                       count=len(modules)) + entries
    image = bytearray(kernel_bin) + bytes(table_off - len(kernel_bin)) + table + body
    image += bytes(align(len(image)) - len(image))
    struct.pack_into("<Q", image, IMAGE_SIZE_OFFSET, len(image))
    return bytes(image)


def unpack(image):
    """Inverse of pack() for tests and inspection: {name: bytes}."""
    (size,) = struct.unpack_from("<Q", image, IMAGE_SIZE_OFFSET)
    if size != len(image):
        raise ImageError(f"header image_size {size} != file size {len(image)}")
    for table_off in range(PAGE, len(image), PAGE):
        if image[table_off:table_off + 8] == TABLE_MAGIC:
            break
    else:
        raise ImageError("no module table")
    _, _, count = TABLE.unpack_from(image, table_off)
    mods = {}
    for i in range(count):
        raw, off, length = ENTRY.unpack_from(
            image, table_off + TABLE.size + i * ENTRY.size)
        mods[raw.rstrip(b"\0").decode()] = image[off:off + length]
    return mods
