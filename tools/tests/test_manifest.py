import re
import struct

import pytest
from conftest import ROOT

from cairn import manifest

GOOD = """
[system]
name = "demo"
[machine]
memory = "512M"
cpus = 4
[root]
program = "root"
"""


def write(tmp_path, text):
    p = tmp_path / "m.toml"
    p.write_text(text)
    return p


def test_demo_manifest_loads():
    m = manifest.load(ROOT / "configs" / "demo.toml")
    assert m.name == "demo"
    assert m.root_program == "root"
    assert m.memory_bytes == 1 << 30
    assert m.cpus == 2


def test_good_manifest_values(tmp_path):
    m = manifest.load(write(tmp_path, GOOD))
    assert (m.memory_bytes, m.cpus) == (512 << 20, 4)


def test_defaults(tmp_path):
    m = manifest.load(write(tmp_path, '[system]\nname = "x"\n[root]\nprogram = "root"\n'))
    assert (m.memory, m.cpus) == ("1G", 2)


# (manifest text, the line the error names, what it says after "PATH:LINE: ")
BAD = [
    ("[system\nname = 1", 1, "not valid TOML"),
    (GOOD + "[sytem]\n", 9, 'unknown section [sytem]: expected one of system, machine, root, component, connection, domain; did you mean "system"?'),
    (GOOD.replace("cpus = 4", "cpu = 4"), 6, 'machine.cpu: unknown key: expected one of memory, cpus; did you mean "cpus"?'),
    (GOOD.replace("cpus = 4", 'cpus = "4"'), 6, "machine.cpus: expected a whole number, got '4'"),
    (GOOD.replace("cpus = 4", "cpus = true"), 6, "machine.cpus: expected a whole number, got True"),
    (GOOD.replace("cpus = 4", "cpus = 9"), 6, "machine.cpus: 9: expected 1 to 8"),
    (GOOD.replace('"512M"', '"lots"'), 5, "machine.memory: 'lots': write a whole number followed by K, M or G, such as \"512M\" or \"2G\""),
    (GOOD.replace('"512M"', '"512MiB"'), 5, "machine.memory: '512MiB': write \"512M\" (a size is a whole number followed by K, M or G)"),
    (GOOD.replace('"512M"', '"4 GiB"'), 5, "machine.memory: '4 GiB': write \"4G\""),
    (GOOD.replace('"512M"', '"512MB"'), 5, "machine.memory: '512MB': write \"512M\""),
    (GOOD.replace('"512M"', '"2048k"'), 5, "machine.memory: '2048k': write \"2048K\""),
    (GOOD.replace('"512M"', '"536870912"'), 5, "machine.memory: '536870912': write a whole number followed by K, M or G"),
    (GOOD.replace('"512M"', '"1.5G"'), 5, "machine.memory: '1.5G': write a whole number followed by K, M or G"),
    (GOOD.replace('"512M"', '"0G"'), 5, "machine.memory: '0G': write a whole number followed by K, M or G"),
    (GOOD.replace('"512M"', '"64M"'), 5, "machine.memory: '64M' is impossible: QEMU virt takes 128M to 255G"),
    (GOOD.replace('"512M"', '"300G"'), 5, "machine.memory: '300G' is impossible"),
    (GOOD.replace('program = "root"', ""), 7, "root.program: required key is missing"),
    (GOOD.replace('name = "demo"', 'name = "Demo System"'), 3, "system.name: 'Demo System': use lower-case letters"),
    ("system = 3\n[root]\nprogram='r'", 1, "system: expected a table [system]"),
]


@pytest.mark.parametrize("text,line,message", BAD)
def test_bad_manifests_name_file_line_key_and_fix(tmp_path, text, line, message):
    path = write(tmp_path, text)
    with pytest.raises(manifest.ManifestError) as e:
        manifest.load(path)
    assert str(e.value).startswith(f"{path}:{line}: {message}")


def test_missing_file(tmp_path):
    with pytest.raises(manifest.ManifestError, match="no such manifest"):
        manifest.load(tmp_path / "absent.toml")
    with pytest.raises(manifest.ManifestError, match="a directory, not a manifest"):
        manifest.load(tmp_path)


