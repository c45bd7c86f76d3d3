#!/usr/bin/python3
"""mkraw.py IMAGE RAW: the raw form of the test guest's arm64 Image.

The same bytes with the 64-byte Image header cleared after its first
instruction (code0, a branch over the header), so no loader recognises it
as an Image: it is loaded as a plain binary (QEMU -kernel: at RAM base +
0x80000) and entered at its first byte. Keeping the header's space keeps
every offset, and so the page alignment the guest relies on, unchanged.
"""
import sys
from pathlib import Path

HEADER = 64
MAGIC_AT = 56


def main(image, raw):
    data = bytearray(Path(image).read_bytes())
    if len(data) < HEADER or data[MAGIC_AT:MAGIC_AT + 4] != b"ARM\x64":
        sys.exit(f"mkraw.py: {image} is not an arm64 Image")
    data[4:HEADER] = bytes(HEADER - 4)
    Path(raw).write_bytes(bytes(data))


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: mkraw.py IMAGE RAW")
    main(sys.argv[1], sys.argv[2])
