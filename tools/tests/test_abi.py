"""The ABI kept in one place: every number and record layout the Python
tools share with C, checked against the C definitions.

The C side is read two ways. A small parser takes the headers' enums and
object-like #defines (explicit and implicit enum values, integer literals
with U/L suffixes, simple expressions such as (1U << 3), string literals);
then the host C compiler builds a probe that includes the same headers and
prints every constant the parser found, plus sizeof/offsetof of the records
the tools pack, so the parser is itself checked and layouts come from the
compiler rather than from counting fields. The Python side is the modules'
own constants, imported, never grepped.

A renumbering, a moved field or a changed magic in C then fails here
instead of building an image whose spec the root task misreads.
"""
import ast
import re
import shutil
import struct
import subprocess

import pytest
from conftest import ROOT

from cairn import domainspec, idl, manifest, mkimage, spec, specblob

CAIRN_HEADERS = sorted((ROOT / "kernel" / "include" / "cairn").glob("*.h"))
SPEC_FORMAT = ROOT / "servers" / "root" / "spec_format.h"
BOOTIMAGE = ROOT / "kernel" / "src" / "boot" / "bootimage.h"
KSYMS = ROOT / "kernel" / "src" / "ksyms.h"
# Compiled into the probe (all are meant to build on their own, host too).
COMPILED = CAIRN_HEADERS + [SPEC_FORMAT, BOOTIMAGE, KSYMS]
# Parsed only: the console server's copies of spec.py's numbers (its
# granted-cap slots count from the generated CONSOLE_SLOT_GRANTS).
CONSOLE = ROOT / "servers" / "console" / "console.h"
# libcairn's names for object types and rights, which the expected audit
# set (spec.expected_text) must spell the same way.
AUDIT_C = ROOT / "libs" / "cairn" / "src" / "audit.c"
# The root task's view of the spec: the size of a program name entry.
LOADER = ROOT / "servers" / "root" / "loader.h"

# Python record <-> C struct, field for field.
RECORDS = [
    (specblob.HEADER, "spec_header", SPEC_FORMAT),
    (specblob.OBJECT, "spec_object", SPEC_FORMAT),
    (specblob.CAP, "spec_cap", SPEC_FORMAT),
    (specblob.FILL, "spec_fill", SPEC_FORMAT),
    (specblob.THREAD, "spec_thread", SPEC_FORMAT),
    (mkimage.TABLE, "bootimage_table", BOOTIMAGE),
    (mkimage.ENTRY, "bootimage_entry", BOOTIMAGE),
    (mkimage.SYMS_HEADER, "ksyms_header", KSYMS),
    (mkimage.SYM, "ksym", KSYMS),
]
# struct module codes for the C field types records use.
C_CODES = {"uint8_t": "B", "uint16_t": "H", "uint32_t": "I", "uint64_t": "Q"}

# At least this many Python values are compared with C (the count when this
# test was written; lower it only when a Python copy goes away).
MIN_COMPARED = 204


# ---- the header parser ----------------------------------------------------

class Unresolved(Exception):
    """An expression the parser does not evaluate (a cast, an unknown name)."""


_TOKEN = re.compile(r"\s*(?:(0[xX][0-9a-fA-F]+|\d+)[uUlL]*"
                    r"|([A-Za-z_]\w*)|(<<|>>|[-+*/%()|&^]))")
_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
           ast.Mult: lambda a, b: a * b, ast.FloorDiv: lambda a, b: a // b,
           ast.Mod: lambda a, b: a % b, ast.LShift: lambda a, b: a << b,
           ast.RShift: lambda a, b: a >> b, ast.BitOr: lambda a, b: a | b,
           ast.BitAnd: lambda a, b: a & b, ast.BitXor: lambda a, b: a ^ b}


def _literal(text):
    if text[:2] in ("0x", "0X"):
        return int(text, 16)
    return int(text, 8) if len(text) > 1 and text[0] == "0" else int(text)


