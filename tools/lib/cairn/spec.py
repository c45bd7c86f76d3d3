"""Compiling a manifest into a system spec: every object, every capability
(holder, slot, object, rights, badge), every mapping and every byte the root
task copies, plus each component's thread.

servers/root instantiates exactly this (specblob.py packs it), and the live
audit is diffed against `Spec.caps`. Nothing in the spec is left to the
root task's judgement. Per component instance:
  - objects: TCB, CNode (radix: the smallest that fits, at least 4; guarded
    so cptrs are slot numbers), VSpace, IPC buffer frame, one frame per page
    of its program and stack, the page tables those need;
  - caps in its CNode (layout() gives the slots, idlgen prints them for C):
      1           its own TCB (someone must hold it, or the thread dies)
      2           its own CNode (guard word as badge), to manage its slots
                  (to delete a cap it was granted, say)
      3 ...       its interfaces in IDL declaration order:
        uses P      the provider's endpoint: write+grant, badge = the
                    connection's number among those to the same provided
                    end (1-based, in manifest order)
        provides P  its endpoint (read), then a Reply object (next slot)
        emits E     the consumer's notification: write, badge 1
        consumes E  its notification (read and write: it may bind it to
                    an IRQHandler, which needs write)
        dataport D  no cap here: its frames come with the memory below
        a procedure with a shared dataport (`dataport D;` in its body)
        adds, after the slots above, a doorbell notification: the
        provider's own (read and write; bit 0 is left for an interrupt
        it routes there) and, at each uses end, a cap to it (write,
        badge 2). Each connection n has its own D-sized memory, mapped
        at the user's window and at the provider's window + n * size,
        so the endpoint badge n names it. The other way: each user has a
        wake notification (read and write) and the provider a cap to it
        (write) at slot <iface>_peers + n, in a block of MAX_PEERS slots.
      RECV        kept empty: where a granted cap arrives
      RECV+1 ...  kernel capabilities the manifest grants (`caps`)
      then memory: page tables (each mapped), the IPC buffer, program and
      stack pages, dataport pages, each frame cap mapped where it is used
      with the rights it is mapped with.
Objects are named "<type>:<instance>[<where>]".
"""
import struct
from dataclasses import dataclass, field
from pathlib import Path

PAGE = 4096
DATAPORT_BASE = 0x40000000  # a component's k-th dataport: base + k GiB
STACK_TOP = 0x10000000      # as for the root task (cairn/bootinfo.h)
IPC_BUFFER = 0x10000000
DEFAULT_STACK = 16384
DEFAULT_PRIORITY = 100
MIN_RADIX = 4
MAX_PEERS = 64  # connections a provider of shared memory can wake

# cairn/objects.h: object types and rights; the audit's type names.
OBJ = {"cnode": 2, "endpoint": 3, "notification": 4, "frame": 5,
       "frame_2m": 6, "vspace": 7, "page_table": 8, "tcb": 9, "reply": 10,
       "vcpu": 11, "iospace": 12, "io_page_table": 13}
R, W, G, X = 1, 2, 4, 8
ALL = R | W | G | X
# Kernel capabilities a manifest may grant (`caps`), in the order they are
# placed from the grants slot on, whatever the manifest's order: name ->
# [(audit type, object name, kernel source)]. The PL011 is a device frame
# mapped at UART_IPA plus its IRQHandler.
KERNEL_CAPS = {
    "uart": [("frame", "frame:uart", "uart_frame"),
             ("irq_handler", "irq_handler:uart", "uart_irq")],
    "audit": [("audit_control", "audit_control", "audit")],
    "power": [("power_control", "power_control", "power")],
    # The IOMMU server's (iommuspec.py; no manifest names it): SIDControl
    # and the root bus's ECAM, a device frame mapped at ECAM_IPA.
    "iommu": [("sid_control", "sid_control", "sid_control"),
              ("frame_2m", "frame_2m:ecam", "ecam")],
    # A client device's 2 MiB of the 32-bit window: iommuspec names each
    # (frame_2m:pcie.barK) and places its caps itself.
    "device": [("frame_2m", "frame_2m:pcie.bar", "bar")],
}
# In the IPC buffer's 2 MiB region, so they need no page table of their own.
UART_IPA = 0x10100000
AUDIT_SET_IPA = 0x10010000  # a component granted "audit": the expected set
AUDIT_SET_MAX = UART_IPA - AUDIT_SET_IPA
AUDIT_SET_MODULE = "expected-audit"
_OBJ_BITS = {"endpoint": 5, "notification": 5, "frame": 12, "frame_2m": 21,
             "vspace": 12, "page_table": 12, "tcb": 11, "reply": 4,
             "vcpu": 12, "iospace": 12, "io_page_table": 12}
