import re
import json
import struct
import subprocess
import sys

import pytest
from conftest import ROOT
from test_manifest import IDL, SYSTEM

from cairn import idl, iommuspec, manifest, spec, specblob


def fake_elf(segments, entry=0x400000):
    """A minimal AArch64 ELF: segments are (vaddr, paddr, filesz, memsz,
    flags) with file bytes 0x11, 0x22, ... per segment."""
    phoff, phsize = 64, 56
    data_off = phoff + phsize * len(segments)
    head = bytearray(b"\x7fELF\x02\x01\x01" + bytes(9))
    head += struct.pack("<HHIQQQIHHHHHH", 2, 183, 1, entry, phoff, 0, 0, 64,
                        phsize, len(segments), 0, 0, 0)
    body, phdrs = bytearray(), bytearray()
    for i, (vaddr, paddr, filesz, memsz, flags) in enumerate(segments):
        off = data_off + len(body)
        phdrs += struct.pack("<IIQQQQQQ", 1, flags, off, vaddr, paddr, filesz,
                             memsz, 4096)
        body += bytes([0x11 * (i + 1)]) * filesz
    return bytes(head + phdrs + body)


@pytest.fixture(autouse=True)
def guest_kernel(tmp_path):
    """The file SYSTEM's domain names (manifests name existing files)."""
    (tmp_path / "guests" / "test").mkdir(parents=True)
    (tmp_path / "guests" / "test" / "Image").write_bytes(b"guest")


# text: 2 pages R-X; .data runs at 8 MiB (1 page, +1 page of bss) and loads
# right after the text.
ELF = fake_elf([(0x400000, 0x400000, 0x1800, 0x1800, 5),
                (0x800000, 0x402000, 0x10, 0x1800, 6)])


def compile_system(tmp_path, text=SYSTEM, idl_text=IDL, idl_file="demo.idl"):
    """Compiles a manifest whose component types all run ELF."""
    (tmp_path / idl_file).write_text(idl_text)
    (tmp_path / "m.toml").write_text(text)
    m = manifest.load(tmp_path / "m.toml")
    types = idl.parse(idl_text, idl_file)
    progs = {spec.program_name(t): spec.elf_segments(ELF, t)
             for t in types.components}
    return spec.compile_manifest(m, types.components, types.dataports, progs,
                                 spec.shared_sizes(types))


def caps_of(s, holder, kinds=("endpoint", "notification", "reply", "tcb",
                              "audit_control")):
    return [(c.slot, c.type, c.object, spec.rights_str(c.rights), c.badge)
            for c in s.caps if c.holder == holder and c.type in kinds]


def test_interface_caps_follow_the_declaration_order(tmp_path):
    s = compile_system(tmp_path)
    assert caps_of(s, "client") == [
        (1, "tcb", "tcb:client", "rwgx", 0),
        (3, "endpoint", "endpoint:server.calc", "-wg-", 1),
        (4, "notification", "notification:server.tick", "-w--", 1),
    ]
    assert caps_of(s, "server") == [
        (1, "tcb", "tcb:server", "rwgx", 0),
        (3, "endpoint", "endpoint:server.calc", "r---", 0),
        (4, "reply", "reply:server.calc", "rwgx", 0),
        (5, "notification", "notification:server.tick", "rw--", 0),
    ]
    # slot 2: its own CNode, the guard word (64 - radix) as the badge
    assert caps_of(s, "server", ("cnode",)) == [
        (2, "cnode", "cnode:server", "rwgx", 64 - s.radix["server"])]
    slots, dataports = spec.layout(
        idl.parse(IDL, "x").components["Server"].interfaces, {"Buf": 65536})
    assert slots["recv"] == 6 and slots["grants"] == 7
    assert dataports == {"buf": (spec.DATAPORT_BASE, 65536)}


