"""gdb that understands Cairn: `source tools/gdb/cairn.py` in gdb-multiarch
with the kernel ELF loaded (the command `tools/run --gdb` prints does it).

  cairn threads          every TCB: name, state, priority, CPU, VSpace, ...
  cairn caps NAME        a thread's CSpace as the live audit walks it
  cairn vspace NAME [-v] its stage-2 mappings (-v: every table and page)
  cairn symbols [NAME|off]  the symbols of the program a thread runs
  cairn break NAME LOCATION  a breakpoint in NAME's program that stops
                         only when NAME's thread reaches it
  $_cairn_thread()       the name of the thread current on the selected CPU
  set cairn auto-symbols on|off   load the running program's symbols
                         whenever the machine stops at EL0 (default on)

The kernel structures are read through the kernel ELF's DWARF (Debug and
Release builds are both compiled with -g) and QEMU's physical-memory mode
(the `qqemu.PhyMemMode` packet), so they can be read whichever exception
level the stopped CPU is at. docs/gdb.md is the manual.
"""
import hashlib
import os
import sys
import tempfile
from pathlib import Path

import gdb

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT / "tools" / "lib") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools" / "lib"))
from cairn import kview  # noqa: E402


class CairnError(Exception):
    pass


# ---- physical memory ------------------------------------------------------------

def _packet(text):
    """Sends one remote packet; the reply's payload, or None."""
    try:
        out = gdb.execute(f"maint packet {text}", to_string=True)
    except gdb.error:
        return None
    for line in out.splitlines():
        if line.startswith("received: "):
            return line[len("received: "):].strip().strip('"')
    return None


class _Physical:
    """With it, memory reads are physical (QEMU's PhyMemMode), whatever the
    CPU's exception level; the mode is put back as it was after. Nests."""

    depth = 0
    saved = None

    def __enter__(self):
        if gdb.selected_inferior().pid == 0:
            raise CairnError("not attached: `target remote localhost:1234` "
                             "first")
        if _Physical.depth == 0:
            mode = _packet("qqemu.PhyMemMode")
            _Physical.saved = mode if mode in ("0", "1") else None
            if _Physical.saved == "0":
                _packet("Qqemu.PhyMemMode:1")
        _Physical.depth += 1
        return self

    def __exit__(self, *exc):
        _Physical.depth -= 1
        if _Physical.depth == 0 and _Physical.saved == "0":
            _packet("Qqemu.PhyMemMode:0")
            # Whatever gdb cached was read in the other mode.
            gdb.execute("maint flush dcache", to_string=True)


class GdbMemory(kview.Memory):
    def read(self, addr, n):
        try:
            return bytes(gdb.selected_inferior().read_memory(addr, n))
        except gdb.MemoryError:
            raise kview.KviewError(
                f"cannot read {n} bytes at {addr:#x}"
                + ("" if _Physical.saved else " (this stub has no physical "
                   "memory mode: stop the CPU in the kernel to read it)"))


MEM = GdbMemory()


# ---- the layout, from DWARF ---------------------------------------------------------

def _find(t, name):
    """The field named name in t, looking into anonymous members:
    (field, extra byte offset)."""
    for f in t.fields():
        if f.name == name:
            return f, 0
        if f.name is None or f.name == "":
            try:
                g, extra = _find(f.type.strip_typedefs(), name)
                return g, extra + f.bitpos // 8
            except KeyError:
                pass
    raise KeyError(name)


def _field(t, path):
    off = 0
    for name in path.split("."):
        t = t.strip_typedefs()
        try:
            f, extra = _find(t, name)
        except KeyError:
            raise CairnError(f"the kernel's {t} has no field '{name}': is "
                             "this a Cairn kernel ELF?")
        off += extra + f.bitpos // 8
        t = f.type
    return off, t.strip_typedefs().sizeof


def _fields(t, spec):
    return {k: _field(t, v) for k, v in spec.items()}


def kernel_objfile():
    """The kernel ELF's objfile: component symbols may define names of
    their own, so the kernel's are looked up in it alone."""
    for o in gdb.objfiles():
        if o.is_valid() and o.lookup_global_symbol("kernel_main") is not None:
            return o
    raise CairnError("the kernel ELF is not loaded (gdb-multiarch "
                     "build/target/kernel/kernel.elf)")


