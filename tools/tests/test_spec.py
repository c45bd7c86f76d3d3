import json
import subprocess
import sys

from conftest import ROOT
from test_manifest import IDL, SYSTEM

from cairn import idl, manifest, spec


def compile_system(tmp_path):
    (tmp_path / "demo.idl").write_text(IDL)
    (tmp_path / "m.toml").write_text(SYSTEM)
    m = manifest.load(tmp_path / "m.toml")
    types = idl.parse(IDL, "demo.idl")
    return spec.compile_manifest(m, {n: c.interfaces for n, c in types.components.items()})


def test_caps_follow_the_interface_order(tmp_path):
    s = compile_system(tmp_path)
    got = [(c.holder, c.slot, c.type, c.object, c.rights, c.badge) for c in s.caps]
    assert got == [
        ("client", 1, "endpoint", "endpoint:server.calc", "-wg-", 1),
        ("client", 2, "notification", "notification:server.tick", "-w--", 1),
        ("server", 1, "endpoint", "endpoint:server.calc", "r---", 0),
        ("server", 2, "reply", "reply:server.calc", "rwgx", 0),
        ("server", 3, "notification", "notification:server.tick", "r---", 0),
    ]
    # Both ends of the dataport map the same frames, at the same place.
    assert s.mappings == [("client", "dataport:server.buf", spec.DATAPORT_BASE),
                          ("server", "dataport:server.buf", spec.DATAPORT_BASE + (1 << 30))]
    assert s.objects["tcb:client"] == "tcb"
    assert s.objects["endpoint:server.calc"] == "endpoint"


def test_capaudit_manifest_table_and_jsonl(tmp_path):
    compile_system(tmp_path)
    tool = [sys.executable, str(ROOT / "tools" / "capaudit"), str(tmp_path / "m.toml")]
    table = subprocess.run(tool, capture_output=True, text=True, check=True).stdout
    assert table.splitlines()[0].split() == ["holder", "slot", "type", "object",
                                             "rights", "badge"]
    assert "client  1     endpoint      endpoint:server.calc" in table
    assert "5 capabilities held by 2 components" in table
    lines = subprocess.run(tool + ["--jsonl"], capture_output=True, text=True,
                           check=True).stdout.splitlines()
    assert json.loads(lines[0]) == {"holder": "client", "cptr": 1, "depth": 64,
                                    "type": "endpoint", "object": "endpoint:server.calc",
                                    "rights": "-wg-", "badge": 1}
    assert len(lines) == 5