SLOT_BITS = 6
# The IDL of a domain's VMM (a component each domain adds).
VMM_IDL = Path(__file__).resolve().parents[3] / "idl" / "vmm.idl"
# ... and of the IOMMU server, which a system with devices gets.
IOMMU_IDL = Path(__file__).resolve().parents[3] / "idl" / "iommu.idl"


def object_bytes(type_, size_bits):
    """An object's size (cairn/objects.h): a CNode's from its radix."""
    return 1 << (size_bits + SLOT_BITS if type_ == "cnode" else _OBJ_BITS[type_])


def guard_word(radix):
    """A CNode cap's guard (cairn/invocations.h): zeros over the bits the
    radix leaves, so a 64-bit cptr is a slot number."""
    return 64 - radix


def rights_str(bits):
    return "".join(c if bits & b else "-" for c, b in zip("rwgx", (R, W, G, X)))


@dataclass
class Cap:
    holder: str
    slot: int
    type: str
    object: str
    rights: int
    badge: int = 0
    map_ipa: int = None  # frames and page tables: where, in map_vspace
    kernel: str = None   # made by the root task from a kernel cap instead
    map_vspace: str = None  # the VSpace object mapped in (default: holder's)

    def audit_entry(self):
        return {"holder": self.holder, "cptr": self.slot, "depth": 64,
                "type": self.type, "object": self.object,
                "rights": rights_str(self.rights), "badge": self.badge}


@dataclass
class Fill:
    """Copy program bytes into a frame before it is mapped."""
    frame: str
    frame_offset: int
    program: str
    file_offset: int
    length: int


@dataclass
class Thread:
    """A component's thread (started at entry), or a guest's vCPU (vcpu
    names its VCPU object: bound, not started; its VMM starts it)."""
    name: str
    program: str
    entry: int
    priority: int
    vspace: str = None  # default: vspace:<name>
    vcpu: str = None
    fault_ep: int = 0   # a cptr in its CSpace (cnode:<name>)

    @property
    def vspace_object(self):
        return self.vspace or f"vspace:{self.name}"


@dataclass
class Spec:
    objects: dict = field(default_factory=dict)  # name -> (type, size_bits)
    caps: list = field(default_factory=list)
    fills: list = field(default_factory=list)
    threads: list = field(default_factory=list)
    radix: dict = field(default_factory=dict)  # instance -> CNode radix
    audit_text: bytes = b""  # expected_text(), for the expected-audit module
    modules: dict = field(default_factory=dict)  # domains' modules: name -> bytes

    def add(self, name, type_, size_bits=0):
        self.objects.setdefault(name, (type_, size_bits))
        return name


class SpecError(Exception):
    pass


# ---- programs -------------------------------------------------------------

@dataclass
class Segment:
    vaddr: int
    paddr: int
    offset: int
    filesz: int
    memsz: int
    rights: int


