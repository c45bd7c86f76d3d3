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
    (GOOD + "[sytem]\n", 'unknown section [sytem]: expected one of system, machine, root; did you mean "system"?'),
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
