"""A domain in the spec: its VMM's caps, the vCPU threads, guest RAM
mapped twice, the payload's fills and the info page agree."""
import pytest
from conftest import ROOT
from test_manifest import arm64_image
from test_spec import ELF

from cairn import domainspec, manifest, spec, specblob

MANIFEST = f"""
[system]
name = "doms"
idl = ["{ROOT}/idl/console.idl"]
[machine]
memory = "1G"
cpus = 4
[root]
program = "root"
[[component]]
name = "console"
type = "Console"
caps = ["uart", "audit", "power"]
[[domain]]
name = "guest0"
kernel = "Image"
initrd = "initrd"
memory = "256M"
vcpus = 2
bootargs = "console=ttyAMA0"
priority = 90
"""


@pytest.fixture
def system(tmp_path):
    (tmp_path / "Image").write_bytes(arm64_image(0x20000) + b"K" * 5000)
    (tmp_path / "initrd").write_bytes(b"I" * 300000)
    (tmp_path / "m.toml").write_text(MANIFEST)
    for p in ("root", "console", "vmm"):
        (tmp_path / f"{p}.elf").write_bytes(ELF)
    m = manifest.load(tmp_path / "m.toml")
    s = spec.for_manifest(m, {p: tmp_path / f"{p}.elf"
                              for p in ("root", "console", "vmm")})
    return m, s


def caps_at(s, holder):
    return {c.slot: c for c in s.caps if c.holder == holder}


def test_the_info_page_names_the_domains_caps(system):
    m, s = system
    info = domainspec.info_fields(s.modules["guest0.info"])
    assert info["magic"] == domainspec.INFO_MAGIC and info["vcpus"] == 2
    assert info["name"].rstrip(b"\0") == b"guest0" and info["priority"] == 90
    vmm = caps_at(s, "guest0")
    assert vmm[info["guest_vspace"]].object == "vspace:guest0.guest"
    assert vmm[info["exits"]].object == "endpoint:guest0.exits"
    assert vmm[info["exits"]].rights == spec.R
    assert vmm[info["reply"]].type == "reply"
    for i in range(2):
        assert vmm[info[f"vcpu_tcb{i}"]].object == f"tcb:guest0.vcpu{i}"
        assert vmm[info[f"vcpu{i}"]].object == f"vcpu:guest0.vcpu{i}"
    assert info["vcpu_tcb2"] == 0 and info["ram_frames"] == 128
    ram = [vmm[info["ram_first"] + k] for k in range(128)]
    assert all(c.type == "frame_2m" and c.map_vspace == "vspace:guest0.guest"
               for c in ram)
    assert [c.map_ipa for c in ram] == [0x40000000 + k * (2 << 20)
                                        for k in range(128)]
    # the same frames, mapped in the VMM without execute
    window = [c for c in vmm.values() if c.type == "frame_2m"
              and c.map_ipa is not None and
              domainspec.RAM_WINDOW <= c.map_ipa < domainspec.PAYLOAD_WINDOW]
    assert {c.object for c in window} == {c.object for c in ram}
    assert all(c.rights == spec.R | spec.W for c in window)


def test_vcpu_threads_fault_to_the_exits_endpoint(system):
    m, s = system
    vcpus = [t for t in s.threads if t.vcpu]
    assert [t.name for t in vcpus] == ["guest0.vcpu0", "guest0.vcpu1"]
    assert all(t.priority == 90 and t.fault_ep == 1 and
               t.vspace == "vspace:guest0.guest" for t in vcpus)
    vmm = next(t for t in s.threads if t.name == "guest0")
    assert vmm.priority == 91 and vmm.program == "vmm"
    for i in range(2):
        (cap,) = caps_at(s, f"guest0.vcpu{i}").values()
        assert (cap.slot, cap.object, cap.rights, cap.badge) == (
            1, "endpoint:guest0.exits", spec.W, i + 1)
    blob, programs = specblob.encode(s)
    assert "guest0.info" in programs and "guest0.kernel" in programs


