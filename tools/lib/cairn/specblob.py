"""Packing a Spec into the "spec" boot module the root task reads.

The layout mirrors servers/root/spec_format.h (change both together):
header, objects (largest first: the order the root task retypes them),
caps, fills, threads, program names, strings.
"""
import struct

from cairn import spec as S
from cairn.record import Record

MAGIC = b"CAIRNSPC"
VERSION = 2
NONE = 0xFFFFFFFF
# servers/root/spec_format.h: SPEC_KERNEL_*
KERNEL = {"audit": 0xFFFFFFF0, "power": 0xFFFFFFF1, "uart_frame": 0xFFFFFFF2,
          "uart_irq": 0xFFFFFFF3, "sid_control": 0xFFFFFFF4,
          "ecam": 0xFFFFFFF5, "bar": 0xFFFFFF00}
# A "runtime" cap is made by a component (the IOMMU server's StreamIDs),
# not by the root task: it is in the expected audit set, not in the spec.
RUNTIME = "runtime"
# The records, field for field as struct spec_header, spec_object, ...
HEADER = Record(("magic", "8s"), ("version", "I"), ("object_count", "I"),
                ("cap_count", "I"), ("fill_count", "I"),
                ("thread_count", "I"), ("program_count", "I"),
                ("strings_size", "I"), ("pad", "I"))
OBJECT = Record(("type", "I"), ("size_bits", "I"), ("name", "I"),
                ("pad", "I"))
CAP = Record(("holder", "I"), ("slot", "I"), ("object", "I"),
             ("rights", "I"), ("badge", "Q"), ("vspace", "I"), ("pad", "I"),
             ("ipa", "Q"))
FILL = Record(("frame", "I"), ("program", "I"), ("file_offset", "Q"),
              ("frame_offset", "I"), ("length", "I"))
THREAD = Record(("tcb", "I"), ("cnode", "I"), ("vspace", "I"),
                ("ipc_frame", "I"), ("ipc_ipa", "Q"), ("entry", "Q"),
                ("stack_top", "Q"), ("priority", "I"), ("name", "I"),
                ("vcpu", "I"), ("flags", "I"), ("fault_ep", "Q"))
THREAD_START = 1  # servers/root/spec_format.h: SPEC_THREAD_START
PROGRAM = struct.Struct("<I")  # a program's name: a uint32 string offset

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
    programs = sorted({t.program for t in spec.threads if t.program} |
                      {f.program for f in spec.fills})
    prog_index = {p: i for i, p in enumerate(programs)}
    out = bytearray()
    for n in order:
        t, bits = spec.objects[n]
        out += OBJECT.pack(type=S.OBJ[t], size_bits=bits, name=strings(n))
    placed = [c for c in spec.caps if c.kernel != RUNTIME]
    for c in placed:
        obj = index[c.object] if c.kernel is None else KERNEL[c.kernel]
        if c.kernel == "bar":  # the k-th frame_2m:pcie.barK
            obj += int(c.object.rpartition("bar")[2])
        mapped = c.map_ipa is not None
        out += CAP.pack(holder=index[f"cnode:{c.holder}"], slot=c.slot,
                        object=obj, rights=c.rights, badge=c.badge,
                        vspace=index[c.map_vspace or f"vspace:{c.holder}"]
                        if mapped else NONE,
                        ipa=c.map_ipa if mapped else 0)
    for f in spec.fills:
        out += FILL.pack(frame=index[f.frame], program=prog_index[f.program],
                         file_offset=f.file_offset,
                         frame_offset=f.frame_offset, length=f.length)
    for t in spec.threads:
        guest = t.vcpu is not None
        out += THREAD.pack(tcb=index[f"tcb:{t.name}"],
                           cnode=index[f"cnode:{t.name}"],
                           vspace=index[t.vspace_object],
                           ipc_frame=NONE if guest
                           else index[f"frame:{t.name}.ipc"],
                           ipc_ipa=0 if guest else S.IPC_BUFFER,
                           entry=t.entry,
                           stack_top=0 if guest else S.STACK_TOP,
                           priority=t.priority, name=strings(t.name),
                           vcpu=index[t.vcpu] if guest else NONE,
                           flags=0 if guest else THREAD_START,
                           fault_ep=t.fault_ep)
    for p in programs:
        out += PROGRAM.pack(strings(p))
    header = HEADER.pack(magic=MAGIC, version=VERSION, object_count=len(order),
                         cap_count=len(placed), fill_count=len(spec.fills),
                         thread_count=len(spec.threads),
                         program_count=len(programs),
                         strings_size=len(strings.data))
    return bytes(header + out + strings.data), programs


def decode_header(blob):
    """The header's counts, for tests and inspection."""
    magic, version, *counts, _pad = HEADER.unpack_from(blob)
    if magic != MAGIC or version != VERSION:
        raise ValueError(f"not a version-{VERSION} Cairn spec")
    keys = ("objects", "caps", "fills", "threads", "programs", "strings")
    return dict(zip(keys, counts))
