import json
import subprocess
import sys

import pytest
from conftest import ROOT

from cairn import capaudit


def entry(holder="alpha", cptr=1, type_="endpoint", obj="EP", rights="rw--",
          badge=0):
    return {"holder": holder, "cptr": cptr, "depth": 64, "type": type_,
            "object": obj, "rights": rights, "badge": badge}


def test_identical_sets_with_consistent_objects():
    exp = [entry(obj="EP"), entry(holder="beta", obj="EP", rights="r---")]
    dump = [entry(obj="1f"), entry(holder="beta", obj="1f", rights="r---")]
    assert capaudit.diff(exp, dump) == ([], [], [])


def test_missing_and_unexpected_are_named():
    exp = [entry(cptr=1), entry(cptr=2, type_="frame")]
    dump = [entry(cptr=1, obj="a"), entry(cptr=5, type_="notification", obj="b")]
    missing, unexpected, inconsistent = capaudit.diff(exp, dump)
    assert missing == ["alpha cptr 2 (depth 64): frame EP rights rw--"]
    assert unexpected == ["alpha cptr 5 (depth 64): notification b rights rw--"]
    assert inconsistent == []


def test_rights_and_badge_matter():
    missing, unexpected, _ = capaudit.diff([entry(badge=5)], [entry(badge=6, obj="a")])
    assert missing and unexpected
    missing, unexpected, _ = capaudit.diff([entry(rights="r---")], [entry(obj="a")])
    assert missing and unexpected


def test_object_names_must_map_one_to_one():
    exp = [entry(cptr=1, obj="EP"), entry(cptr=2, obj="EP")]
    dump = [entry(cptr=1, obj="a"), entry(cptr=2, obj="b")]
    assert "'EP' is object b here but a elsewhere" in capaudit.diff(exp, dump)[2][0]
    exp = [entry(cptr=1, obj="X"), entry(cptr=2, obj="Y")]
    dump = [entry(cptr=1, obj="a"), entry(cptr=2, obj="a")]
    assert "object a is both 'X' and 'Y'" in capaudit.diff(exp, dump)[2][0]


def test_holder_filter():
    exp = [entry()]
    dump = [entry(obj="a"), entry(holder="root", cptr=9, obj="z")]
    assert capaudit.diff(exp, dump, holders={"alpha"}) == ([], [], [])
    assert capaudit.diff(exp, dump)[1]  # root's cap is unexpected unfiltered


def test_parse_picks_entries_out_of_a_serial_log():
    log = "boot: complete\naudit: " + json.dumps(entry()) + "\r\naudit: end 1 entries\n"
    assert capaudit.parse_jsonl(log, "log") == [entry()]
    with pytest.raises(capaudit.AuditError, match="missing badge"):
        bad = dict(entry())
        del bad["badge"]
        capaudit.parse_jsonl(json.dumps(bad), "x")


def run_cli(tmp_path, exp, dump):
    (tmp_path / "e").write_text("\n".join(json.dumps(e) for e in exp))
    (tmp_path / "d").write_text("\n".join(json.dumps(e) for e in dump))
    return subprocess.run([sys.executable, str(ROOT / "tools" / "capaudit"), "diff",
                           "--expected", str(tmp_path / "e"), "--dump", str(tmp_path / "d")],
                          capture_output=True, text=True)


def test_cli_exit_codes(tmp_path):
    ok = run_cli(tmp_path, [entry()], [entry(obj="a")])
    assert ok.returncode == 0 and "audit: ok, 1 capabilities" in ok.stdout
    bad = run_cli(tmp_path, [entry()], [entry(obj="a"), entry(cptr=3, obj="b")])
    assert bad.returncode == 1
    assert "unexpected: alpha cptr 3" in bad.stdout