def _type(name):
    sym = kernel_objfile().lookup_global_symbol("kernel_main")
    try:
        return gdb.lookup_type(name, sym.symtab.global_block()).strip_typedefs()
    except gdb.error:
        raise CairnError(f"no type '{name}' in the kernel ELF: is it Cairn's?")


def _symbol_address(name):
    o = kernel_objfile()
    sym = o.lookup_static_symbol(name) or o.lookup_global_symbol(name)
    if sym is None:
        raise CairnError(f"no symbol '{name}' in the kernel ELF")
    return int(sym.value().address), sym


_layout = None


def layout():
    global _layout
    if _layout is not None:
        return _layout
    tcb, cte, cap = _type("struct tcb"), _type("struct cte"), _type("struct cap")
    cpu, bm = _type("struct cpu"), _type("struct boot_module")
    bms = _type("struct boot_modules")
    symbols = {}
    for name in ("all_head", "cpus", "id_key", "modules"):
        symbols[name], sym = _symbol_address(name)
        if name == "cpus":
            ncpus = sym.type.strip_typedefs().sizeof // cpu.sizeof
    _layout = kview.Layout(
        tcb=_fields(tcb, {"state": "state", "priority": "priority",
                          "vmid": "vmid.id", "vspace_root": "vspace_root.pa",
                          "cspace": "cspace", "vspace": "vspace",
                          "ipc_buffer": "ipc_buffer", "vcpu": "vcpu",
                          "blocked_on": "blocked_on.pa", "name": "name",
                          "cpu_ticks": "cpu_ticks", "ipc_calls": "ipc_calls",
                          "all_next": "all_next", "pc": "regs.pc"}),
        tcb_size=tcb.sizeof, cte_size=cte.sizeof,
        cap=_fields(cap, {"type": "type", "size_bits": "size_bits",
                          "guard_bits": "guard_bits", "device": "device",
                          "rights": "rights", "object": "object.pa",
                          "word": "badge", "mapped_vspace": "mapped_vspace"}),
        cpu=_fields(cpu, {"current": "current", "online": "online",
                          "mpidr": "mpidr", "index": "index"}),
        cpu_size=cpu.sizeof, ncpus=ncpus,
        boot_module=_fields(bm, {"name": "name", "data": "data",
                                 "size": "size"}),
        boot_module_size=bm.sizeof,
        boot_modules=_fields(bms, {"count": "count", "module": "module"}),
        symbols=symbols)
    if _field(cte, "cap")[0] != 0:
        raise CairnError("struct cte does not start with its cap")
    return _layout


def _forget_layout(_event=None):
    global _layout
    _layout = None


gdb.events.new_objfile.connect(_forget_layout)
gdb.events.clear_objfiles.connect(_forget_layout)


# ---- the machine's state -------------------------------------------------------------

def selected_cpu(cpus):
    """The kernel's CPU index of gdb's selected thread (QEMU: one per CPU):
    the struct cpu TPIDR_EL2 points at, else the thread's number."""
    try:
        tpidr = int(gdb.parse_and_eval("$TPIDR_EL2")) & kview.MASK64
        for c in cpus:
            if c.addr == tpidr:
                return c.index
    except gdb.error:
        pass
    th = gdb.selected_thread()
    if th is None:
        raise CairnError("no thread selected: is the target running?")
    return th.num - 1


class State:
    """One consistent look at the stopped machine."""

    def __init__(self):
        self.L = layout()
        self.cpus = kview.read_cpus(MEM, self.L)
        self.threads = kview.read_threads(MEM, self.L)
        self.key = kview.audit_key(MEM, self.L)
        self.cpu = selected_cpu(self.cpus)

    def current(self):
        """The thread current on the selected CPU, or None."""
        for t in self.threads:
            if t.cpu == self.cpu:
                return t
        return None

    def named(self, name):
        found = kview.find_threads(self.threads, name)
        if not found:
            known = ", ".join(sorted({t.name for t in self.threads}))
            raise CairnError(f"no thread named '{name}' (threads: {known})")
        return found

    def oid(self, cap):
        return f"{cap.object_id(self.key):016x}"