def elf_segments(data, name):
    """(entry, PT_LOAD segments) of a 64-bit little-endian AArch64 ELF."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SpecError(f"program {name}: not a 64-bit little-endian ELF")
    entry, phoff = struct.unpack_from("<QQ", data, 0x18)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    segs = []
    for i in range(phnum):
        p_type, flags, off, vaddr, paddr, filesz, memsz = struct.unpack_from(
            "<IIQQQQQ", data, phoff + i * phentsize)
        if p_type == 1:
            rights = ((R if flags & 4 else 0) | (W if flags & 2 else 0)
                      | (X if flags & 1 else 0))
            segs.append(Segment(vaddr, paddr, off, filesz, memsz, rights))
    return entry, segs


def _pages(start, size):
    return range(start // PAGE * PAGE, start + size, PAGE)


def program_pages(segs, stack_size):
    """{page IPA: rights} for a program's segments (where they run, and
    where their file bytes load: picolibc copies .data from there) and its
    stack; fills as (ipa, file offset, length) per page."""
    pages, fills = {}, []
    for s in segs:
        for p in _pages(s.vaddr, s.memsz):
            pages[p] = pages.get(p, 0) | s.rights
        for p in _pages(s.paddr, s.filesz):
            pages[p] = pages.get(p, 0) | (s.rights & ~W)
        done = 0
        while done < s.filesz:
            ipa = s.paddr + done
            n = min(PAGE - ipa % PAGE, s.filesz - done)
            fills.append((ipa, s.offset + done, n))
            done += n
    for p in _pages(STACK_TOP - stack_size, stack_size):
        if p in pages:
            raise SpecError(f"stack at {p:#x} overlaps the program")
        pages[p] = R | W
    return pages, fills


# ---- layout ---------------------------------------------------------------

def shared_sizes(types):
    """Procedure -> bytes each connection shares, for those that declare a
    shared dataport (types: an idl.Idl)."""
    return {p.name: types.dataports[p.shared]
            for p in types.procedures.values() if p.shared}


def layout(interfaces, dataport_sizes, shared=None):
    """A component type's fixed slots and addresses: {iface: slot} (a
    provided procedure also '<iface>_reply'; one with shared memory also
    '<iface>_doorbell'), the receive slot, the first granted-cap slot, and
    {dataport or shared procedure: (window ipa, bytes per connection)}."""
    shared = shared or {}
    slots, dataports, slot, k = {"self": 1, "cnode": 2}, {}, 3, 0
    for iface, (kind, typ) in interfaces.items():
        if kind == "port":  # a dataport
            dataports[iface] = (DATAPORT_BASE + (k << 30), dataport_sizes[typ])
            k += 1
            continue
        slots[iface] = slot
        slot += 1
        if kind == "provides":
            slots[f"{iface}_reply"] = slot
            slot += 1
        if typ in shared:
            slots[f"{iface}_doorbell"] = slot
            slot += 1
            if kind == "provides":
                slots[f"{iface}_peers"] = slot
                slot += MAX_PEERS
            else:
                slots[f"{iface}_wake"] = slot
                slot += 1
            dataports[iface] = (DATAPORT_BASE + (k << 30), shared[typ])
            k += 1
    slots["recv"] = slot
    slots["grants"] = slot + 1
    return slots, dataports


def _connection(m, end):
    """Where a using end connects, and its number there (the badge)."""
    for frm, to, _ in m.connections:
        if frm == end:
            return to, dict((f, n) for n, f in _users(m, to))[frm]
    return None, 0


def _users(m, end):
    """[(n, using end)] for the connections to a provided end, numbered
    from 1 in manifest order."""
    return list(enumerate((frm for frm, to, _ in m.connections if to == end),
                          1))


def _interface_caps(spec, m, inst, interfaces, slots):
    for iface, (kind, _) in interfaces.items():
        end = f"{inst}.{iface}"
        doorbell = slots.get(f"{iface}_doorbell")
        if kind == "uses":
            to, n = _connection(m, end)
            obj = spec.add(f"endpoint:{to}", "endpoint")
            yield Cap(inst, slots[iface], "endpoint", obj, W | G, n)
            if doorbell:
                obj = spec.add(f"notification:{to}.doorbell", "notification")
                yield Cap(inst, doorbell, "notification", obj, W, 2)
                obj = spec.add(f"notification:{end}.wake", "notification")
                yield Cap(inst, slots[f"{iface}_wake"], "notification", obj,
                          R | W)
        elif kind == "provides":
            yield Cap(inst, slots[iface], "endpoint",
                      spec.add(f"endpoint:{end}", "endpoint"), R)
            yield Cap(inst, slots[f"{iface}_reply"], "reply",
                      spec.add(f"reply:{end}", "reply"), ALL)
            if doorbell:
                obj = spec.add(f"notification:{end}.doorbell", "notification")
                yield Cap(inst, doorbell, "notification", obj, R | W)
                yield from _peer_caps(spec, m, inst, end, slots[f"{iface}_peers"])
        elif kind == "emits":
            to, _ = _connection(m, end)
            obj = spec.add(f"notification:{to}", "notification")
            yield Cap(inst, slots[iface], "notification", obj, W, 1)
        elif kind == "consumes":
            yield Cap(inst, slots[iface], "notification",
                      spec.add(f"notification:{end}", "notification"), R | W)


def _peer_caps(spec, m, inst, end, first):
    """The provider's caps to each user's wake notification, by badge."""
    for n, frm in _users(m, end):
        if n >= MAX_PEERS:
            raise SpecError(f"{end}: {frm} is its connection {n}; a provider "
                            f"of shared memory can wake {MAX_PEERS - 1}")
        obj = spec.add(f"notification:{frm}.wake", "notification")
        yield Cap(inst, first + n, "notification", obj, W)


def _tables(ipas):
    """Page tables a VSpace (a level-1 root) needs for these pages, level 2
    before level 3 so each maps onto an existing parent."""
    l2 = sorted({ipa >> 30 << 30 for ipa in ipas})
    l3 = sorted({ipa >> 21 << 21 for ipa in ipas})
    return [(2, a) for a in l2] + [(3, a) for a in l3]


def _granted_caps(inst, names, first):
    from cairn import iommuspec

    caps = []
    for name in KERNEL_CAPS:
        if name in names:
            for type_, obj, source in KERNEL_CAPS[name]:
                rights = R | W if type_.startswith("frame") else ALL
                ipa = {"uart_frame": UART_IPA,
                       "ecam": iommuspec.ECAM_IPA}.get(source)
                caps.append(Cap(inst, first + len(caps), type_, obj, rights,
                                map_ipa=ipa, kernel=source))
    return caps


def _memory(spec, m, inst, comp, program, elf, dataports, extra):
    """Frames and tables of one instance, as caps with their mappings;
    extra: more frames, {ipa: (object, rights)}, copied in elsewhere."""
    entry, segs = elf
    stack = comp.attributes.get("stack_size", DEFAULT_STACK)
    pages, fills = program_pages(segs, stack)
    frames = {IPC_BUFFER: (spec.add(f"frame:{inst}.ipc", "frame"), R | W)}
    for ipa, rights in sorted(pages.items()):
        frames[ipa] = (spec.add(f"frame:{inst}@{ipa:#x}", "frame"), rights)
    for iface, (ipa, size) in dataports.items():
        for at, key in _dataport_pages(m, f"{inst}.{iface}",
                                       comp.interfaces[iface][0], ipa, size):
            for off in range(0, size, PAGE):
                frames[at + off] = (
                    spec.add(f"frame:{key}+{off:#x}", "frame"), R | W)
    frames.update(extra)
    for ipa, off, n in fills:
        spec.fills.append(Fill(frames[ipa // PAGE * PAGE][0], ipa % PAGE,
                               program, off, n))
    caps = [Cap(inst, 0, "page_table",
                spec.add(f"page_table:{inst}@L{lvl}:{ipa:#x}", "page_table"),
                ALL, map_ipa=ipa) for lvl, ipa in _tables(frames)]
    caps += [Cap(inst, 0, "frame", obj, rights, map_ipa=ipa)
             for ipa, (obj, rights) in frames.items()]
    return entry, caps


def _dataport_pages(m, end, kind, ipa, size):
    """Where one interface's shared memory goes: [(ipa, object key)]. A
    dataport or a user's shared memory: one block at the window; a
    provider's: connection n's block at window + n * size."""
    if kind == "port":
        to, _ = _connection(m, end)
        return [(ipa, to or end)]
    if kind == "uses":
        to, n = _connection(m, end)
        return [(ipa, f"{to}#{n}")]
    blocks = []
    for n, _ in _users(m, end):
        if (n + 1) * size > 1 << 30:
            raise SpecError(f"{end}: connection {n}'s shared memory would lie "
                            "past the interface's 1 GiB window")
        blocks.append((ipa + n * size, f"{end}#{n}"))
    return blocks


def program_name(component_type):
    """The program (CMake target, boot module) a component type runs."""
    return component_type.lower()


def compile_manifest(m, types, dataport_sizes, programs, shared=None,
                     payloads=None):
    """m: a loaded Manifest; types: IDL component type -> idl.Component;
    dataport_sizes: IDL dataport -> bytes; programs: program name ->
    (entry, segments) (see elf_segments); shared: shared_sizes();
    payloads: domain name -> domainspec.Payload (m must then have each
    domain's VMM as a component: domainspec.with_vmms).

    A component granted "audit" also gets the expected set (expected_text)
    mapped read-only at AUDIT_SET_IPA, so it can check the live audit; the
    set includes those pages' own caps, so their count is found by
    iterating until it is stable."""
    pages = 0
    for _ in range(8):
        spec = _compile(m, types, dataport_sizes, programs, pages, shared,
                        payloads or {})
        text = expected_text(spec).encode()
        need = -(-len(text) // PAGE) if _auditors(m) else 0
        if need == pages:
            break
        pages = need
    else:
        raise SpecError("the expected audit set does not settle in size")
    if len(text) > AUDIT_SET_MAX:
        raise SpecError(f"the expected audit set ({len(text)} bytes) exceeds "
                        f"the {AUDIT_SET_MAX} bytes mapped for it")
    spec.audit_text = text
    for p in (payloads or {}).values():
        spec.modules.update(p.modules)
    for inst in _auditors(m):
        for off in range(0, len(text), PAGE):
            spec.fills.append(Fill(f"frame:{inst}.audit+{off:#x}", 0,
                                   AUDIT_SET_MODULE, off,
                                   min(PAGE, len(text) - off)))
    return spec


def _auditors(m):
    return [i for i in m.components if "audit" in m.component_caps.get(i, [])]


def expected_text(spec):
    """The expected audit set as text, one capability per line:
    holder cptr depth type object rights badge (badge in hex)."""
    return "".join(f"{c.holder} {c.slot} 64 {c.type} {c.object} "
                   f"{rights_str(c.rights)} {c.badge:#x}\n" for c in spec.caps)


def _compile(m, types, dataport_sizes, programs, audit_pages, shared,
             payloads):
    from cairn import domainspec, iommuspec
    from cairn.manifest import IOMMU_NAME

    spec = Spec()
    domains = {d.name: d for d in m.domains}
    device_slots = {}  # a client of the IOMMU server -> its device slots
    for inst, ctype in m.components.items():
        comp, program = types[ctype], program_name(ctype)
        if program not in programs:
            raise SpecError(f"component {inst}: no program '{program}' "
                            f"for type {ctype}")
        for kind in ("tcb", "vspace", "cnode"):
            spec.add(f"{kind}:{inst}", kind)
        slots, dataports = layout(comp.interfaces, dataport_sizes, shared)
        caps = [Cap(inst, 1, "tcb", f"tcb:{inst}", ALL),
                Cap(inst, 2, "cnode", f"cnode:{inst}", ALL)]
        caps += _interface_caps(spec, m, inst, comp.interfaces, slots)
        granted = _granted_caps(inst, m.component_caps.get(inst, []),
                                slots["grants"])
        extra = {}
        if "audit" in m.component_caps.get(inst, []):
            for off in range(0, audit_pages * PAGE, PAGE):
                extra[AUDIT_SET_IPA + off] = (
                    spec.add(f"frame:{inst}.audit+{off:#x}", "frame"), R)
        if inst == IOMMU_NAME and iommuspec.clients(m):
            info = spec.add(f"frame:{inst}.info", "frame")
            extra[iommuspec.INFO_IPA] = (info, R)
            spec.fills.append(Fill(info, 0, iommuspec.INFO_MODULE, 0,
                                   iommuspec.info_size()))
        if inst in domains:
            info = spec.add(f"frame:{inst}.info", "frame")
            extra[domainspec.INFO_IPA] = (info, R)
            spec.fills.append(Fill(info, 0, domainspec.module_name(
                inst, "info"), 0, domainspec.INFO.size))
        entry, memory = _memory(spec, m, inst, comp, program,
                                programs[program], dataports, extra)
        for i, c in enumerate(memory):
            c.slot = slots["grants"] + len(granted) + i
        tables, devices = _device_caps(spec, m, inst, max(
            c.slot for c in caps + memory + granted) + 1, device_slots)
        # Placed after the page tables: the UART and ECAM frames need one.
        caps += memory + tables + granted + devices
        guest_caps, fault_ep = [], 0
        if inst in domains:
            guest_caps, vcpus, fault_ep = domainspec.domain_caps(
                spec, domains[inst], max(c.slot for c in caps) + 1,
                payloads[inst], Cap, Fill, caps)
            caps += [c for c in guest_caps if c.holder == inst]
            for name, vcpu in vcpus:
                spec.threads.append(Thread(
                    name, None, 0, domains[inst].priority,
                    vspace=f"vspace:{inst}.guest", vcpu=vcpu, fault_ep=1))
        radix = max(MIN_RADIX, max(c.slot for c in caps).bit_length())
        spec.radix[inst] = radix
        caps[1].badge = guard_word(radix)
        spec.objects[f"cnode:{inst}"] = ("cnode", radix)
        spec.caps += caps + [c for c in guest_caps if c.holder != inst]
        prio = m.component_priority.get(inst) or comp.attributes.get(
            "priority", DEFAULT_PRIORITY)
        spec.threads.append(Thread(inst, program, entry, prio,
                                   fault_ep=fault_ep))
    _check_every_object_held(spec)
    return spec


def _device_caps(spec, m, inst, first, device_slots):
    """(page tables, other caps) an IOMMU client or the IOMMU server gets
    beyond a component's (iommuspec.py); the server comes after its
    clients (with_iommu adds it last)."""
    from cairn import iommuspec
    from cairn.manifest import IOMMU_NAME

    if inst == IOMMU_NAME and iommuspec.clients(m):
        table = spec.add(f"page_table:{inst}@L2:{iommuspec.ECAM_IPA:#x}",
                         "page_table")
        caps = [Cap(inst, first, "page_table", table, ALL,
                    map_ipa=iommuspec.ECAM_IPA)]
        more, info = iommuspec.server_caps(spec, m, first + 1, Cap,
                                           device_slots)
        spec.modules[iommuspec.INFO_MODULE] = info
        return caps, more
    caps, where = iommuspec.client_caps(spec, m, inst, first, Cap)
    if where:
        device_slots[inst] = where
    return caps[:1], caps[1:]


def _check_every_object_held(spec):
    """The root task deletes its own caps last; an object nobody else holds
    would die with them, so each must be held (TCB-held roots count)."""
    held = {c.object for c in spec.caps if c.kernel is None}
    held |= {f"cnode:{t.name}" for t in spec.threads}
    held |= {t.vspace_object for t in spec.threads}
    orphans = [o for o in spec.objects if o not in held]
    if orphans:
        raise SpecError(f"objects no component holds: {', '.join(orphans)}")


def holders_table(spec):
    """Who holds what, as aligned text (mappings after the rights)."""
    rows = [("holder", "slot", "type", "object", "rights", "badge", "mapped")]
    for c in sorted(spec.caps, key=lambda c: (c.holder, c.slot)):
        rows.append((c.holder, str(c.slot), c.type, c.object,
                     rights_str(c.rights), f"{c.badge:#x}" if c.badge else "-",
                     "-" if c.map_ipa is None else f"{c.map_ipa:#x}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()
                     for r in rows)


def for_manifest(m, program_paths):
    """The spec of a loaded manifest, reading its IDL and the programs' ELFs
    (program_paths: program name -> path) for the component types it uses."""
    from cairn import domainspec, idl, iommuspec

    programs = {}
    wanted = set(m.components.values()) | {d.vmm for d in m.domains}
    if iommuspec.clients(m):
        wanted.add(iommuspec.IOMMU_TYPE)
    for ctype in sorted(wanted):
        name = program_name(ctype)
        if name not in program_paths:
            raise SpecError(f"component type {ctype}: program '{name}' is not "
                            f"built (known: {', '.join(sorted(program_paths))})")
        with open(program_paths[name], "rb") as f:
            programs[name] = elf_segments(f.read(), name)
    payloads = {d.name: domainspec.payload_for(d, m) for d in m.domains}
    m = domainspec.with_vmms(m, VMM_IDL)
    m = iommuspec.with_iommu(m, IOMMU_IDL)
    types = idl.load([m.path.parent / f for f in m.idl_files])
    return compile_manifest(m, types.components, types.dataports, programs,
                            shared_sizes(types), payloads)
