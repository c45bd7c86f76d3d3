"""System manifests (configs/*.toml): loading and validation.

Every error names the file, the key path and what is allowed, so a user can
fix the manifest without reading this code. docs/manifest.md is the
reference; keep the two in step.
"""
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

MAX_CPUS = 8
MIN_MEMORY = 128 << 20
MAX_MEMORY = 255 << 30  # QEMU virt's RAM region below the high MMIO

# section -> key -> (type, required)
SCHEMA = {
    "system": {"name": (str, True), "description": (str, False),
               "idl": (list, False)},
    "machine": {"memory": (str, False), "cpus": (int, False)},
    "root": {"program": (str, True)},
}
# array-of-tables sections: [[component]], [[connection]], [[domain]]
TABLES = {
    "component": {"name": (str, True), "type": (str, True),
                  "priority": (int, False), "caps": (list, False)},
    "connection": {"from": (str, True), "to": (str, True)},
    "domain": {"name": (str, True), "kernel": (str, True), "memory": (str, True),
               "vcpus": (int, False), "passthrough": (str, False),
               "devices": (list, False)},
}
PASSTHROUGH = ("disabled", "sync-pt", "share-pt")
# kernel capabilities a component may be granted (`caps`), see spec.py
KERNEL_CAPS = ("uart", "audit", "power")
MAX_COMPONENT_PRIORITY = 254  # the root task runs at 255 until it is done
MIN_DOMAIN_MEMORY = 16 << 20
BDF = re.compile(r"[0-9a-f]{4}:[0-9a-f]{2}:[0-1][0-9a-f]\.[0-7]")


class ManifestError(Exception):
    """A manifest problem, already phrased for the user."""


@dataclass
class Domain:
    name: str
    kernel: str
    memory_bytes: int
    vcpus: int
    passthrough: str
    devices: list


@dataclass
class Manifest:
    path: Path
    name: str
    description: str
    memory_bytes: int
    memory: str
    cpus: int
    root_program: str
    components: dict = field(default_factory=dict)  # name -> IDL type
    component_priority: dict = field(default_factory=dict)  # name -> int
    component_caps: dict = field(default_factory=dict)  # name -> [kernel cap]
    idl_files: list = field(default_factory=list)
    connections: list = field(default_factory=list)  # (from, to, kind)
    domains: list = field(default_factory=list)


def _suggest(word, choices):
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


def parse_size(text):
    """'512M', '1G', '2048K' -> bytes; raises ValueError."""
    m = re.fullmatch(r"\s*(\d+)\s*([KMG])i?B?\s*", text, re.IGNORECASE)
    if not m:
        raise ValueError(text)
    return int(m.group(1)) << {"K": 10, "M": 20, "G": 30}[m.group(2).upper()]


def _type_name(typ):
    return {str: "string", int: "whole number", list: "list"}[typ]


def _check_table(path, where, table, allowed):
    for key, v in table.items():
        if key not in allowed:
            raise ManifestError(
                f"{path}: {where}.{key}: unknown key: expected one of "
                f"{', '.join(allowed)}{_suggest(key, allowed)}")
        typ = allowed[key][0]
        if not isinstance(v, typ) or isinstance(v, bool):
            raise ManifestError(f"{path}: {where}.{key}: expected a "
                                f"{_type_name(typ)}, got {v!r}")
    for key, (_, required) in allowed.items():
        if required and key not in table:
            raise ManifestError(f"{path}: {where}.{key}: required key is missing")


