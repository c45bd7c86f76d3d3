"""Guest domains in the system spec: what each [[domain]] adds.

A domain is built like a component plus what its guest needs. Its VMM is a
component instance named as the domain, of IDL type Vmm (idl/vmm.idl,
program `vmm`), connected to the console; spec.py lays it out as any other
component and then calls domain_caps() for the rest, placed after its own
memory caps in its CNode:
  - the guest's VSpace, its exits endpoint (read) and a Reply object;
  - per vCPU: its TCB and VCPU (all rights); each vCPU thread has a CNode
    of its own (cnode:<domain>.vcpuN) holding, at slot 1, the exits
    endpoint (write, badge N + 1) that is its fault endpoint;
  - guest RAM: 2 MiB frames, each with two caps: one mapped into the guest
    at RAM_IPA + offset (read, write, execute), one into the VMM at
    RAM_WINDOW + offset (read, write), so the VMM can load and emulate;
  - the boot payload (kernel, initrd, DTB, packed one after the other on
    4 KiB boundaries): 2 MiB frames the root task fills from image
    modules, mapped read-only at PAYLOAD_WINDOW in the VMM, which copies
    them into guest RAM at every (re)start;
  - the page tables for all of that (level 2: 2 MiB blocks need no more);
  - one page, mapped read-only at INFO_IPA, describing it all
    (struct vmm_info, servers/vmm/domain_info.h: change both together).
"""
from dataclasses import dataclass, field

from cairn.record import Record

VMM_TYPE = "Vmm"
VMM_PROGRAM = "vmm"
RAM_IPA = 0x40000000
BLOCK = 2 << 20
GIB = 1 << 30
INFO_IPA = 0x10002000
RAM_WINDOW = 0x20_0000_0000
PAYLOAD_WINDOW = 0x30_0000_0000
MAX_VCPUS = 8
INFO_MAGIC = b"CAIRNDOM"
INFO_VERSION = 1
VCPU_CNODE_RADIX = 4
# A fault of a VMM reaches the console as a Call with this badge bit
# (servers/console/console.h: CONSOLE_FAULT_BADGE).
FAULT_BADGE = 0x10000
PAGE = 4096
R, W, G, X = 1, 2, 4, 8
ALL = R | W | G | X

INFO = Record(
    ("magic", "8s"), ("version", "I"), ("vcpus", "I"), ("name", "32s"),
    ("ram_ipa", "Q"), ("ram_size", "Q"), ("ram_window", "Q"),
    ("payload_window", "Q"),
    ("kernel_offset", "Q"), ("kernel_size", "Q"),
    ("initrd_offset", "Q"), ("initrd_size", "Q"),
    ("dtb_offset", "Q"), ("dtb_size", "Q"),
    ("kernel_ipa", "Q"), ("entry_ipa", "Q"), ("initrd_ipa", "Q"),
    ("dtb_ipa", "Q"),
    ("guest_vspace", "Q"), ("exits", "Q"), ("reply", "Q"),
    *((f"vcpu_tcb{i}", "Q") for i in range(MAX_VCPUS)),
    *((f"vcpu{i}", "Q") for i in range(MAX_VCPUS)),
    ("ram_first", "Q"), ("ram_frames", "Q"), ("priority", "Q"))


@dataclass
class Payload:
    """A domain's boot payload: bytes per module and where they go."""
    kernel: bytes
    initrd: bytes
    dtb: bytes
    layout: object  # guest.GuestLayout
    modules: dict = field(default_factory=dict)  # module name -> bytes


def module_name(domain, part):
    """The image module holding a domain's kernel, initrd, dtb or info."""
    return f"{domain}.{part}"


def vcpu_name(domain, i):
    return f"{domain}.vcpu{i}"