def _key_note(st):
    if st.key == 0:
        return ("note: the kernel has made no audit yet this boot, so its "
                "object ids are not fixed: OBJECT ids here will not match "
                "a later audit\n")
    return ""


# ---- programs and their symbols ----------------------------------------------------

_module_bytes = {}  # (data, size) -> bytes
_module_files = {}  # (data, size) -> path
_loaded = {"path": None, "label": None}


def kernel_elf():
    return Path(kernel_objfile().filename)


def module_bytes(m):
    k = (m.data, m.size)
    if k not in _module_bytes:
        _module_bytes[k] = MEM.read(m.data, m.size)
    return _module_bytes[k]


def program_file(m):
    """A file holding module m's ELF: the build tree's own (the tree the
    kernel ELF is in: build/target/**.elf, the same bytes), or else the
    module copied out of memory into a temporary directory."""
    k = (m.data, m.size)
    if k in _module_files:
        return _module_files[k]
    data = None
    tree = kernel_elf().resolve().parent.parent  # build/target
    for p in sorted(tree.rglob("*.elf")):
        try:
            if p.stat().st_size != m.size:
                continue
        except OSError:
            continue
        data = data or module_bytes(m)
        if p.read_bytes() == data:
            _module_files[k] = p
            return p
    data = data or module_bytes(m)
    out = Path(tempfile.gettempdir()) / f"cairn-gdb-{os.getuid()}"
    out.mkdir(exist_ok=True)
    path = out / f"{m.name}-{hashlib.sha1(data).hexdigest()[:12]}.elf"
    if not path.exists():
        path.write_bytes(data)
    _module_files[k] = path
    return path


def program_of(st, t):
    modules = kview.read_modules(MEM, st.L)
    m = kview.program_of(MEM, t.vspace_root, modules)
    if m is None:
        raise CairnError(f"thread '{t.name}': no boot module's program is "
                         f"mapped in its VSpace (root {t.vspace_root:#x})")
    return m


def load_symbols(st, t, quiet=False):
    """Loads the symbols of the program t runs in place of the last
    component's; returns (module, path)."""
    m = program_of(st, t)
    path = program_file(m)
    if _loaded["path"] != path:
        unload_symbols()
        gdb.execute(f"add-symbol-file {path}", to_string=True)
        _loaded["path"] = path
    _loaded["label"] = f"{t.name}: {m.name}"
    if not quiet:
        gdb.write(f"cairn: symbols of thread '{t.name}': program "
                  f"'{m.name}' from {path}\n")
    return m, path


def unload_symbols():
    if _loaded["path"] is not None:
        try:
            gdb.execute(f"remove-symbol-file {_loaded['path']}",
                        to_string=True)
        except gdb.error:
            pass
        _loaded["path"] = _loaded["label"] = None


# ---- commands --------------------------------------------------------------------------

def _run(fn):
    """Runs a command body in physical mode; errors become gdb errors."""
    try:
        with _Physical():
            return fn()
    except (CairnError, kview.KviewError) as e:
        raise gdb.GdbError(f"cairn: {e}")


def _thread_names(word):
    """For completion: the threads' names starting with word."""
    try:
        with _Physical():
            names = sorted({t.name for t in State().threads})
    except Exception:  # the target may be running or gone: no names
        return []
    return [n for n in names if n.startswith(word or "")]


class _NameCommand(gdb.Command):
    """A command whose first argument is a thread's name."""

    def complete(self, text, word):
        if " " in text.lstrip():
            return self.complete_rest(text, word)
        return _thread_names(word)

    def complete_rest(self, text, word):
        return []


class Cairn(gdb.Command):
    """Cairn's kernel objects: cairn threads, cairn caps NAME,
cairn vspace NAME [-v], cairn symbols [NAME|off], cairn break NAME LOCATION.
See docs/gdb.md."""

    def __init__(self):
        super().__init__("cairn", gdb.COMMAND_DATA, prefix=True)


def _blocked(st, t):
    kinds = {2: ("endpoint", kview.CAP_ENDPOINT),
             3: ("endpoint", kview.CAP_ENDPOINT),
             5: ("notification", kview.CAP_NOTIFICATION)}
    if t.state in kinds and t.blocked_on:
        name, type_ = kinds[t.state]
        oid = kview.audit_object_id(st.key, t.blocked_on, type_, 0)
        return f"{name} {oid:016x}"
    return "-"


