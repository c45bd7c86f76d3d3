"""Diffing a live capability audit against an expected set.

Both sides are JSON lines with holder, cptr, depth, type, object, rights and
badge. In the expected set, "object" is a symbolic name: the diff checks that
each name stands for exactly one object of the dump and no two names for the
same one (object ids are stable for one boot only).
"""
import json
import re

FIELDS = ("holder", "cptr", "depth", "type", "rights", "badge")
DUMP_LINE = re.compile(r"^(?:.*?)(\{\"holder\".*\})\s*$")


class AuditError(Exception):
    pass


def parse_jsonl(text, where):
    """Entries from JSON lines, or from a serial log holding them."""
    entries = []
    for n, line in enumerate(text.splitlines(), 1):
        m = DUMP_LINE.match(line)
        if not m:
            continue
        try:
            e = json.loads(m.group(1))
        except json.JSONDecodeError as err:
            raise AuditError(f"{where}:{n}: not JSON: {err}") from None
        missing = [f for f in FIELDS + ("object",) if f not in e]
        if missing:
            raise AuditError(f"{where}:{n}: missing {', '.join(missing)}")
        entries.append(e)
    return entries


def describe(e):
    badge = f" badge {e['badge']:#x}" if e["badge"] else ""
    return (f"{e['holder']} cptr {e['cptr']} (depth {e['depth']}): "
            f"{e['type']} {e['object']} rights {e['rights']}{badge}")


def diff(expected, dump, holders=None):
    """Returns (missing, unexpected, inconsistent) lists of messages."""
    if holders is not None:
        dump = [e for e in dump if e["holder"] in holders]
        expected = [e for e in expected if e["holder"] in holders]
    key = lambda e: tuple(e[f] for f in FIELDS)  # noqa: E731
    pool = {}
    for e in dump:
        pool.setdefault(key(e), []).append(e)
    missing, matched = [], []
    for e in expected:
        candidates = pool.get(key(e), [])
        if candidates:
            matched.append((e, candidates.pop(0)))
        else:
            missing.append(describe(e))
    unexpected = [describe(e) for rest in pool.values() for e in rest]
    inconsistent = []
    name_to_id, id_to_name = {}, {}
    for exp, got in matched:
        name, oid = exp["object"], got["object"]
        if name_to_id.setdefault(name, oid) != oid:
            inconsistent.append(f"{describe(exp)}: '{name}' is object {oid} here "
                                f"but {name_to_id[name]} elsewhere")
        elif id_to_name.setdefault(oid, name) != name:
            inconsistent.append(f"{describe(exp)}: object {oid} is both "
                                f"'{id_to_name[oid]}' and '{name}'")
    return missing, unexpected, inconsistent
