"""Packing a Spec into the "spec" boot module the root task reads.

The layout mirrors servers/root/spec_format.h (change both together):
header, objects (largest first: the order the root task retypes them),
caps, fills, threads, program names, strings.
"""
import struct

from cairn import spec as S

MAGIC = b"CAIRNSPC"
VERSION = 1
NONE = 0xFFFFFFFF
# servers/root/spec_format.h: SPEC_KERNEL_*
KERNEL = {"audit": 0xFFFFFFF0, "power": 0xFFFFFFF1, "uart_frame": 0xFFFFFFF2,
          "uart_irq": 0xFFFFFFF3}
HEADER = struct.Struct("<8s8I")
OBJECT = struct.Struct("<4I")
CAP = struct.Struct("<4IQIIQ")
FILL = struct.Struct("<IIQII")
THREAD = struct.Struct("<4I3Q2I")

class _Strings:
    def __init__(self):
        self.data, self.at = bytearray(), {}

    def __call__(self, s):
        if s not in self.at:
            self.at[s] = len(self.data)
            self.data += s.encode() + b"\0"
        return self.at[s]


def encode(spec):
    strings = _Strings()
    # Largest first keeps Untyped's alignment padding small; the name
    # breaks ties so the order (and the image) is reproducible.
    order = sorted(spec.objects, key=lambda n: (-S.object_bytes(*spec.objects[n]), n))
    index = {n: i for i, n in enumerate(order)}
    programs = sorted({t.program for t in spec.threads} |
                      {f.program for f in spec.fills})
    prog_index = {p: i for i, p in enumerate(programs)}
    out = bytearray()
    for n in order:
        t, bits = spec.objects[n]
        out += OBJECT.pack(S.OBJ[t], bits, strings(n), 0)
    for c in spec.caps:
        obj = index[c.object] if c.kernel is None else KERNEL[c.kernel]
        mapped = c.map_ipa is not None
        out += CAP.pack(index[f"cnode:{c.holder}"], c.slot, obj, c.rights,
                        c.badge, index[f"vspace:{c.holder}"] if mapped else NONE,
                        0, c.map_ipa if mapped else 0)
    for f in spec.fills:
        out += FILL.pack(index[f.frame], prog_index[f.program], f.file_offset,
                         f.frame_offset, f.length)
    for t in spec.threads:
        out += THREAD.pack(index[f"tcb:{t.name}"], index[f"cnode:{t.name}"],
                           index[f"vspace:{t.name}"], index[f"frame:{t.name}.ipc"],
                           S.IPC_BUFFER, t.entry, S.STACK_TOP, t.priority,
                           strings(t.name))
    for p in programs:
        out += struct.pack("<I", strings(p))
    header = HEADER.pack(MAGIC, VERSION, len(order), len(spec.caps),
                         len(spec.fills), len(spec.threads), len(programs),
                         len(strings.data), 0)
    return bytes(header + out + strings.data), programs


def decode_header(blob):
    """The header's counts, for tests and inspection."""
    magic, version, *counts = HEADER.unpack_from(blob)
    if magic != MAGIC or version != VERSION:
        raise ValueError("not a version-1 Cairn spec")
    keys = ("objects", "caps", "fills", "threads", "programs", "strings")
    return dict(zip(keys, counts))