def test_memory_caps_map_program_stack_ipc_and_dataport(tmp_path):
    s = compile_system(tmp_path)
    frames = {c.map_ipa: (c.object, spec.rights_str(c.rights))
              for c in s.caps if c.holder == "client" and c.type == "frame"}
    # text (2 pages) and the .data load page after it: read, exec
    assert frames[0x400000] == ("frame:client@0x400000", "r--x")
    assert frames[0x401000][1] == "r--x"
    assert frames[0x402000][1] == "r---"
    # .data and .bss where they run
    assert frames[0x800000][1] == "rw--" and frames[0x801000][1] == "rw--"
    # a 16 KiB stack below the IPC buffer
    assert [a for a in frames if 0xF000000 <= a < 0x10000000] == [
        0x10000000 - 0x4000 + i * 0x1000 for i in range(4)]
    assert frames[0x10000000] == ("frame:client.ipc", "rw--")
    # both ends of the dataport map the same 16 frames
    dp = [o for a, (o, r) in frames.items() if a >= spec.DATAPORT_BASE]
    assert dp == [f"frame:server.buf+{i * 4096:#x}" for i in range(16)]
    srv = {c.object for c in s.caps if c.holder == "server"}
    assert set(dp) <= srv
    # tables: level 2 for GiB 0 and the dataport's GiB, level 3 per 2 MiB
    tables = [c.map_ipa for c in s.caps
              if c.holder == "client" and c.type == "page_table"]
    assert tables == [0, spec.DATAPORT_BASE, 0x400000, 0x800000, 0xFE00000,
                      0x10000000, spec.DATAPORT_BASE]
    # page tables come first so every frame maps onto an existing table
    types = [c.type for c in s.caps if c.holder == "client" and c.map_ipa is not None]
    assert types == sorted(types, key=lambda t: t != "page_table")


def test_fills_copy_file_bytes_to_load_addresses(tmp_path):
    s = compile_system(tmp_path)
    fills = [(f.frame, f.frame_offset, f.file_offset, f.length)
             for f in s.fills if f.frame.startswith("frame:client@")]
    text_off = 64 + 2 * 56
    assert fills == [("frame:client@0x400000", 0, text_off, 4096),
                     ("frame:client@0x401000", 0, text_off + 4096, 0x800),
                     ("frame:client@0x402000", 0, text_off + 0x1800, 0x10)]


def test_slots_are_dense_and_the_cnode_fits(tmp_path):
    s = compile_system(tmp_path)
    for inst in ("client", "server"):
        slots = sorted(c.slot for c in s.caps if c.holder == inst)
        recv = 5 if inst == "client" else 6
        assert slots == [x for x in range(1, slots[-1] + 1) if x != recv]
        assert 1 << s.radix[inst] > slots[-1]
        assert s.objects[f"cnode:{inst}"] == ("cnode", s.radix[inst])


def test_granted_kernel_caps_follow_the_receive_slot(tmp_path):
    text = SYSTEM.replace('priority = 150', 'priority = 150\ncaps = ["audit"]')
    s = compile_system(tmp_path, text)
    assert (7, "audit_control", "audit_control", "rwgx", 0) in caps_of(s, "server")


def test_priority_defaults_and_manifest_override(tmp_path):
    s = compile_system(tmp_path)
    assert {t.name: t.priority for t in s.threads} == {"client": 100, "server": 150}
    assert {t.entry for t in s.threads} == {0x400000}


def test_missing_program_and_bad_elf_are_named(tmp_path):
    (tmp_path / "demo.idl").write_text(IDL)
    (tmp_path / "m.toml").write_text(SYSTEM)
    m = manifest.load(tmp_path / "m.toml")
    with pytest.raises(spec.SpecError, match="program 'client' is not built"):
        spec.for_manifest(m, {})
    with pytest.raises(spec.SpecError, match="not a 64-bit little-endian ELF"):
        spec.elf_segments(b"MZ" + bytes(100), "x")