def _blocks(n):
    return -(-n // BLOCK)


def payload_for(d, m):
    """Reads and checks a domain's kernel and initrd, places them and makes
    its DTB (guest.payload), of manifest m."""
    from cairn import guest

    p = guest.payload(d, m)
    initrd = d.initrd.read_bytes() if d.initrd else b""
    return Payload(d.kernel.read_bytes(), initrd, p.dtb, p.layout)


def _part_offsets(p):
    """(kernel, initrd, dtb) offsets in the payload window, packed one after
    the other on 4 KiB boundaries, and the window's size (whole 2 MiB
    frames)."""
    at, offsets = 0, []
    for data in (p.kernel, p.initrd, p.dtb):
        offsets.append(at)
        at += -(-len(data) // PAGE) * PAGE
    return offsets, _blocks(at) * BLOCK


def _tables(spec, prefix, vspace, base, size):
    """Level-2 tables covering [base, base + size) in one VSpace."""
    caps = []
    for gib in range(base // GIB * GIB, base + size, GIB):
        obj = spec.add(f"page_table:{prefix}@L2:{gib:#x}", "page_table")
        caps.append((obj, gib, vspace))
    return caps


def domain_caps(spec, d, first_slot, payload, Cap, Fill, console_caps):
    """The domain's caps in its VMM's CNode (from first_slot on) and in its
    vCPUs' CNodes, its fills and vCPU threads, and its info page's bytes;
    the VMM's fault endpoint slot. Cap and Fill are spec.py's classes;
    console_caps: the VMM's caps so far (its console connection among
    them)."""
    inst, n = d.name, d.vcpus
    caps, slot = [], first_slot
    vmm_vs, guest_vs = f"vspace:{inst}", spec.add(f"vspace:{inst}.guest",
                                                   "vspace")

    def put(type_, obj, rights, badge=0, ipa=None, vspace=None):
        nonlocal slot
        caps.append(Cap(inst, slot, type_, obj, rights, badge, map_ipa=ipa,
                        map_vspace=vspace))
        slot += 1
        return slot - 1

    slots = {"guest_vspace": put("vspace", guest_vs, ALL)}
    # The VMM's own fault endpoint: the console's, badged so the console
    # tells a fault from a call (FAULT_BADGE | the connection's number)
    # and says which domain lost its VMM.
    console = next(c for c in console_caps if c.holder == inst and
                   c.type == "endpoint" and c.object.endswith(".io"))
    slots["fault"] = put("endpoint", console.object, W,
                         FAULT_BADGE | console.badge)
    exits = spec.add(f"endpoint:{inst}.exits", "endpoint")
    slots["exits"] = put("endpoint", exits, R)
    slots["reply"] = put("reply", spec.add(f"reply:{inst}.exits", "reply"),
                         ALL)
    tcbs, vcpus, threads = [], [], []
    for i in range(n):
        name = vcpu_name(inst, i)
        tcbs.append(put("tcb", spec.add(f"tcb:{name}", "tcb"), ALL))
        vcpus.append(put("vcpu", spec.add(f"vcpu:{name}", "vcpu"), ALL))
        spec.add(f"cnode:{name}", "cnode", VCPU_CNODE_RADIX)
        spec.radix[name] = VCPU_CNODE_RADIX
        caps.append(Cap(name, 1, "endpoint", exits, W, i + 1))
        threads.append((name, f"vcpu:{name}"))
    offsets, window = _part_offsets(payload)
    tables = (_tables(spec, f"{inst}.guest", guest_vs, RAM_IPA, d.memory_bytes)
              + _tables(spec, inst, vmm_vs, RAM_WINDOW, d.memory_bytes)
              + _tables(spec, inst, vmm_vs, PAYLOAD_WINDOW, window))
    for obj, ipa, vs in tables:
        put("page_table", obj, ALL, ipa=ipa, vspace=vs)
    ram_first = slot
    for off in range(0, d.memory_bytes, BLOCK):
        obj = spec.add(f"frame_2m:{inst}.ram+{off:#x}", "frame_2m")
        put("frame_2m", obj, R | W | X, ipa=RAM_IPA + off, vspace=guest_vs)
    for off in range(0, d.memory_bytes, BLOCK):
        put("frame_2m", f"frame_2m:{inst}.ram+{off:#x}", R | W,
            ipa=RAM_WINDOW + off, vspace=vmm_vs)
    for off in range(0, window, BLOCK):
        obj = spec.add(f"frame_2m:{inst}.payload+{off:#x}", "frame_2m")
        put("frame_2m", obj, R, ipa=PAYLOAD_WINDOW + off, vspace=vmm_vs)
    for part, data, base in zip(("kernel", "initrd", "dtb"),
                                (payload.kernel, payload.initrd, payload.dtb),
                                offsets):
        off = 0
        while off < len(data):
            at = base + off
            length = min(BLOCK - at % BLOCK, len(data) - off)
            obj = f"frame_2m:{inst}.payload+{at // BLOCK * BLOCK:#x}"
            spec.fills.append(Fill(obj, at % BLOCK, module_name(inst, part),
                                   off, length))
            off += length
        if data:
            payload.modules[module_name(inst, part)] = data
    lay = payload.layout
    info = INFO.pack(
        magic=INFO_MAGIC, version=INFO_VERSION, vcpus=n,
        name=inst.encode(), ram_ipa=RAM_IPA, ram_size=d.memory_bytes,
        ram_window=RAM_WINDOW, payload_window=PAYLOAD_WINDOW,
        kernel_offset=offsets[0], kernel_size=len(payload.kernel),
        initrd_offset=offsets[1], initrd_size=len(payload.initrd),
        dtb_offset=offsets[2], dtb_size=len(payload.dtb),
        kernel_ipa=lay.kernel_ipa, entry_ipa=lay.entry_ipa,
        initrd_ipa=lay.initrd_ipa, dtb_ipa=lay.dtb_ipa,
        guest_vspace=slots["guest_vspace"], exits=slots["exits"],
        reply=slots["reply"],
        **{f"vcpu_tcb{i}": v for i, v in enumerate(_padded(tcbs))},
        **{f"vcpu{i}": v for i, v in enumerate(_padded(vcpus))},
        ram_first=ram_first, ram_frames=d.memory_bytes // BLOCK,
        priority=d.priority)
    payload.modules[module_name(inst, "info")] = info
    return caps, threads, slots["fault"]


DEFAULT_PRIORITY = 100
CONSOLE_TYPE = "Console"


def with_vmms(m, vmm_idl):
    """A copy of manifest m in which each domain's VMM is a component
    instance named as the domain, connected to the console (vmm_idl: the
    IDL file declaring Vmm)."""
    import copy

    if not m.domains:
        return m
    consoles = [i for i, t in m.components.items() if t == CONSOLE_TYPE]
    if not consoles:
        from cairn.spec import SpecError
        raise SpecError("a domain's guest UART is a console client: add a "
                        "[[component]] of type Console (see configs/"
                        "guests.toml)")
    v = copy.copy(m)
    v.components, v.component_priority = dict(m.components), dict(
        m.component_priority)
    v.connections, v.idl_files = list(m.connections), list(m.idl_files)
    v.idl_files.append(str(vmm_idl))
    for d in m.domains:
        v.components[d.name] = d.vmm
        v.component_priority[d.name] = vmm_priority(d)
        v.connections.append((f"{d.name}.console", f"{consoles[0]}.io",
                              "uses"))
    return v


def vmm_priority(d):
    """The VMM outranks its vCPUs, so an exit is answered before the guest
    (or another of its vCPUs) runs on."""
    return d.priority + 1


def _padded(slots):
    return slots + [0] * (MAX_VCPUS - len(slots))


def info_fields(blob):
    """The info page's fields by name, for tests and tools."""
    return dict(zip(INFO.fields, INFO.unpack_from(blob)))


# ---- what a domain costs --------------------------------------------------

_KINDS = (  # (row, test on the object's type and its name after the domain)
    ("guest RAM", lambda t, rest: rest.startswith(".ram+")),
    ("boot payload (kept for restart)",
     lambda t, rest: rest.startswith(".payload+")),
    ("guest page tables", lambda t, rest: rest.startswith(".guest@")),
    ("guest VSpace root", lambda t, rest: rest == ".guest"),
    ("vCPU TCBs, VCPUs, CNodes", lambda t, rest: rest.startswith(".vcpu")),
    ("VMM page tables", lambda t, rest: t == "page_table"),
    ("VMM program, stack, IPC buffer, info page",
     lambda t, rest: t == "frame"),
    ("VMM TCB, CNode, VSpace, endpoints", lambda t, rest: True),
)


def _domain_of(name, domains):
    """(domain, the rest of the name) if the object is one of a domain's:
    named "<type>:<domain>" followed by nothing or one of ".@+#"."""
    _, _, tail = name.partition(":")
    for d in domains:
        if tail == d or (tail.startswith(d) and tail[len(d)] in ".@+#"):
            return d, tail[len(d):]
    return None, None


def memory_report(spec, m):
    """What each domain costs, by the spec's objects: guest RAM, then
    everything else (the kernel objects of its VMM and vCPUs, the page
    tables of both VSpaces, the VMM's own memory, the boot payload kept for
    restarts). Kernel-internal costs (a VMID, the TCB's FP area) are inside
    these objects; the console's shared ring with the VMM is the console's."""
    from cairn.spec import object_bytes

    names = [d.name for d in m.domains]
    rows = {d: {} for d in names}
    for obj, (type_, bits) in spec.objects.items():
        d, rest = _domain_of(obj, names)
        if d is None:
            continue
        kind = next(k for k, test in _KINDS if test(type_, rest))
        rows[d][kind] = rows[d].get(kind, 0) + object_bytes(type_, bits)
    out = []
    for d in m.domains:
        r = rows[d.name]
        out.append(f"domain {d.name}: {d.memory_bytes >> 20} MiB, "
                   f"{d.vcpus} vCPU{'s' if d.vcpus != 1 else ''}")
        for kind, _ in _KINDS:
            if kind in r:
                out.append(f"  {kind:<44} {r[kind] / 1024:>10.0f} KiB")
        extra = sum(v for k, v in r.items() if k != "guest RAM")
        payload = r.get("boot payload (kept for restart)", 0)
        out.append(f"  {'beyond guest RAM':<44} {extra / 1024:>10.0f} KiB")
        out.append(f"  {'beyond guest RAM and payload':<44} "
                   f"{(extra - payload) / 1024:>10.0f} KiB")
    return "\n".join(out)
