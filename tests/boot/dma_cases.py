"""Boot cases for the IOMMU server and the DMA matrix (boot_test.py imports
this module, so it stays the one list of boot cases): two native test
drivers (tests/scenarios/dma), each given one QEMU edu device through the
IOMMU server, and a component with passthrough disabled
(configs/test-dma-share.toml)."""
import re
from types import SimpleNamespace

CASES = []
bt = SimpleNamespace()  # boot_test.py's helpers, given by use()
EDU = "edu,dma_mask=0xffffffffffffffff"
TWO_EDUS = ["-device", f"{EDU},addr=02.0", "-device", f"{EDU},addr=03.0"]
DRIVERS = {"left": ("00:02.0", "0x10"), "right": ("00:03.0", "0x18")}
MATRIX = ("bind", "own_memory", "unmapped_iova", "kernel_and_mmio",
          "bind_only", "peer_memory", "peer_untouched", "after_unmap",
          "after_revoke", "intx")


def use(**helpers):
    bt.__dict__.update(helpers)


def case(fn):
    CASES.append(fn)
    return fn


def complained(log):
    """An error or warning from the IOMMU server, other than that the
    SMMU's event queue was full (which QEMU's bursts of faults may cause,
    and which check_faults accounts for)."""
    return re.search(r"iommu: (error|warning)(?!: the SMMU's event queue "
                     r"was full)", log)


def peers_attacked(m):
    """{client: the other driver's page it attacked}, as each said."""
    return dict(re.findall(r"(left|right): dma: attacking the other "
                           r"driver's page at (0x[0-9a-f]+)", m.log))


def audit_ok_and_power_off(m, n):
    """The live audit equals the spec's n capabilities; then power off."""
    bt.shell(m, "audit", rf"audit: ok, {n} capabilities")
    m.send("poweroff\r")
    m.expect("powering off")
    m.wait_exit(timeout=30)


def fault_line(client, bdf, sid, direction, addr):
    return (rf"iommu: DMA fault: {client}, device {bdf} \(sid {sid}\): "
            rf"{direction} at {addr}: translation fault \(event 0x10\)")


def check_faults(m, client, peer_addr, unmapped):
    """The IOMMU server's fault line for each address client's device was
    refused at, both ways: an IOVA never mapped, the kernel's text, the
    UART, the other driver's page; and the write to the page just
    unmapped (at `unmapped`)."""
    bdf, sid = DRIVERS[client]
    for direction, addr in (("read", "0x7f00000000"), ("write", "0x7f00000000"),
                            ("read", "0x40200000"), ("write", "0x40200000"),
                            ("read", "0x9000000"), ("write", "0x9000000"),
                            ("write", unmapped)):
        if not re.search(fault_line(client, bdf, sid, direction, addr), m.log):
            m.fail(f"no fault line for {client}'s {direction} at {addr}")
    # Both drivers attack each other at the same moment: two devices'
    # bursts of refused transfers (a thousand faults a page) can overflow
    # the SMMU's event queue, and QEMU drops what does not fit. Then one
    # direction may go unreported, but never silently: the server says
    # the queue was full. At least one direction must be reported.
    both = all(re.search(fault_line(client, bdf, sid, d, peer_addr), m.log)
               for d in ("read", "write"))
    if not re.search(fault_line(client, bdf, sid, "(read|write)", peer_addr),
                     m.log):
        m.fail(f"no fault line for {client}'s attempts at {peer_addr}")
    if not both and not re.search(r"iommu: warning: the SMMU's event queue "
                                  r"was full \d+ times?", m.log):
        m.fail(f"a direction of {client}'s attempts at {peer_addr} went "
               "unreported and nothing said events were lost")


def check_matrix(m, client, peer_addr):
    """client's PASS lines, and the IOMMU server's fault line for each
    address its device was refused (naming client, device and address)."""
    bad = [t for t in MATRIX if not re.search(rf"{client}: PASS {t}:", m.log)]
    if bad:
        m.fail(f"{client}: no PASS for {bad}")
    check_faults(m, client, peer_addr, "0x100000000")


