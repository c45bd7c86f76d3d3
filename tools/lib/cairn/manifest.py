"""System manifests (configs/*.toml): loading and validation.

Every error names the file, the line when it can be found, the key path and
what to write instead, so a user can fix the manifest without reading this
code. docs/manifest.md is the reference; keep the two in step.

load() checks the manifest itself: its keys, values and the files it names
(IDL, guest kernels and initrds). check() also checks the programs it names
against those the source tree builds (source_programs()), so that nothing a
manifest gets wrong is first found by the build or by QEMU.
"""
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
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
                  "priority": (int, False), "caps": (list, False),
                  "passthrough": (str, False), "devices": (list, False)},
    "connection": {"from": (str, True), "to": (str, True)},
    "domain": {"name": (str, True), "kernel": (str, True), "memory": (str, True),
               "initrd": (str, False), "bootargs": (str, False),
               "vcpus": (int, False), "priority": (int, False),
               "passthrough": (str, False), "devices": (list, False),
               "vmm": (str, False)},
}
# The VMM types a domain may name (idl/vmm.idl): VmmFaulty is the same VMM
# built to fault after its first thousands of exits, for the test that a
# VMM's death ends only its own domain.
VMM_TYPES = ("Vmm", "VmmFaulty")
# How a client's devices reach memory (docs/manifest.md, Devices): the
# IOMMU server resolves "enabled" at boot (share-pt where the SMMU can walk
# the CPU's stage-2 tables, else sync-pt).
PASSTHROUGH = ("disabled", "share-pt", "sync-pt", "enabled")
# kernel capabilities a component may be granted (`caps`), see spec.py
KERNEL_CAPS = ("uart", "audit", "power")
MAX_COMPONENT_PRIORITY = 254  # the root task runs at 255 until it is done
MIN_DOMAIN_MEMORY = 16 << 20
DOMAIN_PRIORITY = 100  # a domain's vCPUs, as a component's default
DOMAIN_NAME = re.compile(r"[a-z][a-z0-9_-]*")
# A device: a PCI address, BB:DD.F or DDDD:BB:DD.F, or vendor:device IDs.
BDF = re.compile(r"(?:([0-9a-fA-F]{4}):)?([0-9a-fA-F]{2}):([0-9a-fA-F]{2})"
                 r"\.([0-9a-fA-F])")
VENDOR_DEVICE = re.compile(r"([0-9a-fA-F]{4}):([0-9a-fA-F]{4})")
DEVICES_MAX = 8  # per client: the IOMMU server's table (servers/iommu)
IOMMU_NAME = "iommu"  # the IOMMU server's instance, added by the tools
# The one size syntax: a whole number and K, M or G (powers of 1024).
SIZE = re.compile(r"([1-9][0-9]*)([KMG])")
SIZE_UNITS = {"K": 10, "M": 20, "G": 30}
SIZE_RULE = "a whole number followed by K, M or G"


class ManifestError(Exception):
    """A manifest problem, already phrased for the user."""


@dataclass
class Domain:
    name: str
    kernel: Path
    memory_bytes: int
    vcpus: int
    passthrough: str
    devices: list
    initrd: Path = None
    bootargs: str = ""
    priority: int = DOMAIN_PRIORITY
    kernel_info: object = None  # guest.KernelInfo
    layout: object = None  # guest.GuestLayout: where the payload goes
    vmm: str = "Vmm"  # its VMM's IDL type (VMM_TYPES)


@dataclass
class Manifest:
    path: Path
    name: str
    description: str
    memory_bytes: int
    memory: str  # normalised, what QEMU's -m is given ("512M", "2G")
    cpus: int
    root_program: str
    components: dict = field(default_factory=dict)  # name -> IDL type
    component_priority: dict = field(default_factory=dict)  # name -> int
    component_caps: dict = field(default_factory=dict)  # name -> [kernel cap]
    # component name -> (passthrough mode, [device]) for those with either
    component_devices: dict = field(default_factory=dict)
    idl_files: list = field(default_factory=list)
    connections: list = field(default_factory=list)  # (from, to, kind)
    domains: list = field(default_factory=list)
    guest_refs: list = field(default_factory=list)  # "@NAME" kernels used

    def programs(self):
        """The programs this system packs: the root task's, then one per
        component type (spec.program_name), sorted; with domains, their
        VMM's too."""
        from cairn.spec import program_name

        types = set(self.components.values()) | {d.vmm for d in self.domains}
        if self.device_clients():
            types.add("Iommu")
        return [self.root_program] + sorted(program_name(t) for t in types)


    def device_clients(self):
        """[(name, mode, devices)] of every component and domain that has
        devices, in manifest order (components first): the IOMMU server's
        clients."""
        out = [(n, mode, devs) for n, (mode, devs)
               in self.component_devices.items() if devs]
        return out + [(d.name, d.passthrough, d.devices) for d in self.domains
                      if d.devices]