def test_blob_header_counts_and_record_sizes(tmp_path):
    s = compile_system(tmp_path)
    blob, programs = specblob.encode(s)
    h = specblob.decode_header(blob)
    assert programs == ["client", "server"]
    assert (h["objects"], h["caps"], h["fills"], h["threads"]) == (
        len(s.objects), len(s.caps), len(s.fills), 2)
    size = (specblob.HEADER.size + h["objects"] * 16 + h["caps"] * 40
            + h["fills"] * 24 + h["threads"] * 64 + 4 * h["programs"] + h["strings"])
    assert len(blob) == size
    # objects are packed largest first
    first = specblob.OBJECT.unpack_from(blob, specblob.HEADER.size)
    assert first[0] == spec.OBJ["cnode"]


def test_record_sizes_match_the_c_header():
    text = (ROOT / "servers" / "root" / "spec_format.h").read_text()
    assert '#define SPEC_VERSION 2' in text and specblob.VERSION == 2
    assert (specblob.OBJECT.size, specblob.CAP.size, specblob.FILL.size,
            specblob.THREAD.size, specblob.HEADER.size) == (16, 40, 24, 64, 40)


# SYSTEM without its domain (whose VMM needs a console and a built vmm).
COMPONENTS_ONLY = SYSTEM.split("[[domain]]")[0]


