"""cairn.kview, the gdb extension's reader of kernel objects, against
synthetic memory laid out as a small made-up Layout says (the boot test
gdb_cairn_commands checks it against a live system)."""
import struct

import pytest

from cairn import kview as K


class FakeMemory(K.Memory):
    def __init__(self):
        self.bytes = {}

    def write(self, addr, data):
        for i, b in enumerate(data):
            self.bytes[addr + i] = b

    def put64(self, addr, v):
        self.write(addr, struct.pack("<Q", v))

    def read(self, addr, n):
        return bytes(self.bytes.get(addr + i, 0) for i in range(n))


# A made-up layout: a cap is 40 bytes, a slot 48, a TCB 256.
CAP = {"type": (0, 1), "size_bits": (1, 1), "guard_bits": (2, 1),
       "device": (3, 1), "rights": (4, 4), "object": (8, 8), "word": (16, 8),
       "mapped_vspace": (24, 8)}
L = K.Layout(
    tcb={"state": (0, 4), "priority": (4, 1), "vmid": (6, 2),
         "vspace_root": (8, 8), "cspace": (16, 40), "vspace": (64, 40),
         "ipc_buffer": (112, 40), "blocked_on": (160, 8), "name": (168, 16),
         "cpu_ticks": (184, 8), "ipc_calls": (192, 8), "all_next": (200, 8),
         "pc": (208, 8)},
    tcb_size=256, cte_size=48, cap=CAP,
    cpu={"current": (8, 8), "online": (16, 1), "mpidr": (24, 8),
         "index": (0, 8)},
    cpu_size=64, ncpus=2,
    boot_module={"name": (0, 8), "data": (8, 8), "size": (24, 8)},
    boot_module_size=32,
    boot_modules={"count": (0, 8), "module": (8, 32 * 4)},
    symbols={"all_head": 0x1000, "cpus": 0x2000, "id_key": 0x3000,
             "modules": 0x4000})


def cap_bytes(type_, obj, size_bits=0, guard_bits=0, rights=0xF, word=0,
              device=False):
    b = bytearray(40)
    b[0], b[1], b[2], b[3] = type_, size_bits, guard_bits, int(device)
    struct.pack_into("<IQQ", b, 4, rights, obj, word)
    return bytes(b)


def put_tcb(mem, addr, name, state=1, prio=100, vmid=2, root=0, cspace=None,
            nxt=0):
    mem.write(addr, struct.pack("<IB", state, prio))
    mem.write(addr + 6, struct.pack("<H", vmid))
    mem.put64(addr + 8, root)
    if cspace:
        mem.write(addr + 16, cspace)
    mem.write(addr + 64, cap_bytes(K.CAP_VSPACE, root, word=vmid))
    mem.write(addr + 168, name.encode())
    mem.put64(addr + 200, nxt)


def test_mix_is_splitmix64s_finaliser():
    # splitmix64 seeded with 0: its first output is the finaliser of the
    # golden-ratio increment (the published test vector).
    assert K._mix(0x9E3779B97F4A7C15) == 0xE220A8397B1DCDAF
    key = 0x1234567 | 1
    a = K.audit_object_id(key, 0x40001000, K.CAP_TCB, 0)
    assert a == K._mix(((0x40001000 ^ key) + (9 << 56)) & K.MASK64)
    assert a != K.audit_object_id(key, 0x40001000, K.CAP_ENDPOINT, 0)
    assert a != K.audit_object_id(key ^ 2, 0x40001000, K.CAP_TCB, 0)


def test_audit_words_and_names():
    ep = K.decode_cap(L, cap_bytes(K.CAP_ENDPOINT, 0x100, rights=6, word=0x11))
    cn = K.decode_cap(L, cap_bytes(K.CAP_CNODE, 0x200, size_bits=3,
                                   guard_bits=5, word=0b10110))
    fr = K.decode_cap(L, cap_bytes(K.CAP_FRAME, 0x300, size_bits=12,
                                   word=0x400000 | 3 | (3 << 8)))
    assert ep.audit_badge() == 0x11 and K.rights_str(ep.rights) == "-wg-"
    assert cn.audit_badge() == (0b10110 << 6) | 5
    assert cn.detail() == "radix 3 guard 0x16/5"
    assert fr.audit_badge() == 0  # a mapping is not identity
    assert fr.detail() == "4K mapped 0x400000 vmid 3 level 3"
    assert K.type_name(34) == "audit_control" and K.type_name(99) == "unknown"
    assert K.state_name(5) == "waiting" and K.map_rights(0xF) == "rwx"


