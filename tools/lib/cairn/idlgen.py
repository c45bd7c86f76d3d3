"""Generating C from IDL: client stubs, server dispatch, event helpers.

Templates live in templates/ beside this file; output goes to the build
tree only. The message layout a procedure uses is fixed by the IDL: the
method's label is its 1-based position, in/inout parameters travel in
declaration order (scalars one word each, string<N> and T[N] packed into
ceil(bytes / 8) words, a cap as the message's capability), and the reply
holds the return value, then out/inout parameters, the same way.
"""
from pathlib import Path

import jinja2

C_SCALAR = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t",
            "uint16": "uint16_t", "int32": "int32_t", "uint32": "uint32_t",
            "int64": "int64_t", "uint64": "uint64_t", "bool": "bool"}


def c_scalar(name):
    return C_SCALAR[name]


def c_ret(ret):
    return "void" if ret == "void" else c_scalar(ret)


def c_param(p):
    t, out = p.type, p.direction != "in"
    if t.kind == "scalar":
        return f"{c_scalar(t.name)} {'*' if out else ''}{p.name}"
    if t.kind == "cap":
        return f"uint64_t {p.name}"
    if t.kind == "string":
        return f"{'char' if out else 'const char'} *{p.name}"
    return f"{'' if out else 'const '}{c_scalar(t.name)} {p.name}[{t.length}]"


def c_in_value(p):
    return p.name if p.direction == "in" else f"*{p.name}"


def c_elem(p):
    return c_scalar(p.type.name)


def c_local(p):
    t = p.type
    if t.kind == "scalar":
        return f"{c_scalar(t.name)} {p.name} = 0"
    if t.kind == "cap":
        return f"uint64_t {p.name} = 0"
    if t.kind == "string":
        return f"char {p.name}[{t.length + 1}] = {{0}}"
    return f"{c_scalar(t.name)} {p.name}[{t.length}] = {{0}}"


def c_arg(p):
    if p.type.kind == "scalar" and p.direction != "in":
        return f"&{p.name}"
    return p.name


def out_words(m):
    return (0 if m.ret == "void" else 1) + sum(
        p.type.words() for p in m.params if p.direction in ("out", "inout"))


def environment():
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined)
    for f in (c_scalar, c_ret, c_param, c_in_value, c_elem, c_local, c_arg,
              out_words):
        env.filters[f.__name__] = f
    return env


def component_glue(spec):
    """Per component type: its slot and dataport constants (spec.layout)."""
    from cairn.spec import layout, shared_sizes

    out = []
    for name, c in spec.components.items():
        slots, dataports = layout(c.interfaces, spec.dataports,
                                  shared_sizes(spec))
        out.append({"name": name, "prefix": name.upper(),
                    "slots": list(slots.items()),
                    "dataports": [(i, a, n) for i, (a, n) in dataports.items()]})
    return out


def generate(spec, source, stem):
    """C header and source text for every procedure, event and dataport,
    and the slot layout of every component type."""
    env = environment()
    ctx = {"source": source, "header": f"{stem}.h",
           "procedures": list(spec.procedures.values()),
           "events": list(spec.events), "dataports": list(spec.dataports.items()),
           "components": component_glue(spec)}
    return (env.get_template("procedure.h.j2").render(ctx),
            env.get_template("procedure.c.j2").render(ctx))