def test_fills_rebuild_the_payload_exactly(system, tmp_path):
    m, s = system
    info = domainspec.info_fields(s.modules["guest0.info"])
    window = {}
    for f in s.fills:
        if f.frame.startswith("frame_2m:guest0.payload+"):
            base = int(f.frame.rpartition("+")[2], 16)
            data = s.modules[f.program][f.file_offset:f.file_offset + f.length]
            for k, b in enumerate(data):
                window[base + f.frame_offset + k] = b
    for part, path in (("kernel", "Image"), ("initrd", "initrd")):
        want = (tmp_path / path).read_bytes()
        at, size = info[f"{part}_offset"], info[f"{part}_size"]
        assert size == len(want)
        assert bytes(window[at + k] for k in range(size)) == want
    dtb = bytes(window[info["dtb_offset"] + k] for k in range(info["dtb_size"]))
    assert dtb[:4] == b"\xd0\x0d\xfe\xed"
    lay = m.domains[0].layout
    assert (info["kernel_ipa"], info["dtb_ipa"], info["initrd_ipa"]) == (
        lay.kernel_ipa, lay.dtb_ipa, lay.initrd_ipa)


def test_memory_report_counts_what_the_domain_costs(system):
    m, s = system
    text = domainspec.memory_report(s, m)
    assert "guest RAM" in text and "262144 KiB" in text
    extra = next(line for line in text.splitlines()
                 if "beyond guest RAM and payload" in line)
    assert int(extra.split()[-2]) < 4096  # the target: 4 MiB


def test_a_domain_needs_the_console(tmp_path):
    (tmp_path / "Image").write_bytes(arm64_image(0x20000))
    (tmp_path / "initrd").write_bytes(b"I")
    text = MANIFEST.replace('type = "Console"\ncaps = ["uart", "audit", "power"]',
                            'type = "Console"').replace(
        '[[component]]\nname = "console"\ntype = "Console"\n', "")
    (tmp_path / "m.toml").write_text(text)
    for p in ("root", "vmm"):
        (tmp_path / f"{p}.elf").write_bytes(ELF)
    m = manifest.load(tmp_path / "m.toml")
    with pytest.raises(spec.SpecError, match="add a \\[\\[component\\]\\] of type Console"):
        spec.for_manifest(m, {p: tmp_path / f"{p}.elf" for p in ("root", "vmm")})


def test_info_record_matches_the_c_struct(tmp_path):
    """domainspec.INFO, field for field, as servers/vmm/domain_info.h lays
    out struct vmm_info (its arrays as numbered fields)."""
    import shutil
    import struct
    import subprocess

    cc = shutil.which("cc") or shutil.which("gcc")
    assert cc, "no host C compiler: run tools/setup"
    c_fields = []
    for f in domainspec.INFO.fields:
        base = f.rstrip("0123456789")
        c_fields.append(f"{base}[{f[len(base):]}]" if base != f and base in (
            "vcpu_tcb", "vcpu") else f)
    prog = ["#include <stddef.h>", "#include <stdio.h>",
            f'#include "{ROOT}/servers/vmm/domain_info.h"',
            "int main(void) {",
            '\tprintf("%zu\\n", sizeof(struct vmm_info));']
    prog += [f'\tprintf("%zu\\n", offsetof(struct vmm_info, {f}));'
             for f in c_fields]
    prog += ["\treturn 0;", "}"]
    (tmp_path / "p.c").write_text("\n".join(prog) + "\n")
    subprocess.run([cc, "-o", str(tmp_path / "p"), str(tmp_path / "p.c")],
                   check=True)
    out = [int(x) for x in subprocess.run(
        [str(tmp_path / "p")], capture_output=True, text=True,
        check=True).stdout.split()]
    assert out[0] == domainspec.INFO.size
    codes = domainspec.INFO.codes
    want = [struct.calcsize("<" + "".join(codes[:i])) for i in range(len(codes))]
    assert out[1:] == want
    assert domainspec.INFO_IPA == 0x10002000 and domainspec.MAX_VCPUS == 8


def test_a_guest_vspace_maps_only_its_own_ram(system):
    """Isolation by construction: every mapping in the guest's VSpace is a
    frame of its own RAM (at its offset) or a table for it; the RAM frames
    are mapped nowhere else but the VMM's window."""
    m, s = system
    in_guest = [c for c in s.caps if c.map_vspace == "vspace:guest0.guest"]
    frames = [c for c in in_guest if c.type != "page_table"]
    assert all(c.object == f"frame_2m:guest0.ram+{c.map_ipa - 0x40000000:#x}"
               for c in frames)
    assert len(frames) == 128
    ram = {c.object for c in frames}
    elsewhere = [c for c in s.caps if c.object in ram and c.map_ipa is not None
                 and c.map_vspace != "vspace:guest0.guest"]
    assert all(c.map_vspace == "vspace:guest0" and c.holder == "guest0"
               for c in elsewhere)
    unmapped_holders = {c.holder for c in s.caps if c.object in ram}
    assert unmapped_holders == {"guest0"}