@case
def dma_share_pt_matrix(images):
    """share-pt: each driver binds the bind-only StreamID the IOMMU server
    gave it to its own VSpace; DMA into its own memory works (data
    checked); to an IOVA never mapped, the other driver's page (by its
    physical address), the kernel's text and the UART it is blocked, and
    right after Unmap and after a Revoke of the mapping cap; the server
    reports every refusal on the console with client, device and address;
    `iommu` shows both clients, `iommu faults` the last faults, the
    disabled component holds no StreamID and the audit equals the spec."""
    n = len(bt.expected_caps(images, "test-dma-share"))
    idle = [c for c in bt.expected_caps(images, "test-dma-share")
            if '"holder": "idle"' in c]
    if not idle or any("stream_id" in c for c in idle):
        raise AssertionError(f"the disabled component's expected caps: {idle}")
    with bt.console_boot(images, system="test-dma-share",
                         extra=TWO_EDUS) as m:
        m.expect_all([r"left: dma: \d+ passed, \d+ failed",
                      r"right: dma: \d+ passed, \d+ failed"], timeout=120)
        for client in DRIVERS:
            if not re.search(rf"{client}: dma: 10 passed, 0 failed", m.log):
                m.fail(f"{client}'s summary is not 10 passed, 0 failed")
        if complained(m.log):
            m.fail("the IOMMU server complained")
        bt.shell(m, "iommu",
                 r"left +share-pt +share-pt +00:02\.0 +0x10 +0 +[1-9]\d* +ok",
                 r"right +share-pt +share-pt +00:03\.0 +0x18 +0 +[1-9]\d* +ok")
        bt.shell(m, "iommu faults",
                 r"DMA fault: (left|right), device 00:0[23]\.0 \(sid "
                 r"0x1[08]\): write at 0x100000000",
                 r"iommu: \d+ DMA faults reported, the last 16 shown")
        # By now (the shell answered after them) every fault line is in.
        peers = peers_attacked(m)
        for client in DRIVERS:
            if peers.get(client) is None:
                m.fail(f"{client} never said whose page it attacked")
            check_matrix(m, client, peers[client])
        out = bt.shell(m, "caps idle", r"\d+ capabilities")
        if "stream_id" in out:
            m.fail(f"the disabled component holds a StreamID:\n{out}")
        bt.shell(m, "caps left", r"stream_id +[0-9a-f]{16} +-w-- ")
        audit_ok_and_power_off(m, n)
    print(f"both drivers: {len(MATRIX)} cases passed; audit: ok, {n} "
          "capabilities")


@case
def dma_share_pt_on_stage1_smmu(images):
    """The same system on QEMU's stage-1-only SMMU: share-pt cannot be
    had, so each client runs as sync-pt, said in one warning per client;
    without the kernel's IOSpaces sync-pt sets nothing up, so the devices'
    DMA reaches nothing and faults nowhere; `iommu` shows share-pt asked
    for and sync-pt in force; the audit still equals the spec."""
    n = len(bt.expected_caps(images, "test-dma-share"))
    with bt.console_boot(images, system="test-dma-share", extra=TWO_EDUS,
                         machine=bt.SMMU_STAGE1_MACHINE,
                         smmu_stage="1") as m:
        m.expect_all([r"left: PASS unset_device_blocked",
                      r"right: PASS unset_device_blocked",
                      r"left: dma: 1 passed, 0 failed",
                      r"right: dma: 1 passed, 0 failed"], timeout=120)
        for client in DRIVERS:
            warnings = re.findall(rf"iommu: warning: {client} asked for "
                                  r"share-pt, but this SMMU cannot walk the "
                                  r"CPU's stage-2 tables: it runs as sync-pt",
                                  m.log)
            if len(warnings) != 1:
                m.fail(f"{len(warnings)} fallback warnings for {client}")
        if "DMA fault" in m.log:
            m.fail("a fault was reported though no stream is bound")
        bt.shell(m, "iommu",
                 r"left +share-pt +sync-pt +00:02\.0 +0x10 +0 +0 +sync-pt "
                 r"unavailable",
                 r"right +share-pt +sync-pt +00:03\.0 +0x18 +0 +0 +sync-pt "
                 r"unavailable")
        audit_ok_and_power_off(m, n)
    print("share-pt ran as sync-pt with one warning per client; audit ok")