def _suggest(word, choices):
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f'; did you mean "{close[0]}"?' if close else ""


def parse_size(text):
    """'512M', '1G', '2048K' -> bytes: the one size syntax. Anything else
    raises ValueError whose message says what to write instead."""
    m = SIZE.fullmatch(text)
    if m:
        return int(m.group(1)) << SIZE_UNITS[m.group(2)]
    near = re.fullmatch(r"\s*0*([1-9][0-9]*)\s*([kmgKMG])(?:i?[bB])?\s*", text)
    if near:
        raise ValueError(f'write "{near.group(1)}{near.group(2).upper()}" '
                         f"(a size is {SIZE_RULE})")
    raise ValueError(f'write {SIZE_RULE}, such as "512M" or "2G"')


def format_size(nbytes):
    """The normalised spelling of a size: the largest unit that divides it."""
    for unit in "GMK":
        shift = SIZE_UNITS[unit]
        if nbytes and nbytes % (1 << shift) == 0:
            return f"{nbytes >> shift}{unit}"
    raise ValueError(f"{nbytes} bytes is not a whole number of K")


def _type_name(typ):
    return {str: "string", int: "whole number", list: "list"}[typ]


def _dotted(keys):
    out = ""
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else k)
    return out


_HEADER = re.compile(r"\s*(\[\[?)\s*([^\[\]#]+?)\s*\]\]?\s*(#.*)?")
_KEY = re.compile(r"\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*=")


def locate(text, keys):
    """The 1-based line where key path `keys` (("machine", "memory"),
    ("domain", 0, "kernel"), ("component", 1)) is written, or its table's
    header line, or None. Best effort: plain tables and keys only."""
    section, rest = keys[0], list(keys[1:])
    index = rest.pop(0) if rest and isinstance(rest[0], int) else None
    key = rest[0] if rest else None
    counts, current, header = {}, None, None
    for n, line in enumerate(text.splitlines(), 1):
        h = _HEADER.fullmatch(line)
        if h:
            name = h.group(2).strip()
            if h.group(1) == "[[":
                current = (name, counts.get(name, 0))
                counts[name] = current[1] + 1
            else:
                current = (name, None)
            if current == (section, index) and header is None:
                header = n
                if key is None:
                    return n
            continue
        k = _KEY.match(line)
        if not k:
            continue
        name = k.group(1).strip("\"'")
        if current is None and key is None and index is None and name == section:
            return n
        if current == (section, index) and name == key:
            return n
    return header


class _Context:
    """One manifest being checked: where errors point."""

    def __init__(self, path, text):
        self.path = path
        self.text = text
        self.guests = None
        self.devices = {}  # PCI address -> the key path of its client

    def error(self, keys, message):
        """A ManifestError "PATH:LINE: key.path: message" (keys: a key path
        tuple, or None for the file as a whole)."""
        line = locate(self.text, keys) if keys else None
        where = f"{self.path}:{line}" if line else f"{self.path}"
        what = f" {_dotted(keys)}:" if keys else ""
        return ManifestError(f"{where}:{what} {message}")


def _check_table(ctx, keys, table, allowed):
    for key, v in table.items():
        if key not in allowed:
            raise ctx.error(keys + (key,),
                            f"unknown key: expected one of {', '.join(allowed)}"
                            f"{_suggest(key, allowed)}")
        typ = allowed[key][0]
        if not isinstance(v, typ) or isinstance(v, bool):
            raise ctx.error(keys + (key,),
                            f"expected a {_type_name(typ)}, got {v!r}")
    for key, (_, required) in allowed.items():
        if required and key not in table:
            raise ctx.error(keys + (key,), "required key is missing")


