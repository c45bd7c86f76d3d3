"""Cairn's IDL: parsing (Lark) and checking of interface and component
definitions. Every error names the file, line and column and what was
expected or what is wrong. The language is described in docs/idl.md.
"""
from dataclasses import dataclass, field
from pathlib import Path

import lark

GRAMMAR = (Path(__file__).parent / "idl.grammar").read_text()
MSG_WORDS = 64  # CAIRN_MSG_MAX_WORDS: a call's words must fit one message
MSG_CAPS = 1  # CAIRN_MSG_MAX_CAPS: capabilities one message carries
INT_BYTES = {"int8": 1, "uint8": 1, "int16": 2, "uint16": 2, "int32": 4,
             "uint32": 4, "int64": 8, "uint64": 8, "bool": 1}
ATTRIBUTES = {"priority": (0, 255), "stack_size": (4096, 1 << 20)}


class IdlError(Exception):
    """An IDL problem, already phrased for the user."""


@dataclass
class Type:
    kind: str  # "scalar", "string", "array", "cap"
    name: str = ""  # scalar name
    length: int = 0  # string capacity or array elements

    def words(self):
        """Message words a value of this type takes."""
        if self.kind == "scalar" or self.kind == "cap":
            return 1
        size = self.length * (INT_BYTES[self.name] if self.kind == "array" else 1)
        return (size + 7) // 8

    def __str__(self):
        if self.kind == "string":
            return f"string<{self.length}>"
        if self.kind == "array":
            return f"{self.name}[{self.length}]"
        return self.name or self.kind


@dataclass
class Param:
    direction: str
    type: Type
    name: str


@dataclass
class Method:
    name: str
    ret: str  # "void" or a scalar name
    params: list
    line: int


@dataclass
class Procedure:
    name: str
    methods: list
    line: int
    shared: str = None  # a dataport type each connection shares


@dataclass
class Component:
    name: str
    line: int
    interfaces: dict = field(default_factory=dict)  # name -> (kind, type)
    attributes: dict = field(default_factory=dict)


@dataclass
class Idl:
    procedures: dict = field(default_factory=dict)
    events: dict = field(default_factory=dict)  # name -> line
    dataports: dict = field(default_factory=dict)  # name -> bytes
    components: dict = field(default_factory=dict)


_parser = lark.Lark(GRAMMAR, parser="lalr", propagate_positions=True)


def _expected(e):
    names = sorted(getattr(e, "expected", None) or getattr(e, "allowed", None) or [])
    pretty = {"SEMICOLON": "';'", "LBRACE": "'{'", "RBRACE": "'}'", "LPAR": "'('",
              "RPAR": "')'", "COMMA": "','", "NAME": "a name", "INT": "a number",
              "EQUAL": "'='", "LESSTHAN": "'<'", "MORETHAN": "'>'",
              "LSQB": "'['", "RSQB": "']'", "SIZE": "a size like 4K",
              "DIRECTION": "in, out or inout", "INT_TYPE": "an integer type"}
    words = [pretty.get(n, n.lower().strip("_")) for n in names]
    return ", ".join(dict.fromkeys(words)) or "something else"


def _syntax_error(path, text, e):
    line, col = e.line, e.column
    if isinstance(e, lark.UnexpectedCharacters):
        got = f"unexpected character {text[e.pos_in_stream]!r}"
    elif isinstance(e, lark.UnexpectedEOF) or (
            getattr(e, "token", None) is not None and e.token.type == "$END"):
        got = "unexpected end of file"
        line = text.count("\n") + 1
        col = len(text.rsplit("\n", 1)[-1]) + 1
    else:
        got = f"unexpected {str(e.token)!r}"
    return IdlError(f"{path}:{line}:{col}: {got}; expected {_expected(e)}")


def _size(text):
    mult = {"K": 1 << 10, "M": 1 << 20}.get(text[-1], 1)
    return int(text.rstrip("KM")) * mult


def _type(t):
    if t.data == "scalar":
        return Type("scalar", str(t.children[0]))
    if t.data == "string_t":
        return Type("string", length=int(t.children[0]))
    if t.data == "array_t":
        return Type("array", str(t.children[0].children[0]), int(t.children[1]))
    return Type("cap")


