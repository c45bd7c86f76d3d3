"""Cairn's kernel objects read out of a stopped machine's memory.

The gdb extension (tools/gdb/cairn.py) supplies two things: a Layout of the
kernel's structures taken from the kernel ELF's DWARF, and a reader of
physical memory (the kernel maps RAM 1:1 at EL2, so a kernel pointer is a
physical address). Everything else is here, in plain Python, so the host
tests can drive it with synthetic memory (tools/tests/test_kview.py):

  - the list of every TCB (the kernel's all_head/all_next list) and which
    CPU each one is current on (cpus[i].current);
  - a thread's CSpace walked exactly as the live audit walks it
    (kernel/src/objects/audit.c: depth first, slot order, each CNode once
    per holder, cptrs of at most 64 bits), with the audit's object ids
    (audit_object_id: a keyed hash of the object's address, type and size)
    and badge words, so the listing can be compared with `caps NAME`;
  - a VSpace's stage-2 tables (kernel/arch/aarch64/s2.c, arch/pte.h:
    4 KiB granule, 39-bit IPA, walks from level 1);
  - the boot modules (kernel/src/boot/bootimage.h), and which module's ELF
    a thread runs: the one whose executable segments its VSpace maps, byte
    for byte.
"""
import struct
from dataclasses import dataclass

MASK64 = (1 << 64) - 1
PAGE = 4096
PTE_ENTRIES = 512
S2_LEVEL_FIRST, S2_LEVEL_LAST = 1, 3
AUDIT_MAX_CNODES = 256  # kernel/src/objects/audit.c: per holder
TCB_NAME_LEN = 16

# enum thread_state, named as the console's `ps` names them.
STATES = ("inactive", "runnable", "sending", "receiving", "replying",
          "waiting")
# enum cap_type, named as cairn_object_type_name() (libs/cairn) names them.
TYPES = {1: "untyped", 2: "cnode", 3: "endpoint", 4: "notification",
         5: "frame", 6: "frame_2m", 7: "vspace", 8: "page_table", 9: "tcb", 10: "reply",
         11: "vcpu", 12: "iospace", 13: "io_page_table",
         32: "irq_control", 33: "irq_handler", 34: "audit_control",
         35: "power_control", 36: "sid_control", 37: "stream_id"}
CAP_CNODE, CAP_ENDPOINT, CAP_NOTIFICATION, CAP_FRAME = 2, 3, 4, 5
CAP_VSPACE, CAP_PAGE_TABLE, CAP_TCB, CAP_REPLY = 7, 8, 9, 10
CAP_IOSPACE, CAP_IO_PAGE_TABLE = 12, 13
MAPPING_IO = 1 << 10  # cap.h: a mapping record of an IOSpace
CAP_UNTYPED, CAP_IRQ_HANDLER = 1, 33
RIGHT_R, RIGHT_W, RIGHT_G, RIGHT_X = 1, 2, 4, 8

# Stage-2 descriptor fields (arch/pte.h, s2.c).
PTE_VALID, PTE_TABLE = 1 << 0, 1 << 1
PTE_ADDR = 0x0000FFFFFFFFF000
PTE_MEMATTR = 0xF << 2
PTE_MEMATTR_NORMAL_WB, PTE_MEMATTR_DEVICE = 0xF << 2, 0x1 << 2
PTE_MEMATTR_NORMAL_NC = 0x5 << 2
PTE_S2AP_R, PTE_S2AP_W = 1 << 6, 1 << 7
PTE_XN = 1 << 54


class KviewError(Exception):
    """Something in memory is not what the kernel would have left there."""


# ---- layout and memory -----------------------------------------------------

