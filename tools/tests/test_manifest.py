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


BAD = [
    ("[system\nname = 1", "not valid TOML"),
    (GOOD + "[sytem]\n", 'unknown section [sytem]: expected one of system, machine, root, component, connection, domain; did you mean "system"?'),
    (GOOD.replace("cpus = 4", "cpu = 4"), 'machine.cpu: unknown key: expected one of memory, cpus; did you mean "cpus"?'),
    (GOOD.replace("cpus = 4", 'cpus = "4"'), "machine.cpus: expected a whole number, got '4'"),
    (GOOD.replace("cpus = 4", "cpus = true"), "machine.cpus: expected a whole number, got True"),
    (GOOD.replace("cpus = 4", "cpus = 9"), "machine.cpus: 9: expected 1 to 8"),
    (GOOD.replace('"512M"', '"lots"'), "machine.memory: 'lots': expected a size such as \"512M\" or \"2G\""),
    (GOOD.replace('"512M"', '"64M"'), "machine.memory: '64M' is impossible: QEMU virt takes 128M to 255G"),
    (GOOD.replace('"512M"', '"300G"'), "machine.memory: '300G' is impossible"),
    (GOOD.replace('program = "root"', ""), "root.program: required key is missing"),
    (GOOD.replace('name = "demo"', 'name = "Demo System"'), "system.name: 'Demo System': use lower-case letters"),
    ("system = 3\n[root]\nprogram='r'", "system: expected a table [system]"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_bad_manifests_name_key_and_fix(tmp_path, text, message):
    path = write(tmp_path, text)
    with pytest.raises(manifest.ManifestError) as e:
        manifest.load(path)
    assert str(e.value).startswith(f"{path}: ")
    assert message in str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(manifest.ManifestError, match="no such manifest"):
        manifest.load(tmp_path / "absent.toml")


@pytest.mark.parametrize("text,size", [("1G", 1 << 30), ("512M", 512 << 20),
                                       ("2048k", 2 << 20), ("4 GiB", 4 << 30)])
def test_parse_size(text, size):
    assert manifest.parse_size(text) == size


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


def write_system(tmp_path, text):
    (tmp_path / "demo.idl").write_text(IDL)
    return write(tmp_path, text)


def test_components_connections_domains(tmp_path):
    m = manifest.load(write_system(tmp_path, SYSTEM))
    assert m.components == {"client": "Client", "server": "Server"}
    assert ("client.calc", "server.calc", "uses") in m.connections
    d = m.domains[0]
    assert (d.name, d.vcpus, d.passthrough, d.devices) == (
        "guest0", 2, "share-pt", ["0000:00:02.0"])  # default with devices
    m2 = manifest.load(write_system(tmp_path, SYSTEM.replace(
        'devices = ["0000:00:02.0"]', "")))
    assert m2.domains[0].passthrough == "disabled"  # default without devices


SYSTEM_BAD = [
    (('devices = ["0000:00:02.0"]', 'devices = ["0000:00:02.0"]\npassthrough = "share_pt"'),
     'domain[0].passthrough: passthrough = "share_pt": expected one of disabled, sync-pt, share-pt; did you mean "share-pt"?'),
    (('devices = ["0000:00:02.0"]', 'devices = ["0000:00:02.0"]\npassthrough = "disabled"'),
     'domain[0].passthrough: "disabled" domains get no devices'),
    (('devices = ["0000:00:02.0"]', 'devices = ["00:02.0"]'),
     "domain[0].devices: '00:02.0': expected a PCI address"),
    (('memory = "128M"', 'memory = "600M"'), "domain[0].memory: '600M' is impossible"),
    (('memory = "128M"', 'memory = "8M"'), "domain[0].memory: '8M' is impossible"),
    (("vcpus = 2", "vcpus = 8"), "domain[0].vcpus: 8: expected 1 to machine.cpus (4)"),
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
]


@pytest.mark.parametrize("edit,message", SYSTEM_BAD)
def test_bad_systems(tmp_path, edit, message):
    assert edit[0] in SYSTEM
    path = write_system(tmp_path, SYSTEM.replace(edit[0], edit[1], 1))
    with pytest.raises(manifest.ManifestError) as e:
        manifest.load(path)
    assert message in str(e.value)
    assert str(e.value).startswith(f"{path}: ")


def test_bad_idl_is_reported_with_its_position(tmp_path):
    path = write_system(tmp_path, SYSTEM)
    (tmp_path / "demo.idl").write_text("event Tick")
    with pytest.raises(manifest.ManifestError, match=r"system.idl: .*demo.idl:1:11: unexpected end of file"):
        manifest.load(path)