@case
def dma_missing_device_fails_its_client_only(images):
    """With one edu device only, right's (named by vendor:device IDs after
    left took the one there is) is not on the bus: the IOMMU server says so
    at boot for right alone, right's driver is told `not present`, left
    runs its whole matrix, and the audit names exactly the StreamID and
    IRQHandler caps that could not be made."""
    with bt.console_boot(images, system="test-dma-share",
                         extra=TWO_EDUS[:2]) as m:
        m.expect(r"iommu: error: right: device 0 \(IDs 0x11e81234\) is not "
                 r"on the bus: refused to right only", timeout=60)
        m.expect_all([r"right: dma: device 0: not present: nothing to drive",
                      r"left: dma: 10 passed, 0 failed"], timeout=120)
        out = bt.shell(m, "iommu",
                       r"left +share-pt +share-pt +00:02\.0 +0x10 .* ok",
                       r"right +share-pt +share-pt +- +- +0 +0 +not present")
        out = bt.shell(m, "audit", r"audit: ")
        missing = re.findall(r"stream_id:right#0", out)
        irq = re.findall(r"irq_handler:right#0", out)
        if "audit: ok" in out or len(missing) != 2 or len(irq) != 1 \
                or "stream_id:left" in out or "irq_handler:left" in out:
            m.fail(f"the audit should miss right's two StreamID caps and "
                   f"its IRQHandler, and only them:\n{out}")
        m.send("poweroff\r")
        m.expect("powering off")
        m.wait_exit(timeout=30)
    print("right refused alone; left ran; the audit names the missing caps")


SYNC_MATRIX = ("own_memory", "peer_memory", "peer_untouched", "unmapped_iova",
               "kernel_and_mmio", "after_unmap", "after_revoke",
               "bad_requests", "intx")


def check_sync(m, client, peer_addr):
    """A sync-pt driver's PASS lines and the server's fault lines for
    each IOVA its device was refused at (its X(3), 3 pages past the test
    pages it names: after the unmap and after the revoke)."""
    bad = [t for t in SYNC_MATRIX
           if not re.search(rf"{client}: PASS {t}:", m.log)]
    if bad:
        m.fail(f"{client}: no PASS for {bad}")
    found = re.search(rf"{client}: dma: my IOVA window: (\d+) pages from "
                      r"0x40000000; my test pages from (0x[0-9a-f]+)", m.log)
    if not found:
        m.fail(f"{client} did not say its IOVA window")
    pages, x0 = int(found.group(1)), int(found.group(2), 16)
    if pages < 64 or pages & (pages - 1) or x0 != 0x4000_0000 + (pages - 8) * 4096:
        m.fail(f"{client}'s window of {pages} pages, test pages at {x0:#x}")
    check_faults(m, client, peer_addr, f"{x0 + 3 * 4096:#x}")


def sync_boot(images, stage1):
    kw = dict(machine=bt.SMMU_STAGE1_MACHINE, smmu_stage="1") if stage1 else {}
    return bt.console_boot(images, system="test-dma-sync", extra=TWO_EDUS,
                           **kw)