class _Checker:
    def __init__(self, path):
        self.path = path
        self.idl = Idl()
        self.toplevel = {}

    def fail(self, meta, msg):
        raise IdlError(f"{self.path}:{meta.line}:{meta.column}: {msg}")

    def declare(self, meta, name, what):
        if name in self.toplevel:
            where, line = self.toplevel[name]
            at = f"line {line}" if where == self.path else f"{where}:{line}"
            self.fail(meta, f"{what} '{name}' is already declared ({at})")
        self.toplevel[name] = (self.path, meta.line)

    def procedure(self, t):
        name = str(t.children[0])
        self.declare(t.meta, name, "procedure")
        methods, seen = [], set()
        shared = t.children[1]
        if shared is not None:
            port = str(shared.children[0])
            if port not in self.idl.dataports:
                self.fail(shared.meta, f"procedure '{name}': no dataport named "
                                       f"'{port}' (declare it before the procedure)")
            shared = port
        for m in t.children[2:]:
            mname = str(m.children[1])
            if mname in seen:
                self.fail(m.meta, f"method '{mname}' is declared twice in '{name}'")
            seen.add(mname)
            ret = m.children[0].children[0]
            ret = "void" if str(ret) == "void" else str(ret.children[0])
            params, pnames = [], set()
            for p in m.children[2:]:
                if p is None:
                    continue
                ptype = _type(p.children[1])
                pname = str(p.children[2])
                if pname in pnames:
                    self.fail(p.meta, f"parameter '{pname}' is declared twice in "
                                      f"'{name}.{mname}'")
                pnames.add(pname)
                if ptype.kind in ("string", "array") and ptype.length < 1:
                    self.fail(p.meta, f"'{pname}': {ptype} must hold at least one element")
                params.append(Param(str(p.children[0]), ptype, pname))
            caps = [p for p in params if p.type.kind == "cap"]
            if any(p.direction != "in" for p in caps) or len(caps) > MSG_CAPS:
                self.fail(m.meta, f"'{name}.{mname}': at most one cap parameter, "
                                  "and only as in (a message carries one cap)")
            for direction in ("in", "out"):
                words = sum(p.type.words() for p in params
                            if p.direction in (direction, "inout"))
                if words > MSG_WORDS - 1:
                    self.fail(m.meta, f"'{name}.{mname}': its {direction} parameters "
                                      f"take {words} message words; at most "
                                      f"{MSG_WORDS - 1} fit")
            methods.append(Method(mname, ret, params, m.meta.line))
        self.idl.procedures[name] = Procedure(name, methods, t.meta.line, shared)

    def event(self, t):
        name = str(t.children[0])
        self.declare(t.meta, name, "event")
        self.idl.events[name] = t.meta.line

    def dataport(self, t):
        name = str(t.children[0])
        self.declare(t.meta, name, "dataport")
        size = _size(str(t.children[1]))
        if size < 4096 or size % 4096:
            self.fail(t.meta, f"dataport '{name}': size {t.children[1]} must be a "
                              "non-zero multiple of 4K")
        self.idl.dataports[name] = size

    KINDS = {"provides": "procedures", "uses": "procedures", "emits": "events",
             "consumes": "events", "port": "dataports"}

    def component(self, t):
        name = str(t.children[0])
        self.declare(t.meta, name, "component")
        c = Component(name, t.meta.line)
        for m in t.children[1:]:
            if m.data == "attribute":
                self.attribute(c, m)
                continue
            iface_type, iface = str(m.children[0]), str(m.children[1])
            table = getattr(self.idl, self.KINDS[m.data])
            if iface_type not in table:
                kind = self.KINDS[m.data][:-1]
                self.fail(m.meta, f"'{name}.{iface}': no {kind} named '{iface_type}'")
            if iface in c.interfaces or iface in c.attributes:
                self.fail(m.meta, f"'{name}': interface '{iface}' is declared twice")
            c.interfaces[iface] = (str(m.data), iface_type)
        self.idl.components[name] = c

    def attribute(self, c, m):
        key, value = str(m.children[0]), m.children[1]
        if key not in ATTRIBUTES:
            self.fail(m.meta, f"'{c.name}': unknown attribute '{key}': expected one "
                              f"of {', '.join(ATTRIBUTES)}")
        lo, hi = ATTRIBUTES[key]
        if value.type != "INT" or not lo <= int(value) <= hi:
            self.fail(m.meta, f"'{c.name}': attribute {key} = {value}: expected a "
                              f"number from {lo} to {hi}")
        c.attributes[key] = int(value)


def _parse_into(checker, text, path):
    checker.path = path
    try:
        tree = _parser.parse(text)
    except lark.UnexpectedInput as e:
        raise _syntax_error(path, text, e) from None
    for decl in tree.children:
        getattr(checker, decl.data)(decl)


def parse(text, path="<idl>"):
    """Parses and checks IDL text; returns an Idl or raises IdlError."""
    checker = _Checker(path)
    _parse_into(checker, text, path)
    return checker.idl


def load(paths):
    """Parses files in order into one Idl: later files may use what earlier
    ones declare, and names are global across them."""
    checker = _Checker("")
    for p in paths:
        _parse_into(checker, Path(p).read_text(), str(p))
    return checker.idl