def test_capaudit_manifest_table_and_jsonl(tmp_path):
    (tmp_path / "demo.idl").write_text(IDL)
    (tmp_path / "m.toml").write_text(COMPONENTS_ONLY)
    (tmp_path / "progs").mkdir()
    for p in ("client", "server"):
        (tmp_path / "progs" / f"{p}.elf").write_bytes(ELF)
    tool = [sys.executable, str(ROOT / "tools" / "capaudit"), str(tmp_path / "m.toml"),
            "--programs", str(tmp_path / "progs")]
    table = subprocess.run(tool, capture_output=True, text=True, check=True).stdout
    assert table.splitlines()[0].split() == ["holder", "slot", "type", "object",
                                             "rights", "badge", "mapped"]
    rows = [r.split() for r in table.splitlines()]
    assert ["client", "3", "endpoint", "endpoint:server.calc", "-wg-", "0x1", "-"] in rows
    assert "held by 2 components" in table
    lines = subprocess.run(tool + ["--jsonl"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert json.loads(lines[2]) == {"holder": "client", "cptr": 3, "depth": 64,
                                    "type": "endpoint", "object": "endpoint:server.calc",
                                    "rights": "-wg-", "badge": 1}
    s = compile_system(tmp_path, COMPONENTS_ONLY)
    assert len(lines) == len(s.caps)
    bad = subprocess.run(tool[:3] + ["--programs", str(tmp_path / "none")],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "build first" in bad.stderr


def test_kernel_grants_in_canonical_order_and_the_expected_set(tmp_path):
    text = SYSTEM.replace('priority = 150',
                          'priority = 150\ncaps = ["power", "audit", "uart"]')
    s = compile_system(tmp_path, text)
    grants = [(c.slot, c.type, c.object, c.kernel, c.map_ipa)
              for c in s.caps if c.holder == "server" and c.kernel]
    assert grants == [(7, "frame", "frame:uart", "uart_frame", spec.UART_IPA),
                      (8, "irq_handler", "irq_handler:uart", "uart_irq", None),
                      (9, "audit_control", "audit_control", "audit", None),
                      (10, "power_control", "power_control", "power", None)]
    # The auditor gets the expected set, whose pages are in the set.
    lines = s.audit_text.decode().splitlines()
    assert len(lines) == len(s.caps)
    pages = [c for c in s.caps if c.object.startswith("frame:server.audit+")]
    assert len(pages) == -(-len(s.audit_text) // 4096) >= 1
    assert "server 9 64 audit_control audit_control rwgx 0x0" in lines
    assert all(c.map_ipa >= spec.AUDIT_SET_IPA for c in pages)
    fills = [f for f in s.fills if f.program == spec.AUDIT_SET_MODULE]
    assert sum(f.length for f in fills) == len(s.audit_text)


def test_uart_granted_twice_is_refused(tmp_path):
    (tmp_path / "demo.idl").write_text(IDL)
    text = SYSTEM.replace('type = "Client"', 'type = "Client"\ncaps = ["uart"]')
    text = text.replace('priority = 150', 'priority = 150\ncaps = ["uart"]')
    (tmp_path / "m.toml").write_text(text)
    with pytest.raises(manifest.ManifestError, match='"uart" is granted twice'):
        manifest.load(tmp_path / "m.toml")


SHARED_IDL = """
dataport Ring 8K;
procedure Log { dataport Ring; uint32 read(out string<8> t); };
component Sink { provides Log log; };
component Source { uses Log logger; };
"""

SHARED_SYSTEM = """
[system]
name = "shared"
idl = ["shared.idl"]
[root]
program = "root"
[[component]]
name = "sink"
type = "Sink"
[[component]]
name = "a"
type = "Source"
[[component]]
name = "b"
type = "Source"
[[connection]]
from = "a.logger"
to = "sink.log"
[[connection]]
from = "b.logger"
to = "sink.log"
"""


def test_shared_procedure_memory_is_per_connection_at_badge_offsets(tmp_path):
    """A procedure with a shared dataport: each connection n has its own
    memory, at the user's window and at the provider's window + n * size,
    and a doorbell: the provider's notification, badge 2 at each user."""
    s = compile_system(tmp_path, SHARED_SYSTEM, SHARED_IDL, "shared.idl")
    types = idl.parse(SHARED_IDL, "shared.idl")
    base, size = spec.DATAPORT_BASE, 8192

    def frames(holder):
        return {c.map_ipa: c.object for c in s.caps
                if c.holder == holder and c.type == "frame"}

    sink, a, b = frames("sink"), frames("a"), frames("b")
    for user, n in ((a, 1), (b, 2)):
        for off in (0, 4096):
            assert user[base + off] == f"frame:sink.log#{n}+{off:#x}"
            assert sink[base + n * size + off] == user[base + off]
    assert base not in sink
    doorbell = [(c.holder, c.slot, c.rights, c.badge) for c in s.caps
                if c.object == "notification:sink.log.doorbell"]
    slots, _ = spec.layout(types.components["Source"].interfaces, {},
                           spec.shared_sizes(types))
    sink_slots, ports = spec.layout(types.components["Sink"].interfaces, {},
                                    spec.shared_sizes(types))
    assert sorted(doorbell) == sorted([
        ("sink", sink_slots["log_doorbell"], spec.R | spec.W, 0),
        ("a", slots["logger_doorbell"], spec.W, 2),
        ("b", slots["logger_doorbell"], spec.W, 2)])
    assert ports == {"log": (base, size)}
    # The way back: each user's wake notification, held by the provider
    # (write) at peers + the connection's badge.
    for user, n in (("a", 1), ("b", 2)):
        wake = [(c.holder, c.slot, c.rights) for c in s.caps
                if c.object == f"notification:{user}.logger.wake"]
        assert sorted(wake) == sorted([
            (user, slots["logger_wake"], spec.R | spec.W),
            ("sink", sink_slots["log_peers"] + n, spec.W)])
    assert (sink_slots["log"], sink_slots["log_reply"],
            sink_slots["log_doorbell"]) == (3, 4, 5)


def test_shared_dataport_must_be_declared():
    with pytest.raises(idl.IdlError, match=r"x:1:15: procedure 'P': no "
                       r"dataport named 'Ring' \(declare it before"):
        idl.parse("procedure P { dataport Ring; uint32 r(); };", "x")


def test_badges_count_connections_per_provider(tmp_path):
    """A user's badge is its number among the connections to the same
    provided end, whatever comes before it in the manifest."""
    text = SHARED_SYSTEM.replace('''[[connection]]
from = "a.logger"''', '''[[component]]
name = "sink2"
type = "Sink"
[[component]]
name = "c"
type = "Source"
[[connection]]
from = "c.logger"
to = "sink2.log"
[[connection]]
from = "a.logger"''')
    s = compile_system(tmp_path, text, SHARED_IDL, "shared.idl")
    badges = {c.holder: c.badge for c in s.caps if c.type == "endpoint"
              and c.rights == spec.W | spec.G}
    assert badges == {"c": 1, "a": 1, "b": 2}
    sink2 = {c.map_ipa: c.object for c in s.caps
             if c.holder == "sink2" and c.type == "frame"}
    assert sink2[spec.DATAPORT_BASE + 8192] == "frame:sink2.log#1+0x0"


# ---- the IOMMU server (iommuspec.py) ---------------------------------------

def compile_devices(tmp_path):
    from test_manifest import DEVICES, write_devices

    path = write_devices(tmp_path, DEVICES)
    m = manifest.load(path)
    from cairn import domainspec, iommuspec
    m = iommuspec.with_iommu(m, spec.IOMMU_IDL)
    types = idl.load([path.parent / f for f in m.idl_files])
    progs = {spec.program_name(t): spec.elf_segments(ELF, t)
             for t in types.components}
    return m, spec.compile_manifest(m, types.components, types.dataports,
                                    progs, spec.shared_sizes(types))


def test_iommu_server_and_clients(tmp_path):
    from cairn import iommuspec

    m, s = compile_devices(tmp_path)
    assert m.components["iommu"] == "Iommu"
    assert ("left.iommu", "iommu.clients", "uses") in m.connections
    assert ("iommu.console", "console.io", "uses") in m.connections
    server = {c.object: c for c in s.caps if c.holder == "iommu"}
    assert server["sid_control"].kernel == "sid_control"
    assert server["frame_2m:ecam"].map_ipa == iommuspec.ECAM_IPA
    # Per client its CNode (guarded as its own) and per device the BAR
    # frame (unmapped) and the StreamID it claims (all rights).
    assert server["cnode:left"].badge == spec.guard_word(s.radix["left"])
    assert server["frame_2m:pcie.bar0"].map_ipa is None
    assert server["stream_id:left#0"].rights == spec.ALL
    assert server["stream_id:left#0"].kernel == "runtime"
    assert server["frame_2m:pcie.bar1"].kernel == "bar"
    left = {c.object: c for c in s.caps if c.holder == "left"}
    assert left["frame_2m:pcie.bar0"].map_ipa == iommuspec.DEVICE_IPA
    assert left["stream_id:left#0"].rights == spec.W  # bind-only
    assert "vspace:left" in left  # to bind its stream to
    # sync-pt: no StreamID for the client, the server's claim; its own
    # VSpace (its P2M, whose changes it mirrors to the server) as in
    # share-pt.
    right = {c.object for c in s.caps if c.holder == "right"}
    assert "stream_id:right#0" not in right and "vspace:right" in right
    assert "stream_id:right#0" in server
    assert not any(c.holder == "plain" and c.type == "stream_id"
                   for c in s.caps)


def test_runtime_caps_are_audited_not_placed(tmp_path):
    _, s = compile_devices(tmp_path)
    blob, _ = specblob.encode(s)
    counts = specblob.decode_header(blob)
    runtime = [c for c in s.caps if c.kernel == "runtime"]
    # StreamIDs: left's (the server's and its own) and right's (the
    # server's); each client's IRQHandler, claimed into it by the server.
    assert len(runtime) == 5
    assert counts["caps"] == len(s.caps) - len(runtime)
    assert "stream_id:left#0" in spec.expected_text(s)
    irqs = {(c.holder, c.object, c.rights) for c in runtime
            if c.type == "irq_handler"}
    assert irqs == {("left", "irq_handler:left#0", iommuspec.ALL),
                    ("right", "irq_handler:right#0", iommuspec.ALL)}


def test_iommu_info_page(tmp_path):
    from cairn import iommuspec

    _, s = compile_devices(tmp_path)
    info = s.modules[iommuspec.INFO_MODULE]
    assert len(info) == iommuspec.info_size() == 3160
    magic, version, clients, _, _ = iommuspec.HEADER.unpack_from(info)
    assert (magic, version, clients) == (b"CAIRNIOM", 2, 2)
    at = iommuspec.HEADER.size
    name, badge, mode, devices, cnode, *io, first, pages = \
        iommuspec.CLIENT.unpack_from(info, at)
    assert io == [0, 0, 0, 0] and pages == 0  # share-pt: no IOSpace
    assert (name.rstrip(b"\0"), badge, mode, devices) == (b"left", 1, 1, 1)
    server = {c.object: c.slot for c in s.caps if c.holder == "iommu"}
    assert cnode == server["cnode:left"]
    kind, value, bar, stream, cstream, cvspace, cirq, _, ipa = \
        iommuspec.DEVICE.unpack_from(info, at + iommuspec.CLIENT.size)
    left = {c.object: c.slot for c in s.caps if c.holder == "left"}
    assert (kind, value) == (iommuspec.DEV_BDF, 0x10)  # 00:02.0
    assert (bar, stream) == (server["frame_2m:pcie.bar0"],
                             server["stream_id:left#0"])
    assert (cstream, cvspace, cirq) == (left["stream_id:left#0"],
                                        left["vspace:left"],
                                        left["irq_handler:left#0"])
    assert ipa == iommuspec.DEVICE_IPA
    assert first == min(slot for obj, slot in left.items()
                        if "L2:0x6000000000" in obj)
    # right (sync-pt): its IOSpace, 2 IO page tables and the p2m CNode.
    at += iommuspec.CLIENT.size + iommuspec.MAX_DEVICES * iommuspec.DEVICE.size
    _, _, mode, _, _, iospace, tables, count, p2m, _, pages = \
        iommuspec.CLIENT.unpack_from(info, at)
    assert (mode, count, pages) == (2, 2, 64)  # L2, one L3: 64 pages
    assert (iospace, tables, p2m) == (
        server["iospace:right"], server["io_page_table:right@L2:0x40000000"],
        server["cnode:iommu.p2m.right"])
    assert s.objects["cnode:iommu.p2m.right"] == ("cnode", 6)


def test_iova_window_follows_the_frames_held():
    from types import SimpleNamespace as NS
    from cairn import iommuspec

    def window(frames, other=0):
        caps = [NS(holder="c", object=f"frame:c@{i}") for i in range(frames)]
        caps += [NS(holder="c", object=f"endpoint:{i}") for i in range(other)]
        caps += [NS(holder="d", object=f"frame:d@{i}") for i in range(999)]
        objects = {c.object: (c.object.split(":")[0], 0) for c in caps}
        return iommuspec.window_pages(NS(caps=caps, objects=objects), "c")

    assert window(0, 500) == iommuspec.MIN_WINDOW == 64
    assert window(63) == 64  # page 0 is never mapped: 63 fit
    assert window(64) == 128
    assert window(4096 + 30) == 8192  # bench/p2m's client
    assert window(20000) == iommuspec.IOVA_PAGES  # the largest there is


def test_no_devices_no_server(tmp_path):
    s = compile_system(tmp_path)  # its domain's devices are validated only
    assert not any(c.holder == "iommu" for c in s.caps)


def test_iommu_memory_report(tmp_path):
    from cairn import iommuspec

    m, s = compile_devices(tmp_path)
    report = iommuspec.memory_report(s, m)
    # left: share-pt, nothing beyond its own tables; right: sync-pt, its
    # IOSpace, 2 IO page tables and the server's 64-slot CNode (its window:
    # the smallest, 64 pages, above the few frames it holds).
    assert "iommu client left: passthrough share-pt, 1 device\n" \
           "  for its mode" in report
    assert re.search(r"left.*\n  for its mode +0 KiB", report)
    assert re.search(r"IO page tables +8 KiB", report)
    assert re.search(r"IOSpace \(root table, VMID\) +4 KiB", report)
    assert re.search(r"the server's CNode of mapped copies +4 KiB", report)
    assert re.search(r"right.*\n(.*\n){3}  for its mode +16 KiB", report)