@dataclass
class Layout:
    """Where the fields are: name -> (byte offset, size) per structure, the
    structure sizes, and the addresses of the kernel's globals. Field names
    are C paths: "vspace_root" stands for vspace_root.pa, "vmid" for
    vmid.id, "word" for the cap's badge/guard/... union."""
    tcb: dict
    tcb_size: int
    cte_size: int
    cap: dict
    cpu: dict
    cpu_size: int
    ncpus: int
    boot_module: dict
    boot_module_size: int
    boot_modules: dict  # count, module (the array)
    symbols: dict       # all_head, cpus, id_key, modules -> address


class Memory:
    """Physical memory; read(addr, n) -> bytes is all a backend provides."""

    def read(self, addr, n):
        raise NotImplementedError

    def uint(self, addr, size):
        return int.from_bytes(self.read(addr, size), "little")

    def u64(self, addr):
        return self.uint(addr, 8)


def _get(buf, fields, name, base=0):
    off, size = fields[name]
    return int.from_bytes(buf[base + off:base + off + size], "little")


def _cstr(raw):
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


# ---- the audit's vocabulary --------------------------------------------------

def _mix(x):
    """splitmix64's finaliser, as audit.c's mix()."""
    x ^= x >> 30
    x = (x * 0xBF58476D1CE4E5B9) & MASK64
    x ^= x >> 27
    x = (x * 0x94D049BB133111EB) & MASK64
    return x ^ (x >> 31)


def audit_object_id(key, obj, type_, size_bits):
    """The id the live audit gives the object a cap of this type names."""
    return _mix(((obj ^ key) + (type_ << 56) + size_bits) & MASK64)


def guard_word(guard, bits):
    return ((guard << 6) | (bits & 0x3F)) & MASK64


def rights_str(rights):
    return "".join(c if rights & b else "-"
                   for c, b in (("r", RIGHT_R), ("w", RIGHT_W),
                                ("g", RIGHT_G), ("x", RIGHT_X)))


def map_rights(rights):
    """A mapping's rights as rwx (grant means nothing there)."""
    return "".join(c if rights & b else "-"
                   for c, b in (("r", RIGHT_R), ("w", RIGHT_W), ("x", RIGHT_X)))


def type_name(t):
    return TYPES.get(t, "unknown")


def state_name(s):
    return STATES[s] if 0 <= s < len(STATES) else f"?{s}"


# ---- caps and slots ------------------------------------------------------------

@dataclass
class Cap:
    type: int
    size_bits: int
    guard_bits: int
    device: bool
    rights: int
    object: int
    word: int           # badge, guard, watermark, vmid or mapping
    mapped_vspace: int  # or an Untyped's clean mark

    @property
    def null(self):
        return self.type == 0

    def audit_badge(self):
        """audit.c's audit_badge(): identity only."""
        if self.type in (CAP_ENDPOINT, CAP_NOTIFICATION):
            return self.word
        if self.type == CAP_CNODE:
            return guard_word(self.word, self.guard_bits)
        return 0

    def object_id(self, key):
        return audit_object_id(key, self.object, self.type, self.size_bits)

    def detail(self):
        """What the audit leaves out: size, guard, mapping, INTID."""
        t = self.type
        if t == CAP_CNODE:
            return (f"radix {self.size_bits} guard {self.word:#x}/"
                    f"{self.guard_bits}")
        if t == CAP_UNTYPED:
            return (f"2^{self.size_bits} used {self.word:#x}"
                    + (" device" if self.device else ""))
        if t in (CAP_FRAME, CAP_PAGE_TABLE, CAP_IO_PAGE_TABLE):
            size = (size_str(1 << self.size_bits) + " "
                    if t == CAP_FRAME else "")
            dev = "device " if self.device else ""
            if self.word == 0:
                return f"{size}{dev}unmapped"
            io = "IOSpace " if self.word & MAPPING_IO else ""
            return (f"{size}{dev}mapped {io}{self.word & ~0xFFF:#x} vmid "
                    f"{self.word & 0xFF} level {(self.word >> 8) & 3}")
        if t in (CAP_VSPACE, CAP_IOSPACE):
            return f"vmid {self.word}"
        if t == CAP_IRQ_HANDLER:
            return f"intid {self.object}"
        return ""