def _tree(node):
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        return _BINOPS[type(node.op)](_tree(node.left), _tree(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _tree(node.operand)
        return -v if isinstance(node.op, ast.USub) else v
    raise Unresolved(ast.dump(node))


def evaluate(expr, known):
    """A C integer constant expression of literals, known names and
    + - * / % << >> | & ^ and parentheses."""
    expr, out, pos = expr.strip(), [], 0
    if not expr:
        raise Unresolved("empty")
    while pos < len(expr):
        m = _TOKEN.match(expr, pos)
        if not m:
            raise Unresolved(expr)
        number, name, op = m.groups()
        if number:
            out.append(str(_literal(number)))
        elif name:
            if not isinstance(known.get(name), int):
                raise Unresolved(name)
            out.append(str(known[name]))
        else:
            out.append("//" if op == "/" else op)
        pos = m.end()
    try:
        tree = ast.parse(" ".join(out), mode="eval")
    except SyntaxError:
        raise Unresolved(expr) from None
    return _tree(tree.body)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return text.replace("\\\n", " ")


class Header:
    """The constants and structs of one C header: consts {name: int or
    bytes}, enums {enum: [names in order]}, structs {struct: [(type, name,
    array length or None)]}, unresolved {name: expression}."""

    def __init__(self, path, known=None):
        self.path = path
        self.consts, self.enums, self.structs, self.unresolved = {}, {}, {}, {}
        known = dict(known or {})
        text = strip_comments(path.read_text())
        items = [(m.start(), "define", m) for m in re.finditer(
            r"^[ \t]*#[ \t]*define[ \t]+(\w+)(\(?)(.*)$", text, re.M)]
        items += [(m.start(), "enum", m) for m in re.finditer(
            r"\benum\s*(\w*)\s*\{(.*?)\}\s*;", text, re.S)]
        for _, kind, m in sorted(items, key=lambda i: i[0]):
            if kind == "define":
                self._define(m, known)
            else:
                self._enum(m, known)
        for m in re.finditer(r"\bstruct\s+(\w+)\s*\{([^{}]*)\}\s*;", text):
            self.structs[m.group(1)] = self._fields(m.group(2))

    def _set(self, name, value, known):
        self.consts[name] = known[name] = value

    def _define(self, m, known):
        name, paren, value = m.group(1), m.group(2), m.group(3).strip()
        if paren:  # a function-like macro
            return
        s = re.fullmatch(r'"([^"\\]*)"', value)
        if s:
            self._set(name, s.group(1).encode(), known)
            return
        try:
            self._set(name, evaluate(value, known), known)
        except Unresolved:
            self.unresolved[name] = value

    def _enum(self, m, known):
        names, nxt = [], 0
        for item in m.group(2).split(","):
            item = item.strip()
            if not item:
                continue
            name, _, value = item.partition("=")
            name = name.strip()
            if value.strip():
                nxt = evaluate(value, known)
            self._set(name, nxt, known)
            names.append(name)
            nxt += 1
        self.enums[m.group(1) or f"<anonymous at {m.start()}>"] = names

    @staticmethod
    def _fields(body):
        fields = []
        for decl in body.split(";"):
            decl = " ".join(decl.split())
            if not decl:
                continue
            first, *more = decl.split(",")
            m = re.fullmatch(r"(.*?)\s*\b(\w+)\s*(?:\[(.*)\])?", first)
            ctype = m.group(1)
            for d in [first[m.start(2):]] + more:
                d = re.fullmatch(r"\s*(\w+)\s*(?:\[(.*)\])?\s*", d)
                fields.append((ctype, d.group(1), d.group(2)))
        return fields


def parse_all():
    """Every header of COMPILED, then console.h, sharing one namespace."""
    known, headers = {}, {}
    for path in COMPILED + [CONSOLE]:
        h = Header(path, known)
        for name, value in h.consts.items():
            assert known.get(name, value) == value, (
                f"{name} is defined twice, differently ({path.name})")
        known.update(h.consts)
        headers[path] = h
    return known, headers


KNOWN, HEADERS = parse_all()


def c(name):
    """A constant the parser found, or a failure naming the missing one."""
    assert name in KNOWN, f"no C definition of {name} found in the headers"
    return KNOWN[name]


# ---- the compiler probe ----------------------------------------------------

def _compiler():
    for cc in ("cc", "gcc", "clang"):
        if shutil.which(cc):
            return cc
    return None


def _probe_source():
    lines = ["#include <stddef.h>", "#include <stdio.h>"]
    lines += [f'#include "{p}"' for p in COMPILED + [LOADER]]
    lines += [
        '#define CONST(n) printf("const %s %llu\\n", #n, (unsigned long long)(n))',
        '#define STR(n) printf("str %s %s\\n", #n, n)',
        '#define FIELD(s, f) printf("field %s %s %zu %zu\\n", #s, #f, '
        'offsetof(struct s, f), sizeof(((struct s *)0)->f))',
        '#define SIZE(s) printf("size %s %zu\\n", #s, sizeof(struct s))',
        "int main(void)", "{"]
    for path in COMPILED:
        for name, value in HEADERS[path].consts.items():
            lines.append(f"\t{'STR' if isinstance(value, bytes) else 'CONST'}({name});")
    for _, name, path in RECORDS:
        lines.append(f"\tSIZE({name});")
        lines += [f"\tFIELD({name}, {f});" for _, f, _ in HEADERS[path].structs[name]]
    lines += [
        '\tprintf("programs %zu\\n", sizeof(*((struct spec *)0)->programs));',
        "\tfor (unsigned r = CAIRN_CNODE_MIN_RADIX; r <= CAIRN_CNODE_MAX_RADIX; r++) {",
        '\t\tprintf("guard %u %llu\\n", r, '
        "(unsigned long long)CAIRN_GUARD_WORD(0, 64 - r));",
        "\t}", "\treturn 0;", "}"]
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def probe(tmp_path_factory):
    """What the C compiler says: {"const": {name: int}, "str": {name: bytes},
    "size": {struct: n}, "field": {(struct, field): (offset, size)},
    "guard": {radix: word}, "programs": n}."""
    cc = _compiler()
    # Not a skip: the build needs a host compiler anyway (tools/setup
    # installs gcc), and without the probe most of this file checks nothing.
    assert cc, "no host C compiler (cc, gcc or clang): run tools/setup"
    tmp = tmp_path_factory.mktemp("abi")
    src, exe = tmp / "probe.c", tmp / "probe"
    src.write_text(_probe_source())
    build = subprocess.run(
        [cc, "-std=c11", "-Wall", "-Wextra", "-Werror",
         f"-I{ROOT / 'kernel' / 'include'}", f"-I{ROOT / 'kernel' / 'src'}",
         "-o", str(exe), str(src)],
        capture_output=True, text=True)
    assert build.returncode == 0, f"the ABI probe does not build:\n{build.stderr}"
    out = subprocess.run([str(exe)], capture_output=True, text=True,
                         check=True).stdout
    got = {"const": {}, "str": {}, "size": {}, "field": {}, "guard": {}}
    for line in out.splitlines():
        kind, *rest = line.split(" ")
        if kind == "const":
            got["const"][rest[0]] = int(rest[1])
        elif kind == "str":
            got["str"][rest[0]] = " ".join(rest[1:]).encode()
        elif kind == "size":
            got["size"][rest[0]] = int(rest[1])
        elif kind == "field":
            got["field"][rest[0], rest[1]] = (int(rest[2]), int(rest[3]))
        elif kind == "guard":
            got["guard"][int(rest[0])] = int(rest[1])
        elif kind == "programs":
            got["programs"] = int(rest[0])
    return got


# ---- the parser checks itself --------------------------------------------

def test_parser_reads_enums_defines_and_expressions(tmp_path):
    h = tmp_path / "x.h"
    h.write_text("""
        /* a comment with enum x { NOPE = 3 }; in it */
        #define A 0xfU
        #define B (1UL << 3) // trailing
        #define C ((B << 2) - 1)
        #define S "MAGIC12"
        #define F(x) ((x) + 1)
        #define CAST ((unsigned)4)
        enum e { E0, E1, E5 = 5, E6,
                 E9 = A - 6, };
        struct s { char name[8]; uint32_t a, b; uint64_t c; };
    """)
    p = Header(h)
    assert p.consts == {"A": 15, "B": 8, "C": 31, "S": b"MAGIC12", "E0": 0,
                        "E1": 1, "E5": 5, "E6": 6, "E9": 9}
    assert p.unresolved == {"CAST": "((unsigned)4)"}
    assert p.enums == {"e": ["E0", "E1", "E5", "E6", "E9"]}
    assert p.structs == {"s": [("char", "name", "8"), ("uint32_t", "a", None),
                               ("uint32_t", "b", None), ("uint64_t", "c", None)]}


def test_parser_finds_the_abi():
    # A parser that finds nothing must fail here, not pass everything.
    assert c("CAIRN_OBJ_TCB") == 9
    assert c("CAIRN_OBJ_TYPE_COUNT") == c("CAIRN_OBJ_IO_PAGE_TABLE") + 1
    assert c("CAIRN_RIGHT_EXEC") == 1 << 3
    assert c("SPEC_MAGIC") == b"CAIRNSPC"
    for path in COMPILED + [CONSOLE]:
        assert HEADERS[path].consts, f"nothing parsed from {path}"
    assert len(KNOWN) >= 150
    for _, name, path in RECORDS:
        assert HEADERS[path].structs.get(name), f"struct {name} not in {path}"


def test_parser_agrees_with_the_compiler(probe):
    checked = 0
    for path in COMPILED:
        h = HEADERS[path]
        for name, value in h.consts.items():
            if isinstance(value, bytes):
                assert probe["str"][name] == value, name
            else:
                assert probe["const"][name] == value % (1 << 64), name
            checked += 1
    assert checked == len(probe["const"]) + len(probe["str"]) >= 150


def test_every_abi_define_is_understood():
    # An object-like #define the parser cannot evaluate would silently drop
    # out of every check; the ABI headers have none.
    for path in COMPILED:
        assert HEADERS[path].unresolved == {}, path


# ---- Python against C ----------------------------------------------------
# Each topic yields (what, Python's value, C's value).

def _libcairn_names():
    """libcairn's audit spelling: {type name: type number}, and the rights
    string's letters as [(right bit, letter)] in position order."""
    text = strip_comments(AUDIT_C.read_text())
    body = re.search(r"cairn_object_type_name\(.*?\n\}", text, re.S).group(0)
    names = {}
    for value, name in re.findall(r'case\s+(\w+)\s*:\s*return\s+"(\w+)"', body):
        names[name] = c(value) if value[0].isalpha() else _literal(value)
    rights = re.findall(r"out\[(\d)\]\s*=\s*\(rights\s*&\s*(\w+)\)\s*\?\s*'(\w)'",
                        text)
    assert names and len(rights) == 4, "audit.c's spelling not found"
    return names, [(c(bit), letter) for _, bit, letter in sorted(rights)]


def _object_enum_name(type_name):
    """CAIRN_OBJ_* for a spec type name, through libcairn's spelling."""
    names, _ = _libcairn_names()
    number = names[type_name]
    return next(n for n in HEADERS[ROOT / "kernel/include/cairn/objects.h"]
                .enums["cairn_object_type"] if c(n) == number)


def topic_object_types(probe):
    names, _ = _libcairn_names()
    for name, number in spec.OBJ.items():
        assert name in names, f"libcairn has no audit name {name!r}"
        yield f"spec.OBJ[{name!r}]", number, names[name]
        yield f"spec.OBJ[{name!r}] is a C object type", True, (
            c("CAIRN_OBJ_UNTYPED") <= number < c("CAIRN_OBJ_TYPE_COUNT"))
    kernel_types = {t for caps in spec.KERNEL_CAPS.values() for t, _, _ in caps}
    for name in sorted(kernel_types):
        yield f"libcairn names the audit type {name!r}", True, name in names


def topic_object_sizes(probe):
    for name in spec.OBJ:
        if name == "cnode":
            for radix in (spec.MIN_RADIX, c("CAIRN_CNODE_MAX_RADIX")):
                yield (f"object_bytes('cnode', {radix})",
                       spec.object_bytes("cnode", radix),
                       1 << (radix + c("CAIRN_SLOT_BITS")))
            continue
        bits = _object_enum_name(name).replace("CAIRN_OBJ_", "CAIRN_") + "_BITS"
        yield (f"object_bytes({name!r}) = 1 << {bits}",
               spec.object_bytes(name, 0), 1 << c(bits))
    yield "spec.SLOT_BITS", spec.SLOT_BITS, c("CAIRN_SLOT_BITS")
    yield "spec.PAGE", spec.PAGE, 1 << c("CAIRN_FRAME_4K_BITS")
    yield ("mkimage.PAGE (modules map as 4K frames)", mkimage.PAGE,
           1 << c("CAIRN_FRAME_4K_BITS"))


def topic_rights(probe):
    for py, cname in ((spec.R, "CAIRN_RIGHT_READ"), (spec.W, "CAIRN_RIGHT_WRITE"),
                      (spec.G, "CAIRN_RIGHT_GRANT"), (spec.X, "CAIRN_RIGHT_EXEC"),
                      (spec.ALL, "CAIRN_RIGHTS_ALL")):
        yield f"spec rights {cname}", py, c(cname)
    _, letters = _libcairn_names()
    for bits in (spec.R, spec.W, spec.G, spec.X, spec.ALL):
        yield (f"spec.rights_str({bits:#x}) as libcairn spells it",
               spec.rights_str(bits),
               "".join(ch if bits & b else "-" for b, ch in letters))


def topic_cnode_guards(probe):
    lo, hi = c("CAIRN_CNODE_MIN_RADIX"), c("CAIRN_CNODE_MAX_RADIX")
    yield "spec.MIN_RADIX in the CNode radix range", True, lo <= spec.MIN_RADIX <= hi
    yield ("guard words probed for every radix", list(range(lo, hi + 1)),
           sorted(probe["guard"]))
    for radix, word in sorted(probe["guard"].items()):
        yield (f"spec.guard_word({radix}) = CAIRN_GUARD_WORD(0, 64 - {radix})",
               spec.guard_word(radix), word)


def topic_limits(probe):
    yield ("manifest.MAX_COMPONENT_PRIORITY (the root task's is the top)",
           manifest.MAX_COMPONENT_PRIORITY, c("CAIRN_MAX_PRIORITY") - 1)
    lo, hi = idl.ATTRIBUTES["priority"]
    yield ("idl priority attribute within 0..CAIRN_MAX_PRIORITY", True,
           0 <= lo <= hi <= c("CAIRN_MAX_PRIORITY"))
    yield "idl.MSG_WORDS", idl.MSG_WORDS, c("CAIRN_MSG_MAX_WORDS")
    yield "idl.MSG_CAPS", idl.MSG_CAPS, c("CAIRN_MSG_MAX_CAPS")
    # spec.py gives components the root task's stack and IPC buffer layout.
    yield "spec.STACK_TOP", spec.STACK_TOP, c("CAIRN_ROOT_STACK_TOP")
    yield "spec.IPC_BUFFER", spec.IPC_BUFFER, c("CAIRN_ROOT_IPC_BUFFER")


def topic_spec_format(probe):
    yield "specblob.MAGIC", specblob.MAGIC, c("SPEC_MAGIC")
    yield ("specblob.MAGIC fills spec_header.magic", len(specblob.MAGIC),
           probe["field"]["spec_header", "magic"][1])
    yield "specblob.VERSION", specblob.VERSION, c("SPEC_VERSION")
    yield "specblob.NONE", specblob.NONE, c("SPEC_NONE")
    kernel = sorted(n[len("SPEC_KERNEL_"):].lower() for n in KNOWN
                    if n.startswith("SPEC_KERNEL_"))
    yield "specblob.KERNEL sources", sorted(specblob.KERNEL), kernel
    for source, value in sorted(specblob.KERNEL.items()):
        yield f"specblob.KERNEL[{source!r}]", value, c(f"SPEC_KERNEL_{source.upper()}")
    sources = {s for caps in spec.KERNEL_CAPS.values() for _, _, s in caps}
    yield "spec.KERNEL_CAPS sources", sorted(sources), sorted(specblob.KERNEL)
    yield ("specblob.PROGRAM: a program name (loader.h's programs[])",
           specblob.PROGRAM.size, probe["programs"])


def topic_records(probe):
    for record, name, path in RECORDS:
        fields = HEADERS[path].structs[name]
        yield f"{name} fields", list(record.fields), [f for _, f, _ in fields]
        yield f"sizeof(struct {name})", record.size, probe["size"][name]
        for ctype, field, length in fields:
            if field not in record.fields:
                continue  # the field lists differ: said above
            i = record.fields.index(field)
            coffset, csize = probe["field"][name, field]
            want = f"{csize}s" if ctype == "char" and length else C_CODES.get(ctype)
            yield (f"{name}.{field} offset",
                   struct.calcsize("<" + "".join(record.codes[:i])), coffset)
            yield f"{name}.{field} type ({ctype})", record.codes[i], want


def topic_image_format(probe):
    yield "mkimage.TABLE_MAGIC", mkimage.TABLE_MAGIC, c("BOOTIMAGE_MAGIC")
    yield "mkimage.TABLE_VERSION", mkimage.TABLE_VERSION, c("BOOTIMAGE_VERSION")
    yield "mkimage.NAME_LEN", mkimage.NAME_LEN, c("BOOTIMAGE_NAME_LEN")
    yield ("mkimage.NAME_LEN (BootInfo modules)", mkimage.NAME_LEN,
           c("CAIRN_MODULE_NAME_LEN"))
    yield "mkimage.MAX_MODULES", mkimage.MAX_MODULES, c("BOOTIMAGE_MAX_MODULES")
    yield ("mkimage.MAX_MODULES (BootInfo modules)", mkimage.MAX_MODULES,
           c("CAIRN_BOOTINFO_MAX_MODULES"))
    yield "mkimage.SYMS_MAGIC", mkimage.SYMS_MAGIC, c("KSYMS_MAGIC")


def topic_console(probe):
    yield "spec.UART_IPA", spec.UART_IPA, c("CONSOLE_UART_IPA")
    yield "spec.AUDIT_SET_IPA", spec.AUDIT_SET_IPA, c("CONSOLE_AUDIT_SET")
    yield "spec.MAX_PEERS", spec.MAX_PEERS, c("CONSOLE_MAX_BADGES")
    yield "domainspec.FAULT_BADGE", domainspec.FAULT_BADGE, c("CONSOLE_FAULT_BADGE")
    # console.h names the granted caps by their offset from the grants slot.
    text = strip_comments(CONSOLE.read_text())
    placed = re.findall(r"#define\s+CONSOLE_(\w+)\s+"
                        r"\(CONSOLE_SLOT_GRANTS\s*\+\s*(\d+)\)", text)
    # (the console's: those a manifest may grant, not the IOMMU server's)
    order = [s for name, caps in spec.KERNEL_CAPS.items()
             if name in manifest.KERNEL_CAPS for _, _, s in caps]
    yield ("the order spec.py places kernel caps in",
           order, [n.lower() for n, _ in sorted(placed, key=lambda p: int(p[1]))])


TOPICS = [topic_object_types, topic_object_sizes, topic_rights,
          topic_cnode_guards, topic_limits, topic_spec_format, topic_records,
          topic_image_format, topic_console]


def _show(v):
    return f"{v:#x}" if type(v) is int and v > 0xff else repr(v)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda t: t.__name__[6:])
def test_python_matches_c(topic, probe):
    pairs = list(topic(probe))
    assert pairs
    wrong = [f"{what}: Python {_show(py)}, C {_show(cv)}"
             for what, py, cv in pairs if py != cv or type(py) is not type(cv)]
    assert not wrong, "\n".join(["Python and C disagree:"] + wrong)


def test_enough_is_compared(probe):
    count = sum(len(list(t(probe))) for t in TOPICS)
    print(f"{count} Python values compared with C")
    assert count >= MIN_COMPARED