@pytest.mark.parametrize("text,size", [("1G", 1 << 30), ("512M", 512 << 20),
                                       ("2048K", 2 << 20), ("255G", 255 << 30)])
def test_parse_size(text, size):
    assert manifest.parse_size(text) == size


@pytest.mark.parametrize("text", ["512MiB", "4 GiB", "2048k", " 1G", "1G ", "1",
                                  "1.5G", "0M", "1T", "M", "-1G", "0x10M"])
def test_parse_size_takes_one_syntax(text):
    with pytest.raises(ValueError, match="write "):
        manifest.parse_size(text)


@pytest.mark.parametrize("text,qemu", [("1G", "1G"), ("1024M", "1G"), ("1536M", "1536M"),
                                       ("131072K", "128M"), ("2G", "2G")])
def test_qemu_gets_a_normalised_memory_size(tmp_path, text, qemu):
    m = manifest.load(write(tmp_path, GOOD.replace('"512M"', f'"{text}"')))
    assert m.memory == qemu
    assert manifest.parse_size(m.memory) == m.memory_bytes


def test_locate_finds_keys_tables_and_array_tables():
    text = ('# c\nsystem = 3\n[machine]\nmemory = "1G"\n[[domain]]\nname = "a"\n'
            '[[domain]]\n"name" = "b"\nkernel = "k"\n')
    assert manifest.locate(text, ("system",)) == 2
    assert manifest.locate(text, ("machine", "memory")) == 4
    assert manifest.locate(text, ("machine", "cpus")) == 3  # its table's header
    assert manifest.locate(text, ("domain", 1, "name")) == 8
    assert manifest.locate(text, ("domain", 1, "kernel")) == 9
    assert manifest.locate(text, ("domain", 1)) == 7
    assert manifest.locate(text, ("domain", 2, "kernel")) is None
    assert manifest.locate(text, ("root", "program")) is None


def test_check_names_an_unknown_root_program(tmp_path):
    path = write(tmp_path, GOOD.replace('program = "root"', 'program = "roto"'))
    assert manifest.load(path).root_program == "roto"  # load() alone cannot know
    with pytest.raises(manifest.ManifestError) as e:
        manifest.check(path)
    assert str(e.value).startswith(
        f"{path}:8: root.program: 'roto' is not a program this tree builds; "
        'did you mean "root"?: expected one of ')
    assert "captest" in str(e.value)
    assert manifest.check(path, programs={"roto"}).root_program == "roto"


def test_source_programs_are_what_cmake_defines():
    found = manifest.source_programs()
    assert {"root", "console", "captest", "threadtest", "fuzz", "consoleecho",
            "trioclient", "trioserver", "triochecker", "ipcbench"} <= found
    assert not any(p.startswith("$") or p.endswith("}") for p in found)


def test_every_manifest_in_configs_passes_check():
    for path in sorted((ROOT / "configs").glob("*.toml")):
        m = manifest.check(path)
        assert m.root_program in manifest.source_programs(), path
        assert set(m.programs()) <= manifest.source_programs(), path


IDL = """
procedure Calc { int32 add(in int32 a, in int32 b); };
event Tick;
dataport Buf 64K;
component Client { uses Calc calc; emits Tick tick; dataport Buf buf; };
component Server { provides Calc calc; consumes Tick tick; dataport Buf buf; };
"""

SYSTEM = GOOD.replace('name = "demo"', 'name = "demo"\nidl = ["demo.idl"]') + """
[[component]]
name = "client"
type = "Client"
[[component]]
name = "server"
type = "Server"
priority = 150
[[connection]]
from = "client.calc"
to = "server.calc"
[[connection]]
from = "client.tick"
to = "server.tick"
[[connection]]
from = "client.buf"
to = "server.buf"
[[domain]]
name = "guest0"
kernel = "guests/test/Image"
memory = "128M"
vcpus = 2
devices = ["0000:00:02.0"]
"""


