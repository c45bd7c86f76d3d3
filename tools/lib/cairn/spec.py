"""Compiling a manifest into a system spec: every object and every
capability (holder, slot, object, rights, badge) the system should hold.

This is the contract the root task's spec loader will implement (it does not
exist yet) and what the live audit is diffed against. Layout, per component
instance:
  - objects: its TCB, CNode (CNODE_RADIX slots, guarded so cptrs are slot
    numbers), VSpace and IPC buffer frame;
  - caps in its CNode, from slot 1, in the order its IDL type declares its
    interfaces:
      uses P      the endpoint of the connected provider: write+grant,
                  badge = the connection's number (1-based)
      provides P  its endpoint (read), then a Reply object (next slot)
      emits E     the consumer's notification: write, badge 1
      consumes E  its notification (read)
      dataport D  no cap: the frames are mapped (see `mappings`)
Objects are named "<kind>:<instance>[.<interface>]".
"""
from dataclasses import dataclass, field

CNODE_RADIX = 6
DATAPORT_BASE = 0x40000000  # dataports are mapped from here, in order

RIGHTS_R, RIGHTS_W, RIGHTS_G = "r---", "-w--", "-wg-"


@dataclass
class Cap:
    holder: str
    slot: int
    type: str
    object: str
    rights: str
    badge: int = 0

    def audit_entry(self):
        return {"holder": self.holder, "cptr": self.slot, "depth": 64,
                "type": self.type, "object": self.object,
                "rights": self.rights, "badge": self.badge}


@dataclass
class Spec:
    objects: dict = field(default_factory=dict)  # name -> type
    caps: list = field(default_factory=list)
    mappings: list = field(default_factory=list)  # (instance, object, ipa)


def _provider(m, end):
    for frm, to, kind in m.connections:
        if frm == end:
            return to, m.connections.index((frm, to, kind)) + 1
    return None, 0


def compile_manifest(m, interfaces):
    """m: a loaded Manifest; interfaces: IDL component type -> {name: (kind,
    type)} (idl.Component.interfaces), in declaration order."""
    spec = Spec()
    for inst in m.components:
        for kind in ("tcb", "cnode", "vspace"):
            spec.objects[f"{kind}:{inst}"] = kind
        spec.objects[f"frame:{inst}.ipc"] = "frame"
    next_ipa = DATAPORT_BASE
    dataports = {}
    for inst, ctype in m.components.items():
        slot = 1
        for iface, (kind, _) in interfaces[ctype].items():
            end = f"{inst}.{iface}"
            if kind == "uses":
                to, n = _provider(m, end)
                obj = f"endpoint:{to}"
                spec.objects[obj] = "endpoint"
                spec.caps.append(Cap(inst, slot, "endpoint", obj, RIGHTS_G, n))
                slot += 1
            elif kind == "provides":
                obj = f"endpoint:{end}"
                spec.objects[obj] = "endpoint"
                spec.objects[f"reply:{end}"] = "reply"
                spec.caps.append(Cap(inst, slot, "endpoint", obj, RIGHTS_R))
                spec.caps.append(Cap(inst, slot + 1, "reply", f"reply:{end}",
                                     "rwgx"))
                slot += 2
            elif kind == "emits":
                to, _ = _provider(m, end)
                obj = f"notification:{to}"
                spec.objects[obj] = "notification"
                spec.caps.append(Cap(inst, slot, "notification", obj, RIGHTS_W, 1))
                slot += 1
            elif kind == "consumes":
                obj = f"notification:{end}"
                spec.objects[obj] = "notification"
                spec.caps.append(Cap(inst, slot, "notification", obj, RIGHTS_R))
                slot += 1
            else:  # a dataport: both ends map the frames named by the "to" end
                to, _ = _provider(m, end)
                key = to if to else end
                obj = dataports.setdefault(key, f"dataport:{key}")
                if obj not in spec.objects:
                    spec.objects[obj] = "frames"
                spec.mappings.append((inst, obj, next_ipa))
                next_ipa += 1 << 30
        if slot > 1 << CNODE_RADIX:
            raise ValueError(f"component {inst}: {slot - 1} caps do not fit "
                             f"{1 << CNODE_RADIX} slots")
    return spec


def holders_table(spec):
    """Who holds what, as aligned text."""
    rows = [("holder", "slot", "type", "object", "rights", "badge")]
    for c in sorted(spec.caps, key=lambda c: (c.holder, c.slot)):
        rows.append((c.holder, str(c.slot), c.type, c.object, c.rights,
                     f"{c.badge:#x}" if c.badge else "-"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip()
                     for r in rows)