def test_threads_in_list_order_with_their_cpus():
    mem = FakeMemory()
    put_tcb(mem, 0x10000, "root", state=0, prio=255, nxt=0x10100)
    put_tcb(mem, 0x10100, "console", state=3, prio=200, nxt=0x10200)
    put_tcb(mem, 0x10200, "echo", state=5, prio=50)
    mem.put64(0x1000, 0x10000)
    # cpu 0 idle, cpu 1 runs echo
    mem.write(0x2000 + 16, b"\1")
    mem.write(0x2000 + 64 + 16, b"\1")
    mem.put64(0x2000 + 64, 1)
    mem.put64(0x2000 + 64 + 8, 0x10200)
    ts = K.read_threads(mem, L)
    assert [(t.name, t.state_name, t.priority, t.cpu) for t in ts] == [
        ("root", "inactive", 255, None), ("console", "receiving", 200, None),
        ("echo", "waiting", 50, 1)]
    assert K.find_threads(ts, "echo")[0].addr == 0x10200
    assert K.find_threads(ts, "0x10100")[0].name == "console"
    assert K.find_threads(ts, "nobody") == []


def test_a_looping_tcb_list_is_an_error():
    mem = FakeMemory()
    put_tcb(mem, 0x10000, "a", nxt=0x10100)
    put_tcb(mem, 0x10100, "b", nxt=0x10000)
    mem.put64(0x1000, 0x10000)
    with pytest.raises(K.KviewError, match="loops"):
        K.read_threads(mem, L)


def test_cspace_walk_addresses_slots_as_the_audit_does():
    mem = FakeMemory()
    root, inner, deep = 0x20000, 0x30000, 0x38000
    # root: radix 4, no guard; inner: radix 2 behind the 2-bit guard 01, with a
    # cap back to root (a cycle: root's slots are reported once); deep:
    # radix 2 behind a 58-bit guard, which resolves the rest of 64 bits.
    mem.write(root + 1 * 48, cap_bytes(K.CAP_ENDPOINT, 0x500, rights=3,
                                       word=7))
    mem.write(root + 2 * 48, cap_bytes(K.CAP_CNODE, inner, size_bits=2,
                                       guard_bits=2, word=0b01))
    mem.write(root + 4 * 48, cap_bytes(K.CAP_CNODE, deep, size_bits=2,
                                       guard_bits=58))
    mem.write(inner + 1 * 48, cap_bytes(K.CAP_CNODE, root, size_bits=4))
    mem.write(inner + 3 * 48, cap_bytes(K.CAP_NOTIFICATION, 0x600, word=1))
    mem.write(deep, cap_bytes(K.CAP_REPLY, 0x700))
    rootcap = K.decode_cap(L, cap_bytes(K.CAP_CNODE, root, size_bits=4))
    got = [(e.cptr, e.depth, K.type_name(e.cap.type), e.slot_addr)
           for e in K.walk_cspace(mem, L, rootcap)]
    assert got == [
        (1, 4, "endpoint", root + 48),
        (2, 4, "cnode", root + 96),
        (0b0010_01_01, 8, "cnode", inner + 48),
        (0b0010_01_11, 8, "notification", inner + 144),
        (4, 4, "cnode", root + 192),
        (4 << 60, 64, "reply", deep),
    ]


def test_cspace_walk_skips_what_a_cptr_cannot_reach():
    mem = FakeMemory()
    root = 0x20000
    # radix 3 with a 61-bit guard resolves all 64 bits: the CNode in
    # slot 1 cannot be entered, as in the audit.
    mem.write(root + 48, cap_bytes(K.CAP_CNODE, 0x40000, size_bits=1))
    mem.write(0x40000, cap_bytes(K.CAP_ENDPOINT, 0x500))
    rootcap = K.decode_cap(L, cap_bytes(K.CAP_CNODE, root, size_bits=3,
                                        guard_bits=61))
    assert [e.cptr for e in K.walk_cspace(mem, L, rootcap)] == [1]
    null = K.decode_cap(L, bytes(40))
    assert K.walk_cspace(mem, L, null) == []


def build_s2(mem):
    l1, l2, l3 = 0x100000, 0x101000, 0x102000
    mem.put64(l1 + 0 * 8, l2 | 3)                 # IPA 0: a level-2 table
    mem.put64(l2 + 2 * 8, l3 | 3)                 # 4 MiB: a level-3 table
    normal_rx = (0xF << 2) | (1 << 6) | (1 << 10) | 3
    normal_rw = (0xF << 2) | (1 << 6) | (1 << 7) | (1 << 54) | (1 << 10) | 3
    mem.put64(l3 + 0 * 8, 0x50000000 | normal_rx)
    mem.put64(l3 + 1 * 8, 0x50001000 | normal_rx)
    mem.put64(l3 + 5 * 8, 0x50009000 | normal_rw)
    mem.put64(l3 + 6 * 8, 0x5000A000 | (0x5 << 2) | (1 << 6) | (1 << 7)
              | (1 << 54) | 3)
    # a 2 MiB device block at 8 MiB (level 2, not a table)
    mem.put64(l2 + 4 * 8, 0x09000000 | (0x1 << 2) | (1 << 6) | (1 << 7)
              | (1 << 54) | 1)
    # level 3 with bit 1 clear is reserved: not a mapping
    mem.put64(l3 + 9 * 8, 0x5000F000 | 1)
    return l1