def _check_keys(ctx, data):
    for section, value in data.items():
        if section in TABLES:
            if not isinstance(value, list):
                raise ctx.error((section,), f"write [[{section}]] tables")
            for i, table in enumerate(value):
                if section == "domain" and "initrd" in table and "kernel" not in table:
                    raise ctx.error((section, i, "initrd"), "an initrd needs a "
                                    'kernel: add kernel = "PATH" (an arm64 '
                                    "Image or a flat binary) to this [[domain]]")
                _check_table(ctx, (section, i), table, TABLES[section])
            continue
        if section not in SCHEMA:
            choices = list(SCHEMA) + list(TABLES)
            line = locate(ctx.text, (section,))
            raise ManifestError(
                f"{ctx.path}{f':{line}' if line else ''}: unknown section "
                f"[{section}]: expected one of {', '.join(choices)}"
                f"{_suggest(section, choices)}")
        if not isinstance(value, dict):
            raise ctx.error((section,), f"expected a table [{section}]")
        _check_table(ctx, (section,), value,
                     {k: (t, False) for k, (t, _) in SCHEMA[section].items()})
    for section, keys in SCHEMA.items():
        for key, (_, required) in keys.items():
            if required and key not in data.get(section, {}):
                raise ctx.error((section, key), "required key is missing")


def _size(ctx, keys, text):
    try:
        return parse_size(text)
    except ValueError as e:
        raise ctx.error(keys, f"{text!r}: {e}") from None


def load(path, guests=None):
    """Reads and validates a manifest; raises ManifestError. guests: the
    built guest images' paths (name -> file) for kernels named "@NAME";
    None before a build, which leaves those to be inspected when packed."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ManifestError(f"{path}: no such manifest") from None
    except IsADirectoryError:
        raise ManifestError(f"{path}: a directory, not a manifest: give a "
                            "configs/<system>.toml file") from None
    except OSError as e:
        raise ManifestError(f"{path}: cannot read: {e.strerror}") from None
    text = raw.decode("utf-8", "replace")
    ctx = _Context(path, text)
    ctx.guests = guests
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        at = re.search(r"\(at line (\d+), column \d+\)", str(e))
        where = f"{path}:{at.group(1)}" if at else f"{path}"
        raise ManifestError(f"{where}: not valid TOML: {e}") from None
    _check_keys(ctx, data)
    system, machine, root = data["system"], data.get("machine", {}), data["root"]
    if not re.fullmatch(r"[a-z][a-z0-9-]*", system["name"]):
        raise ctx.error(("system", "name"),
                        f"{system['name']!r}: use lower-case letters, digits "
                        "and '-', starting with a letter")
    memory = machine.get("memory", "1G")
    memory_bytes = _size(ctx, ("machine", "memory"), memory)
    if not MIN_MEMORY <= memory_bytes <= MAX_MEMORY:
        raise ctx.error(("machine", "memory"),
                        f"{memory!r} is impossible: QEMU virt takes "
                        f"{MIN_MEMORY >> 20}M to {MAX_MEMORY >> 30}G")
    cpus = machine.get("cpus", 2)
    if not 1 <= cpus <= MAX_CPUS:
        raise ctx.error(("machine", "cpus"), f"{cpus}: expected 1 to {MAX_CPUS}")
    if not root["program"]:
        raise ctx.error(("root", "program"), "empty: name the root task's program")
    m = Manifest(path=path, name=system["name"],
                 description=system.get("description", ""),
                 memory_bytes=memory_bytes, memory=format_size(memory_bytes),
                 cpus=cpus, root_program=root["program"])
    m.idl_files = list(system.get("idl", []))
    _check_domains(ctx, m, data.get("domain", []))
    if "idl" in system or data.get("component") or data.get("connection"):
        _check_components(ctx, m, system.get("idl", []), data)
    _check_device_system(ctx, m)
    return m


def _check_file(ctx, m, keys, name, what):
    """A file the manifest names, relative to the manifest's directory."""
    p = m.path.parent / name
    if not p.is_file():
        state = "is a directory" if p.is_dir() else "does not exist"
        raise ctx.error(keys, f"{name!r}: {p} {state}: give the path of {what}, "
                        "relative to the manifest's directory")
    return p