def arm64_image(image_size, flags=0b1010):
    """A fake arm64 Image header (text_offset 0) and a few bytes."""
    k = bytearray(4096)
    struct.pack_into("<IIQQQ", k, 0, 0x14000010, 0, 0, image_size, flags)
    k[0x38:0x3C] = b"ARM\x64"
    return bytes(k)


def write_system(tmp_path, text):
    (tmp_path / "demo.idl").write_text(IDL)
    g = tmp_path / "guests" / "test"
    g.mkdir(parents=True, exist_ok=True)
    (g / "Image").write_bytes(b"guest kernel")  # a flat binary
    (g / "initrd").write_bytes(b"guest initrd" * 80)
    (g / "vmlinux").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(57))
    (g / "vmlinuz").write_bytes(b"\x1f\x8b\x08\x00" + bytes(60))
    (g / "empty").write_bytes(b"")
    (g / "Image.be").write_bytes(arm64_image(1 << 20, flags=0b1011))
    (g / "Image.big").write_bytes(arm64_image(200 << 20))
    (g / "Image.126M").write_bytes(arm64_image(126 << 20))
    (g / "Image.127M").write_bytes(arm64_image(127 << 20))
    return write(tmp_path, text)


def test_components_connections_domains(tmp_path):
    m = manifest.load(write_system(tmp_path, SYSTEM))
    assert m.components == {"client": "Client", "server": "Server"}
    assert ("client.calc", "server.calc", "uses") in m.connections
    d = m.domains[0]
    assert (d.name, d.vcpus, d.passthrough, d.devices) == (
        "guest0", 2, "share-pt", ["00:02.0"])  # default with devices
    m2 = manifest.load(write_system(tmp_path, SYSTEM.replace(
        'devices = ["0000:00:02.0"]', "")))
    assert m2.domains[0].passthrough == "disabled"  # default without devices


def test_domain_keys_and_payload(tmp_path):
    path = write_system(tmp_path, SYSTEM.replace(
        'vcpus = 2', 'vcpus = 2\npriority = 120\ninitrd = "guests/test/initrd"\n'
        'bootargs = "console=ttyAMA0 earlycon"'))
    d = manifest.load(path).domains[0]
    assert (d.bootargs, d.priority) == ("console=ttyAMA0 earlycon", 120)
    assert d.initrd == tmp_path / "guests" / "test" / "initrd"
    assert (d.kernel_info.kind, d.kernel_info.text_offset) == ("raw", 0x80000)
    lo = d.layout
    assert (lo.kernel_ipa, lo.dtb_ipa) == (0x40080000, 0x40000000 + (126 << 20))
    assert lo.initrd_size == 960 and lo.initrd_end <= lo.dtb_ipa


def test_domain_defaults(tmp_path):
    d = manifest.load(write_system(tmp_path, SYSTEM.replace("vcpus = 2\n", ""))).domains[0]
    assert (d.vcpus, d.priority, d.bootargs, d.initrd) == (1, 100, "", None)
    assert d.layout.initrd_size == 0


def test_domain_with_an_image_and_longest_bootargs(tmp_path):
    path = write_system(tmp_path, SYSTEM.replace(
        'kernel = "guests/test/Image"', 'kernel = "guests/test/Image.126M"\n'
        'bootargs = "' + "x" * 1023 + '"'))
    d = manifest.load(path).domains[0]
    assert (d.kernel_info.kind, d.kernel_info.extent) == ("image", 126 << 20)
    assert len(d.bootargs) == 1023


