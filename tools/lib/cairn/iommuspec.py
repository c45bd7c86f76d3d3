"""The IOMMU server in the system spec: what a system with devices adds.

A system whose components list devices gets one IOMMU server: a component
instance named "iommu" (manifest.IOMMU_NAME) of IDL type Iommu
(idl/iommu.idl, program `iommu`), connected to the console and to each
client's `iommu` interface (the badge numbers the clients in manifest
order). spec.py lays it out as any component, then:

  - the server is granted SIDControl and the ECAM's first 2 MiB (buses 0
    and 1: the root bus), a device frame mapped at ECAM_IPA;
  - each client device k (numbered across the system in manifest order)
    gets a 2 MiB device frame of the host bridge's 32-bit window, the k-th
    the root task carves from its device Untyped (`bar` kernel source):
    the client holds it mapped at DEVICE_IPA + i * 2 MiB (its i-th
    device), the server an unmapped copy, to learn its physical address
    and place the device's BARs in it; a share-pt (or enabled) client
    also holds its own VSpace, to bind its streams to;
  - each client device also gets a slot for the IRQHandler of its INTx,
    which the server claims there at run time (SIDControl.GetINTx, kernel
    source "runtime": the expected audit assumes each device raises INTx,
    as edu does);
  - the server holds each client's CNode (to place a StreamID there) and,
    per device, the StreamID it claims at run time (all rights); a client
    in share-pt (or enabled) holds a bind-only copy (BIND: WRITE) at a
    slot the spec reserves. Those caps are made by the server, not the
    root task (kernel source "runtime"), so the expected audit set is the
    system's state once the server has set every device up;
  - one page at INFO_IPA in the server (struct iommu_info,
    servers/iommu/iommu_info.h: change both together) says all of that.
"""
import struct

from cairn.manifest import IOMMU_NAME, VENDOR_DEVICE

IOMMU_TYPE = "Iommu"
CONSOLE_TYPE = "Console"
ECAM_IPA = 0x50_0000_0000    # the server's view of the root bus's ECAM
DEVICE_IPA = 0x60_0000_0000  # a client's device i: DEVICE_IPA + i * 2 MiB
INFO_IPA = 0x10002000
INFO_MODULE = "iommu.info"
BLOCK = 2 << 20
MAX_CLIENTS = 8
MAX_DEVICES = 8
MAX_BARS = 64  # 2 MiB frames of the 32-bit window (spec_format.h)
INFO_MAGIC = b"CAIRNIOM"
INFO_VERSION = 2
R, W, G, X = 1, 2, 4, 8
ALL = R | W | G | X
# servers/iommu/iommu_proto.h: IOMMU_MODE_*, IOMMU_DEV_*
MODES = {"disabled": 0, "share-pt": 1, "sync-pt": 2, "enabled": 3}
DEV_BDF, DEV_IDS = 1, 2

# struct iommu_info: header, then MAX_CLIENTS clients each with
# MAX_DEVICES devices (every field a uint32 but the IPA).
HEADER = struct.Struct("<8sIIII")  # magic, version, clients, 2 reserved
CLIENT = struct.Struct("<32sIIIIIIIIII")  # name, badge, mode, devices,
#   cnode; sync-pt: iospace, first IO page table, tables, p2m CNode; the
#   client's first device slot; sync-pt: its IOVA window's pages
IOVA_BASE = 0x4000_0000  # servers/iommu/iommu_proto.h: IOMMU_IOVA_BASE
IOVA_PAGES = 8192        # ... IOMMU_IOVA_PAGES: the largest window (32 MiB)
MIN_WINDOW = 64          # the smallest window, in pages
DEVICE = struct.Struct("<IIIIIIIIQ")  # kind, value, bar, stream, client's
#   stream, client's VSpace, client's IRQHandler slot, pad, its BAR IPA


def clients(m):
    """[(name, mode, devices)] of the component clients: those whose
    devices the server sets up (a domain's are validated only)."""
    return [c for c in m.device_clients() if c[0] in m.components]