def _check_domains(ctx, m, domains):
    total = 0
    for i, d in enumerate(domains):
        keys = ("domain", i)
        _check_domain_name(ctx, m, keys, d["name"])
        mem = _domain_memory(ctx, m, keys, d["memory"])
        total += mem
        if total > m.memory_bytes - MIN_MEMORY:
            raise ctx.error(
                keys + ("memory",),
                f"{d['memory']!r} does not fit: all domains together get at "
                f"most machine.memory ({m.memory}) less {MIN_MEMORY >> 20}M "
                f"for Cairn, {format_size(m.memory_bytes - MIN_MEMORY)} here: "
                "lower it or raise machine.memory")
        vcpus = _domain_vcpus(ctx, m, keys, d.get("vcpus", 1))
        priority = d.get("priority", DOMAIN_PRIORITY)
        if not 0 <= priority <= MAX_COMPONENT_PRIORITY:
            raise ctx.error(keys + ("priority",),
                            f"{priority}: expected 0 to {MAX_COMPONENT_PRIORITY}"
                            " (255 is the root task's)")
        bootargs = _domain_bootargs(ctx, keys, d.get("bootargs", ""))
        devices, mode = _client_devices(ctx, keys, d, ctx.devices)
        dom = Domain(d["name"], None, mem, vcpus, mode, devices, None,
                     bootargs, priority, vmm=_domain_vmm(ctx, keys, d))
        _domain_payload(ctx, m, keys, d, dom)
        m.domains.append(dom)


def _domain_vmm(ctx, keys, d):
    vmm = d.get("vmm", VMM_TYPES[0])
    if vmm not in VMM_TYPES:
        raise ctx.error(keys + ("vmm",), f'vmm = "{vmm}": expected one of '
                        f"{', '.join(VMM_TYPES)}{_suggest(vmm, VMM_TYPES)} "
                        "(leave it out for the VMM)")
    return vmm


def _check_domain_name(ctx, m, keys, name):
    if not DOMAIN_NAME.fullmatch(name):
        raise ctx.error(keys + ("name",),
                        f"{name!r}: use lower-case letters, digits, '-' and "
                        "'_', starting with a letter (the console's domain "
                        "command names it)")
    if name in {d.name for d in m.domains}:
        raise ctx.error(keys + ("name",), f"'{name}' is used twice: names "
                        "are unique among components and domains")