def _freq():
    try:
        return int(gdb.parse_and_eval("$CNTFRQ_EL0")) or None
    except gdb.error:
        return None


class Threads(gdb.Command):
    """Every TCB, in creation order: NAME, STATE (as the console's ps),
PRI, CPU (the CPU it is current on; * marks the selected one), VMID and
VSPACE (its stage-2 root), CPU-MS (time at EL0), IPC (system calls), TCB
(its address: p *(struct tcb *)ADDR), OBJECT (the audit's id for it) and
what a blocked thread waits on."""

    def __init__(self):
        super().__init__("cairn threads", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        def body():
            st = State()
            freq = _freq()
            rows = []
            for t in st.threads:
                mark = "*" if t.cpu is not None and t.cpu == st.cpu else " "
                cpu = "-" if t.cpu is None else str(t.cpu)
                ms = (f"{t.cpu_ticks * 1000 // freq}" if freq
                      else f"{t.cpu_ticks}t")
                rows.append((mark + t.name, t.state_name, t.priority, cpu,
                             t.vmid, f"{t.vspace_root:#x}", ms, t.ipc_calls,
                             f"{t.addr:#x}",
                             f"{kview.audit_object_id(st.key, t.addr, kview.CAP_TCB, 0):016x}",
                             _blocked(st, t)))
            gdb.write(kview.table(rows, (" NAME", "STATE", "PRI", "CPU",
                                         "VMID", "VSPACE", "CPU-MS", "IPC",
                                         "TCB", "OBJECT", "WAITING ON"))
                      + "\n")
            idle = [str(c.index) for c in st.cpus
                    if c.online and not c.current]
            gdb.write(f"{len(st.threads)} threads; selected cpu {st.cpu}"
                      + (f"; idle cpus: {', '.join(idle)}" if idle else "")
                      + "\n" + _key_note(st))
        _run(body)


class Caps(_NameCommand):
    """cairn caps NAME: the CSpace of the thread NAME (or at TCB address
NAME) as the live audit walks it: SLOT (cptr), DEPTH, TYPE, OBJECT (the
audit's id), RIGHTS, BADGE (the audit's badge word) as the console's
`caps NAME` shows them, then the slot's ADDR and what the audit leaves out
(sizes, guards, where a frame is mapped). Then the slots the TCB itself
holds (its CSpace root, VSpace, IPC buffer and VCPU), which the audit does not
list."""

    def __init__(self):
        super().__init__("cairn caps", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if not name:
            raise gdb.GdbError("usage: cairn caps NAME (cairn threads "
                               "lists the names)")

        def body():
            st = State()
            out = []
            for t in st.named(name):
                entries = kview.walk_cspace(MEM, st.L, t.cspace)
                rows = [(e.cptr, e.depth, kview.type_name(e.cap.type),
                         st.oid(e.cap), kview.rights_str(e.cap.rights),
                         f"{e.cap.audit_badge():#x}", f"{e.slot_addr:#x}",
                         e.cap.detail()) for e in entries]
                out.append(f"CSpace of '{t.name}' (TCB {t.addr:#x}, root "
                           f"CNode {t.cspace.object:#x})")
                out.append(kview.table(rows, ("SLOT", "DEPTH", "TYPE",
                                              "OBJECT", "RIGHTS", "BADGE",
                                              "ADDR", "DETAIL")))
                out.append(f"{len(entries)} capabilities")
                out.append("held by the TCB:")
                for what, c in (("cspace", t.cspace), ("vspace", t.vspace),
                                ("ipc_buffer", t.ipc_buffer),
                                ("vcpu", t.vcpu)):
                    if c is None:
                        continue
                    out.append(f"  {what:<10}  " + (
                        "-" if c.null else
                        f"{kview.type_name(c.type):<12} {st.oid(c)}  "
                        f"{kview.rights_str(c.rights)}  {c.detail()}"))
            gdb.write("\n".join(out) + "\n" + _key_note(st))
        _run(body)


class VSpace(_NameCommand):
    """cairn vspace NAME [-v]: the stage-2 mappings of the thread NAME's
VSpace: IPA ranges with their physical addresses, size, rights (rwx) and
memory type (normal, uncached, device). -v lists every table and page with
the audit's id of the PageTable or Frame there."""

    def __init__(self):
        super().__init__("cairn vspace", gdb.COMMAND_DATA)

    def invoke(self, arg, from_tty):
        args = arg.split()
        verbose = "-v" in args
        names = [a for a in args if a != "-v"]
        if len(names) != 1:
            raise gdb.GdbError("usage: cairn vspace NAME [-v]")

        def body():
            st = State()
            out = []
            done = set()
            for t in st.named(names[0]):
                if t.vspace_root in done or not t.vspace_root:
                    continue
                done.add(t.vspace_root)
                entries = kview.walk_s2(MEM, t.vspace_root)
                leaves = [e for e in entries if e.kind == "page"]
                tables = [e for e in entries if e.kind == "table"]
                out.append(f"VSpace of '{t.name}': root {t.vspace_root:#x}, "
                           f"VMID {t.vmid}")
                if verbose:
                    rows = [(e.kind, e.level, f"{e.ipa:#014x}",
                             f"{e.pa:#x}", kview.size_str(e.size),
                             kview.map_rights(e.rights)
                             if e.kind == "page" else "-",
                             e.memory or "-", f"{e.object_id(st.key):016x}")
                            for e in entries]
                    out.append(kview.table(rows, ("KIND", "LEVEL", "IPA",
                                                  "PA", "SIZE", "RIGHTS",
                                                  "MEMORY", "OBJECT")))
                else:
                    rows = []
                    for first, size in kview.ranges(leaves):
                        rows.append((f"{first.ipa:#014x}-"
                                     f"{first.ipa + size:#014x}",
                                     f"{first.pa:#x}", kview.size_str(size),
                                     kview.map_rights(first.rights),
                                     first.memory))
                    out.append(kview.table(rows, ("IPA", "PA", "SIZE",
                                                  "RIGHTS", "MEMORY")))
                total = sum(e.size for e in leaves)
                out.append(f"{len(leaves)} mappings, {total >> 10} KiB, "
                           f"{len(tables)} tables below the root")
            gdb.write("\n".join(out) + "\n")
        _run(body)


class Symbols(_NameCommand):
    """cairn symbols [NAME|off]: loads the symbols of the program the thread
current on the selected CPU runs (or the thread NAME), in place of the
component symbols loaded before; `off` removes them. The program is the
boot module whose executable segments the thread's VSpace maps; its file
is the build tree's ELF with the same bytes (next to the kernel ELF), or
else the module copied out of memory."""

    def __init__(self):
        super().__init__("cairn symbols", gdb.COMMAND_FILES)

    def complete(self, text, word):
        extra = ["off"] if "off".startswith(word or "") else []
        return _NameCommand.complete(self, text, word) + extra

    def invoke(self, arg, from_tty):
        name = arg.strip()
        if name in ("off", "--remove"):
            unload_symbols()
            gdb.write("cairn: component symbols removed\n")
            return

        def body():
            st = State()
            if name:
                t = st.named(name)[0]
            else:
                t = st.current()
                if t is None:
                    busy = [f"cpu {x.cpu}: '{x.name}'" for x in st.threads
                            if x.cpu is not None]
                    raise CairnError(
                        f"cpu {st.cpu} runs no thread (it is idle or in the "
                        "kernel between threads)" +
                        (f"; current elsewhere: {', '.join(busy)} "
                         "(`thread N` selects cpu N-1)" if busy else "") +
                        "; `cairn symbols NAME` loads a named thread's")
            load_symbols(st, t)
        _run(body)


def _current_name():
    try:
        with _Physical():
            t = State().current()
    except (CairnError, kview.KviewError, gdb.error):
        return None
    return t.name if t else None


class ThreadBreakpoint(gdb.Breakpoint):
    """Stops only when the thread current on the CPU that reached it has
    the given name: all programs are linked at the same addresses."""

    def __init__(self, spec, thread):
        super().__init__(spec)
        self.cairn_thread = thread

    def stop(self):
        try:
            with _Physical():
                st = State()
                t = st.current()
                if t is None or t.name != self.cairn_thread:
                    return False
                # Before gdb prints where it stopped, in these symbols.
                if AUTO.value:
                    _swap_symbols(st, t)
                return True
        except (CairnError, kview.KviewError, gdb.error) as e:
            gdb.write(f"cairn: breakpoint {self.number}: {e}\n")
            return True


class Break(_NameCommand):
    """cairn break NAME LOCATION: loads the symbols of the program the
thread NAME runs, resolves LOCATION (a function, FILE:LINE, ...) in it and
sets a breakpoint there that stops only when the thread NAME reaches it
(every program is linked at the same addresses, so another thread may
execute that address too). It is set by address: it stays put when other
component symbols are loaded later."""

    def __init__(self):
        super().__init__("cairn break", gdb.COMMAND_BREAKPOINTS)

    def complete_rest(self, text, word):
        return gdb.COMPLETE_LOCATION

    def invoke(self, arg, from_tty):
        parts = arg.split(None, 1)
        if len(parts) != 2:
            raise gdb.GdbError("usage: cairn break NAME LOCATION")
        name, location = parts

        def body():
            st = State()
            t = st.named(name)[0]
            _m, path = load_symbols(st, t, quiet=True)
            probe = gdb.Breakpoint(location, internal=True, temporary=True)
            try:
                addrs = sorted({loc.address for loc in probe.locations})
            finally:
                probe.delete()
            if not addrs:
                raise CairnError(f"'{location}' is not in {path}")
            for a in addrs:
                bp = ThreadBreakpoint(f"*{a:#x}", t.name)
                gdb.write(f"cairn: breakpoint {bp.number} at {a:#x} "
                          f"({location} in {Path(path).name}) for thread "
                          f"'{t.name}'\n")
        _run(body)


class CurrentThread(gdb.Function):
    """$_cairn_thread(): the name of the thread current on the selected
CPU, or "" when it runs none."""

    def __init__(self):
        super().__init__("_cairn_thread")

    def invoke(self):
        name = _current_name() or ""
        # A str of length 0 would print as 0x0: a char array prints "".
        data = name.encode() + b"\0"
        return gdb.Value(data, gdb.lookup_type("char").array(len(data) - 1))


class AutoSymbols(gdb.Parameter):
    """Whether, each time the machine stops with the selected CPU at EL0,
the symbols of the program its thread runs are loaded (cairn symbols)."""

    set_doc = "Set whether cairn loads the running program's symbols on stops."
    show_doc = "Show whether cairn loads the running program's symbols on stops."

    def __init__(self):
        super().__init__("cairn auto-symbols", gdb.COMMAND_DATA,
                         gdb.PARAM_BOOLEAN)
        self.value = True

    def get_show_string(self, value):
        return f"cairn auto-symbols is {value}"


def _at_el0():
    try:
        cpsr = int(gdb.parse_and_eval("$cpsr"))
    except gdb.error:
        return False
    return (cpsr & 0x1F) == 0  # AArch64 EL0t


def _on_stop(event):
    if not AUTO.value or not _at_el0():
        return
    try:
        with _Physical():
            st = State()
            t = st.current()
            if t is None or not _swap_symbols(st, t):
                return
    except (CairnError, kview.KviewError, gdb.error) as e:
        gdb.write(f"cairn: no symbols for the running thread: {e}\n")
        return
    # gdb printed the stop in the symbols loaded before: again, in these.
    gdb.write(gdb.execute("frame", to_string=True))


def _swap_symbols(st, t):
    """Loads the symbols of t's program unless they are loaded; whether
    it loaded them."""
    m = program_of(st, t)
    if _loaded["path"] == program_file(m):
        return False
    load_symbols(st, t)
    return True


class _Prefix(gdb.Command):
    """Cairn's settings: set cairn auto-symbols on|off."""

    def __init__(self, name):
        super().__init__(name, gdb.COMMAND_DATA, prefix=True)


Cairn()
_Prefix("set cairn")
_Prefix("show cairn")
Threads()
Caps()
VSpace()
Symbols()
Break()
CurrentThread()
AUTO = AutoSymbols()
gdb.events.stop.connect(_on_stop)