def with_iommu(m, iommu_idl):
    """A copy of manifest m with the IOMMU server as a component, connected
    to the console and to each client (iommu_idl: idl/iommu.idl, added to
    the IDL files unless the manifest lists it)."""
    import copy
    from pathlib import Path

    from cairn.spec import SpecError

    found = clients(m)
    if not found:
        return m
    if len(found) > MAX_CLIENTS:
        raise SpecError(f"{len(found)} clients have devices; the IOMMU "
                        f"server serves {MAX_CLIENTS}")
    consoles = [i for i, t in m.components.items() if t == CONSOLE_TYPE]
    if not consoles:
        raise SpecError("devices need the IOMMU server, a console client (it "
                        "reports DMA faults there): add a [[component]] of "
                        "type Console")
    v = copy.copy(m)
    v.components = dict(m.components)
    v.component_caps = dict(m.component_caps)
    v.component_caps[IOMMU_NAME] = ["iommu"]
    v.connections, v.idl_files = list(m.connections), list(m.idl_files)
    listed = {(m.path.parent / f).resolve() for f in m.idl_files}
    if Path(iommu_idl).resolve() not in listed:
        v.idl_files.append(str(iommu_idl))
    v.components[IOMMU_NAME] = IOMMU_TYPE
    for name, _, _ in found:
        v.connections.append((f"{name}.iommu", f"{IOMMU_NAME}.clients",
                              "uses"))
    v.connections.append((f"{IOMMU_NAME}.console", f"{consoles[0]}.io",
                          "uses"))
    return v


def stream_object(client, i):
    return f"stream_id:{client}#{i}"


def irq_object(client, i):
    return f"irq_handler:{client}#{i}"


def bar_object(k):
    return f"frame_2m:pcie.bar{k}"


def client_caps(spec, m, inst, first_slot, Cap):
    """A client's device caps from first_slot on: its own VSpace (its P2M,
    which it changes in every mode and, in share-pt or enabled, binds its
    streams to); per device, its BAR frame (mapped) and, in share-pt or
    enabled, the slot of its bind-only StreamID; plus the level-2 table the
    frames need. Returns (caps, {device index: (bar number, stream slot or
    0, VSpace slot, first slot)})."""
    found = {c[0]: c for c in clients(m)}
    if inst not in found:
        return [], {}
    _, mode, devices = found[inst]
    first_bar = _first_bar(m, inst)
    caps, slot, where = [], first_slot, {}
    table = spec.add(f"page_table:{inst}@L2:{DEVICE_IPA:#x}", "page_table")
    caps.append(Cap(inst, slot, "page_table", table, ALL, map_ipa=DEVICE_IPA))
    slot += 1
    vspace = slot
    caps.append(Cap(inst, slot, "vspace", f"vspace:{inst}", ALL))
    slot += 1
    for i, _ in enumerate(devices):
        k = first_bar + i
        caps.append(Cap(inst, slot, "frame_2m", bar_object(k), R | W,
                        map_ipa=DEVICE_IPA + i * BLOCK, kernel="bar"))
        slot += 1
        stream = 0
        if mode in ("share-pt", "enabled"):
            stream = slot
            caps.append(Cap(inst, slot, "stream_id", stream_object(inst, i),
                            W, kernel="runtime"))
            slot += 1
        irq = slot  # its INTx's handler, which the server claims there
        caps.append(Cap(inst, slot, "irq_handler", irq_object(inst, i), ALL,
                        kernel="runtime"))
        slot += 1
        where[i] = (k, stream, vspace, irq, first_slot)
    return caps, where


def _first_bar(m, inst):
    k = 0
    for name, _, devices in clients(m):
        if name == inst:
            return k
        k += len(devices)
    raise KeyError(inst)


def server_caps(spec, m, first_slot, Cap, client_slots):
    """The server's caps from first_slot on (per client: its CNode, then
    per device the BAR frame's copy and the StreamID it claims), and its
    info page's bytes. client_slots: client -> client_caps()' map."""
    caps, slot, out = [], first_slot, []

    def put(type_, obj, rights, badge=0, kernel=None, ipa=None, space=None):
        nonlocal slot
        caps.append(Cap(IOMMU_NAME, slot, type_, obj, rights, badge,
                        kernel=kernel, map_ipa=ipa, map_vspace=space))
        slot += 1
        return slot - 1

    from cairn.spec import guard_word

    for n, (name, mode, devices) in enumerate(clients(m), 1):
        cnode = put("cnode", f"cnode:{name}", ALL,
                    guard_word(spec.radix[name]))
        io, pages = (0, 0, 0, 0), 0
        if mode in SYNC_MODES:
            io, pages = _sync_pt_caps(spec, name, put, guard_word)
        devs = []
        for i, dev in enumerate(devices):
            k, client_stream, client_vspace, client_irq, first = \
                client_slots[name][i]
            bar = put("frame_2m", bar_object(k), R | W, kernel="bar")
            stream = put("stream_id", stream_object(name, i), ALL,
                         kernel="runtime")
            devs.append((dev, bar, stream, client_stream, client_vspace,
                         client_irq, DEVICE_IPA + i * BLOCK))
        out.append((name, n, mode, cnode, io + (first, pages), devs))
    return caps, _info(out)