SYSTEM_BAD = [
    (('devices = ["0000:00:02.0"]', 'devices = ["0000:00:02.0"]\npassthrough = "share_pt"'),
     'domain[0].passthrough: passthrough = "share_pt": expected one of disabled, share-pt, sync-pt, enabled; did you mean "share-pt"?'),
    (('devices = ["0000:00:02.0"]', 'devices = ["0000:00:02.0"]\npassthrough = "disabled"'),
     'domain[0].passthrough: passthrough = "disabled" with devices: a disabled '
     "client gets no devices: remove devices or choose share-pt, sync-pt or "
     "enabled"),
    (('devices = ["0000:00:02.0"]', 'devices = ["0:2.0"]'),
     "domain[0].devices: '0:2.0': expected a PCI address such as \"00:02.0\" "
     "(or \"0000:00:02.0\") or vendor:device IDs such as \"1234:11e8\""),
    (('devices = ["0000:00:02.0"]', 'devices = ["0001:00:02.0"]'),
     "domain[0].devices: '0001:00:02.0': segment 0001: cairn drives one pcie "
     "host bridge, segment 0000: write \"00:02.0\""),
    (('devices = ["0000:00:02.0"]', 'devices = ["01:00.0"]'),
     "domain[0].devices: '01:00.0': the IOMMU server enumerates the root bus "
     "(00) only: give a device on bus 00"),
    (('devices = ["0000:00:02.0"]', 'devices = ["00:20.0"]'),
     "domain[0].devices: '00:20.0': a PCI device number is 00 to 1f and a "
     "function 0 to 7"),
    (('devices = ["0000:00:02.0"]', 'devices = ["00:02.8"]'),
     "domain[0].devices: '00:02.8': a PCI device number is 00 to 1f"),
    (('devices = ["0000:00:02.0"]', 'devices = ["00:02.0", "0000:00:02.0"]'),
     "domain[0].devices: '0000:00:02.0' is listed twice"),
    (('devices = ["0000:00:02.0"]', 'devices = [2]'),
     "domain[0].devices: 2: expected a string such as \"00:02.0\" or "
     "\"1234:11e8\""),
    (('devices = ["0000:00:02.0"]', 'devices = ["00:0' + '1.0", "00:02.0", '
      '"00:03.0", "00:04.0", "00:05.0", "00:06.0", "00:07.0", "00:08.0", '
      '"00:09.0"]'),
     "domain[0].devices: 9 devices: a client gets at most 8"),
    (('devices = ["0000:00:02.0"]', 'passthrough = "sync-pt"'),
     'domain[0].passthrough: passthrough = "sync-pt" without devices: list '
     'the devices (devices = ["00:02.0"]) or leave passthrough out'),
    (('memory = "128M"', 'memory = "600M"'),
     "domain[0].memory: '600M' does not fit: all domains together get at most "
     "machine.memory (512M) less 128M for Cairn, 384M here: lower it or raise "
     "machine.memory"),
    (('memory = "128M"', 'memory = "8M"'),
     "domain[0].memory: '8M' is too small: a domain gets 16M at least"),
    (('memory = "128M"', 'memory = "127M"'),
     "domain[0].memory: '127M' is not a multiple of 2M: guest RAM is mapped in "
     "2 MiB frames: write \"128M\""),
    (('memory = "128M"', 'memory = "65537K"'),
     "domain[0].memory: '65537K' is not a multiple of 2M: guest RAM is mapped "
     "in 2 MiB frames: write \"66M\""),
    (("vcpus = 2", "vcpus = 8"),
     "domain[0].vcpus: 8: expected 1 to machine.cpus (4): a domain has at most "
     "one vCPU per CPU, and at most 8"),
    (("vcpus = 2", "vcpus = 0"), "domain[0].vcpus: 0: expected 1 to machine.cpus (4)"),
    (("vcpus = 2", "priority = 255"),
     "domain[0].priority: 255: expected 0 to 254 (255 is the root task's)"),
    (("vcpus = 2", "priority = -1"), "domain[0].priority: -1: expected 0 to 254"),
    (("vcpus = 2", 'priority = "high"'),
     "domain[0].priority: expected a whole number, got 'high'"),
    (("vcpus = 2", "bootargs = 3"), "domain[0].bootargs: expected a string, got 3"),
    (("vcpus = 2", 'bootargs = "' + "x" * 1024 + '"'),
     "domain[0].bootargs: 1024 bytes is too long: a guest's command line is at "
     "most 1023 bytes (1024 with its NUL): shorten it"),
    (("vcpus = 2", 'bootargs = "' + "é" * 512 + '"'),
     "domain[0].bootargs: 1024 bytes is too long"),  # bytes, not characters
    (("vcpus = 2", 'bootargs = "a\\u0000b"'),
     "domain[0].bootargs: contains a NUL character: write the command line without it"),
    (('kernel = "guests/test/Image"', 'initrd = "guests/test/initrd"'),
     'domain[0].initrd: an initrd needs a kernel: add kernel = "PATH" (an arm64 '
     "Image or a flat binary) to this [[domain]]"),
    (('kernel = "guests/test/Image"', ""), "domain[0].kernel: required key is missing"),
    (('name = "guest0"', 'name = "Guest 0"'),
     "domain[0].name: 'Guest 0': use lower-case letters, digits, '-' and '_', "
     "starting with a letter"),
    (('name = "guest0"', 'name = "server"'),
     "component[1].name: 'server' is used twice: names are unique among "
     "components and domains"),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test/vmlinux"'),
     "domain[0].kernel: 'guests/test/vmlinux': {dir}/guests/test/vmlinux is an "
     "ELF file: give an arm64 Image (arch/arm64/boot/Image) or a flat binary "
     "instead (Linux: arch/arm64/boot/Image, not vmlinux"),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test/vmlinuz"'),
     "domain[0].kernel: 'guests/test/vmlinuz': {dir}/guests/test/vmlinuz is "
     "gzip-compressed: give the kernel decompressed, e.g. zcat vmlinuz > Image "
     "(Debian's vmlinuz is gzip: zcat)"),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test/empty"'),
     "domain[0].kernel: 'guests/test/empty': {dir}/guests/test/empty is empty: "
     "give the guest's kernel"),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test/Image.be"'),
     "domain[0].kernel: 'guests/test/Image.be': {dir}/guests/test/Image.be is a "
     "big-endian arm64 Image"),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test/Image.big"'),
     "domain[0].kernel: 'guests/test/Image.big': {dir}/guests/test/Image.big "
     "needs 200M of guest RAM from its start (loaded at +0x0, 0xc800000 bytes "
     "by image_size, BSS included), more than the domain's 128M: raise the "
     "domain's memory to at least \"202M\""),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test/Image.126M"\n'
      'initrd = "guests/test/initrd"'),
     "domain[0].initrd: the initrd (1K) does not fit between the kernel's end "
     "(0x47e00000) and the DTB (0x47e00000) in a 128M domain: raise the "
     "domain's memory to at least \"130M\""),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test/Image.127M"'),
     "domain[0].memory: {dir}/guests/test/Image.127M ends at 0x47f00000 (by "
     "image_size, BSS included) and leaves no room for the DTB at 0x47e00000, the "
     "last 2M of a 128M domain: raise the domain's memory to at least \"130M\""),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test/Image"\n'
      'initrd = "guests/test/empty"'),
     "domain[0].initrd: 'guests/test/empty': {dir}/guests/test/empty is empty: "
     "give a cpio archive (compressed or not), or remove initrd"),
    (('type = "Client"', 'type = "Clint"'), "component[0].type: no component type 'Clint' in the IDL; did you mean \"Client\"?"),
    (('name = "server"', 'name = "client"'), "component[1].name: 'client' is used twice"),
    (('from = "client.calc"', 'from = "clent.calc"'), "connection[0].from: 'clent.calc': no component named 'clent'; did you mean \"client\"?"),
    (('to = "server.calc"', 'to = "server.calcs"'), "connection[0].to: 'server.calcs': component 'server' (Server) has no interface 'calcs'; did you mean \"calc\"?"),
    (('to = "server.calc"', 'to = "server.tick"'), "connection[0]: client.calc (uses Calc) cannot connect to server.tick (consumes Tick)"),
    (('from = "client.calc"\nto = "server.calc"', 'from = "client.tick"\nto = "server.tick"'), "connection[1].from: client.tick is already connected"),
    (('[[connection]]\nfrom = "client.calc"\nto = "server.calc"\n', ''), "client.calc (uses) is not connected: add a [[connection]] from it"),
    (('from = "client.calc"', 'from = "client"'), "connection[0].from: 'client': expected COMPONENT.INTERFACE"),
    (('idl = ["demo.idl"]', 'idl = ["missing.idl"]'), "system.idl:"),
    (('priority = 150', 'priority = 999'), "component[1].priority: expected 0 to 254 (255 is the root task's)"),
    (('priority = 150', 'priority = 150\ncaps = ["audits"]'),
     "component[1].caps: unknown kernel capability 'audits': expected one of uart, audit, power; did you mean \"audit\"?"),
    (('[[connection]]\nfrom = "client.tick"', '[[connection]]\nfrom = "client.calc"'), "connection[1]: client.calc (uses Calc) cannot connect to server.tick"),
    (('name = "guest0"', 'name = "guest0"\ncolour = "red"'), "domain[0].colour: unknown key"),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test/Imag"'),
     "domain[0].kernel: 'guests/test/Imag': {dir}/guests/test/Imag does not exist: give the path of the guest's kernel image, relative to the manifest's directory"),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test"'),
     "domain[0].kernel: 'guests/test': {dir}/guests/test is a directory"),
    (('kernel = "guests/test/Image"', 'kernel = "guests/test/Image"\ninitrd = "guests/test/initramfs"'),
     "domain[0].initrd: 'guests/test/initramfs': {dir}/guests/test/initramfs does not exist: give the path of the guest's initial RAM disk"),
    (('memory = "128M"', 'memory = "128MiB"'), "domain[0].memory: '128MiB': write \"128M\""),
]