def _domain_memory(ctx, m, keys, text):
    from cairn import guest

    mem = _size(ctx, keys + ("memory",), text)
    if mem < MIN_DOMAIN_MEMORY:
        raise ctx.error(keys + ("memory",),
                        f"{text!r} is too small: a domain gets "
                        f"{MIN_DOMAIN_MEMORY >> 20}M at least")
    if mem % guest.BLOCK:
        up = format_size((mem + guest.BLOCK - 1) // guest.BLOCK * guest.BLOCK)
        raise ctx.error(keys + ("memory",),
                        f"{text!r} is not a multiple of 2M: guest RAM is "
                        f"mapped in 2 MiB frames: write \"{up}\"")
    return mem


def _domain_vcpus(ctx, m, keys, vcpus):
    from cairn import guest

    limit = min(m.cpus, guest.MAX_VCPUS)
    if not 1 <= vcpus <= limit:
        raise ctx.error(keys + ("vcpus",),
                        f"{vcpus}: expected 1 to machine.cpus ({m.cpus}): a "
                        f"domain has at most one vCPU per CPU, and at most "
                        f"{guest.MAX_VCPUS}")
    return vcpus


def _domain_bootargs(ctx, keys, text):
    from cairn import guest

    if "\0" in text:
        raise ctx.error(keys + ("bootargs",), "contains a NUL character: "
                        "write the command line without it")
    size = len(text.encode("utf-8"))
    if size > guest.BOOTARGS_MAX:
        raise ctx.error(keys + ("bootargs",),
                        f"{size} bytes is too long: a guest's command line "
                        f"is at most {guest.BOOTARGS_MAX} bytes "
                        f"({guest.BOOTARGS_MAX + 1} with its NUL): shorten it")
    return text


def parse_device(text):
    """A device as a manifest names it -> its canonical spelling: a PCI
    address "BB:DD.F" (bus, device, function in lower-case hex; a segment
    other than 0000 is refused) or vendor:device IDs "vvvv:dddd". Raises
    ValueError saying what to write instead."""
    m = BDF.fullmatch(text)
    if m:
        seg, bus, dev, fn = m.groups()
        if seg is not None and int(seg, 16) != 0:
            raise ValueError(f"segment {seg}: Cairn drives one PCIe host "
                             f'bridge, segment 0000: write "{bus}:{dev}.{fn}"'
                             .lower())
        if int(bus, 16) != 0:
            raise ValueError("the IOMMU server enumerates the root bus (00) "
                             "only: give a device on bus 00")
        if int(dev, 16) > 0x1f or int(fn, 16) > 7:
            raise ValueError("a PCI device number is 00 to 1f and a function "
                             "0 to 7")
        return f"{bus}:{dev}.{fn}".lower()
    if VENDOR_DEVICE.fullmatch(text):
        return text.lower()
    raise ValueError('expected a PCI address such as "00:02.0" (or '
                     '"0000:00:02.0") or vendor:device IDs such as '
                     '"1234:11e8"')


def _client_devices(ctx, keys, d, seen):
    """(devices, mode) of a domain or component: devices canonical, each
    PCI address given to one client only (seen: address -> key path)."""
    devices = d.get("devices", [])
    if len(devices) > DEVICES_MAX:
        raise ctx.error(keys + ("devices",), f"{len(devices)} devices: a "
                        f"client gets at most {DEVICES_MAX}")
    out = []
    for dev in devices:
        if not isinstance(dev, str):
            raise ctx.error(keys + ("devices",), f"{dev!r}: expected a string "
                            'such as "00:02.0" or "1234:11e8"')
        try:
            canon = parse_device(dev)
        except ValueError as e:
            raise ctx.error(keys + ("devices",), f"{dev!r}: {e}") from None
        if canon in out and BDF.fullmatch(dev):
            raise ctx.error(keys + ("devices",), f"{dev!r} is listed twice")
        if BDF.fullmatch(dev) and canon in seen:
            raise ctx.error(keys + ("devices",), f"{dev!r} is already given "
                            f"to {_dotted(seen[canon])}: a device belongs to "
                            "one client")
        if BDF.fullmatch(dev):
            seen[canon] = keys
        out.append(canon)
    mode = d.get("passthrough", "share-pt" if out else "disabled")
    if mode not in PASSTHROUGH:
        raise ctx.error(
            keys + ("passthrough",),
            f'passthrough = "{mode}": expected one of '
            f"{', '.join(PASSTHROUGH)}{_suggest(mode, PASSTHROUGH)}")
    if mode == "disabled" and out:
        raise ctx.error(keys + ("passthrough",),
                        'passthrough = "disabled" with devices: a disabled '
                        "client gets no devices: remove devices or choose "
                        "share-pt, sync-pt or enabled")
    if mode != "disabled" and not out:
        raise ctx.error(keys + ("passthrough",),
                        f'passthrough = "{mode}" without devices: list the '
                        "devices (devices = [\"00:02.0\"]) or leave "
                        "passthrough out")
    return out, mode


def _built_guest(ctx, m, keys, ref):
    """kernel = "@NAME": a guest image this tree builds (a
    cairn_guest_image(NAME ...) call). Its path once built, or None when
    the build has not said where (checking before building: the image is
    then inspected when it is packed)."""
    name = ref[1:]
    known = source_guests()
    if name not in known:
        raise ctx.error(keys, f"{ref!r}: no guest image '{name}' in this "
                        f"tree{_suggest(name, known)}: expected one of "
                        f"{', '.join('@' + k for k in sorted(known))}, or a "
                        "file path")
    m.guest_refs.append(name)
    path = ctx.guests.get(name) if ctx.guests else None
    if ctx.guests is not None and path is None:
        raise ctx.error(keys, f"{ref!r}: the build did not give its path "
                        f"(--guest {name}=FILE)")
    return Path(path) if path else None


def _domain_payload(ctx, m, keys, d, dom):
    """The kernel and initrd files, inspected and placed in guest RAM
    (guest.py), so a kernel that cannot boot fails here, not in QEMU."""
    from cairn import guest

    if d["kernel"].startswith("@"):
        dom.kernel = _built_guest(ctx, m, keys + ("kernel",), d["kernel"])
        if dom.kernel is None:
            return
    else:
        dom.kernel = _check_file(ctx, m, keys + ("kernel",), d["kernel"],
                                 "the guest's kernel image")
    try:
        dom.kernel_info = guest.inspect_kernel(dom.kernel, dom.memory_bytes)
    except guest.GuestError as e:
        raise ctx.error(keys + ("kernel",), f"{d['kernel']!r}: {e}") from None
    initrd_size = 0
    if "initrd" in d:
        dom.initrd = _check_file(ctx, m, keys + ("initrd",), d["initrd"],
                                 "the guest's initial RAM disk")
        initrd_size = dom.initrd.stat().st_size
        if initrd_size == 0:
            raise ctx.error(keys + ("initrd",), f"{d['initrd']!r}: "
                            f"{dom.initrd} is empty: give a cpio archive "
                            "(compressed or not), or remove initrd")
    try:
        dom.layout = guest.guest_layout(dom.kernel_info, dom.memory_bytes,
                                        initrd_size)
    except guest.GuestError as e:
        key = "initrd" if initrd_size else "memory"
        raise ctx.error(keys + (key,), f"{e}") from None


# connection ends: the kind on the "from" side -> the kind on the "to" side
CONNECTS = {"uses": "provides", "emits": "consumes", "port": "port"}


def _end(ctx, m, keys, text, interfaces):
    inst, _, iface = text.partition(".")
    if not iface:
        raise ctx.error(keys, f"{text!r}: expected COMPONENT.INTERFACE")
    if inst not in m.components:
        raise ctx.error(keys, f"{text!r}: no component named '{inst}'"
                        f"{_suggest(inst, m.components)}")
    ifaces = interfaces[m.components[inst]]
    if iface not in ifaces:
        raise ctx.error(keys, f"{text!r}: component '{inst}' "
                        f"({m.components[inst]}) has no interface '{iface}'"
                        f"{_suggest(iface, ifaces)}")
    return ifaces[iface]


def _check_components(ctx, m, idl_files, data):
    from cairn import idl

    base = m.path.parent
    try:
        spec = idl.load([(base / f) for f in idl_files])
    except (OSError, idl.IdlError) as e:
        what = f"{e.filename}: {e.strerror}" if isinstance(e, OSError) else e
        raise ctx.error(("system", "idl"), f"{what}") from None
    interfaces = {name: c.interfaces for name, c in spec.components.items()}
    declared = {}
    for i, c in enumerate(data.get("component", [])):
        keys = ("component", i)
        if c["name"] in m.components or c["name"] in {d.name for d in m.domains}:
            raise ctx.error(keys + ("name",), f"'{c['name']}' is used twice: "
                            "names are unique among components and domains")
        if c["type"] not in spec.components:
            raise ctx.error(keys + ("type",),
                            f"no component type '{c['type']}' in the IDL"
                            f"{_suggest(c['type'], spec.components)}")
        if not 0 <= c.get("priority", 0) <= MAX_COMPONENT_PRIORITY:
            raise ctx.error(keys + ("priority",),
                            f"expected 0 to {MAX_COMPONENT_PRIORITY} (255 is "
                            "the root task's)")
        for cap in c.get("caps", []):
            if cap not in KERNEL_CAPS:
                raise ctx.error(
                    keys + ("caps",),
                    f"unknown kernel capability {cap!r}: expected one of "
                    f"{', '.join(KERNEL_CAPS)}{_suggest(str(cap), KERNEL_CAPS)}")
        if "uart" in c.get("caps", []) and any(
                "uart" in v for v in m.component_caps.values()):
            raise ctx.error(keys + ("caps",), "\"uart\" is granted twice: one "
                            "component (the console server) drives the UART")
        m.components[c["name"]] = c["type"]
        declared[c["name"]] = i
        if "priority" in c:
            m.component_priority[c["name"]] = c["priority"]
        m.component_caps[c["name"]] = list(c.get("caps", []))
        if "devices" in c or "passthrough" in c:
            devices, mode = _client_devices(ctx, keys, c, ctx.devices)
            m.component_devices[c["name"]] = (mode, devices)
    by_tools = set(_device_client_ends(ctx, m, interfaces, declared))
    connected = set(by_tools)
    for i, c in enumerate(data.get("connection", [])):
        keys = ("connection", i)
        if c["from"] in by_tools:
            raise ctx.error(keys + ("from",), f"{c['from']} is already "
                            "connected (by the tools: a client's iommu "
                            "interface goes to the IOMMU server)")
        kind_from, type_from = _end(ctx, m, keys + ("from",), c["from"], interfaces)
        kind_to, type_to = _end(ctx, m, keys + ("to",), c["to"], interfaces)
        if CONNECTS.get(kind_from) != kind_to or type_from != type_to:
            raise ctx.error(
                keys,
                f"{c['from']} ({kind_from} {type_from}) cannot connect "
                f"to {c['to']} ({kind_to} {type_to}): connect uses to provides, "
                "emits to consumes, dataport to dataport, of one type")
        if c["from"] in connected:
            raise ctx.error(keys + ("from",), f"{c['from']} is already connected")
        connected.add(c["from"])
        m.connections.append((c["from"], c["to"], kind_from))
    for inst, ctype in m.components.items():
        for iface, (kind, _) in interfaces[ctype].items():
            end = f"{inst}.{iface}"
            if kind == "uses" and end not in connected:
                raise ctx.error(("component", declared[inst]),
                                f"{end} ({kind}) is not connected: add a "
                                "[[connection]] from it")


def _device_client_ends(ctx, m, interfaces, declared):
    """A component with devices calls the IOMMU server through its
    `uses IommuClient iommu` interface, which the tools connect (as they
    connect a VMM to the console): its type must declare it."""
    for inst, (_, devices) in m.component_devices.items():
        if not devices:
            continue
        iface = interfaces[m.components[inst]].get("iommu")
        if iface != ("uses", "IommuClient"):
            raise ctx.error(("component", declared[inst], "devices"),
                            f"component type {m.components[inst]} cannot "
                            "take devices: declare `uses IommuClient iommu;` "
                            "in it (idl/iommu.idl; the tools connect it to "
                            "the IOMMU server)")
        yield f"{inst}.iommu"


def _check_device_system(ctx, m):
    """With devices, the tools add the IOMMU server, named IOMMU_NAME (and
    connect it to the console: spec time, as for a domain's VMM)."""
    clients = m.device_clients()
    if not clients:
        return
    names = set(m.components) | {d.name for d in m.domains}
    if IOMMU_NAME in names:
        keys = (("component", list(m.components).index(IOMMU_NAME), "name")
                if IOMMU_NAME in m.components else
                ("domain", [d.name for d in m.domains].index(IOMMU_NAME),
                 "name"))
        raise ctx.error(keys, f"'{IOMMU_NAME}' is the IOMMU server's name "
                        "in a system with devices: rename this one")


# ---- programs -------------------------------------------------------------

_PROGRAM = re.compile(r"^\s*cairn_program\(\s*([A-Za-z0-9_.+-]+)[\s)]", re.M)


def source_programs(root=ROOT):
    """The user-level programs the source tree builds: every
    `cairn_program(NAME ...)` in a CMakeLists.txt (build trees skipped).
    configs/CMakeLists.txt checks that this finds what CMake defines."""
    found = set()
    root = Path(root)
    for lists in root.rglob("CMakeLists.txt"):
        rel = lists.relative_to(root).parts
        if any(p.startswith("build") or p.startswith(".") for p in rel[:-1]):
            continue
        found.update(_PROGRAM.findall(lists.read_text(errors="replace")))
    return found


_GUEST = re.compile(r"^\s*cairn_(?:guest_image|flat_guest)\(\s*"
                    r"([A-Za-z0-9_.+-]+)[\s)]", re.M)


def source_guests(root=ROOT):
    """The guest images the source tree builds, as a manifest names them
    (kernel = "@NAME"): every `cairn_guest_image(NAME ...)` and
    `cairn_flat_guest(NAME ...)` call."""
    found = set()
    root = Path(root)
    for lists in root.rglob("CMakeLists.txt"):
        rel = lists.relative_to(root).parts
        if any(p.startswith("build") or p.startswith(".") for p in rel[:-1]):
            continue
        found.update(_GUEST.findall(lists.read_text(errors="replace")))
    return found


def check(path, programs=None, guests=None):
    """load(), then the programs the manifest names (the root task's, and
    one per component type) must be among `programs` (default: those the
    source tree builds). guests: as for load(). Returns the Manifest;
    raises ManifestError."""
    from cairn.spec import program_name

    m = load(path, guests)
    known = source_programs() if programs is None else set(programs)
    ctx = _Context(m.path, m.path.read_text(errors="replace"))
    if m.root_program not in known:
        raise ctx.error(("root", "program"),
                        f"{m.root_program!r} is not a program this tree builds"
                        f"{_suggest(m.root_program, known)}: expected one of "
                        f"{', '.join(sorted(known))} (\"root\" builds the "
                        "system from its components)")
    for i, (name, ctype) in enumerate(m.components.items()):
        program = program_name(ctype)
        if program not in known:
            raise ctx.error(("component", i, "type"),
                            f"component type {ctype} runs program "
                            f"'{program}', which this tree does not build: "
                            "add it with cairn_program() (docs/manifest.md)")
    return m