def _check_keys(path, data):
    for section, value in data.items():
        if section in TABLES:
            if not isinstance(value, list):
                raise ManifestError(f"{path}: {section}: write [[{section}]] tables")
            for i, table in enumerate(value):
                _check_table(path, f"{section}[{i}]", table, TABLES[section])
            continue
        if section not in SCHEMA:
            choices = list(SCHEMA) + list(TABLES)
            raise ManifestError(
                f"{path}: unknown section [{section}]: expected one of "
                f"{', '.join(choices)}{_suggest(section, choices)}")
        if not isinstance(value, dict):
            raise ManifestError(f"{path}: {section}: expected a table [{section}]")
        for key, v in value.items():
            allowed = SCHEMA[section]
            if key not in allowed:
                raise ManifestError(
                    f"{path}: {section}.{key}: unknown key: expected one of "
                    f"{', '.join(allowed)}{_suggest(key, allowed)}")
            typ = allowed[key][0]
            if not isinstance(v, typ) or isinstance(v, bool):
                raise ManifestError(
                    f"{path}: {section}.{key}: expected a "
                    f"{'string' if typ is str else 'whole number'}, "
                    f"got {v!r}")
    for section, keys in SCHEMA.items():
        for key, (_, required) in keys.items():
            if required and key not in data.get(section, {}):
                raise ManifestError(f"{path}: {section}.{key}: required key is missing")