@pytest.mark.parametrize("edit,message", SYSTEM_BAD)
def test_bad_systems(tmp_path, edit, message):
    assert edit[0] in SYSTEM
    path = write_system(tmp_path, SYSTEM.replace(edit[0], edit[1], 1))
    with pytest.raises(manifest.ManifestError) as e:
        manifest.load(path)
    assert message.format(dir=tmp_path) in str(e.value)
    # PATH:LINE: the line holding the key the message names
    where = re.match(rf"{re.escape(str(path))}:(\d+): ", str(e.value))
    assert where, str(e.value)
    key = message.split(":")[0].split(".")[-1].split("[")[0]
    line = path.read_text().splitlines()[int(where.group(1)) - 1]
    assert key in line or line.startswith("[["), (key, line)


def test_bad_idl_is_reported_with_its_position(tmp_path):
    path = write_system(tmp_path, SYSTEM)
    (tmp_path / "demo.idl").write_text("event Tick")
    with pytest.raises(manifest.ManifestError, match=r"system.idl: .*demo.idl:1:11: unexpected end of file"):
        manifest.load(path)


def test_a_built_guest_is_named_with_at(tmp_path):
    """kernel = "@NAME": a guest image this tree builds; before a build it
    is only checked by name, and with the build's path it is inspected."""
    write_system(tmp_path, SYSTEM)
    known = sorted(manifest.source_guests())
    if not known:
        pytest.skip("this tree builds no guest image yet")
    text = SYSTEM.replace('kernel = "guests/test/Image"', f'kernel = "@{known[0]}"')
    (tmp_path / "m.toml").write_text(text)
    m = manifest.load(tmp_path / "m.toml")
    assert m.guest_refs == [known[0]] and m.domains[0].kernel is None
    image = tmp_path / "built.Image"
    image.write_bytes(arm64_image(0x10000))
    m = manifest.load(tmp_path / "m.toml", {known[0]: str(image)})
    assert m.domains[0].kernel == image and m.domains[0].layout is not None
    bad = SYSTEM.replace('kernel = "guests/test/Image"', 'kernel = "@nosuchguest"')
    (tmp_path / "m.toml").write_text(bad)
    with pytest.raises(manifest.ManifestError, match="no guest image 'nosuchguest'"):
        manifest.load(tmp_path / "m.toml")