def decode_cap(L, buf, base=0):
    g = lambda n: _get(buf, L.cap, n, base)  # noqa: E731
    return Cap(type=g("type"), size_bits=g("size_bits"),
               guard_bits=g("guard_bits"), device=bool(g("device")),
               rights=g("rights"), object=g("object"), word=g("word"),
               mapped_vspace=g("mapped_vspace"))


# ---- threads and CPUs ---------------------------------------------------------

@dataclass
class Thread:
    addr: int
    name: str
    state: int
    priority: int
    vmid: int
    vspace_root: int
    cspace: Cap
    vspace: Cap
    ipc_buffer: Cap
    blocked_on: int
    cpu_ticks: int
    ipc_calls: int
    pc: int
    cpu: object = None  # the CPU it is current on, or None
    vcpu: object = None  # the VCPU cap it holds (a guest), if the layout has one

    @property
    def state_name(self):
        return state_name(self.state)


def read_thread(mem, L, addr):
    buf = mem.read(addr, L.tcb_size)
    g = lambda n: _get(buf, L.tcb, n)  # noqa: E731
    name_off, name_len = L.tcb["name"]
    return Thread(addr=addr, name=_cstr(buf[name_off:name_off + name_len]),
                  state=g("state"), priority=g("priority"), vmid=g("vmid"),
                  vspace_root=g("vspace_root"),
                  cspace=decode_cap(L, buf, L.tcb["cspace"][0]),
                  vspace=decode_cap(L, buf, L.tcb["vspace"][0]),
                  ipc_buffer=decode_cap(L, buf, L.tcb["ipc_buffer"][0]),
                  blocked_on=g("blocked_on"), cpu_ticks=g("cpu_ticks"),
                  ipc_calls=g("ipc_calls"), pc=g("pc"),
                  vcpu=(decode_cap(L, buf, L.tcb["vcpu"][0])
                        if "vcpu" in L.tcb else None))


@dataclass
class Cpu:
    index: int
    addr: int
    current: int  # TCB address or 0
    online: bool
    mpidr: int


def read_cpus(mem, L):
    base = L.symbols["cpus"]
    buf = mem.read(base, L.cpu_size * L.ncpus)
    out = []
    for i in range(L.ncpus):
        g = lambda n: _get(buf, L.cpu, n, i * L.cpu_size)  # noqa: E731
        out.append(Cpu(index=i, addr=base + i * L.cpu_size,
                       current=g("current"), online=bool(g("online")),
                       mpidr=g("mpidr")))
    return out


def read_threads(mem, L, limit=65536):
    """Every live TCB, in creation order, with the CPU it is current on."""
    current = {c.current: c.index for c in read_cpus(mem, L)
               if c.online and c.current}
    threads, seen = [], set()
    addr = mem.u64(L.symbols["all_head"])
    while addr:
        if addr in seen or len(threads) == limit:
            raise KviewError(f"the list of TCBs loops at {addr:#x}")
        seen.add(addr)
        t = read_thread(mem, L, addr)
        t.cpu = current.get(addr)
        threads.append(t)
        addr = mem.u64(addr + L.tcb["all_next"][0])
    return threads


def audit_key(mem, L):
    """The audit's per-boot key; 0 until the first audit made it."""
    return mem.u64(L.symbols["id_key"])


def find_threads(threads, name):
    """The threads a user's NAME means: by name, or a TCB address."""
    found = [t for t in threads if t.name == name]
    if not found:
        try:
            addr = int(name, 0)
        except ValueError:
            return []
        found = [t for t in threads if t.addr == addr]
    return found


# ---- CSpaces ----------------------------------------------------------------------

@dataclass
class CapEntry:
    cptr: int
    depth: int
    cap: Cap
    slot_addr: int