def test_stage2_walk_translate_and_ranges():
    mem = FakeMemory()
    root = build_s2(mem)
    es = K.walk_s2(mem, root)
    got = [(e.kind, e.level, e.ipa, e.pa, K.size_str(e.size),
            K.map_rights(e.rights), e.memory) for e in es]
    assert got == [
        ("table", 2, 0, 0x101000, "1G", "---", ""),
        ("table", 3, 0x400000, 0x102000, "2M", "---", ""),
        ("page", 3, 0x400000, 0x50000000, "4K", "r-x", "normal"),
        ("page", 3, 0x401000, 0x50001000, "4K", "r-x", "normal"),
        ("page", 3, 0x405000, 0x50009000, "4K", "rw-", "normal"),
        ("page", 3, 0x406000, 0x5000A000, "4K", "rw-", "uncached"),
        ("page", 2, 0x800000, 0x09000000, "2M", "rw-", "device"),
    ]
    leaves = [e for e in es if e.kind == "page"]
    assert [(f.ipa, size) for f, size in K.ranges(leaves)] == [
        (0x400000, 0x2000), (0x405000, 0x1000), (0x406000, 0x1000),
        (0x800000, 0x200000)]
    assert K.translate(mem, root, 0x401234) == (0x50001234, K.RIGHT_R | K.RIGHT_X)
    assert K.translate(mem, root, 0x812345)[0] == 0x09012345
    assert K.translate(mem, root, 0x402000) is None
    assert K.translate(mem, root, 0x409000) is None  # reserved encoding
    key = 5
    assert leaves[0].object_id(key) == K.audit_object_id(key, 0x50000000,
                                                         K.CAP_FRAME, 12)
    assert leaves[-1].object_id(key) == K.audit_object_id(key, 0x09000000,
                                                          K.CAP_FRAME, 21)
    assert es[0].object_id(key) == K.audit_object_id(key, 0x101000,
                                                     K.CAP_PAGE_TABLE, 0)


def elf(text, vaddr=0x400000):
    """A minimal ELF: header, one R+X PT_LOAD at file offset 0x1000."""
    h = bytearray(0x1000)
    h[:6] = b"\x7fELF\x02\x01"
    struct.pack_into("<Q", h, 0x20, 64)           # e_phoff
    struct.pack_into("<HH", h, 0x36, 56, 1)      # e_phentsize, e_phnum
    struct.pack_into("<IIQQQQ", h, 64, 1, 5, 0x1000, vaddr, vaddr, len(text))
    return bytes(h) + text


def test_the_program_a_vspace_runs():
    mem = FakeMemory()
    root = build_s2(mem)
    # the VSpace maps 0x400000-0x402000 from 0x50000000
    a = elf(b"A" * 64 + b"x" * 4032 + b"A2" * 32)
    b = elf(b"A" * 64 + b"x" * 4032 + b"B2" * 32)  # same first page
    mem.write(0x60000000, a)
    mem.write(0x60100000, b)
    mem.write(0x50000000, b[0x1000:0x2000])
    mem.write(0x50001000, b[0x2000:])
    for i, (name, data, size) in enumerate((("kernel.syms", 0x61000000, 64),
                                            ("a", 0x60000000, len(a)),
                                            ("b", 0x60100000, len(b)))):
        mem.write(0x5000 + 16 * i, name.encode() + b"\0")
        at = 0x4000 + 8 + 32 * i
        mem.put64(at, 0x5000 + 16 * i)
        mem.put64(at + 8, data)
        mem.put64(at + 24, size)
    mem.put64(0x4000, 3)
    mods = K.read_modules(mem, L)
    assert [m.name for m in mods] == ["kernel.syms", "a", "b"]
    assert K.elf_segments(a[:0x1000])[0].vaddr == 0x400000
    assert K.elf_segments(b"not an elf" * 10) is None
    assert K.program_of(mem, root, mods).name == "b"
    mem.write(0x50001000, b"C")  # now neither matches
    assert K.program_of(mem, root, mods) is None


def test_table_aligns_columns():
    assert K.table([(1, "ab"), (22, "c")], ("N", "X")) == \
        "N   X\n1   ab\n22  c"