def load(path):
    """Reads and validates a manifest; raises ManifestError."""
    path = Path(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such manifest") from None
    except tomllib.TOMLDecodeError as e:
        raise ManifestError(f"{path}: not valid TOML: {e}") from None
    _check_keys(path, data)
    system, machine, root = data["system"], data.get("machine", {}), data["root"]
    if not re.fullmatch(r"[a-z][a-z0-9-]*", system["name"]):
        raise ManifestError(
            f"{path}: system.name: {system['name']!r}: use lower-case letters, "
            "digits and '-', starting with a letter")
    memory = machine.get("memory", "1G")
    try:
        memory_bytes = parse_size(memory)
    except ValueError:
        raise ManifestError(
            f"{path}: machine.memory: {memory!r}: expected a size such as "
            '"512M" or "2G"') from None
    if not MIN_MEMORY <= memory_bytes <= MAX_MEMORY:
        raise ManifestError(
            f"{path}: machine.memory: {memory!r} is impossible: QEMU virt "
            f"takes {MIN_MEMORY >> 20}M to {MAX_MEMORY >> 30}G")
    cpus = machine.get("cpus", 2)
    if not 1 <= cpus <= MAX_CPUS:
        raise ManifestError(
            f"{path}: machine.cpus: {cpus}: expected 1 to {MAX_CPUS}")
    m = Manifest(path=path, name=system["name"],
                 description=system.get("description", ""),
                 memory_bytes=memory_bytes, memory=memory, cpus=cpus,
                 root_program=root["program"])
    m.idl_files = list(system.get("idl", []))
    _check_domains(m, data.get("domain", []))
    if "idl" in system or data.get("component") or data.get("connection"):
        _check_components(m, system.get("idl", []), data)
    return m


def _check_domains(m, domains):
    names, total = set(), 0
    for i, d in enumerate(domains):
        where = f"{m.path}: domain[{i}]"
        if d["name"] in names:
            raise ManifestError(f"{where}.name: '{d['name']}' is used twice")
        names.add(d["name"])
        try:
            mem = parse_size(d["memory"])
        except ValueError:
            raise ManifestError(f"{where}.memory: {d['memory']!r}: expected a size "
                                'such as "256M"') from None
        total += mem
        if mem < MIN_DOMAIN_MEMORY or total > m.memory_bytes - MIN_MEMORY:
            raise ManifestError(
                f"{where}.memory: {d['memory']!r} is impossible: domains get "
                f"{MIN_DOMAIN_MEMORY >> 20}M each at least, and all of them "
                f"together at most machine.memory ({m.memory}) less "
                f"{MIN_MEMORY >> 20}M for Cairn")
        vcpus = d.get("vcpus", 1)
        if not 1 <= vcpus <= m.cpus:
            raise ManifestError(f"{where}.vcpus: {vcpus}: expected 1 to "
                                f"machine.cpus ({m.cpus})")
        devices = d.get("devices", [])
        for dev in devices:
            if not isinstance(dev, str) or not BDF.fullmatch(dev):
                raise ManifestError(f"{where}.devices: {dev!r}: expected a PCI "
                                    'address such as "0000:00:02.0"')
        mode = d.get("passthrough", "share-pt" if devices else "disabled")
        if mode not in PASSTHROUGH:
            raise ManifestError(
                f'{where}.passthrough: passthrough = "{mode}": expected one of '
                f"{', '.join(PASSTHROUGH)}{_suggest(mode, PASSTHROUGH)}")
        if mode == "disabled" and devices:
            raise ManifestError(f'{where}.passthrough: "disabled" domains get no '
                                'devices: remove devices or choose sync-pt or share-pt')
        m.domains.append(Domain(d["name"], d["kernel"], mem, vcpus, mode, devices))


# connection ends: the kind on the "from" side -> the kind on the "to" side
CONNECTS = {"uses": "provides", "emits": "consumes", "port": "port"}


def _end(m, where, text, interfaces):
    inst, _, iface = text.partition(".")
    if not iface:
        raise ManifestError(f"{where}: {text!r}: expected COMPONENT.INTERFACE")
    if inst not in m.components:
        raise ManifestError(f"{where}: {text!r}: no component named '{inst}'"
                            f"{_suggest(inst, m.components)}")
    ifaces = interfaces[m.components[inst]]
    if iface not in ifaces:
        raise ManifestError(f"{where}: {text!r}: component '{inst}' "
                            f"({m.components[inst]}) has no interface '{iface}'"
                            f"{_suggest(iface, ifaces)}")
    return ifaces[iface]


def _check_components(m, idl_files, data):
    from cairn import idl

    base = m.path.parent
    try:
        spec = idl.load([(base / f) for f in idl_files])
    except (OSError, idl.IdlError) as e:
        raise ManifestError(f"{m.path}: system.idl: {e}") from None
    interfaces = {name: c.interfaces for name, c in spec.components.items()}
    for i, c in enumerate(data.get("component", [])):
        where = f"{m.path}: component[{i}]"
        if c["name"] in m.components or c["name"] in {d.name for d in m.domains}:
            raise ManifestError(f"{where}.name: '{c['name']}' is used twice")
        if c["type"] not in spec.components:
            raise ManifestError(f"{where}.type: no component type '{c['type']}' in "
                                f"the IDL{_suggest(c['type'], spec.components)}")
        if not 0 <= c.get("priority", 0) <= MAX_COMPONENT_PRIORITY:
            raise ManifestError(f"{where}.priority: expected 0 to "
                                f"{MAX_COMPONENT_PRIORITY} (255 is the root task's)")
        for cap in c.get("caps", []):
            if cap not in KERNEL_CAPS:
                raise ManifestError(
                    f"{where}.caps: unknown kernel capability {cap!r}: expected "
                    f"one of {', '.join(KERNEL_CAPS)}{_suggest(str(cap), KERNEL_CAPS)}")
        if "uart" in c.get("caps", []) and any(
                "uart" in v for v in m.component_caps.values()):
            raise ManifestError(f"{where}.caps: \"uart\" is granted twice: one "
                                "component (the console server) drives the UART")
        m.components[c["name"]] = c["type"]
        if "priority" in c:
            m.component_priority[c["name"]] = c["priority"]
        m.component_caps[c["name"]] = list(c.get("caps", []))
    connected = set()
    for i, c in enumerate(data.get("connection", [])):
        where = f"{m.path}: connection[{i}]"
        kind_from, type_from = _end(m, f"{where}.from", c["from"], interfaces)
        kind_to, type_to = _end(m, f"{where}.to", c["to"], interfaces)
        if CONNECTS.get(kind_from) != kind_to or type_from != type_to:
            raise ManifestError(
                f"{where}: {c['from']} ({kind_from} {type_from}) cannot connect "
                f"to {c['to']} ({kind_to} {type_to}): connect uses to provides, "
                "emits to consumes, dataport to dataport, of one type")
        if c["from"] in connected:
            raise ManifestError(f"{where}.from: {c['from']} is already connected")
        connected.add(c["from"])
        m.connections.append((c["from"], c["to"], kind_from))
    for inst, ctype in m.components.items():
        for iface, (kind, _) in interfaces[ctype].items():
            end = f"{inst}.{iface}"
            if kind == "uses" and end not in connected:
                raise ManifestError(f"{m.path}: {end} ({kind}) is not connected: "
                                    "add a [[connection]] from it")