def walk_cspace(mem, L, root):
    """The non-empty slots reachable from the CNode cap root, in the audit's
    order, with the audit's addressing (audit.c's visit())."""
    entries, visited = [], []

    def visit(cn, cptr, depth):
        level = cn.guard_bits + cn.size_bits
        if depth + level > 64 or len(visited) == AUDIT_MAX_CNODES:
            return
        if cn.object in visited:
            return
        visited.append(cn.object)
        n = 1 << cn.size_bits
        buf = mem.read(cn.object, n * L.cte_size)
        for i in range(n):
            c = decode_cap(L, buf, i * L.cte_size)
            if c.null:
                continue
            addr = ((((cptr << cn.guard_bits) | cn.word) << cn.size_bits)
                    | i) & MASK64
            entries.append(CapEntry(addr, depth + level, c,
                                    cn.object + i * L.cte_size))
            if c.type == CAP_CNODE:
                visit(c, addr, depth + level)

    if root.type == CAP_CNODE:
        visit(root, 0, 0)
    return entries


# ---- stage 2 ----------------------------------------------------------------------

def level_shift(level):
    return 12 + 9 * (S2_LEVEL_LAST - level)


@dataclass
class S2Entry:
    kind: str      # "table" or "page" (a block above the last level)
    level: int
    ipa: int
    pa: int
    size: int      # bytes the entry covers
    rights: int = 0
    memory: str = ""  # normal, uncached or device

    def object_id(self, key):
        """The audit id of the Frame or PageTable cap for this memory."""
        if self.kind == "table":
            return audit_object_id(key, self.pa, CAP_PAGE_TABLE, 0)
        return audit_object_id(key, self.pa, CAP_FRAME,
                               self.size.bit_length() - 1)


def decode_leaf(e):
    attr = e & PTE_MEMATTR
    memory = ("device" if attr == PTE_MEMATTR_DEVICE else
              "uncached" if attr == PTE_MEMATTR_NORMAL_NC else
              "normal" if attr == PTE_MEMATTR_NORMAL_WB else f"attr{attr >> 2:#x}")
    rights = ((RIGHT_R if e & PTE_S2AP_R else 0)
              | (RIGHT_W if e & PTE_S2AP_W else 0)
              | (0 if e & PTE_XN else RIGHT_X))
    return rights, memory


def walk_s2(mem, root, limit=1 << 20):
    """Every table below the root and every leaf, in IPA order."""
    out = []

    def table(pa, level, base):
        words = struct.unpack(f"<{PTE_ENTRIES}Q", mem.read(pa, PAGE))
        for i, e in enumerate(words):
            if not e & PTE_VALID:
                continue
            if len(out) >= limit:
                raise KviewError(f"more than {limit} stage-2 entries")
            ipa = base | (i << level_shift(level))
            span = 1 << level_shift(level)
            if level < S2_LEVEL_LAST and e & PTE_TABLE:
                out.append(S2Entry("table", level + 1, ipa, e & PTE_ADDR,
                                   span))
                table(e & PTE_ADDR, level + 1, ipa)
            elif level == S2_LEVEL_LAST and not e & PTE_TABLE:
                continue  # reserved encoding at level 3: invalid
            else:
                rights, memory = decode_leaf(e)
                out.append(S2Entry("page", level, ipa,
                                   e & PTE_ADDR & ~(span - 1), span, rights,
                                   memory))

    table(root, S2_LEVEL_FIRST, 0)
    return out


def translate(mem, root, ipa):
    """(pa, rights) that ipa maps to in the VSpace at root, or None."""
    pa = root
    for level in range(S2_LEVEL_FIRST, S2_LEVEL_LAST + 1):
        idx = (ipa >> level_shift(level)) & (PTE_ENTRIES - 1)
        e = mem.u64(pa + idx * 8)
        if not e & PTE_VALID:
            return None
        if level < S2_LEVEL_LAST and e & PTE_TABLE:
            pa = e & PTE_ADDR
            continue
        if level == S2_LEVEL_LAST and not e & PTE_TABLE:
            return None
        span = 1 << level_shift(level)
        return (e & PTE_ADDR & ~(span - 1)) | (ipa & (span - 1)), \
            decode_leaf(e)[0]
    return None


