import pytest

from cairn import idl

GOOD = """
// A procedure with every parameter kind.
procedure Calc {
    int32 add(in int32 a, in int32 b);
    void fill(in string<32> who, out bool ok, inout uint8[16] data, in cap c);
    uint64 big(in uint64[62] words);
};
event Tick;
dataport Buf 1M;
/* a component */
component Client {
    uses Calc calc;
    consumes Tick tick;
    emits Tick done;
    dataport Buf buf;
    attribute priority = 100;
    attribute stack_size = 16384;
};
component Server { provides Calc calc; };
"""


def test_good_idl():
    d = idl.parse(GOOD, "good.idl")
    calc = d.procedures["Calc"]
    assert [m.name for m in calc.methods] == ["add", "fill", "big"]
    fill = calc.methods[1]
    assert [(p.direction, str(p.type), p.name) for p in fill.params] == [
        ("in", "string<32>", "who"), ("out", "bool", "ok"),
        ("inout", "uint8[16]", "data"), ("in", "cap", "c")]
    assert [p.type.words() for p in fill.params] == [4, 1, 2, 1]
    assert d.dataports["Buf"] == 1 << 20
    client = d.components["Client"]
    assert client.interfaces["calc"] == ("uses", "Calc")
    assert client.interfaces["buf"] == ("port", "Buf")
    assert client.attributes == {"priority": 100, "stack_size": 16384}


BAD = [
    ("procedure P { int32 f(in int32 a) };", "bad.idl:1:35: unexpected '}'; expected ';'"),
    ("procedure P { void f(in float x); };", "bad.idl:1:25: unexpected 'float'; expected bool, cap, an integer type, string"),
    ("procedure P { void f(int32 x); };", "bad.idl:1:22: unexpected 'int32'; expected in, out or inout"),
    ("event E", "bad.idl:1:8: unexpected end of file; expected ';'"),
    ("event E; event E;", "bad.idl:1:10: event 'E' is already declared (line 1)"),
    ("procedure P { void f(); void f(); };", "bad.idl:1:25: method 'f' is declared twice in 'P'"),
    ("procedure P { void f(in int8 a, out int8 a); };", "bad.idl:1:33: parameter 'a' is declared twice in 'P.f'"),
    ("procedure P { void f(in string<0> s); };", "bad.idl:1:22: 's': string<0> must hold at least one element"),
    ("procedure P { void f(in uint64[64] w); };", "bad.idl:1:15: 'P.f': its in parameters take 64 message words; at most 63 fit"),
    ("component C { uses Nope n; };", "bad.idl:1:15: 'C.n': no procedure named 'Nope'"),
    ("event T; component C { uses T t; };", "bad.idl:1:24: 'C.t': no procedure named 'T'"),
    ("procedure P {}; component C { emits P p; };", "bad.idl:1:31: 'C.p': no event named 'P'"),
    ("procedure P {}; component C { uses P a; provides P a; };", "'C': interface 'a' is declared twice"),
    ("component C { attribute colour = 3; };", "'C': unknown attribute 'colour': expected one of priority, stack_size"),
    ("component C { attribute priority = 300; };", "'C': attribute priority = 300: expected a number from 0 to 255"),
    ("dataport D 100;", "bad.idl:1:1: dataport 'D': size 100 must be a non-zero multiple of 4K"),
    ("component C { uses; };", "bad.idl:1:19: unexpected ';'; expected a name"),
    ("procedure P { void f(in int32 a) ; } ; $", "unexpected character '$'"),
]


@pytest.mark.parametrize("text,message", BAD)
def test_bad_idl(text, message):
    with pytest.raises(idl.IdlError) as e:
        idl.parse(text, "bad.idl")
    assert message in str(e.value)
    assert str(e.value).startswith("bad.idl:")


def test_load_merges_files_and_rejects_clashes(tmp_path):
    a = tmp_path / "a.idl"
    b = tmp_path / "b.idl"
    a.write_text("event Tick;")
    b.write_text("component C { consumes Tick t; };")
    with pytest.raises(idl.IdlError, match="no event named 'Tick'"):
        idl.load([b])  # needs a.idl first
    merged = idl.load([a, b])
    assert "C" in merged.components
    b.write_text("procedure Tick {};")
    with pytest.raises(idl.IdlError, match=r"procedure 'Tick' is already declared \(.*a.idl:1\)"):
        idl.load([a, b])