# ---- devices on components ------------------------------------------------

DEVICE_IDL = """
component Driver { uses IommuClient iommu; };
component Plain { };
"""
DEVICES = """
[system]
name = "dma"
idl = ["{root}/idl/console.idl", "{root}/idl/iommu.idl", "drv.idl"]
[root]
program = "root"
[[component]]
name = "console"
type = "Console"
[[component]]
name = "left"
type = "Driver"
devices = ["00:02.0"]
[[component]]
name = "right"
type = "Driver"
devices = ["0000:00:03.0"]
passthrough = "sync-pt"
[[component]]
name = "plain"
type = "Plain"
"""


def write_devices(tmp_path, text=DEVICES):
    (tmp_path / "drv.idl").write_text(DEVICE_IDL)
    return write(tmp_path, text.replace("{root}", str(ROOT)))


def test_component_devices_and_modes(tmp_path):
    m = manifest.load(write_devices(tmp_path))
    assert m.component_devices == {"left": ("share-pt", ["00:02.0"]),
                                   "right": ("sync-pt", ["00:03.0"])}
    assert m.device_clients() == [("left", "share-pt", ["00:02.0"]),
                                  ("right", "sync-pt", ["00:03.0"])]
    assert "iommu" in m.programs()


def test_device_ids_and_enabled(tmp_path):
    m = manifest.load(write_devices(tmp_path, DEVICES.replace(
        'devices = ["00:02.0"]',
        'devices = ["1234:11E8"]\npassthrough = "enabled"')))
    assert m.component_devices["left"] == ("enabled", ["1234:11e8"])


