"""Little-endian records laid out like the C structs they mirror
(servers/root/spec_format.h, kernel/src/boot/bootimage.h, kernel/src/ksyms.h).

A Record is a struct.Struct that knows its fields' names, in the C
declaration order, and packs them by name: tools/tests/test_abi.py checks
the names, offsets and sizes against the C compiler's, so a field moved in
C cannot be packed into its neighbour's place.
"""
import struct

PADDING = ("pad", "reserved")  # packed as 0 unless given


class Record:
    def __init__(self, *fields):
        """fields: (name, struct format code), in C declaration order."""
        self.fields = tuple(name for name, _ in fields)
        self.codes = tuple(code for _, code in fields)
        self.struct = struct.Struct("<" + "".join(self.codes))
        self.size = self.struct.size

    def pack(self, **values):
        unknown = sorted(set(values) - set(self.fields))
        missing = [f for f in self.fields
                   if f not in values and f not in PADDING]
        if unknown or missing:
            raise TypeError(f"record {self.fields}: unknown fields {unknown}, "
                            f"missing {missing}")
        return self.struct.pack(*(values.get(f, 0) for f in self.fields))

    def unpack_from(self, buffer, offset=0):
        return self.struct.unpack_from(buffer, offset)