def ranges(leaves):
    """Leaves merged where IPA and PA both continue with the same rights
    and memory type: [(first leaf, total size)]."""
    out = []
    for e in leaves:
        if out:
            first, size = out[-1]
            if (first.ipa + size == e.ipa and first.pa + size == e.pa
                    and first.rights == e.rights
                    and first.memory == e.memory):
                out[-1] = (first, size + e.size)
                continue
        out.append((e, e.size))
    return out


def size_str(n):
    for unit, shift in (("G", 30), ("M", 20), ("K", 10)):
        if n >= 1 << shift and n % (1 << shift) == 0:
            return f"{n >> shift}{unit}"
    return f"{n}B"


# ---- boot modules and programs ------------------------------------------------

@dataclass
class Module:
    name: str
    data: int  # physical address
    size: int


def read_modules(mem, L):
    base = L.symbols["modules"]
    count = mem.uint(base + L.boot_modules["count"][0],
                     L.boot_modules["count"][1])
    first = base + L.boot_modules["module"][0]
    out = []
    for i in range(min(count, 64)):
        buf = mem.read(first + i * L.boot_module_size, L.boot_module_size)
        g = lambda n: _get(buf, L.boot_module, n)  # noqa: E731
        name = _cstr(mem.read(g("name"), 32)) if g("name") else f"#{i}"
        out.append(Module(name, g("data"), g("size")))
    return out


@dataclass
class Segment:
    vaddr: int
    offset: int
    filesz: int
    flags: int


def elf_segments(head):
    """The PT_LOAD segments of a 64-bit little-endian ELF, from its first
    bytes (header and program headers); None if it is not one."""
    if len(head) < 64 or head[:4] != b"\x7fELF" or head[4] != 2 \
            or head[5] != 1:
        return None
    phoff, = struct.unpack_from("<Q", head, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", head, 0x36)
    segs = []
    for i in range(phnum):
        at = phoff + i * phentsize
        if at + 56 > len(head):
            return None
        ptype, flags, off, vaddr, _paddr, filesz = struct.unpack_from(
            "<IIQQQQ", head, at)
        if ptype == 1:
            segs.append(Segment(vaddr, off, filesz, flags))
    return segs


ELF_HEAD = 4096  # the program headers fit in the first page of our ELFs
PF_X, PF_W = 1, 2


def module_segments(mem, m):
    if m.size < 64:
        return None
    return elf_segments(mem.read(m.data, min(ELF_HEAD, m.size)))


def runs_module(mem, vspace_root, m, segs, sample=64):
    """Whether the VSpace maps m's executable segments, byte for byte (a
    sample at the start of every page: programs share their start-up code
    but not whole text segments)."""
    text = [s for s in segs if s.flags & PF_X and not s.flags & PF_W
            and s.filesz > 0]
    if not text:
        return False
    for s in text:
        if s.offset + s.filesz > m.size:
            return False
        for off in range(0, s.filesz, PAGE):
            where = translate(mem, vspace_root, s.vaddr + off)
            if where is None:
                return False
            n = min(sample, s.filesz - off)
            if mem.read(where[0], n) != mem.read(m.data + s.offset + off, n):
                return False
    return True


def program_of(mem, vspace_root, modules):
    """The ELF module the VSpace at vspace_root runs, or None."""
    for m in modules:
        segs = module_segments(mem, m)
        if segs and runs_module(mem, vspace_root, m, segs):
            return m
    return None


# ---- tables for people ------------------------------------------------------------

def table(rows, header):
    rows = [header] + rows
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(header))]
    return "\n".join("  ".join(str(v).ljust(w) for v, w in zip(r, widths))
                     .rstrip() for r in rows)