@case
def dma_sync_pt_matrix(images):
    """sync-pt on an SMMU that can share: left (sync-pt) maps its frames
    into the IOSpace the IOMMU server keeps for it through ring records;
    DMA into them works (data checked), everything else is blocked and
    reported (as in share-pt), right after an acknowledged unmap and a
    Revoke of its frame cap too; every bad request is refused with its
    error while right (enabled: share-pt here) runs its own matrix;
    `iommu` shows left's two pages mapped; the audit equals the spec."""
    n = len(bt.expected_caps(images, "test-dma-sync"))
    with sync_boot(images, stage1=False) as m:
        m.expect_all([r"left: dma: \d+ passed, \d+ failed",
                      r"right: dma: \d+ passed, \d+ failed"], timeout=120)
        if not re.search(r"left: dma: 9 passed, 0 failed", m.log) or \
                not re.search(r"right: dma: 10 passed, 0 failed", m.log):
            m.fail("a driver's summary is not all passed (9 and 10)")
        bt.shell(m, "iommu",
                 r"left +sync-pt +sync-pt +00:02\.0 +0x10 +2 +[1-9]\d* +ok",
                 r"right +enabled +share-pt +00:03\.0 +0x18 +0 +[1-9]\d* +ok")
        peers = peers_attacked(m)
        check_sync(m, "left", peers.get("left", "none"))
        check_matrix(m, "right", peers.get("right", "none"))
        if complained(m.log):
            m.fail("the IOMMU server complained")
        audit_ok_and_power_off(m, n)
    print(f"sync-pt and enabled drivers passed; audit: ok, {n} capabilities")


@case
def dma_sync_pt_on_stage1_smmu(images):
    """The same system on QEMU's stage-1-only SMMU, whose IOSpaces are
    stage-1 tables: both drivers run sync-pt (right's enabled resolves to
    it, without a warning: it asked for either) and pass the sync-pt
    matrix; the audit equals the spec."""
    n = len(bt.expected_caps(images, "test-dma-sync"))
    with sync_boot(images, stage1=True) as m:
        m.expect_all([r"left: dma: \d+ passed, \d+ failed",
                      r"right: dma: \d+ passed, \d+ failed"], timeout=120)
        for client in DRIVERS:
            if not re.search(rf"{client}: dma: 9 passed, 0 failed", m.log):
                m.fail(f"{client}'s summary is not 9 passed, 0 failed")
        bt.shell(m, "iommu",
                 r"left +sync-pt +sync-pt +00:02\.0 +0x10 +2 +[1-9]\d* +ok",
                 r"right +enabled +sync-pt +00:03\.0 +0x18 +2 +[1-9]\d* +ok")
        peers = peers_attacked(m)
        for client in DRIVERS:
            check_sync(m, client, peers.get(client, "none"))
        if complained(m.log):
            m.fail("the IOMMU server complained")
        audit_ok_and_power_off(m, n)
    print(f"both drivers passed sync-pt on stage 1; audit: ok, {n} "
          "capabilities")


@case
def bench_p2m_runs(images):
    """bench/p2m's system (Debug here, not timed): both clients map and
    unmap 1, 64 and 4 096 pages, share-pt and sync-pt, every round ok and
    every figure printed (sync-pt's with the IOMMU server's part)."""
    with bt.boot(images, system="bench-p2m", append=None,
                 extra=["-icount", "shift=0"] + TWO_EDUS,
                 time_limit=bt.LONG_TIME_LIMIT) as m:
        m.expect_all([r"share: p2m bench: done", r"sync: p2m bench: done"],
                     timeout=250)
        rows = re.findall(r"(share|sync): p2m bench: (share-pt|sync-pt) "
                          r"(\d+) pages: (ok|FAILED) map (\d+), unmap (\d+) "
                          r"instructions per page \(IOMMU server: map (\d+), "
                          r"unmap (\d+)\)", m.log)
        want = {(w, n) for w in ("share", "sync") for n in ("1", "64", "4096")}
        got = {(w, n) for w, _, n, ok, mp, um, smp, sum_ in rows
               if ok == "ok" and int(mp) > 0 and int(um) > 0
               and (w == "share") == (int(smp) == 0 == int(sum_))}
        if got != want:
            m.fail(f"rounds ok: {sorted(got)}, expected {sorted(want)}")
    print("bench/p2m: every round ran")