def test_no_devices_no_server(tmp_path):
    text = DEVICES.replace('devices = ["00:02.0"]', "").replace(
        'devices = ["0000:00:03.0"]\npassthrough = "sync-pt"', "")
    text = text.replace('type = "Driver"', 'type = "Plain"')
    m = manifest.load(write_devices(tmp_path, text))
    assert m.device_clients() == [] and "iommu" not in m.programs()


DEVICES_BAD = [
    (('devices = ["0000:00:03.0"]', 'devices = ["00:02.0"]'), 17,
     "component[2].devices: '00:02.0' is already given to component[1]: a "
     "device belongs to one client"),
    (('name = "plain"\ntype = "Plain"',
      'name = "plain"\ntype = "Plain"\ndevices = ["00:04.0"]'), 22,
     "component[3].devices: component type Plain cannot take devices: declare "
     "`uses IommuClient iommu;` in it (idl/iommu.idl; the tools connect it to "
     "the IOMMU server)"),
    (('name = "plain"', 'name = "iommu"'), 20,
     "component[3].name: 'iommu' is the IOMMU server's name in a system with "
     "devices: rename this one"),
    (('passthrough = "sync-pt"', 'passthrough = "disabled"'), 18,
     'component[2].passthrough: passthrough = "disabled" with devices'),
    (('passthrough = "sync-pt"', 'passthrough = "share"'), 18,
     'component[2].passthrough: passthrough = "share": expected one of '
     'disabled, share-pt, sync-pt, enabled; did you mean "share-pt"?'),
    (('passthrough = "sync-pt"', "passthrough = 1"), 18,
     "component[2].passthrough: expected a string, got 1"),
    (('devices = ["00:02.0"]', 'devices = "00:02.0"'), 13,
     "component[1].devices: expected a list, got '00:02.0'"),
    (('devices = ["00:02.0"]', 'devices = ["1234:11e"]'), 13,
     "component[1].devices: '1234:11e': expected a PCI address"),
    (('name = "plain"\ntype = "Plain"',
      'name = "plain"\ntype = "Driver"'), 19,
     "component[3]: plain.iommu (uses) is not connected"),
    (('[[component]]\nname = "plain"',
      '[[connection]]\nfrom = "left.iommu"\nto = "console.io"\n'
      '[[component]]\nname = "plain"'), 20,
     "connection[0].from: left.iommu is already connected (by the tools: a "
     "client's iommu interface goes to the IOMMU server)"),
]


@pytest.mark.parametrize("change,line,message", DEVICES_BAD)
def test_device_errors(tmp_path, change, line, message):
    text = DEVICES.replace(*change)
    assert text != DEVICES
    path = write_devices(tmp_path, text)
    with pytest.raises(manifest.ManifestError) as e:
        manifest.load(path)
    assert str(e.value).startswith(f"{path}:{line}: {message}"), str(e.value)