# The modes whose clients get an IOSpace: sync-pt, and enabled (which may
# turn out sync-pt). share-pt costs none, so its fallback on an SMMU that
# cannot share has none to run in.
SYNC_MODES = ("sync-pt", "enabled")


def window_pages(spec, name):
    """A sync-pt client's IOVA window, in pages from IOVA_BASE: a power of
    two above the 4 KiB frames it holds (each can be mapped once at least;
    page 0 is never mapped), MIN_WINDOW to IOVA_PAGES."""
    frames = sum(1 for c in spec.caps if c.holder == name
                 and spec.objects.get(c.object, ("",))[0] == "frame")
    pages = MIN_WINDOW
    while pages < frames + 1 and pages < IOVA_PAGES:
        pages *= 2
    return pages


def _sync_pt_caps(spec, name, put, guard_word):
    """A sync-pt client's IOSpace, the IO page tables covering its IOVA
    window (one level 2, a level 3 per 2 MiB or part, mapped by the root
    task: a table is copied only while mapped) and the CNode where the
    server keeps the copies it maps, one slot per IOVA page. Returns their
    slots for the info page, and the window's pages."""
    pages = window_pages(spec, name)
    space = spec.add(f"iospace:{name}", "iospace")
    iospace = put("iospace", space, ALL)
    tables = [(2, IOVA_BASE >> 30 << 30)] + [
        (3, IOVA_BASE + j * BLOCK)
        for j in range(-(-pages * 4096 // BLOCK))]
    first = 0
    for level, iova in tables:
        obj = spec.add(f"io_page_table:{name}@L{level}:{iova:#x}",
                       "io_page_table")
        slot = put("io_page_table", obj, ALL, ipa=iova, space=space)
        first = first or slot
    radix = pages.bit_length() - 1
    p2m = spec.add(f"cnode:{IOMMU_NAME}.p2m.{name}", "cnode", radix)
    cnode = put("cnode", p2m, ALL, guard_word(radix))
    return (iospace, first, len(tables), cnode), pages


def _device_words(dev):
    if VENDOR_DEVICE.fullmatch(dev):
        vendor, device = (int(x, 16) for x in dev.split(":"))
        return DEV_IDS, device << 16 | vendor
    bus, rest = dev.split(":")
    d, f = rest.split(".")
    return DEV_BDF, int(bus, 16) << 8 | int(d, 16) << 3 | int(f, 16)


def _info(clients_):
    blob = bytearray(HEADER.pack(INFO_MAGIC, INFO_VERSION, len(clients_),
                                 0, 0))
    for c in range(MAX_CLIENTS):
        if c >= len(clients_):
            blob += bytes(CLIENT.size + MAX_DEVICES * DEVICE.size)
            continue
        name, badge, mode, cnode, io, devs = clients_[c]
        blob += CLIENT.pack(name.encode(), badge, MODES[mode], len(devs),
                            cnode, *io)
        for i in range(MAX_DEVICES):
            if i >= len(devs):
                blob += bytes(DEVICE.size)
                continue
            dev, bar, stream, client_stream, client_vspace, client_irq, \
                ipa = devs[i]
            kind, value = _device_words(dev)
            blob += DEVICE.pack(kind, value, bar, stream, client_stream,
                                client_vspace, client_irq, 0, ipa)
    return bytes(blob)


def memory_report(spec, m):
    """What each client's mode costs in kernel memory beyond the client
    itself: sync-pt its IOSpace, IO page tables and the server's copies'
    CNode; share-pt nothing (the SMMU walks the client's own tables)."""
    from cairn.spec import object_bytes

    out = []
    for name, mode, devices in clients(m):
        rows = {}
        for obj, (type_, bits) in spec.objects.items():
            if obj in (f"iospace:{name}", f"cnode:{IOMMU_NAME}.p2m.{name}") \
                    or obj.startswith(f"io_page_table:{name}@"):
                rows[type_] = rows.get(type_, 0) + object_bytes(type_, bits)
        total = sum(rows.values())
        out.append(f"iommu client {name}: passthrough {mode}, "
                   f"{len(devices)} device{'s' if len(devices) != 1 else ''}")
        for type_, size in sorted(rows.items()):
            what = {"iospace": "IOSpace (root table, VMID)",
                    "io_page_table": "IO page tables",
                    "cnode": "the server's CNode of mapped copies"}[type_]
            out.append(f"  {what:<44} {size / 1024:>10.0f} KiB")
        out.append(f"  {'for its mode':<44} {total / 1024:>10.0f} KiB")
    return "\n".join(out)


def info_size():
    return HEADER.size + MAX_CLIENTS * (CLIENT.size +
                                        MAX_DEVICES * DEVICE.size)
